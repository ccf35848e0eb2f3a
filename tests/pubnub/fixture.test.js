// fixture.test.js — the fixture driven by the official SDK (pubnub 12.0.3) and by raw
// HTTP, the way clawnet's C++ client will talk to it. Run: node --test (README.md).
//
// One fixture serves the whole file, with two random key sets as the seed design uses
// (one open, one with Access Manager). Each test uses channels of its own, waits for
// events with bounded waits, and the fixture runs with short timeouts: subscribe long-
// polls end after 2 s, presence defaults to 3 s and accepts heartbeats from 1 s.

'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const PubNub = require('pubnub');
const zlib = require('node:zlib');
const { fakeKeyset, startFixture, runFixture, get, Inbox } = require('./harness');
const signature = require('./signature');
const token = require('./token');

const SUBSCRIBE_TIMEOUT_S = 2;
const TEST_MS = 15000;
const open = fakeKeyset();
const guarded = fakeKeyset({ pam: true });

let fixture;
const clients = [];

function unique(name) {
  return `${name}-${crypto.randomUUID().slice(0, 8)}`;
}

// An SDK client on the fixture; every event its listener sees lands in the returned inbox.
function sdk(keyset, { secret = false, userId = unique('user'), ...options } = {}) {
  const pn = new PubNub({
    origin: fixture.origin,
    ssl: false,
    subscribeKey: keyset.subscribe_key,
    publishKey: keyset.publish_key,
    ...(secret ? { secretKey: keyset.secret_key } : {}),
    userId,
    ...options,
  });
  const inbox = new Inbox();
  pn.addListener({
    message: (m) => inbox.push({ kind: 'message', ...m }),
    presence: (p) => inbox.push({ kind: 'presence', ...p }),
    status: (s) => inbox.push({ kind: 'status', ...s }),
  });
  clients.push(pn);
  return { pn, inbox, userId };
}

async function subscribed(client, channels, { withPresence = false } = {}) {
  client.pn.subscribe({ channels, withPresence });
  await client.inbox.next((e) => e.kind === 'status' && e.category === 'PNConnectedCategory', 'the subscribe handshake');
}

function rejection(promise) {
  return promise.then(() => assert.fail('expected the request to be refused'), (err) => err);
}

function rawSign(keyset, method, path, params, body) {
  const all = { ...params, timestamp: String(Math.floor(Date.now() / 1000)) };
  all.signature = signature.sign({ method, publishKey: keyset.publish_key, secretKey: keyset.secret_key, path, params: all, body });
  return `${path}?${Object.entries(all).map(([k, v]) => `${k}=${signature.encodeString(v)}`).join('&')}`;
}

before(async () => {
  fixture = await startFixture({
    keysets: [open, guarded],
    args: ['--subscribe-timeout-s', String(SUBSCRIBE_TIMEOUT_S), '--presence-timeout-s', '3', '--presence-min-s', '1'],
  });
});

after(async () => {
  for (const pn of clients) pn.destroy(true);
  const exit = await fixture.stop();
  assert.equal(exit, 0, `the fixture exits 0 on SIGTERM; its stderr:\n${fixture.stderr()}`);
});

