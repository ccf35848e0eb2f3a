// server.js — the HTTP/1.1 server: bounds, CORS, routing, key set lookup, and the one
// place where handler errors become responses.
//
// Contract: createFixture(options) -> {listen(port) -> Promise<port>, close() -> Promise}
//   options = {keysets, presenceDefaultS, presenceMinS, subscribeTimeoutS, log, nowMs}
// It listens on 127.0.0.1 only. Per request, in order:
//   1. URL over url_bytes_max -> 414; OPTIONS -> CORS preflight (204).
//   2. The raw query is parsed (refused: malformed encoding, duplicates, too many) -> 400.
//   3. Unknown path -> 404, known path with another method -> 405.
//   4. Unknown subscribe key -> 400 "Invalid Subscribe Key" (PubNub's words and shape).
//   5. The body is read up to body_bytes_max (past it: 413 and the connection closes)
//      and inflated if deflate/gzip-encoded, within the same bound.
//   6. The handler runs; an HttpError it throws is sent as is, anything else is a 500
//      with the error logged: no request can stop the fixture.

'use strict';

const http = require('node:http');
const zlib = require('node:zlib');
const limits = require('./limits');
const signature = require('./signature');
const pam = require('./pam');
const { route } = require('./routes');
const { KeysetState } = require('./keyset');
const { Timetokens } = require('./timetoken');
const { HttpError, send, serviceError, badRequest, preflight } = require('./reply');

const REDACTED = new Set(['auth', 'signature']);

function describe(method, path, params) {
  const query = Object.keys(params).map((k) => (REDACTED.has(k) ? `${k}=…` : `${k}=${params[k]}`)).join('&');
  return `${method} ${path}${query ? `?${query}` : ''}`;
}

function tooLarge() {
  return new HttpError(413, serviceError(413, 'Fixture', `request body larger than ${limits.body_bytes_max} bytes`));
}

// The SDK deflates POST publish bodies (Content-Encoding: deflate); inflating is bounded
// too, so a small compressed body cannot expand past body_bytes_max.
function decodeBody(raw, encoding) {
  const name = String(encoding || 'identity').trim().toLowerCase();
  const options = { maxOutputLength: limits.body_bytes_max };
  try {
    if (name === 'identity') return raw;
    if (name === 'deflate') return zlib.inflateSync(raw, options);
    if (name === 'gzip') return zlib.gunzipSync(raw, options);
  } catch (err) {
    if (err.code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge();
    throw badRequest(`body: not valid ${name} data`);
  }
  throw new HttpError(415, serviceError(415, 'Fixture', `Content-Encoding ${JSON.stringify(name.slice(0, 20))} is not supported (identity, deflate, gzip are)`));
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let bytes = 0;
    req.on('data', (chunk) => {
      bytes += chunk.length;
      if (bytes > limits.body_bytes_max) {
        reject(tooLarge());
        req.pause();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      try {
        resolve(decodeBody(Buffer.concat(chunks), req.headers['content-encoding']).toString('utf8'));
      } catch (err) {
        reject(err);
      }
    });
    req.on('error', reject);
  });
}

function createFixture({ keysets, presenceDefaultS, presenceMinS, subscribeTimeoutS, keepAliveMs, log = () => {}, nowMs = Date.now }) {
  const timetokens = new Timetokens(nowMs);
  const states = new Map(keysets.map((k) => [k.subscribeKey, new KeysetState(k, { timetokens, nowMs, presenceDefaultS, presenceMinS, log })]));
  const longPolls = { count: 0, closers: new Set() };

  async function handle(req, res) {
    const method = req.method;
    const url = req.url;
    if (Buffer.byteLength(url) > limits.url_bytes_max) throw new HttpError(414, serviceError(414, 'Fixture', `URL longer than ${limits.url_bytes_max} bytes`));
    if (method === 'OPTIONS') return preflight(req, res);
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const { params, error } = signature.parseQuery(q < 0 ? '' : url.slice(q + 1));
    if (error) throw badRequest(`query: ${error}`);
    log(describe(method, path, params));

    const found = route(method, path);
    if (found.status === 404) throw new HttpError(404, serviceError(404, 'Fixture', `no such endpoint: ${method} ${path.slice(0, 80)}`));
    if (found.status === 405) throw new HttpError(405, serviceError(405, 'Fixture', `${method} is not allowed on ${path.slice(0, 80)}`));
    const state = found.subscribeKey === null ? null : states.get(found.subscribeKey);
    if (found.subscribeKey !== null && !state) throw new HttpError(400, serviceError(400, pam.SERVICE, 'Invalid Subscribe Key'));

    const body = await readBody(req);
    const now = nowMs();
    const ctx = {
      req, res, method, path, params, body, state, timetokens, longPolls, subscribeTimeoutS,
      match: found.match,
      nowMs: now,
      authorize: (need) => pam.authorize({ keyset: state.keyset, method, path, params, body, nowS: Math.floor(now / 1000), revoked: state.revoked }, need),
    };
    await found.handler(ctx);
  }

  function onRequest(req, res) {
    handle(req, res).catch((err) => {
      if (err instanceof HttpError) {
        log(`-> ${err.status} ${err.message}`);
        if (err.status === 413 || err.status === 414) res.setHeader('Connection', 'close');
        send(res, err.status, err.body);
        if (err.status === 413) res.on('finish', () => req.destroy());
        return;
      }
      process.stderr.write(`pubnub-fixture: internal error on ${req.method} ${String(req.url).slice(0, 120)}: ${err && err.stack}\n`);
      send(res, 500, serviceError(500, 'Fixture', 'internal fixture error (see its stderr)'));
    });
  }

  const server = http.createServer({ maxHeaderSize: limits.header_bytes_max, requestTimeout: 60000, headersTimeout: 30000 }, onRequest);
  server.maxConnections = limits.connections_max;
  // How long an idle kept-alive connection stays open (Node's default, 5 s, unless
  // told): clients must cope with the server closing it.
  if (keepAliveMs !== undefined) server.keepAliveTimeout = keepAliveMs;
  server.on('clientError', (err, socket) => {
    // Malformed HTTP, oversize headers: answer if the socket still can, never throw.
    if (socket.writable) socket.end(`HTTP/1.1 ${err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400} Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    else socket.destroy();
  });

  return {
    listen(port) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => resolve(server.address().port));
      });
    },
    close() {
      for (const finish of [...longPolls.closers]) finish();
      for (const s of states.values()) s.close();
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

module.exports = { createFixture };
