// keyset.js — everything the fixture keeps for one key set, and the driver that joins
// its pure cores (History, Presence) to real time: it stamps timetokens, turns presence
// changes into envelopes on `{channel}-pnpres`, wakes the long-polls waiting for a
// channel, and keeps one timer armed at the presence core's next deadline.
//
// Envelopes, as PubNub's subscribe v2 sends them and the SDK 12 reads them:
//   message:  {a, f, i, p: {t, r}, k, c, d, u?}    (i: publisher uuid, u: its meta)
//   presence: {a, f, p: {t, r}, k, c: "<ch>-pnpres", d: {action, uuid, occupancy, timestamp}}
// No `e` field: PubNub's docs allow e = 0 for a plain message, but SDK 12.0.3 reads any
// `e` other than absent as a non-message type (e: 0 arrives as a file event), so the
// field is left out as PubNub itself does for plain messages and presence events.
//
// Contract: publish(channel, payload, {uuid, meta}) -> timetoken; presenceTouch/Leave
// apply a presence change and publish its events; waitFor(channels, wake) registers a
// long-poll, returning its cancel function; close() stops the timer.

'use strict';

const limits = require('./limits');
const { History } = require('./history');
const { Presence } = require('./presence');
const { RevokedTokens } = require('./pam');
const { presenceChannelOf } = require('./validate');

const SHARD = '1';
const REGION = 1;

class KeysetState {
  constructor(keyset, { timetokens, nowMs, presenceDefaultS, presenceMinS, log }) {
    this.keyset = keyset;
    this.timetokens = timetokens;
    this.nowMs = nowMs;
    this.presenceDefaultS = presenceDefaultS;
    this.presenceMinS = presenceMinS;
    this.log = log;
    this.history = new History({ perChannelMax: limits.history_per_channel_max, channelsMax: limits.history_channels_max });
    this.presence = new Presence({ entriesMax: limits.presence_entries_max });
    this.revoked = new RevokedTokens();
    this.waiters = new Set(); // {channels: Set<string>, wake: () => void}
    this.timer = null;
    this.timerAtMs = null;
  }

  // The timeout a client asked for (`heartbeat`), brought into [min, max], else the default.
  presenceTimeoutS(heartbeat) {
    if (heartbeat === undefined) return this.presenceDefaultS;
    return Math.min(Math.max(heartbeat, this.presenceMinS), limits.heartbeat_s_max);
  }

  append(channel, envelopeWithoutCursor) {
    const t = this.timetokens.next();
    const envelope = { ...envelopeWithoutCursor, p: { t, r: REGION }, k: this.keyset.subscribeKey, c: channel };
    this.history.append(channel, envelope);
    for (const waiter of [...this.waiters]) if (waiter.channels.has(channel)) waiter.wake();
    return t;
  }

  publish(channel, payload, { uuid, meta }) {
    const envelope = { a: SHARD, f: 0, ...(uuid !== undefined ? { i: uuid } : {}), d: payload, ...(meta !== undefined ? { u: meta } : {}) };
    return this.append(channel, envelope);
  }

  publishPresence(events) {
    for (const e of events) {
      this.log(`presence ${e.action} ${JSON.stringify(e.uuid)} on ${JSON.stringify(e.channel)} (occupancy ${e.occupancy})`);
      this.append(presenceChannelOf(e.channel), {
        a: SHARD,
        f: 0,
        d: { action: e.action, uuid: e.uuid, occupancy: e.occupancy, timestamp: e.timestampS },
      });
    }
  }

  // stateByChannel: the client's `state` parameter, {"ch": {...}}, or undefined.
  presenceTouch(channels, uuid, heartbeat, stateByChannel) {
    const now = this.nowMs();
    for (const channel of channels) {
      // Rule 2 of presence.js: no `heartbeat` keeps the timeout set before.
      const timeoutS = heartbeat === undefined && this.presence.timeoutOf(channel, uuid) !== undefined
        ? this.presence.timeoutOf(channel, uuid)
        : this.presenceTimeoutS(heartbeat);
      const state = stateByChannel !== undefined && Object.hasOwn(stateByChannel, channel) ? stateByChannel[channel] : undefined;
      this.publishPresence(this.presence.touch(channel, uuid, timeoutS, now, state));
    }
    this.armTimer();
  }

  presenceLeave(channels, uuid) {
    const now = this.nowMs();
    for (const channel of channels) this.publishPresence(this.presence.leave(channel, uuid, now));
    this.armTimer();
  }

  // Rule 3 of presence.js: a held long-poll keeps its uuid present.
  presenceHold(channels, uuid) {
    const handles = channels.map((channel) => this.presence.hold(channel, uuid)).filter((h) => h !== null);
    this.armTimer();
    return () => {
      const now = this.nowMs();
      for (const handle of handles) this.presence.release(handle, now);
      this.armTimer();
    };
  }

  armTimer() {
    const next = this.presence.nextDeadlineMs();
    if (next === this.timerAtMs) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.timerAtMs = next;
    if (next === null) return;
    const delayMs = Math.min(Math.max(next - this.nowMs(), 0), 2 ** 31 - 1);
    this.timer = setTimeout(() => this.onTimer(), delayMs);
    this.timer.unref();
  }

  onTimer() {
    this.timer = null;
    this.timerAtMs = null;
    this.publishPresence(this.presence.expire(this.nowMs()));
    this.armTimer();
  }

  waitFor(channels, wake) {
    const waiter = { channels: new Set(channels), wake };
    this.waiters.add(waiter);
    return () => this.waiters.delete(waiter);
  }

  close() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}

module.exports = { KeysetState, REGION };