describe('command line', () => {
  it('writes the port it listens on to the port file', () => {
    assert.equal(fs.readFileSync(fixture.portFile, 'utf8'), `${fixture.port}\n`);
  });

  it('refuses a bad command line or key set with exit code 2 and a message', { timeout: TEST_MS }, async () => {
    const k = fakeKeyset();
    const cases = [
      [['--port', '0'], {}, /--port-file is required/],
      [['--port', 'x', '--port-file', '/tmp/unused'], {}, /--port needs an integer/],
      [['--port', '0', '--port-file', '/tmp/unused', '--frobnicate'], {}, /unknown argument/],
      [['--port', '0', '--port-file', '/tmp/unused'], {}, /no key set/],
      [['--port', '0', '--port-file', '/tmp/unused', '--pam'], { PUBNUB_FIXTURE_SUBSCRIBE_KEY: k.subscribe_key, PUBNUB_FIXTURE_PUBLISH_KEY: k.publish_key }, /Access Manager needs a secret_key/],
      [['--port', '0', '--port-file', '/tmp/unused'], { PUBNUB_FIXTURE_SUBSCRIBE_KEY: 'has space', PUBNUB_FIXTURE_PUBLISH_KEY: k.publish_key }, /subscribe_key: must be/],
    ];
    for (const [args, env, message] of cases) {
      const r = await runFixture(args, env);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, message);
    }
  });

  it('takes a key set from the environment, with Access Manager on through --pam', { timeout: TEST_MS }, async () => {
    const k = fakeKeyset();
    const alone = await startFixture({
      keysets: null,
      args: ['--pam'],
      env: { PUBNUB_FIXTURE_SUBSCRIBE_KEY: k.subscribe_key, PUBNUB_FIXTURE_PUBLISH_KEY: k.publish_key, PUBNUB_FIXTURE_SECRET_KEY: k.secret_key },
    });
    try {
      const r = await get(alone.port, `/publish/${k.publish_key}/${k.subscribe_key}/0/ch/0/1?uuid=u`);
      assert.equal(r.status, 403);
    } finally {
      assert.equal(await alone.stop(), 0);
    }
  });

  it('answers /time/0 with a bare 17-digit timetoken', { timeout: TEST_MS }, async () => {
    const r = await get(fixture.port, '/time/0');
    assert.equal(r.status, 200);
    assert.match(r.text, /^\[\d{17}\]$/);
  });
});

