// token.js — Access Manager v3 tokens: the grant body's validation, the token's CBOR
// layout, its signature and the permission checks.
//
// Layout, as in the tokens PubNub issues (checked against the SDK's own test tokens,
// pubnub/test/integration/components/token_manager.test.ts): a CBOR map with byte-string
// keys  v (2), t (issue time, Unix s), ttl (minutes), res and pat (each a map chan/grp/
// usr/spc/uuid -> {name(text): bitmask}), meta (map), optionally uuid (the authorized
// uuid, text), and sig (32 bytes) — base64url without padding. The SDK's parseToken()
// needs res.chan, res.grp, pat.chan and pat.grp present, so all five maps are written.
//
// sig here is HMAC-SHA256(secretKey, CBOR of the same map without sig): PubNub's real
// scheme is private, only the fixture checks it, and a token from another key set fails.
//
// Contract: validateGrant(body) -> {grant} | {error:{message, location}};
//   issue(grant, secretKey, nowS) -> token string;
//   open(tokenString, secretKey) -> {payload} | {reason};
//   allows(payload, 'chan'|'grp'|'uuid', name, bit) -> boolean.

'use strict';

const crypto = require('node:crypto');
const cbor = require('./cbor');

const BITS = { read: 1, write: 2, manage: 4, delete: 8, get: 32, update: 64, join: 128 };
const TTL_MAX_MIN = 43200; // 30 days, PubNub's documented maximum
const KINDS = { channels: 'chan', groups: 'grp', uuids: 'uuid', users: 'usr', spaces: 'spc' };
const ENTRIES_MAX = 200;
const NAME_BYTES_MAX = 256;
const TOKEN_CHARS_MAX = 16384;

function emptyScopes() {
  return { chan: {}, grp: {}, usr: {}, spc: {}, uuid: {} };
}

function isPlainObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function validateGrant(body) {
  const fail = (message, location) => ({ error: { message, location } });
  if (!isPlainObject(body)) return fail('Request body must be a JSON object', 'body');
  const { ttl, permissions } = body;
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > TTL_MAX_MIN) return fail(`Invalid ttl: an integer number of minutes from 1 to ${TTL_MAX_MIN}`, 'ttl');
  if (!isPlainObject(permissions)) return fail('Missing permissions', 'permissions');
  const grant = { ttl, res: emptyScopes(), pat: emptyScopes(), meta: {}, uuid: undefined };
  let entries = 0;
  for (const [section, target] of [['resources', 'res'], ['patterns', 'pat']]) {
    const src = permissions[section];
    if (src === undefined) continue;
    if (!isPlainObject(src)) return fail(`permissions.${section} must be an object`, `permissions.${section}`);
    for (const [kind, map] of Object.entries(src)) {
      const scope = KINDS[kind];
      if (!scope) return fail(`Unknown resource type ${kind.slice(0, 40)}`, `permissions.${section}`);
      if (!isPlainObject(map)) return fail(`permissions.${section}.${kind} must be an object`, `permissions.${section}.${kind}`);
      for (const [name, bits] of Object.entries(map)) {
        if (++entries > ENTRIES_MAX) return fail(`At most ${ENTRIES_MAX} resources and patterns per token`, `permissions.${section}`);
        if (name === '' || Buffer.byteLength(name) > NAME_BYTES_MAX) return fail(`Invalid ${kind} name`, `permissions.${section}.${kind}`);
        if (!Number.isInteger(bits) || bits < 0 || bits > 255) return fail(`Invalid permission bits for ${name.slice(0, 40)}`, `permissions.${section}.${kind}`);
        if (target === 'pat') {
          try { new RegExp(name); } catch { return fail(`Invalid pattern ${name.slice(0, 40)}`, `permissions.patterns.${kind}`); }
        }
        grant[target][scope][name] = bits;
      }
    }
  }
  if (entries === 0) return fail('Missing values for either resources or patterns', 'permissions');
  if (permissions.meta !== undefined) {
    if (!isPlainObject(permissions.meta)) return fail('permissions.meta must be an object', 'permissions.meta');
    for (const [k, v] of Object.entries(permissions.meta)) {
      if (v !== null && !['string', 'number', 'boolean'].includes(typeof v)) return fail(`meta.${k.slice(0, 40)} must be a scalar`, 'permissions.meta');
      if (Object.keys(grant.meta).length >= 32) return fail('meta has too many keys', 'permissions.meta');
      grant.meta[k] = v;
    }
  }
  if (permissions.uuid !== undefined && permissions.uuid !== null) {
    if (typeof permissions.uuid !== 'string' || permissions.uuid === '' || permissions.uuid.length > 92) return fail('Invalid authorized uuid', 'permissions.uuid');
    grant.uuid = permissions.uuid;
  }
  return { grant };
}

