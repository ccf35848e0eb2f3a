// keys.js — the key sets the fixture serves, from a JSON file or the environment.
//
// No key is ever written in the repository: tests make random ones at run time.
//   File:  {"keysets": [{"publish_key": "...", "subscribe_key": "...",
//                        "secret_key": "..." (optional), "pam": true (optional)}, ...]}
//   Environment (one key set): PUBNUB_FIXTURE_PUBLISH_KEY, PUBNUB_FIXTURE_SUBSCRIBE_KEY,
//                              PUBNUB_FIXTURE_SECRET_KEY (optional), PUBNUB_FIXTURE_PAM=1.
// Contract: load({keysFile, env, pamAll}) -> [{publishKey, subscribeKey, secretKey, pam}],
// or throws an Error whose message says which entry and field is wrong. Keys are 1 to
// key_chars_max characters of [A-Za-z0-9_-] (so they sit in a URL path unencoded);
// subscribe keys and publish keys are unique; Access Manager needs a secret key.

'use strict';

const fs = require('node:fs');
const limits = require('./limits');

const KEY_RE = new RegExp(`^[A-Za-z0-9_-]{1,${limits.key_chars_max}}$`);

function checkKey(value, where, { optional }) {
  if (value === undefined && optional) return undefined;
  if (typeof value !== 'string' || !KEY_RE.test(value)) {
    throw new Error(`${where}: must be 1 to ${limits.key_chars_max} characters of A-Z a-z 0-9 _ -`);
  }
  return value;
}

function keysetFrom(entry, where, pamAll) {
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) throw new Error(`${where}: must be an object`);
  for (const field of Object.keys(entry)) {
    if (!['publish_key', 'subscribe_key', 'secret_key', 'pam'].includes(field)) throw new Error(`${where}: unknown field "${field.slice(0, 40)}"`);
  }
  if (entry.pam !== undefined && typeof entry.pam !== 'boolean') throw new Error(`${where}.pam: must be true or false`);
  const keyset = {
    publishKey: checkKey(entry.publish_key, `${where}.publish_key`, { optional: false }),
    subscribeKey: checkKey(entry.subscribe_key, `${where}.subscribe_key`, { optional: false }),
    secretKey: checkKey(entry.secret_key, `${where}.secret_key`, { optional: true }),
    pam: entry.pam === true || pamAll === true,
  };
  if (keyset.pam && !keyset.secretKey) throw new Error(`${where}: Access Manager needs a secret_key`);
  return keyset;
}

function fromFile(path, pamAll) {
  let doc;
  try {
    doc = JSON.parse(fs.readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`keys file ${path}: ${err.message}`);
  }
  if (doc === null || typeof doc !== 'object' || !Array.isArray(doc.keysets)) throw new Error(`keys file ${path}: needs {"keysets": [...]}`);
  if (doc.keysets.length > limits.keysets_max) throw new Error(`keys file ${path}: more than ${limits.keysets_max} key sets`);
  return doc.keysets.map((entry, i) => keysetFrom(entry, `keysets[${i}]`, pamAll));
}

function fromEnv(env, pamAll) {
  if (env.PUBNUB_FIXTURE_SUBSCRIBE_KEY === undefined && env.PUBNUB_FIXTURE_PUBLISH_KEY === undefined) return [];
  return [keysetFrom({
    publish_key: env.PUBNUB_FIXTURE_PUBLISH_KEY,
    subscribe_key: env.PUBNUB_FIXTURE_SUBSCRIBE_KEY,
    ...(env.PUBNUB_FIXTURE_SECRET_KEY !== undefined ? { secret_key: env.PUBNUB_FIXTURE_SECRET_KEY } : {}),
    pam: env.PUBNUB_FIXTURE_PAM === '1',
  }, 'environment PUBNUB_FIXTURE_*', pamAll)];
}

function load({ keysFile, env = process.env, pamAll = false }) {
  const keysets = [...(keysFile ? fromFile(keysFile, pamAll) : []), ...fromEnv(env, pamAll)];
  if (keysets.length === 0) throw new Error('no key set: give --keys-file or PUBNUB_FIXTURE_SUBSCRIBE_KEY and PUBNUB_FIXTURE_PUBLISH_KEY');
  if (keysets.length > limits.keysets_max) throw new Error(`more than ${limits.keysets_max} key sets`);
  for (const field of ['subscribeKey', 'publishKey']) {
    const seen = new Set();
    for (const k of keysets) {
      if (seen.has(k[field])) throw new Error(`two key sets share a ${field === 'subscribeKey' ? 'subscribe' : 'publish'} key`);
      seen.add(k[field]);
    }
  }
  return keysets;
}

module.exports = { load };
