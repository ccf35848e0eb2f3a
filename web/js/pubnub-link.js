// One player's PubNub connection (docs/deploy.md "PubNub instead of Mosquitto"), with the
// same handlers as mqtt-link.js. The official SDK's browser bundle (the global `PubNub`,
// /vendor/pubnub.min.js) uses the join answer's key set, uuid (= the player's channel) and
// Access Manager token, and subscribes to the player channel and the lobby with a
// presence heartbeat: that is how clawd sees the player (a join, then a timeout when the
// heartbeats stop); unsubscribing sends a leave.
//   connected()        the subscribe handshake completed (so nothing clawd sends after
//                      hearing the join is missed: PubNub replays nothing older)
//   dropped()          the long-poll failed; the link asks the SDK to reconnect every
//                      second, from its last cursor, so nothing published meanwhile is lost
//   refused()          Access Manager refused the token (revoked or expired): the place is over
//   takenOver()        never: PubNub has no session take-over (tablock.js keeps a second tab out)
//   message(kind, msg) a JSON object on the player channel (kind "player") or the lobby
// PubNub delivers our own publishes back to us; the link drops them.
// After refused() the link is closed and says nothing more; so it is after end() and leave().

const reconnectMs = 1000;
const leaveBoundMs = 2000;  // Leave does not wait longer than this for the SDK to unsubscribe.
const droppedCategories = new Set([
  'PNConnectionErrorCategory', 'PNDisconnectedUnexpectedlyCategory', 'PNNetworkDownCategory', 'PNNetworkIssuesCategory',
]);
const accessDenied = 'PNAccessDeniedCategory';

export function openLink(answer, handlers) {
  const { broker, topics } = answer;
  const pubnub = new globalThis.PubNub({
    origin: broker.origin,
    ssl: broker.tls === true,
    publishKey: broker.publish_key,
    subscribeKey: broker.subscribe_key,
    userId: broker.uuid,
    presenceTimeout: broker.heartbeat_s,
    // We retry ourselves, at once and every second: the SDK's own policy waits minutes
    // before it says the link is down.
    retryConfiguration: globalThis.PubNub.NoneRetryPolicy(),
  });
  pubnub.setToken(broker.token);
  let closed = false;
  let reconnectTimer = 0;
  let unsubscribed = null;  // Set by leave(): resolves its promise.

  // Closes once. `offline`: stop the SDK without a leave (the place is over anyway);
  // otherwise the SDK is left to finish the leave it is sending.
  const close = (offline = true) => {
    if (closed) return false;
    closed = true;
    clearTimeout(reconnectTimer);
    pubnub.removeAllListeners();
    if (offline) pubnub.destroy(true);
    return true;
  };
  const reconnectSoon = () => {
    clearTimeout(reconnectTimer);
    reconnectTimer = setTimeout(() => {
      if (!closed && !unsubscribed) pubnub.reconnect();
    }, reconnectMs);
  };

  pubnub.addListener({
    status(event) {
      if (event.category === 'PNDisconnectedCategory' && unsubscribed) return unsubscribed();
      if (closed || unsubscribed) return undefined;
      if (event.category === accessDenied || event.error === accessDenied) {
        if (close()) handlers.refused();
        return undefined;
      }
      if (event.category === 'PNConnectedCategory' || event.category === 'PNReconnectedCategory') {
        clearTimeout(reconnectTimer);
        return handlers.connected();
      }
      if (droppedCategories.has(event.category)) {
        handlers.dropped();
        reconnectSoon();
      }
      return undefined;
    },
    message(event) {
      if (closed || event.publisher === broker.uuid) return;
      const body = event.message;
      if (body === null || typeof body !== 'object') return;  // Not ours to read.
      if (event.channel === topics.lobby) handlers.message('lobby', body);
      else if (event.channel === topics.player) handlers.message('player', body);
    },
  });
  pubnub.subscribe({ channels: [topics.player, topics.lobby] });

  return {
    // Publishes a protocol message on the player channel.
    send(message) {
      if (!closed && !unsubscribed) pubnub.publish({ channel: topics.player, message }).catch(() => {});
    },
    // Leaves cleanly: unsubscribing sends PubNub's leave.
    leave() {
      if (closed || unsubscribed) return Promise.resolve();
      clearTimeout(reconnectTimer);
      return new Promise((done) => {
        const finish = () => {
          clearTimeout(bound);
          close(false);
          done();
        };
        const bound = setTimeout(finish, leaveBoundMs);
        unsubscribed = finish;
        pubnub.unsubscribeAll();
      });
    },
    // Closes without a word: the place is over anyway (clawd revokes the token 5 s later).
    end() {
      close();
    },
  };
}
