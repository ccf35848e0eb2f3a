// A second tab of the same player (the same browser profile) is refused politely and does
// nothing: a new tab says "already in the queue in another tab" and joins nobody; a
// duplicated tab (sessionStorage copied) does not take the first tab's session over.
// When the first tab is done, the second becomes ready to join. The same holds in a
// browser without the Web Locks API (plain http from another machine: not a secure
// context), where a BroadcastChannel stands in.
'use strict';

const { check, sleep, text, waitForState } = require('../harness.js');

module.exports = {
  cabinet: { 'turn-ms': 30000 },
  async run(t) {
    const first = await t.joinPlayer('Kim', { states: ['playing'] });
    const context = first.context();
    const joins = [];
    context.on('request', (request) => { if (request.url().endsWith('/v1/join')) joins.push(request.url()); });

    const second = await t.openPlay({ context });
    await waitForState(second, 'other_tab', 5000);
    const title = await text(second, '#status-title');
    t.step(`second tab: "${title}"`);
    check(/already in the queue in another tab/i.test(title), `second tab says "${title}"`);
    check(!(await second.isVisible('#join-form')), 'the second tab offers to join');

    const saved = await first.evaluate(() => sessionStorage.getItem('clawnet.place'));
    const duplicate = await t.newPage({ context });
    await duplicate.addInitScript((place) => {
      if (!sessionStorage.getItem('copied')) {
        sessionStorage.setItem('clawnet.place', place);
        sessionStorage.setItem('copied', '1');
      }
    }, saved);
    await duplicate.goto(t.cabinet.url('/'));
    await waitForState(duplicate, 'other_tab', 5000);
    t.step('a duplicated tab is refused as well');
    await sleep(1500);
    check((await first.evaluate(() => document.body.dataset.state)) === 'playing', 'the first tab lost its turn');
    check(joins.length === 0, `the other tabs joined: ${joins.length}`);
    const board = (await t.cabinet.request('GET', '/v1/watch')).json;
    check(board.queue_length === 0 && board.turn.name === 'Kim', `watch: ${JSON.stringify(board)}`);

    await first.click('#leave-button');
    await waitForState(first, 'left', 5000);
    await waitForState(second, 'idle', 5000);
    t.step('after the first tab left, the second may join');

    const plain = await t.browser.newContext();
    await plain.addInitScript(() => Object.defineProperty(Navigator.prototype, 'locks', { get: () => undefined }));
    const waiting = await t.joinPlayer('Lee', { context: plain, states: ['waiting', 'get_ready', 'playing'] });
    const other = await t.openPlay({ context: plain });
    await waitForState(other, 'other_tab', 5000);
    check((await waiting.evaluate(() => document.body.dataset.state)) !== 'other_tab', 'the first tab was refused');
    await waiting.click('#leave-button');
    await waitForState(other, 'idle', 5000);
    t.step('without Web Locks: refused the same way, free after the first tab left');
  },
};
