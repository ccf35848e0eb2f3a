// api_presence.js — heartbeat, leave and here_now (presence REST API v2).
//
// Context and errors as in api_pubsub.js. Shapes, as the SDK 12 parses them:
//   heartbeat  GET .../channel/{chs}/heartbeat?heartbeat=N&uuid=&state=
//              -> {"status":200,"message":"OK","service":"Presence"}
//   leave      GET .../channel/{chs}/leave?uuid=
//              -> {"status":200,"message":"OK","action":"leave","service":"Presence"}
//   here_now   GET .../channel/{ch}        (one channel)
//              -> {"status":200,"message":"OK","service":"Presence","uuids":[...],"occupancy":N}
//              GET .../channel/{a,b} and GET /v2/presence/sub-key/{sub} (every channel)
//              -> {"status":200,"message":"OK","service":"Presence","payload":{"channels":
//                  {ch: {"uuids":[...],"occupancy":N}}, "total_channels":N,"total_occupancy":N}}
//              disable_uuids=1 leaves uuids out; state=1 lists {"uuid", "state"} objects.
// Access Manager (PubNub's operations-to-permissions table): heartbeat and here_now need
// read on each channel; leave needs valid credentials but no right on the channel.

'use strict';

const v = require('./validate');
const { send } = require('./reply');
const { BITS } = require('./token');

// Presence is never tracked on -pnpres channels, so heartbeat and leave skip them (the
// SDK's shared-worker mode may send them); here_now just finds nobody there.
function presenceChannels(ctx, { skipPresenceChannels }) {
  v.refuseUnsupported(ctx.params);
  const channels = v.channelList(ctx.match[0]);
  return skipPresenceChannels ? channels.filter((c) => !v.isPresenceChannel(c)) : channels;
}

function heartbeat(ctx) {
  const channels = presenceChannels(ctx, { skipPresenceChannels: true });
  const uuid = v.uuid(ctx.params, { required: true });
  const seconds = v.integer(ctx.params, 'heartbeat', { min: 0, max: 1e6, fallback: undefined });
  const state = v.presenceState(ctx.params);
  ctx.authorize({ channels: channels.map((name) => ({ name, bit: BITS.read })) });
  ctx.state.presenceTouch(channels, uuid, seconds, state);
  send(ctx.res, 200, { status: 200, message: 'OK', service: 'Presence' });
}

function leave(ctx) {
  const channels = presenceChannels(ctx, { skipPresenceChannels: true });
  const uuid = v.uuid(ctx.params, { required: true });
  ctx.authorize({ channels: [] });
  ctx.state.presenceLeave(channels, uuid);
  send(ctx.res, 200, { status: 200, message: 'OK', action: 'leave', service: 'Presence' });
}

function listing(ctx, channel, { withUuids, withState, limit, offset }) {
  const occupants = ctx.state.presence.occupants(channel);
  const entry = { occupancy: occupants.length };
  if (withUuids) {
    entry.uuids = occupants.slice(offset, offset + limit).map((o) => {
      if (!withState) return o.uuid;
      return o.state !== undefined ? { uuid: o.uuid, state: o.state } : { uuid: o.uuid };
    });
  }
  return entry;
}

function hereNowOptions(params) {
  return {
    withUuids: !v.flag(params, 'disable_uuids'),
    withState: v.flag(params, 'state'),
    limit: v.integer(params, 'limit', { min: 1, max: 1000, fallback: 1000 }),
    offset: v.integer(params, 'offset', { min: 0, max: 1e6, fallback: 0 }),
  };
}

function manyChannels(ctx, channels, options) {
  const listed = {};
  let total = 0;
  for (const channel of channels) {
    const entry = listing(ctx, channel, options);
    if (entry.occupancy === 0) continue; // PubNub lists occupied channels only
    listed[channel] = entry;
    total += entry.occupancy;
  }
  send(ctx.res, 200, {
    status: 200, message: 'OK', service: 'Presence',
    payload: { channels: listed, total_channels: Object.keys(listed).length, total_occupancy: total },
  });
}

function hereNow(ctx) {
  const channels = presenceChannels(ctx, { skipPresenceChannels: false });
  const options = hereNowOptions(ctx.params);
  ctx.authorize({ channels: channels.map((name) => ({ name, bit: BITS.read })) });
  if (channels.length > 1) return manyChannels(ctx, channels, options);
  const entry = listing(ctx, channels[0], options);
  send(ctx.res, 200, { status: 200, message: 'OK', service: 'Presence', ...entry });
}

// Every channel of the key set: with Access Manager, only the secret-key holder may ask.
function globalHereNow(ctx) {
  v.refuseUnsupported(ctx.params);
  const options = hereNowOptions(ctx.params);
  ctx.authorize({ channels: [], secretOnly: ctx.state.keyset.pam });
  manyChannels(ctx, ctx.state.presence.occupiedChannels(), options);
}

module.exports = { heartbeat, leave, hereNow, globalHereNow };
