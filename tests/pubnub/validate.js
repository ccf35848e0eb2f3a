// validate.js — turning outside input (path segments, query values, bodies) into checked
// values. Every function either returns a valid value or throws a 400 HttpError whose
// message names the parameter and what was wrong with it.
//
// Channel names follow PubNub's rules: 1 to 92 characters, none of , : * / \ and no
// control characters. Lists in a path are comma-separated, each name percent-encoded
// (the SDK joins encoded names with a bare ","), so the raw segment is split first.

'use strict';

const limits = require('./limits');
const { badRequest } = require('./reply');
const { isTimetoken } = require('./timetoken');

const FORBIDDEN_CHANNEL_CHARS = /[,:*/\\\u0000-\u001f\u007f]/;
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;
const PRESENCE_SUFFIX = '-pnpres';

function shown(s) {
  return JSON.stringify(String(s).slice(0, 40));
}

function decodeSegment(raw, what) {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw badRequest(`${what}: malformed percent-encoding in ${shown(raw)}`);
  }
}

function channelName(name, what = 'channel') {
  const chars = [...name].length;
  if (chars === 0) throw badRequest(`${what}: empty channel name`);
  if (chars > limits.channel_chars_max) throw badRequest(`${what}: channel name longer than ${limits.channel_chars_max} characters`);
  if (FORBIDDEN_CHANNEL_CHARS.test(name)) throw badRequest(`${what}: channel name ${shown(name)} contains a forbidden character (, : * / \\ or a control character)`);
  return name;
}

// A path segment "a,b%20c,d-pnpres" -> ["a", "b c", "d-pnpres"] (duplicates dropped).
function channelList(rawSegment, what = 'channels') {
  const parts = rawSegment.split(',');
  if (parts.length > limits.channels_per_request_max) throw badRequest(`${what}: more than ${limits.channels_per_request_max} channels`);
  const names = [];
  for (const part of parts) {
    if (part === '') throw badRequest(`${what}: empty channel name in the list (channel groups are not supported by this fixture)`);
    const name = channelName(decodeSegment(part, what), what);
    if (!names.includes(name)) names.push(name);
  }
  return names;
}

function isPresenceChannel(name) {
  return name.endsWith(PRESENCE_SUFFIX);
}

function presenceChannelOf(name) {
  return name + PRESENCE_SUFFIX;
}

// The uuid query parameter; required where presence needs to know who is asking.
function uuid(params, { required }) {
  const value = params.uuid;
  if (value === undefined || value === '') {
    if (required) throw badRequest('uuid: missing (the client\'s user id is required here)');
    return undefined;
  }
  if ([...value].length > limits.uuid_chars_max) throw badRequest(`uuid: longer than ${limits.uuid_chars_max} characters`);
  if (CONTROL_CHARS.test(value)) throw badRequest('uuid: contains a control character');
  return value;
}

function integer(params, name, { min, max, fallback }) {
  const value = params[name];
  if (value === undefined || value === '') return fallback;
  if (!/^\d{1,9}$/.test(value)) throw badRequest(`${name}: ${shown(value)} is not a non-negative integer`);
  const n = Number(value);
  if (n < min || n > max) throw badRequest(`${name}: ${n} is outside ${min}..${max}`);
  return n;
}

function timetoken(params, name) {
  const value = params[name];
  if (value === undefined || value === '' || value === '0') return '0';
  if (!isTimetoken(value)) throw badRequest(`${name}: ${shown(value)} is not a timetoken (up to 19 decimal digits)`);
  return value;
}

// A JSON text from a query parameter or body, size-checked before parsing.
function jsonText(text, what, maxBytes) {
  if (Buffer.byteLength(text, 'utf8') > maxBytes) throw badRequest(`${what}: larger than ${maxBytes} bytes`);
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest(`${what}: not valid JSON`);
  }
}

// The `state` parameter of subscribe and heartbeat: a JSON object keyed by channel,
// {"ch": {...}, ...}, as the SDK sends it. Returns undefined when absent.
function presenceState(params) {
  if (params.state === undefined) return undefined;
  const state = jsonText(params.state, 'state', limits.state_bytes_max);
  if (state === null || typeof state !== 'object' || Array.isArray(state)) throw badRequest('state: must be a JSON object keyed by channel');
  return state;
}

function flag(params, name) {
  const value = params[name];
  return value === '1' || value === 'true';
}

// Query parameters this fixture refuses rather than silently ignoring, because a test
// relying on them would pass here and mean something else against PubNub.
function refuseUnsupported(params) {
  if (params['channel-group'] !== undefined) throw badRequest('channel-group: channel groups are not supported by this fixture');
}

module.exports = {
  decodeSegment, channelName, channelList, isPresenceChannel, presenceChannelOf,
  uuid, integer, timetoken, jsonText, presenceState, flag, refuseUnsupported, PRESENCE_SUFFIX,
};
