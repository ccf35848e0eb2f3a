// A dedicated worker that keeps intervals for the page (worker-timer.js). Timers in a
// worker are not throttled the way a background tab's own timers are, so the MQTT
// keepalive goes on while the player looks at another tab.
// In:  {set: id, ms} or {clear: id}.  Out: {fire: id} every ms.
const timers = new Map();
self.onmessage = ({ data }) => {
  if (typeof data.set === 'number') {
    timers.set(data.set, setInterval(() => self.postMessage({ fire: data.set }), data.ms));
  } else if (typeof data.clear === 'number') {
    clearInterval(timers.get(data.clear));
    timers.delete(data.clear);
  }
};
