// "Your place was lost": a player an operator kicks is told so at once (departed kicked);
// a player who navigates away for longer than the grace period (+ the 5 s before its
// account is deleted) comes back to a refused account and is told its place is gone.
'use strict';

const { check, sleep, text, waitForState } = require('../harness.js');

const graceMs = 1000;

module.exports = {
  cabinet: { 'turn-ms': 30000, 'grace-ms': graceMs },
  async run(t) {
    await t.joinPlayer('Ola', { states: ['playing'] });
    const pia = await t.joinPlayer('Pia', { states: ['waiting', 'get_ready'] });
    const quinn = await t.joinPlayer('Quinn', { states: ['waiting'] });

    const ticket = await quinn.evaluate(() => JSON.parse(sessionStorage.getItem('clawnet.place')).answer.ticket);
    const kick = await t.cabinet.admin('POST', '/v1/admin/kick', { ticket });
    check(kick.status === 200, `kick: ${kick.status} ${kick.text}`);
    await waitForState(quinn, 'place_lost', 5000);
    const kicked = await text(quinn, '#status-detail');
    t.step(`kicked: "${await text(quinn, '#status-title')}" / "${kicked}"`);
    check(/operator removed you/i.test(kicked), `kicked detail "${kicked}"`);

    await pia.goto('about:blank');
    await sleep(graceMs + 5000 + 1500);
    await pia.goto(t.cabinet.url('/'));
    await waitForState(pia, 'place_lost', 10000);
    const away = await text(pia, '#status-detail');
    t.step(`away too long: "${await text(pia, '#status-title')}" / "${away}"`);
    check(/away for more than/i.test(away), `away detail "${away}"`);
    check(await pia.isVisible('#again-button'), 'no "Play again"');
  },
};
