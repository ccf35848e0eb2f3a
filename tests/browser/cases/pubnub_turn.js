// One whole turn on the PubNub transport (broker.kind = pubnub, the PubNub fixture in
// place of PubNub): the page loads the SDK's browser bundle because /v1/config says
// "pubnub" (and not MQTT.js), joins, gets control once its subscribe handshake is done,
// moves the simulated gantry while a key is held and stops it on release (the player's
// Off, not the dead-man), drops, and sees how the turn ended; the claw took every command.
'use strict';

const { check, sleep, waitForLogLine, waitForState } = require('../harness.js');

const holdMs = 1000;

module.exports = {
  cabinet: { transport: 'pubnub', 'turn-ms': 30000 },
  async run(t) {
    const page = await t.joinPlayer('Ada', { states: ['playing'] });
    const libraries = await page.evaluate(() => ({ pubnub: typeof globalThis.PubNub, mqtt: typeof globalThis.mqtt }));
    check(libraries.pubnub === 'function' && libraries.mqtt === 'undefined',
      `the page loaded ${JSON.stringify(libraries)}, not the PubNub SDK alone`);
    t.step('in control, on the PubNub SDK');

    const cabinet = t.cabinet;
    const from = cabinet.log('clawcab').length;
    await page.keyboard.down('ArrowRight');
    const pressedAt = Date.now();
    const on = await waitForLogLine(cabinet, 'clawcab', /gpio: motor gantry_right on\n/, from, 2000);
    t.step(`gantry_right on ${on.at - pressedAt} ms after the press`);
    await sleep(holdMs);
    const held = cabinet.log('clawcab').slice(on.offset);
    check(!held.includes('motor gantry_right off'), `gantry_right stopped while held:\n${held}`);
    await page.keyboard.up('ArrowRight');
    const releasedAt = Date.now();
    const off = await waitForLogLine(cabinet, 'clawcab', /gpio: motor gantry_right off\n/, on.offset, 2000);
    t.step(`gantry_right off ${off.at - releasedAt} ms after the release`);
    // A dead-man stop would come 600 ms after the last refresh, so 400 to 600 ms after release.
    check(off.at - releasedAt < 400, `gantry_right went off ${off.at - releasedAt} ms after release`);

    await page.keyboard.press('Space');
    await waitForState(page, 'turn_over', 5000);
    await page.waitForFunction(() => /prize/i.test(document.getElementById('status-title').textContent), null,
      { timeout: 20000 });
    t.step(`result: "${await page.textContent('#status-title')}"`);

    const turn = await cabinet.admin('GET', '/v1/turns/1');
    check(turn.status === 200 && turn.json.record, `GET /v1/turns/1: ${turn.status} ${turn.text}`);
    const entries = turn.json.record.entries;
    const commands = entries.filter((e) => e.command && !e.rejected).map((e) => e.command);
    t.step(`commands the claw accepted: ${commands.join(' ')}`);
    check(commands.filter((c) => c === 'rightOn').length >= Math.floor(holdMs / 200), 'too few rightOn refreshes');
    check(commands.includes('rightOff') && commands.includes('drop'), 'no rightOff or drop in the record');
    const rejected = entries.filter((e) => e.rejected);
    check(rejected.length === 0, `the claw refused: ${JSON.stringify(rejected)}`);
  },
};
