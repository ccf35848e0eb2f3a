// The play page's state machine (docs/web.md): join with a name, hold a place, answer the
// ready check, play a turn, see how it ended, or see honestly why not. It keeps one model,
// changes it only in the handlers below (the page's events, clawd's answers, the link's
// reports, the protocol's messages, a 250 ms tick), and redraws after each change
// (playview.js). The state a person sees is derived from the model (shownState): the
// phase of their place, unless the link or the queue says otherwise (reconnecting,
// paused). document.body.dataset.state names it, for tests.
//
// Invariants: a link is open only while a place is held (waiting .. turn_over); this tab
// holds the player lock (tablock.js) whenever it holds a place; a place is saved in
// sessionStorage while it can be resumed, and forgotten when it is over.

import * as api from './api.js';
import { showCamera } from './camera.js';
import { createControls } from './controls.js';
import { elements, render } from './playview.js';
import { forgetPlace, loadPlace, rememberName, rememberedName, savePlace } from './session.js';
import { claimPlayer, heldElsewhere, whenFree } from './tablock.js';
import { loadTransport } from './transport.js';

const tickMs = 250;
const retryMs = 3000;             // A restarting server or a busy one is asked again after this.
const resultWaitMs = 20000;       // After the turn, the result is awaited this long at most.
const reloadLockWaitMs = 2000;    // A reloaded page waits this long for the old one's lock.
const readyCheckLapseMs = 3000;   // A ready check not repeated for this long has moved on.

const model = {
  phase: 'loading',
  config: null,
  name: '',
  nameError: '',
  place: null,          // session.js's place while one is held
  link: 'none',         // none | connecting | up | down
  position: null,       // {ahead, exact, waitMs, heardAt (Date.now())}
  readyLeftMs: 0,
  readyHeardAt: 0,
  turn: 0,
  turnMs: 0,
  controlAt: 0,
  seq: 0,
  result: null,
  lostReason: '',
  takenOver: false,
  clawOnline: true,
  queueMode: 'running',
  lobbyHeard: 0,        // lobby messages so far: a /v1/watch read older than one is stale
  graceMs: 0,
  retryAt: 0,
  retry: null,          // what the retry timer or button does: 'boot' | 'join'
  joinError: '',
};
let openLink = null;  // The transport's, once /v1/config said which (transport.js).
let link = null;
let releaseLock = null;
let controls = null;
let resultTimer = 0;

const queuedPhases = new Set(['waiting', 'get_ready', 'ready_check', 'ready', 'playing']);

function pausedBy() {
  if (!model.clawOnline) return 'claw';
  if (model.queueMode === 'paused') return 'operator';
  if (model.queueMode === 'stopped') return 'stopped';
  return null;
}

function shownState() {
  if (!queuedPhases.has(model.phase)) return model.phase;
  if (model.link === 'connecting') return 'connecting';
  if (model.link === 'down') return model.place.connectedOnce ? 'reconnecting' : 'broker_unreachable';
  const paused = pausedBy();
  // An operator's pause lets the turn in progress play on; a claw gone offline does not.
  if (paused && (model.phase !== 'playing' || paused === 'claw')) return 'paused';
  return model.phase;
}

function update() {
  model.pausedBy = pausedBy();
  render(model, shownState(), performance.now());
}

function go(phase, changes = {}) {
  Object.assign(model, changes, { phase });
  update();
}

// --- Starting the page -------------------------------------------------------------

async function boot() {
  try {
    model.config = await api.getConfig();
  } catch {
    return go('server_restarting', { retry: 'boot', retryAt: performance.now() + retryMs });
  }
  try {
    openLink = openLink || await loadTransport(model.config.transport);
  } catch (error) {
    console.warn(`clawnet: ${error.message}`);
    return go('server_restarting', { retry: 'boot', retryAt: performance.now() + retryMs });
  }
  model.graceMs = model.config.grace_ms;
  showCamera(document.getElementById('camera'), model.config.camera);
  controls = controls || createControls({
    pad: elements.pad,
    dropButton: document.getElementById('drop-button'),
    repeatMs: model.config.command_repeat_ms || 200,
    send: sendCommand,
  });
  model.name = model.name || rememberedName();

  let saved = loadPlace();
  if (saved && saved.answer.broker.kind !== model.config.transport) {
    forgetPlace();  // Joined before the server changed its transport: that place is gone.
    saved = null;
  }
  if (saved) {
    const release = await claimPlayer(reloadLockWaitMs);
    if (release) return holdPlace(saved, release);
    forgetPlace();  // A duplicated tab's copy: the place belongs to the other tab.
    return showOtherTab();
  }
  if (await heldElsewhere()) return showOtherTab();
  return go('idle');
}

