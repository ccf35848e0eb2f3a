// "The queue is full": with server.queue_length_max 1 and one player already queued (joined
// over HTTP, never connected, so it keeps its place for the grace period), a page's join
// is refused with 503 queue_full and the page says so, with "Try again".
'use strict';

const { check, text, waitForState } = require('../harness.js');

module.exports = {
  cabinet: { 'queue-max': 1, 'grace-ms': 30000 },
  async run(t) {
    t.allowConsole(/status of 503/);
    const page = await t.openPlay();
    const first = await t.cabinet.request('POST', '/v1/join', { name: 'Early' });
    check(first.status === 200, `the first join: ${first.status} ${first.text}`);
    await t.join(page, 'Late');
    await waitForState(page, 'queue_full', 5000);
    const title = await text(page, '#status-title');
    t.step(`"${title}" / "${await text(page, '#status-detail')}"`);
    check(title === 'The queue is full', `title "${title}"`);
    check(await page.isVisible('#retry-button'), 'no "Try again"');
  },
};
