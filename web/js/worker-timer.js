// MQTT.js's keepalive timer ({set(fn, ms) -> id, clear(id)}, its `timerVariant` option),
// run in our own worker file (timer-worker.js). MQTT.js's default makes a worker from a
// blob: URL, which the pages' Content-Security-Policy refuses; a background tab's own
// timers may be slowed to once a minute, which would let the broker's keepalive (10 s)
// expire and drop a waiting player. Without workers it falls back to the page's timers.

let worker = null;
let nextId = 1;
const callbacks = new Map();

function startWorker() {
  if (worker !== null) return worker;
  try {
    worker = new Worker('/js/timer-worker.js');
    worker.onmessage = ({ data }) => {
      const callback = callbacks.get(data.fire);
      if (callback) callback();
    };
  } catch {
    worker = false;
  }
  return worker;
}

export const workerTimer = {
  set(callback, ms) {
    const id = nextId++;
    if (!startWorker()) {
      callbacks.set(id, setInterval(callback, ms));
      return id;
    }
    callbacks.set(id, callback);
    worker.postMessage({ set: id, ms });
    return id;
  },
  clear(id) {
    const entry = callbacks.get(id);
    callbacks.delete(id);
    if (worker) worker.postMessage({ clear: id });
    else clearInterval(entry);
  },
};
