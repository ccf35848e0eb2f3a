// cores.test.js — the pure parts on a virtual clock: presence rules, history bounds and
// cursors, timetokens, CBOR and tokens. No sockets, no timers: every case is exact.

'use strict';

const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const { Presence, PresenceFull } = require('./presence');
const { KeysetState } = require('./keyset');
const { History } = require('./history');
const { Timetokens } = require('./timetoken');
const cbor = require('./cbor');
const token = require('./token');
const signature = require('./signature');

const actions = (events) => events.map((e) => `${e.action}:${e.uuid}:${e.occupancy}`);

describe('presence core', () => {
  it('joins once, times out after the silence it was given, and counts occupancy', () => {
    const p = new Presence({ entriesMax: 10 });
    assert.deepEqual(actions(p.touch('ch', 'a', 5, 0)), ['join:a:1']);
    assert.deepEqual(actions(p.touch('ch', 'b', 10, 1000)), ['join:b:2']);
    assert.deepEqual(p.touch('ch', 'a', 5, 2000), [], 'a second touch is a heartbeat, not a join');
    assert.equal(p.nextDeadlineMs(), 7000);
    assert.deepEqual(p.expire(6999), []);
    assert.deepEqual(actions(p.expire(7000)), ['timeout:a:1']);
    assert.equal(p.nextDeadlineMs(), 11000);
    assert.deepEqual(actions(p.leave('ch', 'b', 8000)), ['leave:b:0']);
    assert.equal(p.nextDeadlineMs(), null);
    assert.deepEqual(p.leave('ch', 'b', 8000), [], 'leaving twice is no event');
  });

  it('never times out a uuid while its long-poll is held, and restarts the count on release', () => {
    const p = new Presence({ entriesMax: 10 });
    p.touch('ch', 'a', 5, 0);
    const handle = p.hold('ch', 'a');
    assert.equal(p.nextDeadlineMs(), null);
    assert.deepEqual(p.expire(60000), []);
    p.release(handle, 60000);
    assert.equal(p.nextDeadlineMs(), 65000);
    assert.deepEqual(actions(p.expire(65000)), ['timeout:a:0']);
  });

  it('ignores the release of a hold whose uuid left and joined again meanwhile', () => {
    const p = new Presence({ entriesMax: 10 });
    p.touch('ch', 'a', 5, 0);
    const stale = p.hold('ch', 'a');
    p.leave('ch', 'a', 1000);
    p.touch('ch', 'a', 5, 2000);
    p.release(stale, 3000);
    assert.equal(p.nextDeadlineMs(), 7000, 'the new entry keeps its own deadline');
    assert.equal(p.hold('other', 'a'), null);
  });

  it('is bounded', () => {
    const p = new Presence({ entriesMax: 2 });
    p.touch('a', 'u', 5, 0);
    p.touch('b', 'u', 5, 0);
    assert.throws(() => p.touch('c', 'u', 5, 0), PresenceFull);
    p.leave('a', 'u', 0);
    assert.deepEqual(actions(p.touch('c', 'u', 5, 0)), ['join:u:1']);
  });
});

describe('key set presence', () => {
  // The SDK's event engine sends `heartbeat` on its heartbeat requests only, never on
  // its subscribes: a subscribe without one must keep the timeout, not reset it.
  it('keeps the timeout a heartbeat set when a request comes without one', () => {
    let now = 0;
    const state = new KeysetState({}, {
      timetokens: new Timetokens(() => now), nowMs: () => now, presenceDefaultS: 300, presenceMinS: 1, log: () => {},
    });
    try {
      state.presenceTouch(['ch'], 'u', undefined, undefined);
      assert.equal(state.presence.timeoutOf('ch', 'u'), 300, 'a new presence without heartbeat takes the default');
      state.presenceTouch(['ch'], 'u', 4, undefined);
      now = 1000;
      state.presenceTouch(['ch'], 'u', undefined, undefined);
      assert.equal(state.presence.timeoutOf('ch', 'u'), 4);
      assert.deepEqual(actions(state.presence.expire(4999)), []);
      assert.deepEqual(actions(state.presence.expire(5000)), ['timeout:u:0']);
    } finally {
      state.close();
    }
  });
});

describe('history', () => {
  const envelope = (t, d) => ({ p: { t: String(t) }, d });

  it('returns what is newer than a cursor across channels, oldest first, in bounded pages', () => {
    const h = new History({ perChannelMax: 10, channelsMax: 10 });
    h.append('a', envelope(1, 'a1'));
    h.append('b', envelope(2, 'b2'));
    h.append('a', envelope(3, 'a3'));
    h.append('c', envelope(4, 'c4'));
    assert.deepEqual(h.since(['a', 'b'], '1', 10).envelopes.map((e) => e.d), ['b2', 'a3']);
    const page = h.since(['a', 'b', 'c'], '0', 2);
    assert.deepEqual(page.envelopes.map((e) => e.d), ['a1', 'b2']);
    assert.equal(page.last, '2');
    assert.deepEqual(h.since(['a', 'b', 'c'], page.last, 2).envelopes.map((e) => e.d), ['a3', 'c4']);
    assert.deepEqual(h.since(['a'], '3', 10), { envelopes: [], last: null });
  });

  it('drops the oldest message of a channel and the least recently written channel', () => {
    const h = new History({ perChannelMax: 2, channelsMax: 2 });
    h.append('a', envelope(1, 'a1'));
    h.append('a', envelope(2, 'a2'));
    h.append('a', envelope(3, 'a3'));
    assert.deepEqual(h.since(['a'], '0', 10).envelopes.map((e) => e.d), ['a2', 'a3']);
    h.append('b', envelope(4, 'b4'));
    h.append('c', envelope(5, 'c5'));
    assert.deepEqual(h.since(['a', 'b', 'c'], '0', 10).envelopes.map((e) => e.d), ['b4', 'c5']);
  });
});

