// pam.js — Access Manager enforcement: may this request do what it asks?
//
// Contract: authorize(request, need) returns the caller's standing or throws the HttpError
// PubNub would answer with.
//   request = {keyset, method, path (raw), params, body (raw text), nowS, revoked}
//   need    = {channels: [{name, bit}], secretOnly: bool}
// Standing: "open" (key set without Access Manager), "secret" (a valid signature v2 made
// with the secret key: every right), "token" (a valid Access Manager v3 token in `auth`).
// Rules, in order:
//   1. secretOnly requests (grant, revoke) need a valid signature on any key set.
//   2. Without Access Manager on the key set, `auth` and `signature` are not checked.
//   3. A valid signature grants everything. A present but wrong one is refused even when
//      a token is also given: the client meant to sign.
//   4. Otherwise the token must open with the secret key, be unexpired (t + ttl minutes),
//      unrevoked, bound to the request's uuid if it names one, and grant `bit` on every
//      channel in need.channels (exactly or by pattern). The channels it lacks are named
//      in the 403 payload, PubNub's shape, which the SDK maps to PNAccessDeniedCategory.

'use strict';

const limits = require('./limits');
const signature = require('./signature');
const token = require('./token');
const { HttpError, serviceError } = require('./reply');

const SERVICE = 'Access Manager';

function refuse(status, message, extra) {
  return new HttpError(status, serviceError(status, SERVICE, message, extra));
}

function forbidden(channels) {
  return refuse(403, 'Forbidden', { payload: { channels } });
}

function checkSignature({ keyset, method, path, params, body, nowS }) {
  if (!keyset.secretKey) throw refuse(403, 'Invalid Signature', { details: 'this key set has no secret key' });
  const reason = signature.verify({ method, publishKey: keyset.publishKey, secretKey: keyset.secretKey, path, params, body, nowS, skewS: limits.signature_skew_s });
  if (reason === 'missing') throw refuse(403, 'Invalid Signature', { details: 'signature and timestamp query parameters are required (signature v2, made with the secret key)' });
  if (reason === 'timestamp') throw refuse(400, 'Invalid Timestamp', { details: `timestamp must be Unix seconds within ${limits.signature_skew_s} s of the server's clock` });
  if (reason === 'mismatch') throw refuse(403, 'Invalid Signature', { details: 'signature does not match METHOD\\npub_key\\npath\\nsorted query\\nbody' });
}

function openToken(request, channelsNeeded) {
  const { keyset, params, nowS, revoked } = request;
  if (params.auth === undefined || params.auth === '') throw forbidden(channelsNeeded);
  const opened = token.open(params.auth, keyset.secretKey);
  if (opened.reason) throw refuse(403, 'Invalid token', { details: `token is ${opened.reason === 'signature' ? 'not signed by this key set' : 'malformed'}` });
  if (token.expired(opened.payload, nowS)) throw refuse(403, 'Token is expired');
  if (revoked.has(opened.id)) throw refuse(403, 'Token is revoked');
  if (opened.payload.uuid !== undefined && opened.payload.uuid !== params.uuid) throw refuse(403, 'Token is bound to another uuid', { details: 'the token\'s authorized uuid differs from the request\'s uuid parameter' });
  return opened;
}

function authorize(request, need) {
  const { keyset, params } = request;
  if (need.secretOnly) {
    checkSignature(request);
    return { standing: 'secret' };
  }
  if (!keyset.pam) return { standing: 'open' };
  if (params.signature !== undefined) {
    checkSignature(request);
    return { standing: 'secret' };
  }
  const names = need.channels.map((c) => c.name);
  const opened = openToken(request, names);
  const lacking = need.channels.filter((c) => !token.allows(opened.payload, 'chan', c.name, c.bit)).map((c) => c.name);
  if (lacking.length > 0) throw forbidden(lacking);
  return { standing: 'token', payload: opened.payload };
}

// Revoked token ids (their signatures), each kept until the token would have expired.
class RevokedTokens {
  constructor(max = limits.revoked_tokens_max) {
    this.max = max;
    this.expiresAtS = new Map();
  }

  has(id) {
    return this.expiresAtS.has(id);
  }

  // Returns false when the list is full of unexpired tokens.
  add(id, expiresAtS, nowS) {
    if (this.expiresAtS.size >= this.max) {
      for (const [key, at] of this.expiresAtS) if (at <= nowS) this.expiresAtS.delete(key);
    }
    if (this.expiresAtS.size >= this.max) return false;
    this.expiresAtS.set(id, expiresAtS);
    return true;
  }
}

module.exports = { authorize, RevokedTokens, refuse, SERVICE };
