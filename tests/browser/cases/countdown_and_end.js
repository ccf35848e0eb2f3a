// The countdown shows and runs down while in control; when the time is up the claw drops
// by itself and the page says the turn is over, then how it ended; "Play again" joins
// again with the same name.
'use strict';

const { check, sleep, text, waitForState } = require('../harness.js');

const seconds = (clock) => {
  const [minutes, rest] = clock.split(':').map(Number);
  return minutes * 60 + rest;
};

module.exports = {
  cabinet: { 'turn-ms': 4000 },
  async run(t) {
    const page = await t.joinPlayer('Hana', { states: ['playing'] });
    const first = await text(page, '#turn-left');
    const firstBar = await page.evaluate(() => document.getElementById('turn-bar').value);
    check(/^0:0[34]$/.test(first), `the countdown starts at "${first}"`);
    await sleep(1500);
    const later = await text(page, '#turn-left');
    const laterBar = await page.evaluate(() => document.getElementById('turn-bar').value);
    t.step(`countdown ${first} then ${later}; bar ${firstBar.toFixed(2)} then ${laterBar.toFixed(2)}`);
    check(seconds(later) < seconds(first) && laterBar < firstBar, 'the countdown did not run down');

    await waitForState(page, 'turn_over', 5000);
    t.step(`turn over: "${await text(page, '#status-title')}"`);
    await page.waitForFunction(() => /time's up/i.test(document.getElementById('status-title').textContent), null,
      { timeout: 20000 });
    t.step(`result: "${await text(page, '#status-title')}" / "${await text(page, '#status-detail')}"`);
    check(await page.isVisible('#again-button'), '"Play again" is not shown');
    check(!(await page.isVisible('#pad')), 'the controls are still shown');

    await page.click('#again-button');
    await waitForState(page, 'playing', 10000);
    t.step('"Play again" gave a new turn');
    const board = (await t.cabinet.request('GET', '/v1/watch')).json;
    check(board.turn && board.turn.name === 'Hana' && board.turn.turn === 2, `watch: ${JSON.stringify(board)}`);
  },
};
