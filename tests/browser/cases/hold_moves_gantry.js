// Holding a direction moves the simulated gantry and releasing stops it: clawcab's GPIO
// log shows the motor on for as long as the key is held (the page re-sends the On every
// 200 ms, so the claw's 600 ms dead-man never stops it), and off soon after release. The
// turn record (GET /v1/turns/1) proves the stop was the player's Off command, not the
// dead-man. The same again with the touch pad's button, held by a pointer.
'use strict';

const { check, sleep, waitForLogLine, waitForState } = require('../harness.js');

// Right from home, then left for less time, so the gantry never reaches an end switch.
const rightMs = 1200;
const leftMs = 700;

async function holdAndRelease(t, { press, release, motor, holdMs }) {
  const cabinet = t.cabinet;
  const from = cabinet.log('clawcab').length;
  await press();
  const pressedAt = Date.now();
  const on = await waitForLogLine(cabinet, 'clawcab', new RegExp(`gpio: motor ${motor} on\\n`), from, 2000);
  t.step(`${motor} on ${on.at - pressedAt} ms after the press`);
  await sleep(holdMs);
  const held = cabinet.log('clawcab').slice(on.offset);
  check(!held.includes(`motor ${motor} off`), `${motor} stopped while held:\n${held}`);
  await release();
  const releasedAt = Date.now();
  const off = await waitForLogLine(cabinet, 'clawcab', new RegExp(`gpio: motor ${motor} off\\n`), on.offset, 2000);
  t.step(`${motor} off ${off.at - releasedAt} ms after the release`);
  // A dead-man stop would come 600 ms after the last refresh, so 400 to 600 ms after release.
  check(off.at - releasedAt < 400, `${motor} went off ${off.at - releasedAt} ms after release`);
}

module.exports = {
  cabinet: { 'turn-ms': 30000 },
  async run(t) {
    const page = await t.joinPlayer('Grace', { states: ['playing'] });
    t.step('in control');

    await holdAndRelease(t, {
      press: () => page.keyboard.down('ArrowRight'),
      release: () => page.keyboard.up('ArrowRight'),
      motor: 'gantry_right',
      holdMs: rightMs,
    });

    const box = await page.locator('.pad-button.left').boundingBox();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await holdAndRelease(t, {
      press: () => page.mouse.down(),
      release: () => page.mouse.up(),
      motor: 'gantry_left',
      holdMs: leftMs,
    });

    await page.keyboard.press('Space');
    await waitForState(page, 'turn_over', 5000);
    await page.waitForFunction(() => /prize/i.test(document.getElementById('status-title').textContent), null,
      { timeout: 20000 });
    const turn = await t.cabinet.admin('GET', '/v1/turns/1');
    check(turn.status === 200 && turn.json.record, `GET /v1/turns/1: ${turn.status} ${turn.text}`);
    const entries = turn.json.record.entries;
    const commands = entries.filter((e) => e.command && !e.rejected).map((e) => e.command);
    t.step(`commands the claw accepted: ${commands.join(' ')}`);
    const rightOns = commands.filter((c) => c === 'rightOn').length;
    check(rightOns >= Math.floor(rightMs / 200), `only ${rightOns} rightOn for a ${rightMs} ms hold`);
    // Before the drop (whose cycle drives the gantry home by itself), every stop is the
    // player's: a motor entry without a `why`.
    const dropAt = entries.find((e) => e.command === 'drop').at_ms;
    for (const [off, motor] of [['rightOff', 'gantry_right'], ['leftOff', 'gantry_left']]) {
      check(commands.includes(off), `no ${off} command in the record`);
      const stops = entries.filter((e) => e.motor === motor && e.on === false && e.at_ms < dropAt);
      check(stops.length === 1 && stops[0].why === undefined,
        `${motor} was not stopped once by the player's Off: ${JSON.stringify(stops)}`);
    }
    const rejected = entries.filter((e) => e.rejected);
    check(rejected.length === 0, `the claw refused: ${JSON.stringify(rejected)}`);
  },
};