describe('publish and subscribe', () => {
  it('delivers a message to an SDK subscriber with PubNub\'s fields', { timeout: TEST_MS }, async () => {
    const channel = unique('room');
    const listener = sdk(open);
    const talker = sdk(open);
    await subscribed(listener, [channel]);
    const sent = await talker.pn.publish({ channel, message: { command: 'upOn' }, meta: { seq: 1 } });
    assert.match(sent.timetoken, /^\d{17}$/);
    const got = await listener.inbox.next((e) => e.kind === 'message' && e.channel === channel, 'the message');
    assert.deepEqual(got.message, { command: 'upOn' });
    assert.equal(got.publisher, talker.userId);
    assert.equal(got.timetoken, sent.timetoken);
    assert.deepEqual(got.userMetadata, { seq: 1 });
  });

  it('sends envelopes {a, f, i, p: {t, r}, k, c, d, u} without e', { timeout: TEST_MS }, async () => {
    const channel = unique('fields');
    const base = `/v2/subscribe/${open.subscribe_key}/${channel}/0`;
    const hello = await get(fixture.port, `${base}?uuid=raw`);
    assert.equal(hello.status, 200);
    assert.deepEqual(hello.json.m, []);
    assert.match(hello.json.t.t, /^\d{17}$/);
    const pub = await get(fixture.port, `/publish/${open.publish_key}/${open.subscribe_key}/0/${channel}/0/${encodeURIComponent('"hi"')}?uuid=writer&meta=${encodeURIComponent('{"m":1}')}`);
    assert.equal(pub.status, 200);
    assert.deepEqual(pub.json.slice(0, 2), [1, 'Sent']);
    const poll = await get(fixture.port, `${base}?uuid=raw&tt=${hello.json.t.t}&tr=${hello.json.t.r}`);
    assert.equal(poll.json.m.length, 1);
    const env = poll.json.m[0];
    assert.deepEqual(Object.keys(env).sort(), ['a', 'c', 'd', 'f', 'i', 'k', 'p', 'u']);
    assert.equal(env.c, channel);
    assert.equal(env.d, 'hi');
    assert.equal(env.i, 'writer');
    assert.equal(env.k, open.subscribe_key);
    assert.deepEqual(env.u, { m: 1 });
    assert.deepEqual(env.p, { t: pub.json[2], r: hello.json.t.r });
    assert.equal(poll.json.t.t, pub.json[2]);
  });

  it('accepts POST publish with the message as the body', { timeout: TEST_MS }, async () => {
    const channel = unique('post');
    const talker = sdk(open);
    const listener = sdk(open);
    await subscribed(listener, [channel]);
    await talker.pn.publish({ channel, message: { via: 'post' }, sendByPost: true });
    const got = await listener.inbox.next((e) => e.kind === 'message' && e.channel === channel, 'the POSTed message');
    assert.deepEqual(got.message, { via: 'post' });
  });

  it('gives a subscriber returning with its cursor everything published while it was away', { timeout: TEST_MS }, async () => {
    const channel = unique('away');
    const base = `/v2/subscribe/${open.subscribe_key}/${channel}/0`;
    const hello = await get(fixture.port, `${base}?uuid=returning`);
    const cursor = hello.json.t.t;
    const talker = sdk(open);
    for (const n of [1, 2, 3]) await talker.pn.publish({ channel, message: { n } });
    const back = await get(fixture.port, `${base}?uuid=returning&tt=${cursor}&tr=1`);
    assert.deepEqual(back.json.m.map((e) => e.d.n), [1, 2, 3]);
    // The same cursor again replays the same messages; the new one has nothing newer.
    const again = await get(fixture.port, `${base}?uuid=returning&tt=${cursor}&tr=1`);
    assert.deepEqual(again.json.m.map((e) => e.d.n), [1, 2, 3]);
    const started = Date.now();
    const idle = await get(fixture.port, `${base}?uuid=returning&tt=${back.json.t.t}&tr=1`);
    assert.deepEqual(idle.json.m, []);
    assert.ok(Date.now() - started >= SUBSCRIBE_TIMEOUT_S * 1000 - 100, 'an idle poll is held for the subscribe timeout');
    assert.ok(BigInt(idle.json.t.t) >= BigInt(back.json.t.t));
  });

  it('answers a held poll as soon as a message arrives', { timeout: TEST_MS }, async () => {
    const channel = unique('held');
    const base = `/v2/subscribe/${open.subscribe_key}/${channel}/0`;
    const hello = await get(fixture.port, `${base}?uuid=holder`);
    const poll = get(fixture.port, `${base}?uuid=holder&tt=${hello.json.t.t}&tr=1`);
    const talker = sdk(open);
    await talker.pn.publish({ channel, message: 'wake' });
    const r = await poll;
    assert.deepEqual(r.json.m.map((e) => e.d), ['wake']);
  });

  it('keeps the two key sets apart', { timeout: TEST_MS }, async () => {
    const channel = unique('shared-name');
    const admin = sdk(guarded, { secret: true });
    const listener = sdk(open);
    await subscribed(listener, [channel]);
    await admin.pn.publish({ channel, message: 'key set 2' });
    const talker = sdk(open);
    await talker.pn.publish({ channel, message: 'key set 1' });
    const got = await listener.inbox.next((e) => e.kind === 'message', 'a message on key set 1');
    assert.equal(got.message, 'key set 1');
  });

  it('refuses a message over 32 KiB with 413 "Message Too Large"', { timeout: TEST_MS }, async () => {
    const talker = sdk(open);
    const err = await rejection(talker.pn.publish({ channel: unique('big'), message: 'x'.repeat(33 * 1024) }));
    assert.equal(err.status.statusCode, 413);
    assert.equal(err.status.category, 'PNUnknownCategory', 'SDK 12 has no category of its own for 413');
    assert.equal(err.status.errorData, 'Message Too Large');
    const post = await get(fixture.port, `/publish/${open.publish_key}/${open.subscribe_key}/0/big/0`, { method: 'POST', body: JSON.stringify('y'.repeat(33 * 1024)), headers: { 'Content-Type': 'application/json' } });
    assert.equal(post.status, 413);
    assert.deepEqual(post.json.slice(0, 2), [0, 'Message Too Large']);
  });
});

