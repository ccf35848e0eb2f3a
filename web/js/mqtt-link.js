// One player's MQTT connection, as docs/deploy.md "Presence" asks of every player client:
// MQTT 5 over websockets with the join answer's account (client id = username = channel),
// a retained last will "timeout" on the presence topic, and, after each connect, the
// subscriptions (the player topic with no-local, so our own commands do not come back,
// and the lobby) and then a retained "join" presence: subscribed first, so nothing the
// server sends on hearing "join" (get ready, the ready check) is missed.
//
// MQTT.js (the global `mqtt`, /vendor/mqtt.min.js) reconnects by itself after a dropped
// link. The link tells its owner, through the handlers:
//   connected()        the broker accepted us and we are subscribed and present
//   dropped()          the connection is gone; MQTT.js keeps trying
//   refused()          the broker refused the account: it was deleted, the place is over
//   takenOver()        another client with our id connected (reason 0x8E): we stop
//   message(kind, msg) a JSON object on the player topic (kind "player") or the lobby
// After refused() or takenOver() the link is closed and says nothing more; so it is after
// end() and leave().

import { workerTimer } from './worker-timer.js';

const presenceRetained = { qos: 1, retain: true };
// CONNACK reasons for a wrong or deleted account: MQTT 5 (0x86 bad user name or password,
// 0x87 not authorized) and MQTT 3.1.1 (4, 5).
const accountRefusals = new Set([0x86, 0x87, 4, 5]);
const sessionTakenOver = 0x8e;
const leaveAckMs = 2000;  // Leave does not wait longer than this for the broker's ack.

export function openLink(answer, handlers) {
  const { broker, topics } = answer;
  let closed = false;
  const client = globalThis.mqtt.connect(broker.url, {
    protocolVersion: 5,
    clientId: broker.client_id,
    username: broker.username,
    password: broker.password,
    keepalive: broker.keepalive_s,
    clean: true,
    reconnectPeriod: 1000,
    connectTimeout: 5000,
    resubscribe: false,  // We subscribe on every connect ourselves, before saying "join".
    timerVariant: workerTimer,
    will: { topic: topics.presence, payload: 'timeout', ...presenceRetained },
  });

  // Closes once; a live connection gets a DISCONNECT (no will), a dead one is dropped.
  const close = () => {
    if (closed) return false;
    closed = true;
    client.end(!client.connected);
    return true;
  };

  client.on('connect', () => {
    const subscriptions = { [topics.player]: { qos: 1, nl: true }, [topics.lobby]: { qos: 1 } };
    client.subscribe(subscriptions, (error) => {
      if (closed || error) return;  // A failed subscribe ends with a dropped connection.
      client.publish(topics.presence, 'join', presenceRetained);
      handlers.connected();
    });
  });
  client.on('message', (topic, payload) => {
    if (closed) return;
    let message;
    try {
      message = JSON.parse(new TextDecoder().decode(payload));
    } catch {
      return;  // Not ours to read.
    }
    if (message === null || typeof message !== 'object') return;
    handlers.message(topic === topics.lobby ? 'lobby' : 'player', message);
  });
  client.on('error', (error) => {
    if (accountRefusals.has(error && error.code) && close()) handlers.refused();
  });
  client.on('disconnect', (packet) => {
    if (packet && packet.reasonCode === sessionTakenOver && close()) handlers.takenOver();
  });
  client.on('close', () => {
    if (!closed) handlers.dropped();
  });

  return {
    // Publishes a protocol message on the player topic.
    send(message) {
      if (!closed && client.connected) client.publish(topics.player, JSON.stringify(message), { qos: 1 });
    },
    // Leaves cleanly: a retained "leave", then a DISCONNECT (which keeps the will unsent).
    leave() {
      if (closed) return Promise.resolve();
      closed = true;
      return new Promise((done) => {
        const finish = () => client.end(false, {}, () => done());
        if (!client.connected) return client.end(true, {}, () => done());
        const bound = setTimeout(finish, leaveAckMs);
        client.publish(topics.presence, 'leave', presenceRetained, () => {
          clearTimeout(bound);
          finish();
        });
        return undefined;
      });
    },
    // Closes without a word: the place is over anyway (the server deletes the account).
    end() {
      close();
    },
  };
}
