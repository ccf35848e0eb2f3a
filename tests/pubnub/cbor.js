// cbor.js — the small CBOR (RFC 8949) subset a PubNub Access Manager token uses.
//
// Contract: encode(value) -> Buffer and decode(buffer) -> value for
//   unsigned/negative integers (up to 2^53-1), byte strings (Buffer), text strings,
//   maps with definite length (plain JS objects), arrays, true/false/null, float64.
// A JS object's keys are written as CBOR *byte* strings when wrapped in `bytesKeys()`
// (PubNub writes its structural keys — v, t, ttl, res, chan, sig… — as byte strings and
// resource names as text strings; the SDK's cbor-sync reads both as object keys).
// decode() throws CborError on anything malformed, truncated, too deep or too long: it
// reads untrusted tokens, so every length is checked against what is left.

'use strict';

class CborError extends Error {}

const MAX_DEPTH = 8;
const MAX_ITEMS = 4096;

// Marks an object whose keys are written as byte strings instead of text strings.
const BYTE_KEYS = Symbol('cbor.byteKeys');
function bytesKeys(obj) {
  Object.defineProperty(obj, BYTE_KEYS, { value: true, enumerable: false });
  return obj;
}

function head(major, n, out) {
  if (!Number.isSafeInteger(n) || n < 0) throw new CborError(`cannot encode length/int ${n}`);
  const m = major << 5;
  if (n < 24) out.push(Buffer.from([m | n]));
  else if (n < 0x100) out.push(Buffer.from([m | 24, n]));
  else if (n < 0x10000) { const b = Buffer.alloc(3); b[0] = m | 25; b.writeUInt16BE(n, 1); out.push(b); }
  else if (n < 0x100000000) { const b = Buffer.alloc(5); b[0] = m | 26; b.writeUInt32BE(n, 1); out.push(b); }
  else { const b = Buffer.alloc(9); b[0] = m | 27; b.writeBigUInt64BE(BigInt(n), 1); out.push(b); }
}

function encodeInto(v, out, depth) {
  if (depth > MAX_DEPTH) throw new CborError('too deep');
  if (v === null || v === undefined) { out.push(Buffer.from([0xf6])); return; }
  if (v === false) { out.push(Buffer.from([0xf4])); return; }
  if (v === true) { out.push(Buffer.from([0xf5])); return; }
  if (typeof v === 'number') {
    if (Number.isSafeInteger(v)) { if (v >= 0) head(0, v, out); else head(1, -1 - v, out); return; }
    const b = Buffer.alloc(9); b[0] = 0xfb; b.writeDoubleBE(v, 1); out.push(b); return;
  }
  if (typeof v === 'string') { const b = Buffer.from(v, 'utf8'); head(3, b.length, out); out.push(b); return; }
  if (Buffer.isBuffer(v) || v instanceof Uint8Array) { head(2, v.length, out); out.push(Buffer.from(v)); return; }
  if (Array.isArray(v)) { head(4, v.length, out); for (const x of v) encodeInto(x, out, depth + 1); return; }
  if (typeof v === 'object') {
    const byteKeys = v[BYTE_KEYS] === true;
    const keys = Object.keys(v);
    head(5, keys.length, out);
    for (const k of keys) {
      encodeInto(byteKeys ? Buffer.from(k, 'utf8') : k, out, depth + 1);
      encodeInto(v[k], out, depth + 1);
    }
    return;
  }
  throw new CborError(`cannot encode ${typeof v}`);
}

function encode(value) {
  const out = [];
  encodeInto(value, out, 0);
  return Buffer.concat(out);
}

function decode(buf) {
  if (!Buffer.isBuffer(buf)) throw new CborError('not a buffer');
  let pos = 0;
  let items = 0;
  const need = (n) => { if (n > buf.length - pos) throw new CborError('truncated'); };
  const readArg = (info) => {
    if (info < 24) return info;
    const size = { 24: 1, 25: 2, 26: 4, 27: 8 }[info];
    if (!size) throw new CborError(`unsupported additional info ${info}`); // indefinite lengths too
    need(size);
    let n;
    if (size === 1) n = buf[pos];
    else if (size === 2) n = buf.readUInt16BE(pos);
    else if (size === 4) n = buf.readUInt32BE(pos);
    else { const big = buf.readBigUInt64BE(pos); if (big > BigInt(Number.MAX_SAFE_INTEGER)) throw new CborError('integer too large'); n = Number(big); }
    pos += size;
    return n;
  };
  const item = (depth) => {
    if (depth > MAX_DEPTH) throw new CborError('too deep');
    if (++items > MAX_ITEMS) throw new CborError('too many items');
    need(1);
    const ib = buf[pos++];
    const major = ib >> 5, info = ib & 0x1f;
    if (major === 7) {
      if (info === 20) return false;
      if (info === 21) return true;
      if (info === 22 || info === 23) return null;
      if (info === 27) { need(8); const d = buf.readDoubleBE(pos); pos += 8; return d; }
      if (info === 26) { need(4); const f = buf.readFloatBE(pos); pos += 4; return f; }
      throw new CborError(`unsupported simple value ${info}`);
    }
    const n = readArg(info);
    switch (major) {
      case 0: return n;
      case 1: return -1 - n;
      case 2: { need(n); const b = Buffer.from(buf.subarray(pos, pos + n)); pos += n; return b; }
      case 3: { need(n); const s = buf.toString('utf8', pos, pos + n); pos += n; return s; }
      case 4: { if (n > buf.length - pos) throw new CborError('truncated'); const a = []; for (let i = 0; i < n; i++) a.push(item(depth + 1)); return a; }
      case 5: {
        if (n * 2 > buf.length - pos) throw new CborError('truncated');
        const o = Object.create(null);
        for (let i = 0; i < n; i++) {
          let k = item(depth + 1);
          if (Buffer.isBuffer(k)) k = k.toString('utf8');
          if (typeof k !== 'string') throw new CborError('map key is not a string');
          if (Object.prototype.hasOwnProperty.call(o, k)) throw new CborError(`duplicate key ${k}`);
          o[k] = item(depth + 1);
        }
        return o;
      }
      default: throw new CborError(`unsupported major type ${major}`); // tags
    }
  };
  const v = item(0);
  if (pos !== buf.length) throw new CborError('trailing bytes');
  return v;
}

module.exports = { encode, decode, bytesKeys, CborError };