describe('presence', () => {
  it('announces join and leave on -pnpres and lists the uuid in hereNow', { timeout: TEST_MS }, async () => {
    const channel = unique('lobby');
    const watcher = sdk(open);
    await subscribed(watcher, [channel], { withPresence: true });
    const player = sdk(open, { presenceTimeout: 4 });
    await subscribed(player, [channel]);
    const join = await watcher.inbox.next((e) => e.kind === 'presence' && e.action === 'join' && e.uuid === player.userId, 'the player\'s join');
    assert.equal(join.channel, channel);
    assert.equal(typeof join.occupancy, 'number');
    assert.ok(Number.isInteger(join.timestamp) && Math.abs(join.timestamp - Date.now() / 1000) < 60);

    const here = await watcher.pn.hereNow({ channels: [channel] });
    assert.ok(here.channels[channel].occupants.some((o) => o.uuid === player.userId));
    assert.equal(here.channels[channel].occupancy, here.channels[channel].occupants.length);

    player.pn.unsubscribeAll();
    const leave = await watcher.inbox.next((e) => e.kind === 'presence' && e.action === 'leave' && e.uuid === player.userId, 'the player\'s leave');
    assert.equal(leave.occupancy, join.occupancy - 1);
  });

  it('announces a timeout when heartbeats stop', { timeout: TEST_MS }, async () => {
    const channel = unique('quiet');
    const watcher = sdk(open);
    await subscribed(watcher, [channel], { withPresence: true });
    const hb = await get(fixture.port, `/v2/presence/sub-key/${open.subscribe_key}/channel/${channel}/heartbeat?heartbeat=1&uuid=ghost`);
    assert.deepEqual(hb.json, { status: 200, message: 'OK', service: 'Presence' });
    const joined = await watcher.inbox.next((e) => e.kind === 'presence' && e.action === 'join' && e.uuid === 'ghost', 'the ghost\'s join');
    const gone = await watcher.inbox.next((e) => e.kind === 'presence' && e.action === 'timeout' && e.uuid === 'ghost', 'the ghost\'s timeout');
    assert.ok(gone.timestamp >= joined.timestamp);
    const here = await get(fixture.port, `/v2/presence/sub-key/${open.subscribe_key}/channel/${channel}`);
    assert.ok(!here.json.uuids.includes('ghost'));
  });

  it('answers here_now in PubNub\'s shapes', { timeout: TEST_MS }, async () => {
    const a = unique('count-a');
    const b = unique('count-b');
    const prefix = `/v2/presence/sub-key/${open.subscribe_key}/channel`;
    await get(fixture.port, `${prefix}/${a},${b}/heartbeat?heartbeat=30&uuid=counted&state=${encodeURIComponent(JSON.stringify({ [a]: { seat: 1 } }))}`);
    const one = await get(fixture.port, `${prefix}/${a}?state=1`);
    assert.deepEqual(one.json, { status: 200, message: 'OK', service: 'Presence', occupancy: 1, uuids: [{ uuid: 'counted', state: { seat: 1 } }] });
    const bare = await get(fixture.port, `${prefix}/${a}?disable_uuids=1`);
    assert.deepEqual(bare.json, { status: 200, message: 'OK', service: 'Presence', occupancy: 1 });
    const both = await get(fixture.port, `${prefix}/${a},${b}`);
    assert.deepEqual(both.json.payload, { channels: { [a]: { occupancy: 1, uuids: ['counted'] }, [b]: { occupancy: 1, uuids: ['counted'] } }, total_channels: 2, total_occupancy: 2 });
    const left = await get(fixture.port, `${prefix}/${a},${b}/leave?uuid=counted`);
    assert.deepEqual(left.json, { status: 200, message: 'OK', action: 'leave', service: 'Presence' });
    assert.equal((await get(fixture.port, `${prefix}/${a}`)).json.occupancy, 0);
  });
});

