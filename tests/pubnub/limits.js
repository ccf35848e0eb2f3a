// limits.js — every bound the fixture enforces, in one place, with the reason for each.
//
// Values marked "PubNub" are the service's documented limits, so a client that passes
// here does not fail against the real service for size alone. The rest only keep a test
// fixture small: each queue, map and loop has a named maximum.

'use strict';

const KIB = 1024;

const limits = Object.freeze({
  // PubNub: a message (its JSON text, UTF-8) is at most 32 KiB.
  message_bytes_max: 32 * KIB,
  // A GET publish carries the message percent-encoded in the path: up to 3 bytes per byte.
  url_bytes_max: 100 * KIB,
  // Node counts the request line as header bytes: room for url_bytes_max plus headers.
  header_bytes_max: 128 * KIB,
  // POST publish and grant bodies.
  body_bytes_max: 64 * KIB,
  query_params_max: 64,

  // PubNub: channel names and uuids are at most 92 UTF-8 characters.
  channel_chars_max: 92,
  uuid_chars_max: 92,
  // Channels in one subscribe / heartbeat / leave / here_now path, -pnpres ones included.
  channels_per_request_max: 100,
  // Presence state (JSON text) a client may attach.
  state_bytes_max: 4 * KIB,

  // PubNub keeps about 100 messages per channel for a reconnecting subscriber.
  history_per_channel_max: 100,
  // Channels with kept history per key set; the least recently written is dropped first.
  history_channels_max: 10000,
  // Envelopes in one subscribe response; the client gets the rest on its next poll.
  messages_per_response_max: 100,

  // Long-polls held open at once, all key sets together.
  long_polls_max: 512,
  // TCP connections at once (Node drops the connection beyond this).
  connections_max: 1024,
  // (uuid, channel) presence entries per key set.
  presence_entries_max: 10000,
  // The SDK caps presenceTimeout at 320 s; PubNub's minimum is 20 s (configurable here).
  heartbeat_s_max: 320,
  heartbeat_s_min_default: 20,
  heartbeat_s_default: 300,
  // PubNub holds a subscribe about 280 s before answering with no messages.
  subscribe_timeout_s_default: 280,
  subscribe_timeout_s_max: 600,

  // Access Manager.
  signature_skew_s: 60,
  revoked_tokens_max: 10000,
  keysets_max: 16,
  key_chars_max: 128,
});

if (limits.url_bytes_max < 3 * limits.message_bytes_max) throw new Error('limits: a GET publish of a maximal message must fit the URL bound');
if (limits.header_bytes_max <= limits.url_bytes_max) throw new Error('limits: the header bound must exceed the URL bound');
if (limits.body_bytes_max < limits.message_bytes_max) throw new Error('limits: a POST publish of a maximal message must fit the body bound');
if (limits.messages_per_response_max < 1 || limits.history_per_channel_max < 1) throw new Error('limits: queues need room');
if (limits.heartbeat_s_min_default > limits.heartbeat_s_default || limits.heartbeat_s_default > limits.heartbeat_s_max) throw new Error('limits: heartbeat bounds out of order');

module.exports = limits;
