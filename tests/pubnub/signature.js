// signature.js — PubNub request signature v2, as the official JS SDK computes it
// (pubnub/src/transport/middleware.ts, RequestSignature) and PubNub's Access Manager docs
// describe it:
//
//   input = METHOD \n publishKey \n path \n sortedQuery \n [body]
//   signature = "v2." + base64url(HMAC-SHA256(secretKey, input)) without "=" padding
//
// METHOD is the HTTP method, except that every /publish request is signed as GET (the SDK
// does so even for POST publish, and then signs no body). The body is appended only for
// POST and PATCH. sortedQuery is every query parameter but `signature`, sorted by key,
// each value percent-encoded like the SDK's encodeString (encodeURIComponent plus !~*'()),
// joined by "&". `path` is the path exactly as it arrived (still percent-encoded).
//
// Contract: parseQuery(raw) -> {params, error}; verify({...}) -> null when valid, else a
// short reason string ("missing", "timestamp", "mismatch"); sign({...}) for tests.

'use strict';

const crypto = require('node:crypto');
const limits = require('./limits');

// The SDK's encodeString (core/utils.ts): RFC 3986 unreserved characters stay as they are.
function encodeString(s) {
  return encodeURIComponent(s).replace(/[!~*'()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

// Parses a raw query string without URLSearchParams (which would turn "+" into a space
// and so change what was signed). Duplicate keys are refused: no endpoint this fixture
// serves takes a list parameter, and a repeated key would make the signed input ambiguous.
function parseQuery(raw) {
  const params = Object.create(null);
  if (!raw) return { params };
  const parts = raw.split('&');
  if (parts.length > limits.query_params_max) return { params, error: `more than ${limits.query_params_max} query parameters` };
  for (const part of parts) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const rawKey = eq < 0 ? part : part.slice(0, eq);
    const rawValue = eq < 0 ? '' : part.slice(eq + 1);
    let key, value;
    try {
      key = decodeURIComponent(rawKey);
      value = decodeURIComponent(rawValue);
    } catch {
      return { params, error: `malformed percent-encoding in query parameter "${rawKey.slice(0, 40)}"` };
    }
    if (key === '') return { params, error: 'empty query parameter name' };
    if (Object.prototype.hasOwnProperty.call(params, key)) return { params, error: `duplicate query parameter "${key.slice(0, 40)}"` };
    params[key] = value;
  }
  return { params };
}

function signatureInput({ method, publishKey, path, params, body }) {
  const m = path.startsWith('/publish') ? 'GET' : method.toUpperCase();
  const query = Object.keys(params)
    .filter((k) => k !== 'signature')
    .sort()
    .map((k) => `${k}=${encodeString(params[k])}`)
    .join('&');
  let input = `${m}\n${publishKey}\n${path}\n${query}\n`;
  if ((m === 'POST' || m === 'PATCH') && body) input += body;
  return input;
}

function sign({ method, publishKey, secretKey, path, params, body }) {
  const mac = crypto.createHmac('sha256', secretKey).update(signatureInput({ method, publishKey, path, params, body }), 'utf8').digest('base64');
  return `v2.${mac.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')}`;
}

// nowS: the fixture's idea of the current Unix time in seconds; skewS: allowed drift.
function verify({ method, publishKey, secretKey, path, params, body, nowS, skewS = 60 }) {
  const given = params.signature;
  if (!given || !params.timestamp) return 'missing';
  if (!/^\d{1,12}$/.test(params.timestamp) || Math.abs(Number(params.timestamp) - nowS) > skewS) return 'timestamp';
  const want = sign({ method, publishKey, secretKey, path, params, body });
  const a = Buffer.from(given), b = Buffer.from(want);
  if (a.length !== b.length || !crypto.timingSafeEqual(a, b)) return 'mismatch';
  return null;
}

module.exports = { encodeString, parseQuery, signatureInput, sign, verify };
