// The queue-paused state shows when clawcab is killed: the claw's will reaches clawd,
// the lobby says CLAW_OFFLINE, and every waiting page says the game is paused with the
// place kept; a page that joins while the claw is offline says so too (it reads
// GET /v1/watch after connecting, since lobby messages are not retained).
'use strict';

const { check, text, waitForState } = require('../harness.js');

module.exports = {
  cabinet: { 'turn-ms': 30000 },
  async run(t) {
    const eve = await t.joinPlayer('Eve', { states: ['playing'] });
    const finn = await t.joinPlayer('Finn', { states: ['waiting', 'get_ready'] });
    t.cabinet.kill('clawcab', 'SIGKILL');
    t.step('clawcab killed');
    await waitForState(finn, 'paused', 10000);
    await waitForState(eve, 'paused', 5000);
    const detail = await text(finn, '#status-detail');
    t.step(`Finn: "${await text(finn, '#status-title')}" / "${detail}"`);
    check(/offline/i.test(detail) && /place is kept/i.test(detail), `paused detail: "${detail}"`);
    check(await finn.isVisible('#place'), "a paused player's place is not shown");

    await t.joinPlayer('Gus', { states: ['paused'] });
    t.step('a player joining while the claw is offline sees it paused');
  },
};
