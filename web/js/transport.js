// The player's link for the transport GET /v1/config names ("mqtt" or "pubnub"), with its
// library: the vendored script is added to the page on demand (clawd's script-src 'self'
// allows it), so a page loads only the library it speaks.
//
// loadTransport(name) resolves to that transport's openLink(answer, handlers)
// (mqtt-link.js, pubnub-link.js: the same handlers), and rejects with an Error naming
// what failed: an unknown transport, or a script that did not load.

import { openLink as openMqttLink } from './mqtt-link.js';
import { openLink as openPubnubLink } from './pubnub-link.js';

const transports = {
  mqtt: { script: '/vendor/mqtt.min.js', global: 'mqtt', openLink: openMqttLink },
  pubnub: { script: '/vendor/pubnub.min.js', global: 'PubNub', openLink: openPubnubLink },
};

export async function loadTransport(name) {
  const transport = Object.hasOwn(transports, name) ? transports[name] : null;
  if (!transport) throw new Error(`unknown transport "${name}" in /v1/config`);
  if (!globalThis[transport.global]) await addScript(transport.script);
  if (!globalThis[transport.global]) throw new Error(`${transport.script} did not define ${transport.global}`);
  return transport.openLink;
}

function addScript(src) {
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = src;
    script.onload = () => resolve();
    script.onerror = () => {
      script.remove();  // So a later try adds it again.
      reject(new Error(`${src} did not load`));
    };
    document.head.append(script);
  });
}