// The map that is signed, with PubNub's byte-string structural keys.
function body({ v, t, ttl, res, pat, meta, uuid }) {
  const scopes = (s) => cbor.bytesKeys({ chan: s.chan, grp: s.grp, usr: s.usr, spc: s.spc, uuid: s.uuid });
  const m = { v, t, ttl, res: scopes(res), pat: scopes(pat), meta: { ...meta } };
  if (uuid !== undefined) m.uuid = uuid;
  return cbor.bytesKeys(m);
}

function mac(fields, secretKey) {
  return crypto.createHmac('sha256', secretKey).update(cbor.encode(body(fields))).digest();
}

function issue(grant, secretKey, nowS) {
  const fields = { v: 2, t: nowS, ttl: grant.ttl, res: grant.res, pat: grant.pat, meta: grant.meta, uuid: grant.uuid };
  const whole = body(fields);
  whole.sig = mac(fields, secretKey);
  return cbor.encode(whole).toString('base64url');
}

// Decodes and checks a token; reason is one of "malformed", "signature".
function open(tokenString, secretKey) {
  if (typeof tokenString !== 'string' || tokenString.length === 0 || tokenString.length > TOKEN_CHARS_MAX) return { reason: 'malformed' };
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(tokenString)) return { reason: 'malformed' };
  let p;
  try {
    p = cbor.decode(Buffer.from(tokenString.replace(/-/g, '+').replace(/_/g, '/'), 'base64'));
  } catch {
    return { reason: 'malformed' };
  }
  const scopesOk = (s) => isPlainObject(s) && ['chan', 'grp', 'usr', 'spc', 'uuid'].every((k) => isPlainObject(s[k]) && Object.values(s[k]).every((b) => Number.isInteger(b)));
  if (!isPlainObject(p) || p.v !== 2 || !Number.isInteger(p.t) || !Number.isInteger(p.ttl) || !scopesOk(p.res) || !scopesOk(p.pat) ||
      !isPlainObject(p.meta) || !Buffer.isBuffer(p.sig) || (p.uuid !== undefined && typeof p.uuid !== 'string')) return { reason: 'malformed' };
  const want = mac(p, secretKey);
  if (p.sig.length !== want.length || !crypto.timingSafeEqual(p.sig, want)) return { reason: 'signature' };
  return { payload: p, id: p.sig.toString('hex') };
}

const patternCache = new Map();
function compiled(pattern) {
  let re = patternCache.get(pattern);
  if (re === undefined) {
    try { re = new RegExp(pattern); } catch { re = null; }
    if (patternCache.size > 1000) patternCache.clear();
    patternCache.set(pattern, re);
  }
  return re;
}

function allows(payload, scope, name, bit) {
  const exact = payload.res[scope][name];
  if (Number.isInteger(exact) && (exact & bit) === bit) return true;
  for (const [pattern, bits] of Object.entries(payload.pat[scope])) {
    if ((bits & bit) !== bit) continue;
    const re = compiled(pattern);
    if (re && re.test(name)) return true;
  }
  return false;
}

function expired(payload, nowS) {
  return nowS >= payload.t + payload.ttl * 60;
}

module.exports = { BITS, validateGrant, issue, open, allows, expired };