describe('Access Manager', () => {
  it('grants a token that the SDK\'s parseToken reads back', { timeout: TEST_MS }, async () => {
    const admin = sdk(guarded, { secret: true });
    const issued = await admin.pn.grantToken({
      ttl: 15,
      authorized_uuid: 'player-1',
      resources: { channels: { 'room-1': { read: true, write: true }, 'room-1-pnpres': { read: true } } },
      patterns: { channels: { '^lobby-.*$': { read: true } } },
      meta: { role: 'player' },
    });
    const parsed = admin.pn.parseToken(issued);
    assert.equal(parsed.version, 2);
    assert.equal(parsed.ttl, 15);
    assert.equal(parsed.authorized_uuid, 'player-1');
    assert.ok(Math.abs(parsed.timestamp - Date.now() / 1000) < 60);
    assert.deepEqual(parsed.resources.channels['room-1'], { read: true, write: true, manage: false, delete: false, get: false, update: false, join: false });
    assert.equal(parsed.resources.channels['room-1-pnpres'].read, true);
    assert.equal(parsed.resources.channels['room-1-pnpres'].write, false);
    assert.equal(parsed.patterns.channels['^lobby-.*$'].read, true);
    assert.deepEqual(parsed.meta, { role: 'player' });
  });

  it('lets a token holder use its channel, refuses another, and stops after revoke', { timeout: TEST_MS }, async () => {
    const room = unique('room');
    const elsewhere = unique('elsewhere');
    const admin = sdk(guarded, { secret: true });
    const player = sdk(guarded, { userId: unique('player') });
    const issued = await admin.pn.grantToken({
      ttl: 5,
      authorized_uuid: player.userId,
      resources: { channels: { [room]: { read: true, write: true }, [`${room}-pnpres`]: { read: true } } },
    });
    player.pn.setToken(issued);
    await subscribed(player, [room], { withPresence: true });
    await player.pn.publish({ channel: room, message: 'mine' });
    const got = await player.inbox.next((e) => e.kind === 'message' && e.channel === room, 'the player\'s own message');
    assert.equal(got.message, 'mine');

    const refused = await rejection(player.pn.publish({ channel: elsewhere, message: 'not mine' }));
    assert.equal(refused.status.category, 'PNAccessDeniedCategory');
    assert.equal(refused.status.statusCode, 403);
    assert.deepEqual(refused.status.errorData.payload, { channels: [elsewhere] });

    const other = sdk(guarded, { userId: player.userId });
    other.pn.setToken(issued);
    other.pn.subscribe({ channels: [elsewhere] });
    const status = await other.inbox.next((e) => e.kind === 'status' && e.category === 'PNConnectionErrorCategory', 'the refused handshake');
    assert.equal(status.error, 'PNAccessDeniedCategory');

    await admin.pn.revokeToken(issued);
    const revoked = await rejection(player.pn.publish({ channel: room, message: 'after revoke' }));
    assert.equal(revoked.status.category, 'PNAccessDeniedCategory');
    assert.equal(revoked.status.errorData.message, 'Token is revoked');
  });

  it('refuses requests without credentials, with a bad signature, a stale timestamp, or an expired token', { timeout: TEST_MS }, async () => {
    const channel = unique('locked');
    const path = `/publish/${guarded.publish_key}/${guarded.subscribe_key}/0/${channel}/0/1`;
    const none = await get(fixture.port, `${path}?uuid=nobody`);
    assert.equal(none.status, 403);
    assert.deepEqual(none.json, { message: 'Forbidden', payload: { channels: [channel] }, error: true, service: 'Access Manager', status: 403 });

    const signed = await get(fixture.port, rawSign(guarded, 'GET', path, { uuid: 'server' }));
    assert.equal(signed.status, 200, signed.text);

    const tampered = rawSign(guarded, 'GET', path, { uuid: 'server' }).replace('uuid=server', 'uuid=intruder');
    const bad = await get(fixture.port, tampered);
    assert.equal(bad.status, 403);
    assert.equal(bad.json.message, 'Invalid Signature');

    const staleParams = { uuid: 'server', timestamp: String(Math.floor(Date.now() / 1000) - 600) };
    staleParams.signature = signature.sign({ method: 'GET', publishKey: guarded.publish_key, secretKey: guarded.secret_key, path, params: staleParams });
    const stale = await get(fixture.port, `${path}?${new URLSearchParams(staleParams)}`);
    assert.equal(stale.status, 400);
    assert.equal(stale.json.message, 'Invalid Timestamp');

    const impostor = new PubNub({ origin: fixture.origin, ssl: false, subscribeKey: guarded.subscribe_key, publishKey: guarded.publish_key, secretKey: `sec-fake-${crypto.randomUUID()}`, userId: 'impostor' });
    clients.push(impostor);
    const grantRefused = await rejection(impostor.grantToken({ ttl: 5, resources: { channels: { [channel]: { write: true } } } }));
    assert.equal(grantRefused.status.category, 'PNAccessDeniedCategory');

    const grant = token.validateGrant({ ttl: 1, permissions: { resources: { channels: { [channel]: 2 } } } }).grant;
    const old = token.issue(grant, guarded.secret_key, Math.floor(Date.now() / 1000) - 120);
    const expired = await get(fixture.port, `${path}?uuid=late&auth=${old}`);
    assert.equal(expired.status, 403);
    assert.equal(expired.json.message, 'Token is expired');

    const foreign = token.issue(grant, open.secret_key, Math.floor(Date.now() / 1000));
    const forged = await get(fixture.port, `${path}?uuid=late&auth=${foreign}`);
    assert.equal(forged.status, 403);
    assert.equal(forged.json.message, 'Invalid token');
  });

  it('refuses a grant body it cannot honour, naming the field', { timeout: TEST_MS }, async () => {
    const path = `/v3/pam/${guarded.subscribe_key}/grant`;
    const body = JSON.stringify({ ttl: 0, permissions: { resources: { channels: { a: 1 } } } });
    const r = await get(fixture.port, rawSign(guarded, 'POST', path, { uuid: 'server' }, body), { method: 'POST', body, headers: { 'Content-Type': 'application/json' } });
    assert.equal(r.status, 400);
    assert.equal(r.json.error.details[0].location, 'ttl');
  });
});

