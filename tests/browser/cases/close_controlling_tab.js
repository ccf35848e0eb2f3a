// Closing the tab of the player in control passes the turn on within the presence bound:
// the closed socket makes the broker publish the player's will at once (docs/deploy.md
// "Presence"), so the next player gets the claw long before the 30 s turn would end.
'use strict';

const { check, waitForState } = require('../harness.js');

const boundMs = 10000;

module.exports = {
  cabinet: { 'turn-ms': 30000 },
  async run(t) {
    const ada = await t.joinPlayer('Ada', { states: ['playing'] });
    const ben = await t.joinPlayer('Ben', { states: ['waiting', 'get_ready'] });
    t.step('Ada plays, Ben waits');
    const closedAt = Date.now();
    await ada.close();
    await waitForState(ben, 'playing', boundMs);
    const passedMs = Date.now() - closedAt;
    t.step(`Ben got the claw ${passedMs} ms after Ada's tab closed`);
    const turns = (await t.cabinet.admin('GET', '/v1/turns?limit=5')).json.turns;
    const first = turns.find((turn) => turn.turn === 1);
    check(first && first.result === 'abandoned', `turn 1: ${JSON.stringify(first)}`);
  },
};
