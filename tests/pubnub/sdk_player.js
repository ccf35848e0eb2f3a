#!/usr/bin/env node
// sdk_player: one clawnet player on the official PubNub SDK, as its own process,
// driven by the end-to-end tests (tests/e2e) through stdin and reporting on
// stdout, one line per event. The PubNub twin of tests/e2e/e2e_player_main.cpp.
//
// Usage: node sdk_player.js JOIN_REPLY_JSON
//   JOIN_REPLY_JSON is clawd's answer to POST /v1/join on broker.kind = pubnub
//   (docs/protocol.md): broker {origin, tls, publish_key, subscribe_key, uuid,
//   token, heartbeat_s} and topics {player, lobby}.
// It subscribes to its channel and the lobby with a presence heartbeat (so clawd
// sees it join), with its token (Access Manager v3).
// Prints:  up | msg CHANNEL PAYLOAD | puback CHANNEL STATUS | status CATEGORY | error TEXT
//          (STATUS: 200 sent, else PubNub's HTTP status, e.g. 403 refused)
// Reads:   pub CHANNEL PAYLOAD   publish PAYLOAD (JSON) there as is (the refusal tests)
//          cmd KIND              {"command":KIND,"turn":T,"seq":S} on its channel,
//                                T from the last {"control":true}, S counting from 1
//          hold KIND             send KIND now and every 200 ms (the protocol's refresh)
//          release KIND          stop holding, send KIND once (e.g. rightOff)
//          leave                 unsubscribe (PubNub sends a leave)
// End of stdin: exits at once, without a leave (a vanished client: its presence
// times out).
'use strict';

const PubNub = require('pubnub');
const readline = require('node:readline');

const HOLD_REFRESH_MS = 200;

function fail(text) {
  process.stderr.write(`sdk_player: ${text}\n`);
  process.exit(2);
}

function parseReply(text) {
  let reply;
  try {
    reply = JSON.parse(text);
  } catch (error) {
    fail(`the join reply is not JSON: ${error.message}`);
  }
  const broker = reply && reply.broker;
  const topics = reply && reply.topics;
  for (const key of ['origin', 'publish_key', 'subscribe_key', 'uuid', 'token']) {
    if (!broker || typeof broker[key] !== 'string' || broker[key] === '') fail(`the join reply has no broker.${key}`);
  }
  if (!Number.isInteger(broker.heartbeat_s) || broker.heartbeat_s <= 0) fail('the join reply has no broker.heartbeat_s');
  if (!topics || typeof topics.player !== 'string' || typeof topics.lobby !== 'string') {
    fail('the join reply has no topics.player and topics.lobby');
  }
  return { broker, topics };
}

function say(line) {
  process.stdout.write(`${line}\n`);
}

function main() {
  if (process.argv.length !== 3) fail('usage: node sdk_player.js JOIN_REPLY_JSON');
  const { broker, topics } = parseReply(process.argv[2]);
  const pubnub = new PubNub({
    origin: broker.origin,
    ssl: broker.tls === true,
    publishKey: broker.publish_key,
    subscribeKey: broker.subscribe_key,
    userId: broker.uuid,
    presenceTimeout: broker.heartbeat_s,
    logVerbosity: false,
  });
  pubnub.setToken(broker.token);

  let turn = 0;
  let seq = 0;
  let held = '';
  let holdTimer = null;

  pubnub.addListener({
    status(event) {
      if (event.category === 'PNConnectedCategory') return say('up');
      say(`status ${event.category}${event.error ? ` ${event.error}` : ''}`);
    },
    message(event) {
      const payload = JSON.stringify(event.message);
      if (event.channel === topics.player && event.message && typeof event.message === 'object') {
        if (event.message.control === true && Number.isInteger(event.message.turn)) {
          turn = event.message.turn;
          seq = 0;
        }
      }
      say(`msg ${event.channel} ${payload}`);
    },
  });

  const publish = (channel, message) => {
    pubnub.publish({ channel, message }).then(
      () => say(`puback ${channel} 200`),
      (error) => say(`puback ${channel} ${(error.status && error.status.statusCode) || 0}`),
    );
  };
  const sendCommand = (kind) => {
    seq += 1;
    publish(topics.player, { command: kind, turn, seq });
  };
  const stopHolding = () => {
    held = '';
    if (holdTimer) clearInterval(holdTimer);
    holdTimer = null;
  };

  const run = (line) => {
    const space = line.indexOf(' ');
    const verb = space < 0 ? line : line.slice(0, space);
    const rest = space < 0 ? '' : line.slice(space + 1);
    if (verb === 'pub') {
      const split = rest.indexOf(' ');
      const channel = split < 0 ? rest : rest.slice(0, split);
      let message;
      try {
        message = JSON.parse(split < 0 ? 'null' : rest.slice(split + 1));
      } catch {
        return say(`error not JSON: ${line}`);
      }
      return publish(channel, message);
    }
    if (verb === 'cmd') return sendCommand(rest);
    if (verb === 'hold') {
      stopHolding();
      held = rest;
      sendCommand(held);
      holdTimer = setInterval(() => sendCommand(held), HOLD_REFRESH_MS);
      return undefined;
    }
    if (verb === 'release') {
      stopHolding();
      return sendCommand(rest);
    }
    if (verb === 'leave') return pubnub.unsubscribeAll();
    return say(`error unknown command: ${line}`);
  };

  readline.createInterface({ input: process.stdin }).on('line', run).on('close', () => process.exit(0));
  pubnub.subscribe({ channels: [topics.player, topics.lobby] });
}

main();