describe('bounds and bad input', () => {
  it('answers bad input with 400 naming the problem, and keeps serving', { timeout: TEST_MS }, async () => {
    const sub = open.subscribe_key;
    const cases = [
      [`/v2/subscribe/${sub}/a%2Fb/0`, /forbidden character/],
      [`/v2/subscribe/${sub}/a%zz/0`, /malformed percent-encoding/],
      [`/v2/subscribe/${sub}/${Array.from({ length: 101 }, (_, i) => `c${i}`).join(',')}/0`, /more than 100 channels/],
      [`/v2/subscribe/${sub}/ok/0?tt=soon`, /tt: .* is not a timetoken/],
      [`/v2/subscribe/${sub}/ok/0?channel-group=g`, /channel groups are not supported/],
      [`/v2/presence/sub-key/${sub}/channel/ok/heartbeat?heartbeat=5`, /uuid: missing/],
      [`/v2/presence/sub-key/${sub}/channel/ok/heartbeat?uuid=a&heartbeat=-1`, /heartbeat: .* is not a non-negative integer/],
      [`/v2/subscribe/${sub}/ok/0?uuid=a&uuid=b`, /duplicate query parameter/],
      [`/publish/${open.publish_key}/${sub}/0/ok/0/%7Bnot-json`, /Invalid JSON/],
    ];
    for (const [path, message] of cases) {
      const r = await get(fixture.port, path);
      assert.equal(r.status, 400, path);
      assert.match(JSON.stringify(r.json), message, path);
    }
    assert.equal((await get(fixture.port, `/v2/subscribe/sub-fake-unknown/ok/0`)).json.message, 'Invalid Subscribe Key');
    assert.equal((await get(fixture.port, '/no/such/thing')).status, 404);
    assert.equal((await get(fixture.port, '/time/0', { method: 'DELETE' })).status, 405);
    assert.equal((await get(fixture.port, `/time/0?pad=${'x'.repeat(110 * 1024)}`)).status, 414);
    const huge = await get(fixture.port, `/v3/pam/${sub}/grant`, { method: 'POST', body: 'x'.repeat(70 * 1024) });
    assert.equal(huge.status, 413);
    const bomb = zlib.deflateSync(Buffer.alloc(1024 * 1024, 0x20));
    const inflated = await get(fixture.port, `/publish/${open.publish_key}/${sub}/0/ok/0`, { method: 'POST', body: bomb, headers: { 'Content-Encoding': 'deflate' } });
    assert.equal(inflated.status, 413, 'a small deflated body may not inflate past the body bound');
    const garbled = await get(fixture.port, `/publish/${open.publish_key}/${sub}/0/ok/0`, { method: 'POST', body: 'not deflate', headers: { 'Content-Encoding': 'deflate' } });
    assert.equal(garbled.status, 400);
    assert.equal((await get(fixture.port, '/time/0')).status, 200);
  });

  it('opens CORS to pages from other origins', { timeout: TEST_MS }, async () => {
    const pre = await get(fixture.port, `/v2/subscribe/${open.subscribe_key}/a/0`, { method: 'OPTIONS', headers: { Origin: 'http://127.0.0.1:1', 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'content-type' } });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers['access-control-allow-origin'], '*');
    assert.match(pre.headers['access-control-allow-methods'], /GET/);
    assert.equal(pre.headers['access-control-allow-headers'], 'content-type');
    const plain = await get(fixture.port, '/time/0', { headers: { Origin: 'http://127.0.0.1:1' } });
    assert.equal(plain.headers['access-control-allow-origin'], '*');
  });
});
