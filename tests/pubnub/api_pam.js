// api_pam.js — Access Manager v3: grant a token, revoke a token. Both need a valid
// signature v2 made with the key set's secret key (the SDK signs when it holds one).
//
//   POST   /v3/pam/{sub}/grant          body {"ttl": minutes, "permissions": {...}}
//          -> {"data":{"message":"Success","token":"..."},"service":"Access Manager","status":200}
//   DELETE /v3/pam/{sub}/grant/{token}
//          -> {"data":{"message":"Success"},"service":"Access Manager","status":200}
// A refused grant body gets PubNub's v3 error shape:
//   {"status":400,"error":{"message","source":"grant","details":[{"message","location","locationType"}]},
//    "service":"Access Manager"}

'use strict';

const limits = require('./limits');
const token = require('./token');
const v = require('./validate');
const { send, HttpError } = require('./reply');
const { SERVICE } = require('./pam');

function v3Error(status, source, message, location, locationType) {
  return new HttpError(status, {
    status,
    error: { message, source, details: [{ message, location, locationType }] },
    service: SERVICE,
  });
}

function grant(ctx) {
  ctx.authorize({ channels: [], secretOnly: true });
  let body;
  try {
    body = v.jsonText(ctx.body, 'body', limits.body_bytes_max);
  } catch {
    throw v3Error(400, 'grant', 'Request body is not valid JSON', 'body', 'body');
  }
  const checked = token.validateGrant(body);
  if (checked.error) throw v3Error(400, 'grant', checked.error.message, checked.error.location, 'body');
  const issued = token.issue(checked.grant, ctx.state.keyset.secretKey, Math.floor(ctx.nowMs / 1000));
  send(ctx.res, 200, { data: { message: 'Success', token: issued }, service: SERVICE, status: 200 });
}

function revoke(ctx) {
  ctx.authorize({ channels: [], secretOnly: true });
  const tokenString = v.decodeSegment(ctx.match[0], 'token');
  const opened = token.open(tokenString, ctx.state.keyset.secretKey);
  if (opened.reason) throw v3Error(400, 'revoke', `Invalid token: ${opened.reason === 'signature' ? 'not issued for this key set' : 'malformed'}`, 'token', 'path');
  const nowS = Math.floor(ctx.nowMs / 1000);
  const expiresAtS = opened.payload.t + opened.payload.ttl * 60;
  if (!ctx.state.revoked.add(opened.id, expiresAtS, nowS)) {
    throw v3Error(503, 'revoke', `more than ${limits.revoked_tokens_max} unexpired tokens are revoked already`, 'token', 'path');
  }
  send(ctx.res, 200, { data: { message: 'Success' }, service: SERVICE, status: 200 });
}

module.exports = { grant, revoke };
