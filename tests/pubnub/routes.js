// routes.js — the REST paths the fixture serves, as one table.
//
// Each row: the methods, a pattern over the raw (still percent-encoded) path, the index
// of the subscribe key among the pattern's groups (null when the path has none), and the
// handler. The handler receives the other groups, in order, as ctx.match.
// Contract: route(method, path) -> {handler, subscribeKey, match} | {status: 404 | 405}.

'use strict';

const pubsub = require('./api_pubsub');
const presence = require('./api_presence');
const pam = require('./api_pam');

const SEG = '([^/]+)';

//  methods            pattern                                                    key  handler
const TABLE = [
  [['GET'],            '/time/0',                                                 null, pubsub.time],
  [['GET'],            `/publish/${SEG}/${SEG}/0/${SEG}/0/(.+)`,                  1,    pubsub.publish],
  [['POST'],           `/publish/${SEG}/${SEG}/0/${SEG}/0`,                       1,    pubsub.publish],
  [['GET'],            `/v2/subscribe/${SEG}/${SEG}/0`,                           0,    pubsub.subscribe],
  [['GET'],            `/v2/presence/sub-key/${SEG}/channel/${SEG}/heartbeat`,    0,    presence.heartbeat],
  [['GET'],            `/v2/presence/sub-key/${SEG}/channel/${SEG}/leave`,        0,    presence.leave],
  [['GET'],            `/v2/presence/sub-key/${SEG}/channel/${SEG}`,              0,    presence.hereNow],
  [['GET'],            `/v2/presence/sub-key/${SEG}`,                             0,    presence.globalHereNow],
  [['POST'],           `/v3/pam/${SEG}/grant`,                                    0,    pam.grant],
  [['DELETE'],         `/v3/pam/${SEG}/grant/${SEG}`,                             0,    pam.revoke],
].map(([methods, pattern, keyIndex, handler]) => ({ methods, re: new RegExp(`^${pattern}$`), keyIndex, handler }));

function route(method, path) {
  let pathKnown = false;
  for (const row of TABLE) {
    const m = row.re.exec(path);
    if (!m) continue;
    pathKnown = true;
    if (!row.methods.includes(method)) continue;
    const groups = m.slice(1);
    const subscribeKey = row.keyIndex === null ? null : groups[row.keyIndex];
    // The groups after the subscribe key; for publish the publish key comes first.
    const match = row.keyIndex === null ? groups : groups.filter((_, i) => i !== row.keyIndex);
    return { handler: row.handler, subscribeKey, match };
  }
  return { status: pathKnown ? 405 : 404 };
}

module.exports = { route };
