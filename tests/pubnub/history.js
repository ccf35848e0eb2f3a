// history.js — the recent messages of each channel of one key set, so a subscriber that
// polls again with its last cursor gets everything published since, even what arrived
// between two of its polls or while it was reconnecting.
//
// Contract (no I/O, no clock):
//   append(channel, envelope)  envelope.p.t is its timetoken; REQUIRES it to be greater
//                              than every timetoken appended before (Timetokens.next()).
//   since(channels, tt, max) -> {envelopes, last}
//                              the first `max` envelopes on those channels with a timetoken
//                              greater than tt, oldest first; `last` is the timetoken of the
//                              last one returned (null when none), the cursor to poll with next.
// Bounds: per channel the oldest envelope is dropped past history_per_channel_max; past
// history_channels_max channels the least recently written channel is dropped whole.
// A cursor older than what is kept silently loses the dropped messages, as with PubNub.

'use strict';

const assert = require('node:assert');

class History {
  constructor({ perChannelMax, channelsMax }) {
    assert(Number.isInteger(perChannelMax) && perChannelMax > 0);
    assert(Number.isInteger(channelsMax) && channelsMax > 0);
    this.perChannelMax = perChannelMax;
    this.channelsMax = channelsMax;
    this.channels = new Map(); // channel -> [{tt: bigint, envelope}], oldest first; Map order = write recency
    this.lastTt = 0n;
  }

  append(channel, envelope) {
    const tt = BigInt(envelope.p.t);
    assert(tt > this.lastTt, 'timetokens must increase');
    this.lastTt = tt;
    const list = this.channels.get(channel) || [];
    this.channels.delete(channel); // re-inserted below: most recently written last
    list.push({ tt, envelope });
    if (list.length > this.perChannelMax) list.shift();
    this.channels.set(channel, list);
    if (this.channels.size > this.channelsMax) this.channels.delete(this.channels.keys().next().value);
  }

  since(channels, tt, max) {
    assert(Number.isInteger(max) && max > 0);
    const after = BigInt(tt);
    const found = [];
    for (const channel of channels) {
      const list = this.channels.get(channel);
      if (!list) continue;
      for (let i = list.length - 1; i >= 0 && list[i].tt > after; i--) found.push(list[i]);
    }
    found.sort((a, b) => (a.tt < b.tt ? -1 : a.tt > b.tt ? 1 : 0));
    const taken = found.slice(0, max);
    return {
      envelopes: taken.map((entry) => entry.envelope),
      last: taken.length > 0 ? taken[taken.length - 1].tt.toString() : null,
    };
  }
}

module.exports = { History };
