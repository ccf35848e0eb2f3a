// The browser tests' harness: a whole cabinet per test (scripts/cabinet.sh: Mosquitto, or
// the PubNub fixture for a case with `transport: 'pubnub'`, clawd serving web/, clawcab on
// simulated GPIO), headless Chromium through playwright-core, and bounded waits. Every
// process the harness starts is stopped by its PID: cabinet.sh through a watchdog shell
// that stops it when this process goes away, even by SIGKILL (its stdin closes), then
// each daemon from its pid file with SIGKILL if it outlived the bound.
//
// Environment: CLAWNET_BUILD_DIR (required: the build with prod/clawd and prod/clawcab),
// CLAWNET_REPO (default: two levels up), CLAWNET_CHROMIUM (default
// /usr/lib/chromium/chromium), CLAWNET_TEST_TMPDIR (default: the system's).

'use strict';

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const repoRoot = path.resolve(process.env.CLAWNET_REPO || path.join(__dirname, '..', '..'));
const chromiumPath = process.env.CLAWNET_CHROMIUM || '/usr/lib/chromium/chromium';
const cabinetReadyMs = 30000;
const cabinetStopMs = 10000;
const daemons = ['clawcab', 'clawd', 'mosquitto', 'pubnub'];  // Stopped in this order if they outlive cabinet.sh.

class TestFailure extends Error {}

function fail(message) {
  throw new TestFailure(message);
}

function check(condition, message) {
  if (!condition) fail(message);
}

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

// Polls `probe` (sync or async) every `everyMs` until it returns a truthy value, which it
// resolves to; fails with `what` after `timeoutMs`.
async function waitFor(what, probe, timeoutMs, everyMs = 50) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() >= deadline) fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// Checks what a test needs before it starts, so a missing piece fails with its remedy.
function checkPrerequisites() {
  const build = process.env.CLAWNET_BUILD_DIR;
  check(build, 'CLAWNET_BUILD_DIR is not set (ctest sets it; by hand: CLAWNET_BUILD_DIR=build/dev)');
  for (const binary of ['prod/clawd', 'prod/clawcab']) {
    check(fs.existsSync(path.join(build, binary)), `${path.join(build, binary)} is missing: build it first`);
  }
  check(fs.existsSync(chromiumPath), `${chromiumPath} is missing: install Debian's chromium (scripts/setup.sh does)`);
  for (const vendored of ['mqtt/dist/mqtt.min.js', 'pubnub/dist/web/pubnub.min.js']) {
    check(fs.existsSync(path.join(repoRoot, 'web/node_modules', vendored)),
      `web/node_modules/${vendored} is missing: run scripts/setup.sh (npm ci in web/)`);
  }
  check(fs.existsSync(path.join(__dirname, 'node_modules/playwright-core')),
    'tests/browser/node_modules is missing: run scripts/setup.sh (npm ci in tests/browser/)');
}

// One cabinet: started by start(), stopped by stop() (always, in a finally).
class Cabinet {
  constructor(workDir, options) {
    this.dir = path.join(workDir, 'cabinet');
    this.options = options;
    this.watchdog = null;
    this.env = {};
  }

  async start() {
    const port = await freePort();
    const args = ['--build', process.env.CLAWNET_BUILD_DIR, '--dir', this.dir, '--http-port', String(port)];
    for (const [key, value] of Object.entries(this.options)) args.push(`--${key}`, String(value));
    // The watchdog: runs cabinet.sh and stops it (by its PID) when our pipe closes.
    const script = 'pidfile=$1; cabinet=$2; shift 2; "$cabinet" "$@" & pid=$!; echo "$pid" >"$pidfile"; '
      + 'read -r _; kill -TERM "$pid" 2>/dev/null; wait "$pid"';
    const work = path.dirname(this.dir);
    const log = fs.openSync(path.join(work, 'cabinet.out'), 'w');
    const pidFile = path.join(work, 'cabinet.pid');
    this.watchdog = spawn('bash', ['-c', script, 'watchdog', pidFile, path.join(repoRoot, 'scripts/cabinet.sh'), ...args],
      { stdio: ['pipe', log, log] });
    this.exited = new Promise((done) => this.watchdog.once('exit', done));
    fs.closeSync(log);
    const ready = path.join(this.dir, 'ready');
    await waitFor('the cabinet to be ready (scripts/cabinet.sh)', () => {
      if (fs.existsSync(ready)) return true;
      const pid = Number.parseInt(fs.existsSync(pidFile) ? fs.readFileSync(pidFile, 'utf8') : '0', 10);
      if (pid > 0 && !alive(pid)) fail(`scripts/cabinet.sh exited early:\n${this.output()}`);
      return false;
    }, cabinetReadyMs, 100);
    for (const line of fs.readFileSync(path.join(this.dir, 'cabinet.env'), 'utf8').split('\n')) {
      const at = line.indexOf('=');
      if (at > 0) this.env[line.slice(0, at)] = line.slice(at + 1);
    }
    this.base = `http://127.0.0.1:${this.env.HTTP_PORT}`;
    this.token = fs.readFileSync(path.join(this.dir, 'admin.token'), 'utf8').trim();
  }

  output() {
    try {
      return fs.readFileSync(path.join(path.dirname(this.dir), 'cabinet.out'), 'utf8');
    } catch {
      return '';
    }
  }

  url(pathname = '/') {
    return this.base + pathname;
  }

  pid(name) {
    try {
      return Number.parseInt(fs.readFileSync(path.join(this.dir, `${name}.pid`), 'utf8'), 10) || 0;
    } catch {
      return 0;
    }
  }

