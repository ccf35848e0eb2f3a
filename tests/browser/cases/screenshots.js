// Screenshots of the play page (a player in control) and the watch page (a turn in
// progress, one player waiting) at 1280x720 and 390x844, written to
// CLAWNET_SCREENSHOT_DIR (default: the test temp directory; docs/screenshots/ holds the
// committed ones). Also checks what a screenshot cannot show: no page scrolls sideways at
// 360 px wide, and every visible control has a name a screen reader can say.
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { check } = require('../harness.js');

const sizes = [{ width: 1280, height: 720 }, { width: 390, height: 844 }];
const narrow = { width: 360, height: 740 };

function outputDirectory() {
  const dir = process.env.CLAWNET_SCREENSHOT_DIR
    || path.join(process.env.CLAWNET_TEST_TMPDIR || os.tmpdir(), 'clawnet-screenshots');
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

async function checkNarrow(t, page, what) {
  const before = page.viewportSize();
  await page.setViewportSize(narrow);
  const widths = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  check(widths[0] <= widths[1], `${what} scrolls sideways at ${narrow.width} px: ${widths[0]} px wide`);
  const unnamed = await page.evaluate(() => [...document.querySelectorAll('button, input, a, progress')]
    .filter((node) => node.offsetParent !== null)
    .filter((node) => !(node.getAttribute('aria-label') || node.textContent.trim()
      || (node.labels && node.labels.length > 0)))
    .map((node) => node.outerHTML.slice(0, 80)));
  check(unnamed.length === 0, `${what}: controls without a name: ${unnamed.join(' ')}`);
  await page.setViewportSize(before);
}

async function shoot(t, page, name) {
  const dir = outputDirectory();
  for (const size of sizes) {
    await page.setViewportSize(size);
    await page.waitForTimeout(300);  // Let the layout and the countdown settle.
    const file = path.join(dir, `${name}-${size.width}x${size.height}.png`);
    await page.screenshot({ path: file });
    t.step(`wrote ${file}`);
  }
}

module.exports = {
  cabinet: { 'turn-ms': 60000 },
  async run(t) {
    const idle = await t.openPlay();
    await idle.waitForFunction(() => document.body.dataset.state === 'idle');
    await checkNarrow(t, idle, 'the join form');

    const alice = await t.joinPlayer('Alice', { states: ['playing'] });
    const bob = await t.joinPlayer('Bob', { states: ['waiting', 'get_ready'] });
    await checkNarrow(t, alice, 'the play page in control');
    await checkNarrow(t, bob, 'the play page waiting');

    const watch = await t.newPage();
    await watch.goto(t.cabinet.url('/watch'));
    await watch.waitForFunction(() => document.getElementById('now-playing').textContent === 'Alice');
    await checkNarrow(t, watch, 'the watch page');

    await shoot(t, alice, 'play');
    await shoot(t, watch, 'watch');
  },
};
