// One player per browser profile: a tab holds the "player" lock from the moment it joins
// (or resumes a place after a reload) until its place is over, so a second tab of the
// same browser neither joins a second time nor takes over the first tab's broker session
// (which would throw the first tab out, MQTT reason 0x8E). The lock is the Web Locks API
// where the browser has it (secure contexts: https, or http on localhost); elsewhere (a
// phone on plain http over the LAN) a BroadcastChannel stands in.
//
// The lock is released when the holder calls release(), and by the browser when the tab
// closes, reloads or navigates away.

const lockName = 'clawnet-player';
const hasWebLocks = typeof navigator !== 'undefined' && navigator.locks && typeof navigator.locks.request === 'function';

// Resolves to a release function once this tab holds the lock, or to null when another
// tab still holds it after waitMs (0: do not wait). A reloaded page waits a little: the
// page it replaces may not have let go yet.
export function claimPlayer(waitMs = 0) {
  return hasWebLocks ? claimWithWebLocks(waitMs) : channelLock().claim(waitMs);
}

// Resolves to true iff another tab holds the lock now.
export async function heldElsewhere() {
  if (!hasWebLocks) return channelLock().heldElsewhere();
  const state = await navigator.locks.query();
  return state.held.some((lock) => lock.name === lockName);
}

// Calls back once, when no tab holds the lock.
export function whenFree(callback) {
  if (!hasWebLocks) return channelLock().whenFree(callback);
  navigator.locks.request(lockName, () => callback()).catch(() => callback());
  return undefined;
}

function claimWithWebLocks(waitMs) {
  return new Promise((resolve) => {
    let release;
    const held = new Promise((done) => { release = done; });
    const options = waitMs > 0 ? { signal: AbortSignal.timeout(waitMs) } : { ifAvailable: true };
    navigator.locks
      .request(lockName, options, (lock) => {
        if (!lock) return resolve(null);
        resolve(() => release());
        return held;  // Held until release() settles it.
      })
      .catch(() => resolve(null));  // Timed out waiting.
  });
}

// The BroadcastChannel stand-in: a claim is announced and wins unless, within
// answerMs, the holder answers or a claim from a tab with a smaller id is heard.
const answerMs = 150;
let sharedChannelLock = null;

function channelLock() {
  sharedChannelLock = sharedChannelLock || new ChannelLock();
  return sharedChannelLock;
}

class ChannelLock {
  constructor() {
    this.id = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
    this.holding = false;
    this.contested = false;
    this.channel = new BroadcastChannel(lockName);
    this.channel.onmessage = (event) => this.heard(event.data || {});
    this.freeListeners = [];
    addEventListener('pagehide', () => this.release());
  }

  heard(message) {
    if ((message.type === 'claim' || message.type === 'who') && this.holding) {
      this.channel.postMessage({ type: 'held', to: message.from });
    } else if (message.type === 'held' && message.to === this.id) {
      this.contested = true;
    } else if (message.type === 'claim' && this.claiming && message.from < this.id) {
      this.contested = true;
    } else if (message.type === 'free') {
      this.freeListeners.splice(0).forEach((listener) => listener());
    }
  }

  async ask(type) {
    this.contested = false;
    this.claiming = type === 'claim';
    this.channel.postMessage({ type, from: this.id });
    await new Promise((done) => setTimeout(done, answerMs));
    this.claiming = false;
    return this.contested;
  }

  async claim(waitMs) {
    const deadline = Date.now() + waitMs;
    for (;;) {
      if (!(await this.ask('claim'))) {
        this.holding = true;
        return () => this.release();
      }
      if (Date.now() >= deadline) return null;
    }
  }

  heldElsewhere() {
    return this.ask('who');
  }

  whenFree(callback) {
    let called = false;
    const check = async () => {
      if (called) return;
      if (await this.ask('who')) return setTimeout(check, 1000);
      called = true;
      callback();
    };
    this.freeListeners.push(check);
    check();
  }

  release() {
    if (!this.holding) return;
    this.holding = false;
    this.channel.postMessage({ type: 'free' });
  }
}
