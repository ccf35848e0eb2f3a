#!/usr/bin/env node
// Runs one browser test case: `node tests/browser/run.js CASE` runs cases/CASE.js against
// its own cabinet in headless Chromium, and exits 0 iff it passed (ctest registers one
// test per case, tests/browser/CMakeLists.txt). A case is
//   module.exports = { cabinet: {cabinet.sh options}, async run(t) { ... } }
// with t a harness TestContext; a case that needs something running before its cabinet
// starts adds `async prepare()` -> {cabinet: more options, async teardown()}. Any console error on a page fails the case unless the
// case allowed it (t.allowConsole). The work directory (cabinet logs, state) is removed
// after a pass and kept, with its path printed, after a failure.

'use strict';

const fs = require('node:fs');
const path = require('node:path');
const harness = require('./harness.js');

const caseBoundMs = 100000;  // Under ctest's TIMEOUT (120 s), so the cleanup still runs.
// Short timings keep the suite fast; a case overrides what it needs.
const defaultCabinet = { 'turn-ms': 8000, 'grace-ms': 4000, 'ready-ms': 0 };

async function main() {
  const name = process.argv[2];
  const file = path.join(__dirname, 'cases', `${name}.js`);
  if (!name || !fs.existsSync(file)) {
    const known = fs.readdirSync(path.join(__dirname, 'cases')).map((f) => f.replace(/\.js$/, ''));
    process.stderr.write(`usage: run.js CASE, one of: ${known.join(' ')}\n`);
    return 2;
  }
  const testCase = require(file);
  harness.checkPrerequisites();
  const { chromium } = require('playwright-core');
  const workDir = harness.workDirectory(name);
  const prepared = testCase.prepare ? await testCase.prepare() : {};
  const cabinet = new harness.Cabinet(workDir, { ...defaultCabinet, ...testCase.cabinet, ...prepared.cabinet });
  let browser = null;
  let passed = false;
  const cleanup = async () => {
    if (browser) await browser.close().catch(() => {});
    browser = null;
    await cabinet.stop();
    if (prepared.teardown) await prepared.teardown();
    prepared.teardown = null;
  };
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => cleanup().finally(() => process.exit(1)));
  }
  const bound = setTimeout(() => {
    process.stderr.write(`FAIL browser.${name}: over ${caseBoundMs} ms\n`);
    cleanup().finally(() => process.exit(1));
  }, caseBoundMs);
  const started = Date.now();
  try {
    await cabinet.start();
    browser = await chromium.launch({ executablePath: harness.chromiumPath, headless: true });
    const t = new harness.TestContext(name, cabinet, browser, workDir);
    t.step(`cabinet up at ${cabinet.url('/')}`);
    await testCase.run(t);
    harness.check(t.errors.length === 0, `errors on the pages:\n  ${t.errors.join('\n  ')}`);
    passed = true;
  } catch (error) {
    process.stderr.write(`FAIL browser.${name}: ${error instanceof harness.TestFailure ? error.message : error.stack}\n`);
    for (const daemon of ['clawd', 'clawcab', cabinet.env.TRANSPORT === 'pubnub' ? 'pubnub' : 'mosquitto']) {
      const lines = cabinet.log(daemon).trimEnd().split('\n').slice(-15).join('\n    ');
      process.stderr.write(`  last lines of ${daemon}.log:\n    ${lines}\n`);
    }
    process.stderr.write(`  kept: ${workDir}\n`);
  } finally {
    clearTimeout(bound);
    await cleanup();
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (!passed) return 1;
  fs.rmSync(workDir, { recursive: true, force: true });
  process.stdout.write(`PASS browser.${name} (${seconds} s)\n`);
  return 0;
}

main().then((code) => { process.exitCode = code; }, (error) => {
  process.stderr.write(`FAIL: ${error instanceof harness.TestFailure ? error.message : error.stack}\n`);
  process.exitCode = 1;
});