describe('timetokens', () => {
  it('are 17 digits and strictly increasing even when the clock stands still or steps back', () => {
    let now = 1700000000000;
    const tt = new Timetokens(() => now);
    const a = tt.next();
    const b = tt.next();
    now -= 5000;
    const c = tt.next();
    assert.match(a, /^\d{17}$/);
    assert.ok(BigInt(a) < BigInt(b) && BigInt(b) < BigInt(c));
    assert.equal(tt.current(), c, '"now" never goes below a token already handed out');
  });
});

describe('CBOR and tokens', () => {
  it('round-trips the token layout and refuses malformed or foreign input', () => {
    const value = cbor.bytesKeys({ v: 2, n: -3, s: 'é', b: Buffer.from([1, 2]), a: [true, false, null], f: 1.5 });
    assert.deepEqual({ ...cbor.decode(cbor.encode(value)) }, { v: 2, n: -3, s: 'é', b: Buffer.from([1, 2]), a: [true, false, null], f: 1.5 });
    assert.throws(() => cbor.decode(Buffer.from([0x5a, 0xff, 0xff, 0xff, 0xff])), cbor.CborError);
    assert.throws(() => cbor.decode(Buffer.from([0x01, 0x02])), /trailing/);
    const { grant } = token.validateGrant({ ttl: 10, permissions: { resources: { channels: { c: token.BITS.read } }, patterns: { channels: { '^p-': token.BITS.write } } } });
    const t = token.issue(grant, 'secret-one', 1000);
    const opened = token.open(t, 'secret-one');
    assert.ok(token.allows(opened.payload, 'chan', 'c', token.BITS.read));
    assert.ok(!token.allows(opened.payload, 'chan', 'c', token.BITS.write));
    assert.ok(token.allows(opened.payload, 'chan', 'p-1', token.BITS.write));
    assert.ok(!token.expired(opened.payload, 1000 + 599) && token.expired(opened.payload, 1000 + 600));
    assert.equal(token.open(t, 'secret-two').reason, 'signature');
    assert.equal(token.open('@@@', 'secret-one').reason, 'malformed');
    assert.equal(token.open(t.slice(0, -4), 'secret-one').reason, 'malformed');
  });

  it('names the grant field that is wrong', () => {
    const bad = (body) => token.validateGrant(body).error.location;
    assert.equal(bad({ permissions: { resources: { channels: { c: 1 } } } }), 'ttl');
    assert.equal(bad({ ttl: 5, permissions: { resources: { channels: { c: 256 } } } }), 'permissions.resources.channels');
    assert.equal(bad({ ttl: 5, permissions: { patterns: { channels: { '(': 1 } } } }), 'permissions.patterns.channels');
    assert.equal(bad({ ttl: 5, permissions: { resources: { channels: {} } } }), 'permissions');
  });
});

describe('signature v2', () => {
  it('signs METHOD, publish key, path, sorted re-encoded query and body; publish as GET', () => {
    const params = { uuid: 'u', b: 'x y!', a: '1', timestamp: '1000' };
    const input = signature.signatureInput({ method: 'POST', publishKey: 'pk', path: '/v3/pam/sk/grant', params, body: '{"ttl":1}' });
    assert.equal(input, 'POST\npk\n/v3/pam/sk/grant\na=1&b=x%20y%21&timestamp=1000&uuid=u\n{"ttl":1}');
    assert.match(signature.signatureInput({ method: 'POST', publishKey: 'pk', path: '/publish/x', params: {}, body: 'ignored' }), /^GET\npk\n\/publish\/x\n\n$/);
    const signed = { ...params, signature: signature.sign({ method: 'GET', publishKey: 'pk', secretKey: 'sk', path: '/p', params }) };
    assert.match(signed.signature, /^v2\.[A-Za-z0-9_-]+$/);
    assert.equal(signature.verify({ method: 'GET', publishKey: 'pk', secretKey: 'sk', path: '/p', params: signed, nowS: 1030 }), null);
    assert.equal(signature.verify({ method: 'GET', publishKey: 'pk', secretKey: 'sk', path: '/p', params: signed, nowS: 1061 }), 'timestamp');
    assert.equal(signature.verify({ method: 'GET', publishKey: 'pk', secretKey: 'sk', path: '/q', params: signed, nowS: 1000 }), 'mismatch');
  });
});