  // Sends `signal` to a daemon of this cabinet, by the PID in its pid file.
  kill(name, signal = 'SIGKILL') {
    const pid = this.pid(name);
    check(pid > 0, `no ${name}.pid`);
    process.kill(pid, signal);
  }

  log(name) {
    try {
      return fs.readFileSync(path.join(this.dir, `${name}.log`), 'utf8');
    } catch {
      return '';
    }
  }

  async request(method, pathname, body, { admin = false } = {}) {
    const headers = {};
    if (admin) headers.Authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(this.url(pathname), {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let json = null;
    try {
      json = JSON.parse(text);
    } catch {
      // Not JSON: the caller looks at the status.
    }
    return { status: response.status, json, text };
  }

  async admin(method, pathname, body) {
    return this.request(method, pathname, body, { admin: true });
  }

  async stop() {
    if (!this.watchdog) return;
    const stopStart = Date.now();
    try {
      this.watchdog.stdin.end('\n');
    } catch {
      // Already gone.
    }
    let timer = 0;
    const stopped = await Promise.race([
      this.exited.then(() => true),
      new Promise((done) => { timer = setTimeout(() => done(false), cabinetStopMs); }),
    ]);
    clearTimeout(timer);
    process.stdout.write(`harness: cabinet stopped in ${Date.now() - stopStart} ms\n`);
    for (const name of daemons) {
      const pid = this.pid(name);
      if (pid > 0 && alive(pid)) {
        process.stderr.write(`harness: ${name} (${pid}) outlived its cabinet: SIGKILL\n`);
        try { process.kill(pid, 'SIGKILL'); } catch { /* gone meanwhile */ }
      }
    }
    if (!stopped) {
      process.stderr.write(`harness: cabinet.sh did not stop within ${cabinetStopMs} ms: SIGKILL\n`);
      try { this.watchdog.kill('SIGKILL'); } catch { /* gone meanwhile */ }
    }
  }
}

function alive(pid) {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

// A line matching `pattern` in a daemon's log after `fromOffset`; resolves to
// {at: Date.now() when seen, offset after it}.
async function waitForLogLine(cabinet, name, pattern, fromOffset, timeoutMs) {
  return waitFor(`${pattern} in ${name}.log`, () => {
    const text = cabinet.log(name).slice(fromOffset);
    const match = pattern.exec(text);
    if (!match) return null;
    return { at: Date.now(), offset: fromOffset + match.index + match[0].length };
  }, timeoutMs, 5);
}

// What a test case gets: the cabinet, the browser, its helpers.
class TestContext {
  constructor(name, cabinet, browser, workDir) {
    this.name = name;
    this.cabinet = cabinet;
    this.browser = browser;
    this.workDir = workDir;
    this.started = Date.now();
    this.errors = [];
    this.allowedConsole = [];
  }

  step(text) {
    process.stdout.write(`[${((Date.now() - this.started) / 1000).toFixed(1)} s] ${text}\n`);
  }

  // Console errors matching these are expected in this test (a refused request, say).
  allowConsole(...patterns) {
    this.allowedConsole.push(...patterns);
  }

  // A page in a new browser context (its own storage and locks, as another person's
  // browser), or in `context` (the same person's browser: another tab).
  async newPage({ context = null, viewport = { width: 1280, height: 720 } } = {}) {
    const owner = context || (await this.browser.newContext({ viewport }));
    const page = await owner.newPage();
    page.on('console', (message) => {
      if (message.type() !== 'error') return;
      const text = message.text();
      if (this.allowedConsole.some((pattern) => pattern.test(text))) return;
      this.errors.push(`console error on ${page.url()}: ${text}`);
    });
    page.on('pageerror', (error) => this.errors.push(`page error on ${page.url()}: ${error.message}`));
    return page;
  }

  async openPlay(options) {
    const page = await this.newPage(options);
    await page.goto(this.cabinet.url('/'));
    return page;
  }

  // A player who joined with `name` and whose page reached one of `states`.
  async joinPlayer(name, { states = ['waiting', 'get_ready', 'ready_check', 'playing'], context = null } = {}) {
    const page = await this.openPlay({ context });
    await this.join(page, name);
    await waitForState(page, states, 10000);
    return page;
  }

  async join(page, name) {
    await waitForState(page, ['idle'], 10000);
    await page.fill('#name', name);
    await page.click('#join-form button[type=submit]');
  }
}

async function stateOf(page) {
  return page.evaluate(() => ({
    state: document.body.dataset.state,
    title: document.getElementById('status-title') ? document.getElementById('status-title').textContent : '',
  }));
}

// Waits until the page's document.body.dataset.state is one of `states`; resolves to it.
async function waitForState(page, states, timeoutMs) {
  const wanted = Array.isArray(states) ? states : [states];
  try {
    const handle = await page.waitForFunction((list) => list.includes(document.body.dataset.state) && document.body.dataset.state,
      wanted, { timeout: timeoutMs, polling: 50 });
    return handle.jsonValue();
  } catch (error) {
    const now = await stateOf(page).catch(() => ({ state: '?', title: '?' }));
    fail(`page ${page.url()} did not reach ${wanted.join(' or ')} within ${timeoutMs} ms: it is ${now.state} ("${now.title}")`);
  }
  return '';
}

async function text(page, selector) {
  return (await page.textContent(selector)) || '';
}

function workDirectory(name) {
  const base = process.env.CLAWNET_TEST_TMPDIR || os.tmpdir();
  fs.mkdirSync(base, { recursive: true });
  return fs.mkdtempSync(path.join(base, `clawnet-browser-${name}-`));
}

module.exports = {
  Cabinet, TestContext, TestFailure, check, chromiumPath, checkPrerequisites, fail, repoRoot, sleep, stateOf,
  text, waitFor, waitForLogLine, waitForState, workDirectory,
};
