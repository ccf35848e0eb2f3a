// "The game server is restarting": with clawd killed after the page loaded, the join gets
// no answer at all; the page says the server is restarting and tries again by itself.
'use strict';

const { check, sleep, text, waitForState } = require('../harness.js');

module.exports = {
  cabinet: {},
  async run(t) {
    t.allowConsole(/ERR_CONNECTION_REFUSED/);
    const page = await t.openPlay();
    await waitForState(page, 'idle', 5000);
    t.cabinet.kill('clawd', 'SIGKILL');
    t.step('clawd killed');
    let joins = 0;
    page.on('requestfailed', (request) => { if (request.url().endsWith('/v1/join')) joins += 1; });
    await t.join(page, 'Ray');
    await waitForState(page, 'server_restarting', 5000);
    const title = await text(page, '#status-title');
    t.step(`"${title}" / "${await text(page, '#status-detail')}"`);
    check(title === 'The game server is restarting', `title "${title}"`);
    await sleep(3500);
    check(joins >= 2, `the page did not try again by itself (${joins} joins)`);
    check((await page.evaluate(() => document.body.dataset.state)) === 'server_restarting', 'state changed');
  },
};
