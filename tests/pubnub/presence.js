// presence.js — who is present on which channel of one key set, as a core with no I/O:
// time comes in as nowMs, events go out as return values, and nextDeadlineMs() tells the
// driver (keyset.js) when to call expire() next.
//
// Rules, as PubNub's presence service applies them:
//   1. A (uuid, channel) becomes present on a subscribe or a heartbeat: a "join" event.
//   2. It stays present while it is heard from at least every timeoutS seconds (the
//      client's `heartbeat` parameter; a request without one keeps the timeout set
//      before, else the key set's default); each subscribe or heartbeat restarts the
//      count. (The SDK's event engine sends `heartbeat` on its heartbeat requests
//      only, never on subscribes: a subscribe must not undo it.)
//   3. While one of its subscribe long-polls is held open (hold/release), it cannot time
//      out: PubNub counts the subscribe itself as a heartbeat, and it holds a poll for
//      up to 280 s, less than its 300 s default timeout.
//   4. A leave request ends it at once ("leave"); silence past the deadline ends it
//      through expire() ("timeout").
// Events: {channel, action: "join"|"leave"|"timeout", uuid, occupancy, timestampS}, with
// occupancy counted after the change. Presence channels (-pnpres) are never tracked.

'use strict';

const assert = require('node:assert');

class PresenceFull extends Error {}

class Presence {
  constructor({ entriesMax }) {
    assert(Number.isInteger(entriesMax) && entriesMax > 0);
    this.entriesMax = entriesMax;
    this.entries = 0;
    this.channels = new Map(); // channel -> Map(uuid -> {deadlineMs, timeoutS, holds, state})
  }

  event(channel, action, uuid, nowMs) {
    const members = this.channels.get(channel);
    return { channel, action, uuid, occupancy: members ? members.size : 0, timestampS: Math.floor(nowMs / 1000) };
  }

  // Rules 1 and 2. state: undefined keeps what was set before.
  touch(channel, uuid, timeoutS, nowMs, state) {
    assert(Number.isInteger(timeoutS) && timeoutS > 0);
    let members = this.channels.get(channel);
    let entry = members && members.get(uuid);
    const events = [];
    if (!entry) {
      if (this.entries >= this.entriesMax) throw new PresenceFull(`presence is tracking ${this.entriesMax} (uuid, channel) pairs already`);
      if (!members) this.channels.set(channel, (members = new Map()));
      entry = { deadlineMs: 0, timeoutS, holds: 0, state: undefined };
      members.set(uuid, entry);
      this.entries++;
      events.push(this.event(channel, 'join', uuid, nowMs));
    }
    entry.timeoutS = timeoutS;
    entry.deadlineMs = nowMs + timeoutS * 1000;
    if (state !== undefined) entry.state = state;
    return events;
  }

  // The timeout (uuid, channel) has now, or undefined when it is not present.
  timeoutOf(channel, uuid) {
    return this.channels.get(channel)?.get(uuid)?.timeoutS;
  }

  // Rule 3: a long-poll for (uuid, channel) is open. Returns a handle for release(), or
  // null when (uuid, channel) is not present (touch() it first).
  hold(channel, uuid) {
    const entry = this.channels.get(channel)?.get(uuid);
    if (!entry) return null;
    entry.holds++;
    return { channel, uuid, entry };
  }

  // The long-poll ended (answered or its client went away): the count restarts now. A
  // handle whose entry left (and perhaps joined again) in the meantime is ignored.
  release(handle, nowMs) {
    if (this.channels.get(handle.channel)?.get(handle.uuid) !== handle.entry) return;
    assert(handle.entry.holds > 0);
    handle.entry.holds--;
    handle.entry.deadlineMs = nowMs + handle.entry.timeoutS * 1000;
  }

  remove(channel, uuid, action, nowMs) {
    const members = this.channels.get(channel);
    if (!members || !members.delete(uuid)) return [];
    this.entries--;
    if (members.size === 0) this.channels.delete(channel);
    return [this.event(channel, action, uuid, nowMs)];
  }

  // Rule 4.
  leave(channel, uuid, nowMs) {
    return this.remove(channel, uuid, 'leave', nowMs);
  }

  expire(nowMs) {
    const due = [];
    for (const [channel, members] of this.channels) {
      for (const [uuid, entry] of members) if (entry.holds === 0 && entry.deadlineMs <= nowMs) due.push([channel, uuid]);
    }
    return due.flatMap(([channel, uuid]) => this.remove(channel, uuid, 'timeout', nowMs));
  }

  // The earliest moment expire() can have work, or null when nothing can time out.
  nextDeadlineMs() {
    let next = null;
    for (const members of this.channels.values()) {
      for (const entry of members.values()) if (entry.holds === 0 && (next === null || entry.deadlineMs < next)) next = entry.deadlineMs;
    }
    return next;
  }

  isPresent(channel, uuid) {
    return this.channels.get(channel)?.has(uuid) === true;
  }

  // [{uuid, state}] in join order.
  occupants(channel) {
    const members = this.channels.get(channel);
    return members ? [...members].map(([uuid, entry]) => ({ uuid, state: entry.state })) : [];
  }

  occupiedChannels() {
    return [...this.channels.keys()];
  }
}

module.exports = { Presence, PresenceFull };
