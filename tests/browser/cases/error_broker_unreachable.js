// "Can't reach the game": with Mosquitto killed before the join, clawd cannot create the
// player's account and answers 503 broker_unreachable; the page says so.
'use strict';

const { check, text, waitFor, waitForState } = require('../harness.js');

module.exports = {
  cabinet: {},
  async run(t) {
    t.allowConsole(/status of 503/);
    const page = await t.openPlay();
    await waitForState(page, 'idle', 5000);
    t.cabinet.kill('mosquitto', 'SIGKILL');
    await waitFor('clawd to see the broker gone', () => /broker link down/.test(t.cabinet.log('clawd')), 5000);
    t.step('mosquitto killed');
    await t.join(page, 'Lou');
    await waitForState(page, 'broker_unreachable', 5000);
    const title = await text(page, '#status-title');
    t.step(`"${title}" / "${await text(page, '#status-detail')}"`);
    check(title === "Can't reach the game", `title "${title}"`);
    check(await page.isVisible('#retry-button'), 'no "Try again"');
  },
};
