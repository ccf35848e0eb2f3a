// timetoken.js — PubNub timetokens: 17 decimal digits, 100 ns units since the Unix epoch.
//
// Contract: a Timetokens instance hands out strictly increasing tokens (as strings; they
// do not fit a JS number exactly), so every stored message has its own token and "all
// messages after T" is a plain comparison. The clock is injected (nowMs), so tests and
// the presence core can run on a virtual one.
//   next() -> string      a fresh token, greater than every earlier one
//   current() -> string   a token for "now" that is not handed to a message
//   isTimetoken(s), compare(a, b) -> -1 | 0 | 1

'use strict';

const TIMETOKEN_RE = /^\d{1,19}$/;

function isTimetoken(s) {
  return typeof s === 'string' && TIMETOKEN_RE.test(s);
}

function compare(a, b) {
  const x = BigInt(a), y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

class Timetokens {
  constructor(nowMs = Date.now) {
    this.nowMs = nowMs;
    this.last = 0n;
  }

  next() {
    const fromClock = BigInt(Math.floor(this.nowMs())) * 10000n;
    this.last = fromClock > this.last ? fromClock : this.last + 1n;
    return this.last.toString();
  }

  // "Now" without using a token up: never below the last one handed out, so a cursor
  // built from it never lands before a message already stored.
  current() {
    const fromClock = BigInt(Math.floor(this.nowMs())) * 10000n;
    return (fromClock > this.last ? fromClock : this.last).toString();
  }
}

module.exports = { Timetokens, isTimetoken, compare };
