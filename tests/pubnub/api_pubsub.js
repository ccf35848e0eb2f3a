// api_pubsub.js — the time, publish and subscribe v2 endpoints.
//
// Each handler takes the request context built by server.js
//   {req, res, method, path, match, params, body, state, timetokens, nowMs, authorize,
//    longPolls, subscribeTimeoutS}
// and either answers through reply.js or throws an HttpError.
//
// Subscribe, as PubNub does it and the SDK relies on:
//   - tt absent or 0 (the handshake) answers at once with a cursor for "now" and no
//     messages: nothing published earlier is replayed.
//   - tt = T answers at once with every kept envelope on the channels newer than T (at
//     most messages_per_response_max; t is then the last one's token, so the next poll
//     continues from there), else holds the request until one arrives or
//     subscribeTimeoutS passes, then answers {"t": now, "m": []}.
//   - every subscribe by a uuid counts as a heartbeat on its non-presence channels.

'use strict';

const limits = require('./limits');
const v = require('./validate');
const { send, sendRaw, HttpError, serviceError } = require('./reply');
const { REGION } = require('./keyset');
const { BITS } = require('./token');

function time(ctx) {
  // A bare 17-digit JSON number, as PubNub sends it (a JS number would round it).
  sendRaw(ctx.res, 200, `[${ctx.timetokens.current()}]`);
}

function publishRefusal(status, text, ctx) {
  return new HttpError(status, [0, text, ctx.timetokens.current()]);
}

// GET /publish/{pub}/{sub}/0/{channel}/0/{json} and POST /publish/{pub}/{sub}/0/{channel}/0
function publish(ctx) {
  const [pub, rawChannel, rawMessage] = ctx.match;
  if (pub !== ctx.state.keyset.publishKey) throw publishRefusal(400, 'Invalid Key', ctx);
  const channel = v.channelName(v.decodeSegment(rawChannel, 'channel'));
  if (v.isPresenceChannel(channel)) throw publishRefusal(400, 'Presence channels (-pnpres) are written by the server only', ctx);
  let text;
  if (ctx.method === 'POST') {
    if (rawMessage !== undefined) throw publishRefusal(400, 'POST publish takes the message in the body, not the path', ctx);
    text = ctx.body;
  } else {
    if (rawMessage === undefined || rawMessage === '') throw publishRefusal(400, 'Missing message in the path', ctx);
    text = v.decodeSegment(rawMessage, 'message');
  }
  if (Buffer.byteLength(text, 'utf8') > limits.message_bytes_max) throw publishRefusal(413, 'Message Too Large', ctx);
  let payload;
  try {
    payload = JSON.parse(text);
  } catch {
    throw publishRefusal(400, 'Invalid JSON', ctx);
  }
  const params = ctx.params;
  const meta = params.meta !== undefined ? v.jsonText(params.meta, 'meta', limits.state_bytes_max) : undefined;
  if (params.store !== undefined && !['0', '1'].includes(params.store)) throw publishRefusal(400, 'store must be 0 or 1', ctx);
  v.integer(params, 'ttl', { min: 0, max: 1e9, fallback: undefined }); // accepted; nothing is stored past the live history anyway
  const uuid = v.uuid(params, { required: false });
  ctx.authorize({ channels: [{ name: channel, bit: BITS.write }] });
  const t = ctx.state.publish(channel, payload, { uuid, meta });
  send(ctx.res, 200, [1, 'Sent', t]);
}

function subscribeParams(ctx) {
  const params = ctx.params;
  v.refuseUnsupported(params);
  const channels = v.channelList(ctx.match[0]);
  const tt = v.timetoken(params, 'tt');
  v.integer(params, 'tr', { min: 0, max: 1e6, fallback: undefined });
  const heartbeat = v.integer(params, 'heartbeat', { min: 0, max: 1e6, fallback: undefined });
  const state = v.presenceState(params);
  const uuid = v.uuid(params, { required: false });
  return { channels, tt, heartbeat, state, uuid };
}

// GET /v2/subscribe/{sub}/{channels}/0?tt=&tr=&uuid=&heartbeat=&state=
function subscribe(ctx) {
  const { channels, tt, heartbeat, state, uuid } = subscribeParams(ctx);
  ctx.authorize({ channels: channels.map((name) => ({ name, bit: BITS.read })) });
  const s = ctx.state;
  // The handshake's cursor is taken before this subscribe's own join is stored, so the
  // subscriber receives its join on its next poll, as it does from PubNub.
  const handshakeCursor = tt === '0' ? s.timetokens.current() : null;
  const present = channels.filter((c) => !v.isPresenceChannel(c));
  if (uuid !== undefined && present.length > 0) s.presenceTouch(present, uuid, heartbeat, state);

  const answer = (cursor, envelopes) => send(ctx.res, 200, { t: { t: cursor, r: REGION }, m: envelopes });
  if (tt === '0') return answer(handshakeCursor, []);
  const found = s.history.since(channels, tt, limits.messages_per_response_max);
  if (found.envelopes.length > 0) return answer(found.last, found.envelopes);
  holdOpen(ctx, channels, tt, uuid !== undefined ? present : [], uuid, answer);
}

// Holds the request until a message arrives on one of its channels or the subscribe
// timeout passes; finish() runs exactly once whichever ends it (message, timeout, the
// client going away, or the fixture shutting down).
function holdOpen(ctx, channels, tt, present, uuid, answer) {
  const s = ctx.state;
  if (ctx.res.destroyed) return; // the client left while its request was being read
  if (ctx.longPolls.count >= limits.long_polls_max) {
    throw new HttpError(503, serviceError(503, 'Subscribe', `more than ${limits.long_polls_max} subscribe long-polls are open`));
  }
  ctx.longPolls.count++;
  const release = present.length > 0 ? s.presenceHold(present, uuid) : () => {};
  let cancelWait = () => {};
  let timer = null;
  let done = false;
  const finish = () => {
    if (done) return false;
    done = true;
    ctx.longPolls.count--;
    ctx.longPolls.closers.delete(finish);
    cancelWait();
    clearTimeout(timer);
    release();
    return true;
  };
  cancelWait = s.waitFor(channels, () => {
    const found = s.history.since(channels, tt, limits.messages_per_response_max);
    if (found.envelopes.length > 0 && finish()) answer(found.last, found.envelopes);
  });
  timer = setTimeout(() => {
    if (finish()) answer(s.timetokens.current(), []);
  }, ctx.subscribeTimeoutS * 1000);
  ctx.longPolls.closers.add(finish);
  ctx.res.on('close', finish);
}

module.exports = { time, publish, subscribe };
