// harness.js — what the tests share: random fake key sets, the fixture as a child process,
// raw HTTP requests, and bounded waits for events (never bare sleeps).
//
//   startFixture({keysets, args, env}) -> {port, origin, keysets, stop() -> exit code}
//       (keysets null: no keys file, the key set comes from env)
//   runFixture(args, env) -> {code, stderr}   for command lines that must fail
//   fakeKeyset({pam}) -> {publish_key, subscribe_key, secret_key, pam}   (random, fake-looking)
//   get(port, path, {method, body, headers}) -> {status, headers, text, json}
//   new Inbox(): push(event); next(predicate, what, ms) resolves with the first matching
//   event, already received or still to come, or rejects naming `what` after ms.

'use strict';

const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');

const FIXTURE = path.join(__dirname, 'fixture.js');
const START_MS_MAX = 5000;
const STOP_MS_MAX = 3000;

function fakeKeyset({ pam = false } = {}) {
  const id = () => crypto.randomUUID();
  return { publish_key: `pub-fake-${id()}`, subscribe_key: `sub-fake-${id()}`, secret_key: `sec-fake-${id()}`, pam };
}

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms); });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// The fixture reads PUBNUB_FIXTURE_* from its environment: the tests' own never leak in.
function cleanEnv(env) {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PUBNUB_FIXTURE_')));
  return { ...base, ...env };
}

async function startFixture({ keysets, args = [], env = {} }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pubnub-fixture-'));
  const keysFile = path.join(dir, 'keys.json');
  const portFile = path.join(dir, 'port');
  const keyArgs = [];
  if (keysets) {
    fs.writeFileSync(keysFile, JSON.stringify({ keysets }), { mode: 0o600 });
    keyArgs.push('--keys-file', keysFile);
  }
  const child = spawn(process.execPath, [FIXTURE, '--port', '0', '--port-file', portFile, ...keyArgs, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: cleanEnv(env) });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr = (stderr + d).slice(-20000); });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));

  const listening = new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /^pubnub-fixture listening on 127\.0\.0\.1:(\d+)\n/m.exec(out);
      if (m) resolve(Number(m[1]));
    });
    exited.then((code) => reject(new Error(`fixture exited (${code}) before listening: ${stderr}`)));
  });
  const port = await withTimeout(listening, START_MS_MAX, 'the fixture to listen');
  return {
    port,
    origin: `127.0.0.1:${port}`,
    keysets,
    portFile,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      try {
        return await withTimeout(exited, STOP_MS_MAX, 'the fixture to exit');
      } catch (err) {
        child.kill('SIGKILL');
        throw err;
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

function runFixture(args, env = {}) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [FIXTURE, ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: cleanEnv(env) });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), START_MS_MAX);
    child.on('exit', (code) => { clearTimeout(timer); resolve({ code, stderr }); });
  });
}

function get(port, urlPath, { method = 'GET', body, headers = {}, timeoutMs = 10000 } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: urlPath, method, headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json;
        try { json = JSON.parse(text); } catch { json = undefined; }
        resolve({ status: res.statusCode, headers: res.headers, text, json });
      });
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer to ${method} ${urlPath.slice(0, 80)} in ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

class Inbox {
  constructor() {
    this.events = [];
    this.waiting = [];
  }

  push(event) {
    this.events.push(event);
    for (const w of [...this.waiting]) {
      if (w.predicate(event)) {
        this.waiting.splice(this.waiting.indexOf(w), 1);
        w.resolve(event);
      }
    }
  }

  next(predicate, what, ms = 5000) {
    const seen = this.events.find(predicate);
    if (seen) return Promise.resolve(seen);
    let waiter;
    const arrival = new Promise((resolve) => { waiter = { predicate, resolve }; this.waiting.push(waiter); });
    return withTimeout(arrival, ms, what).finally(() => {
      const i = this.waiting.indexOf(waiter);
      if (i >= 0) this.waiting.splice(i, 1);
    });
  }
}

module.exports = { fakeKeyset, startFixture, runFixture, get, Inbox, withTimeout };
