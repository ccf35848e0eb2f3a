// "Too many joins at once": with http.join_burst 1, a join right after another from the
// same address gets 429 with Retry-After; the page says so, counts the wait down with
// "Try again" disabled, then lets the player try again, and the retry joins.
'use strict';

const { check, text, waitFor, waitForState } = require('../harness.js');

module.exports = {
  cabinet: { 'join-burst': 1, 'join-rate': 1, 'ready-ms': 0 },
  async run(t) {
    t.allowConsole(/status of 429/);
    const page = await t.openPlay();
    await waitForState(page, 'idle', 5000);
    const first = await t.cabinet.request('POST', '/v1/join', { name: 'Quick' });
    check(first.status === 200, `the first join: ${first.status} ${first.text}`);
    await t.join(page, 'Slow');
    await waitForState(page, 'rate_limited', 5000);
    const title = await text(page, '#status-title');
    t.step(`"${title}", try again in ${await text(page, '#retry-left')}`);
    check(title === 'Too many joins at once', `title "${title}"`);
    check(await page.isDisabled('#retry-button'), '"Try again" is enabled during the wait');
    await waitFor('"Try again" enabled', () => page.isEnabled('#retry-button'), 5000);
    await page.click('#retry-button');
    await waitForState(page, ['waiting', 'get_ready', 'playing'], 10000);
    t.step('the retry joined');
  },
};
