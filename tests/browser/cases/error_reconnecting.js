// "Connection lost: reconnecting...": a waiting player whose broker connection drops
// (Mosquitto killed) says it is reconnecting and that its place is kept meanwhile.
'use strict';

const { check, text, waitForState } = require('../harness.js');

module.exports = {
  // The first player is asked if it is there and never answers: the second waits.
  cabinet: { 'ready-ms': 60000 },
  async run(t) {
    t.allowConsole(/WebSocket connection to .* failed/);
    await t.joinPlayer('Max', { states: ['ready_check'] });
    const page = await t.joinPlayer('Nia', { states: ['waiting', 'get_ready'] });
    t.cabinet.kill('mosquitto', 'SIGKILL');
    t.step('mosquitto killed');
    await waitForState(page, 'reconnecting', 5000);
    const detail = await text(page, '#status-detail');
    t.step(`"${await text(page, '#status-title')}" / "${detail}"`);
    check(/place is kept/i.test(detail), `detail "${detail}"`);
    check(await page.isVisible('#leave-button'), 'no way to leave while reconnecting');
  },
};
