#!/usr/bin/env node
// fixture.js — command line of the PubNub-protocol test server (README.md). A test
// fixture, never shipped: it stands in for PubNub so clawnet's client and the official
// SDK can be tested on one machine.
//
//   node fixture.js --port 0 --port-file PATH [--keys-file PATH] [--pam]
//                   [--presence-timeout-s N] [--presence-min-s N] [--subscribe-timeout-s N]
//                   [--keep-alive-ms N] [--verbose]
//
// It listens on 127.0.0.1:PORT (0 = any free port), writes PORT to the port file through a
// temporary name and a rename (a reader never sees half a number), prints one line
// "pubnub-fixture listening on 127.0.0.1:PORT", and exits 0 on SIGTERM or SIGINT.
// A wrong argument or key set exits 2 with a message on stderr.

'use strict';

const fs = require('node:fs');
const path = require('node:path');
const limits = require('./limits');
const keys = require('./keys');
const { createFixture } = require('./server');

const USAGE = 'usage: node fixture.js --port N --port-file PATH [--keys-file PATH] [--pam] ' +
  '[--presence-timeout-s N] [--presence-min-s N] [--subscribe-timeout-s N] [--keep-alive-ms N] [--verbose]';

function fail(message) {
  process.stderr.write(`pubnub-fixture: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function integerArg(name, text, min, max) {
  if (!/^\d{1,9}$/.test(text || '')) fail(`${name} needs an integer`);
  const n = Number(text);
  if (n < min || n > max) fail(`${name} must be within ${min}..${max}`);
  return n;
}

function parseArgs(argv) {
  const o = {
    port: null, portFile: null, keysFile: null, pam: false, verbose: false,
    presenceTimeoutS: limits.heartbeat_s_default,
    presenceMinS: limits.heartbeat_s_min_default,
    subscribeTimeoutS: limits.subscribe_timeout_s_default,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) fail(`${arg} needs a value`);
      return argv[++i];
    };
    if (arg === '--port') o.port = integerArg(arg, value(), 0, 65535);
    else if (arg === '--port-file') o.portFile = value();
    else if (arg === '--keys-file') o.keysFile = value();
    else if (arg === '--pam') o.pam = true;
    else if (arg === '--verbose') o.verbose = true;
    else if (arg === '--presence-timeout-s') o.presenceTimeoutS = integerArg(arg, value(), 1, limits.heartbeat_s_max);
    else if (arg === '--presence-min-s') o.presenceMinS = integerArg(arg, value(), 1, limits.heartbeat_s_max);
    else if (arg === '--keep-alive-ms') o.keepAliveMs = integerArg(arg, value(), 1, 600000);
    else if (arg === '--subscribe-timeout-s') o.subscribeTimeoutS = integerArg(arg, value(), 1, limits.subscribe_timeout_s_max);
    else fail(`unknown argument ${JSON.stringify(arg)}`);
  }
  if (o.port === null) fail('--port is required');
  if (o.portFile === null) fail('--port-file is required');
  if (o.presenceMinS > o.presenceTimeoutS) fail('--presence-min-s must not exceed --presence-timeout-s');
  return o;
}

function writePortFile(file, port) {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  fs.writeFileSync(tmp, `${port}\n`);
  fs.renameSync(tmp, file);
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  let keysets;
  try {
    keysets = keys.load({ keysFile: o.keysFile, pamAll: o.pam });
  } catch (err) {
    fail(err.message);
  }
  const log = o.verbose ? (line) => process.stderr.write(`pubnub-fixture: ${line}\n`) : () => {};
  const fixture = createFixture({
    keysets, log,
    presenceDefaultS: o.presenceTimeoutS,
    presenceMinS: o.presenceMinS,
    subscribeTimeoutS: o.subscribeTimeoutS,
    keepAliveMs: o.keepAliveMs,
  });
  const port = await fixture.listen(o.port);
  writePortFile(o.portFile, port);
  process.stdout.write(`pubnub-fixture listening on 127.0.0.1:${port}\n`);

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    fixture.close().then(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref(); // open sockets must not hold the exit
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err) => {
  process.stderr.write(`pubnub-fixture: ${err && err.stack}\n`);
  process.exit(1);
});