function showOtherTab(changes = {}) {
  go('other_tab', changes);
  if (changes.takenOver) return;
  whenFree(() => {
    if (model.phase === 'other_tab' && !model.takenOver) go('idle');
  });
}

// --- Joining -----------------------------------------------------------------------

// The server checks the name too; this says what is wrong before asking it.
function nameProblem(name) {
  const characters = [...name];
  const most = (model.config && model.config.name_chars_max) || 20;
  if (characters.length === 0) return 'Please enter a name.';
  if (characters.length > most) return `Please use at most ${most} characters.`;
  if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/u.test(name)) {
    return 'Please use only letters, numbers, spaces and punctuation.';
  }
  return '';
}

async function joinQueue(rawName) {
  const name = rawName.replace(/^ +| +$/g, '');
  const problem = nameProblem(name);
  if (problem) return go('idle', { nameError: problem, name: rawName });
  rememberName(name);
  Object.assign(model, { name, nameError: '', retryAt: 0, retry: null, result: null, takenOver: false });
  const release = await claimPlayer(0);
  if (!release) return showOtherTab();
  go('joining');
  const outcome = await api.join(name);
  if (!outcome.ok) {
    release();
    return refused(outcome);
  }
  const { answer } = outcome;
  const place = {
    answer,
    name,
    readyConfirmed: false,
    position: { ahead: answer.position, exact: true, waitMs: answer.wait_ms, heardAt: Date.now() },
    connectedOnce: false,
  };
  savePlace(place);
  return holdPlace(place, release);
}

function refused({ reason, error, retryAfterS }) {
  const now = performance.now();
  switch (reason) {
    case 'queue_full': return go('queue_full');
    case 'rate_limited': return go('rate_limited', { retryAt: now + Math.max(1, retryAfterS) * 1000 });
    case 'busy': return go('busy', { retryAt: now + retryMs });
    case 'broker_unreachable':
    case 'broker_refused': return go('broker_unreachable');
    case 'starting':
    case 'stopping':
    case 'unreachable': return go('server_restarting', { retry: 'join', retryAt: now + retryMs });
    case 'bad_request': return go('idle', { nameError: error || 'Please choose another name.' });
    default: return go('join_failed', { joinError: error });
  }
}

// --- Holding a place ---------------------------------------------------------------

function holdPlace(place, release) {
  releaseLock = release;
  model.place = place;
  model.position = place.position;
  model.name = place.name;
  model.turn = 0;
  model.result = null;
  go('waiting', { link: 'connecting' });
  link = openLink(place.answer, { connected, dropped, refused: accountRefused, takenOver, message });
}

// The place is over (or belongs to another tab now): close the link, let go of the lock,
// forget the saved place. Nothing said on the link after this counts.
function letGo() {
  clearTimeout(resultTimer);
  if (link) link.end();
  link = null;
  if (controls) controls.disable();
  forgetPlace();
  model.place = null;
  model.link = 'none';
  if (releaseLock) releaseLock();
  releaseLock = null;
}

function connected() {
  model.link = 'up';
  model.place.connectedOnce = true;
  savePlace(model.place);
  if (model.phase === 'playing') controls.enable();
  update();
  readQueueState();
}

// Lobby messages are not retained: a page that (re)connects reads the queue's state once.
async function readQueueState() {
  const heardBefore = model.lobbyHeard;
  try {
    const board = await api.getWatch();
    if (model.lobbyHeard !== heardBefore) return;  // The lobby spoke meanwhile; it is newer.
    model.clawOnline = board.claw === 'online';
    model.queueMode = board.queue;
    update();
  } catch {
    // clawd is away; the lobby will tell us when things change.
  }
}

function dropped() {
  if (model.link === 'down') return;
  model.link = 'down';
  controls.disable();
  update();
}

function accountRefused() {
  link = null;
  if (model.phase === 'turn_over') return finishTurn();
  letGo();
  go('place_lost', { lostReason: 'grace' });
}

function takenOver() {
  link = null;
  letGo();
  showOtherTab({ takenOver: true });
}

