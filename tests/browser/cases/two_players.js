// Two players join from two browsers (two contexts) and are served in join order: the
// first answers the ready check, plays and drops; only then is the second asked and
// given the claw.
'use strict';

const { check, text, waitForState } = require('../harness.js');

module.exports = {
  cabinet: { 'ready-ms': 8000, 'turn-ms': 8000 },
  async run(t) {
    const alice = await t.joinPlayer('Alice', { states: ['ready_check'] });
    const bob = await t.joinPlayer('Bob', { states: ['waiting', 'get_ready'] });
    t.step('Alice is asked first; Bob waits');
    const bobPlace = await text(bob, '#place');
    check(bobPlace === '2nd', `Bob's place while Alice is asked: ${bobPlace}`);

    await alice.click('#ready-button');
    await waitForState(alice, 'playing', 10000);
    t.step('Alice plays');
    check(['waiting', 'get_ready'].includes(await bob.evaluate(() => document.body.dataset.state)),
      'Bob must wait while Alice plays');

    await alice.keyboard.press('Space');  // Drop.
    await waitForState(alice, 'turn_over', 5000);
    t.step('Alice dropped');
    await waitForState(bob, 'ready_check', 20000);
    t.step('Bob is asked after the claw came back');
    await bob.click('#ready-button');
    await waitForState(bob, 'playing', 10000);
    t.step('Bob plays');
    const aliceTitle = await text(alice, '#status-title');
    check(/prize/i.test(aliceTitle), `Alice's result shows: "${aliceTitle}"`);
  },
};