function message(kind, body) {
  if (kind === 'lobby') return lobbyMessage(body);
  if (typeof body.position === 'number') return positionMessage(body);
  if (body.notice === 'get_ready') return getReady();
  if (body.notice === 'ready_check') return readyCheck(body);
  if (body.control === true) return controlGranted(body);
  if (body.control === false) return controlEnded(body);
  if (typeof body.departed === 'string') return departed(body.departed);
  return undefined;
}

function positionMessage(body) {
  model.position = { ahead: body.position, exact: body.exact === true, waitMs: body.wait_ms || 0, heardAt: Date.now() };
  model.place.position = model.position;
  savePlace(model.place);
  update();
}

function getReady() {
  if (model.phase === 'waiting') go('get_ready');
}

function readyCheck(body) {
  model.readyLeftMs = body.ready_ms;
  model.readyHeardAt = performance.now();
  // A person says "I'm here" once; the page answers every further question for them.
  if (model.place.readyConfirmed) {
    link.send({ ready: true });
    return go('ready');
  }
  return go('ready_check');
}

function sayReady() {
  if (model.phase !== 'ready_check' || !link) return;
  model.place.readyConfirmed = true;
  savePlace(model.place);
  link.send({ ready: true });
  go('ready');
}

function controlGranted(body) {
  Object.assign(model, { turn: body.turn, turnMs: body.turn_ms, controlAt: performance.now(), seq: 0 });
  go('playing');
  if (model.link === 'up') controls.enable();
}

function sendCommand(command) {
  if (!link || model.phase !== 'playing') return;
  model.seq += 1;  // From 1 each turn, always growing (docs/protocol.md).
  link.send({ command, turn: model.turn, seq: model.seq });
}

// {"control":false} ends the turn for good; a second one may follow with the result.
function controlEnded(body) {
  controls.disable();
  if (typeof body.turn === 'number') model.turn = body.turn;
  if (typeof body.result === 'string') model.result = body.result;
  if (model.phase !== 'turn_over') {
    go('turn_over');
    clearTimeout(resultTimer);
    resultTimer = setTimeout(finishTurn, resultWaitMs);
  }
  if (model.result) finishTurn();
  else update();
}

// The turn is over: the server deletes the account 5 s after, so the page ends first.
function finishTurn() {
  letGo();
  go('turn_over');
}

function departed(reason) {
  letGo();
  go('place_lost', { lostReason: reason === 'kicked' ? 'kicked' : 'unready' });
}

function lobbyMessage(body) {
  model.lobbyHeard += 1;
  if (body.claw === 'CLAW_OFFLINE') model.clawOnline = false;
  if (body.claw === 'CLAW_READY') model.clawOnline = true;
  if (typeof body.queue === 'string') model.queueMode = body.queue;
  const ours = typeof body.turn_over === 'number' && body.turn_over === model.turn;
  if (ours && (model.phase === 'turn_over' || model.phase === 'playing')) {
    model.result = model.result || body.result;
    controls.disable();
    return finishTurn();
  }
  return update();
}

async function leave() {
  if (!model.place) return;
  const leaving = link;
  link = null;
  controls.disable();
  if (leaving) await leaving.leave();
  letGo();
  go('left');
}

// --- The tick: countdowns, retries, lapsed questions -------------------------------

function tick() {
  const now = performance.now();
  if (model.retry && model.retryAt && now >= model.retryAt) {
    const retry = model.retry;
    Object.assign(model, { retry: null, retryAt: 0 });
    if (retry === 'boot') boot();
    else if (model.phase === 'server_restarting') joinQueue(model.name);
  }
  if (model.phase === 'ready_check' && now - model.readyHeardAt > model.readyLeftMs + readyCheckLapseMs) {
    model.phase = 'waiting';  // The question moved to someone else (docs/protocol.md).
  }
  update();
}

// --- Wiring ------------------------------------------------------------------------

elements.form.addEventListener('submit', (event) => {
  event.preventDefault();
  joinQueue(elements.name.value);
});
elements.name.addEventListener('input', () => {
  if (model.nameError) {
    model.nameError = '';
    update();
  }
});
elements.ready.addEventListener('click', sayReady);
elements.again.addEventListener('click', () => joinQueue(model.name));
elements.retry.addEventListener('click', () => {
  if (model.retry === 'boot') return boot();
  return joinQueue(model.name);
});
elements.rename.addEventListener('click', () => go('idle', { nameError: '', retry: null, retryAt: 0 }));
elements.leave.addEventListener('click', leave);
setInterval(tick, tickMs);
boot();
