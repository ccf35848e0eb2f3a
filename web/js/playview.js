// Draws the play page from the model: a function of (model, state, now) that touches only
// the DOM, so play.js can call it after every event and every tick. It writes a node only
// when its text or visibility changes, so the aria-live status region speaks once per
// state, not on every tick.

import { clock, duration, place } from './format.js';
import { wordsFor } from './messages.js';

const $ = (id) => document.getElementById(id);
const el = {
  title: $('status-title'), detail: $('status-detail'),
  facts: $('facts'),
  factPlace: $('fact-place'), place: $('place'),
  factWait: $('fact-wait'), wait: $('wait'),
  factAnswer: $('fact-answer'), answerLeft: $('answer-left'),
  factTurn: $('fact-turn'), turnLeft: $('turn-left'), turnBar: $('turn-bar'),
  factRetry: $('fact-retry'), retryLeft: $('retry-left'),
  form: $('join-form'), name: $('name'), nameError: $('name-error'),
  ready: $('ready-button'), again: $('again-button'), retry: $('retry-button'),
  rename: $('rename-button'), leave: $('leave-button'),
  pad: $('pad'), hint: $('keys-hint'),
};

// States in which the player holds a place (it can leave).
const holdingStates = new Set(['connecting', 'waiting', 'get_ready', 'ready_check', 'ready', 'playing', 'paused', 'reconnecting']);
const placeStates = new Set(['connecting', 'waiting', 'get_ready', 'paused', 'reconnecting']);
const retryStates = new Set(['queue_full', 'rate_limited', 'busy', 'broker_unreachable', 'server_restarting', 'join_failed']);
const doneStates = new Set(['turn_over', 'left', 'place_lost']);

export const elements = el;

export function render(model, state, now) {
  const entered = document.body.dataset.state !== state;
  document.body.dataset.state = state;
  const { title, detail } = wordsFor(state, model);
  setText(el.title, title);
  setText(el.detail, detail);

  const position = model.position;
  const showPlace = placeStates.has(state) && position !== null;
  show(el.factPlace, showPlace);
  show(el.factWait, showPlace && position.ahead > 0);
  if (showPlace) {
    setText(el.place, place(position.ahead, position.exact));
    const waitLeft = position.waitMs - (Date.now() - position.heardAt);
    setText(el.wait, waitLeft > 0 ? `about ${duration(waitLeft)}` : 'any moment');
  }
  const answering = state === 'ready_check';
  show(el.factAnswer, answering);
  if (answering) setText(el.answerLeft, clock(model.readyLeftMs - (now - model.readyHeardAt)));
  const playing = state === 'playing';
  show(el.factTurn, playing);
  show(el.turnBar, playing);
  if (playing) {
    const left = Math.max(0, model.turnMs - (now - model.controlAt));
    setText(el.turnLeft, clock(left));
    el.turnBar.value = model.turnMs > 0 ? left / model.turnMs : 0;
  }
  const waitingToRetry = retryStates.has(state) && model.retryAt > now;
  show(el.factRetry, waitingToRetry);
  if (waitingToRetry) setText(el.retryLeft, duration(model.retryAt - now));
  show(el.facts, [el.factPlace, el.factWait, el.factAnswer, el.factTurn, el.factRetry].some((f) => !f.hidden));

  show(el.form, state === 'idle');
  if (state === 'idle' && entered) el.name.value = model.name;
  setText(el.nameError, model.nameError);
  show(el.nameError, state === 'idle' && model.nameError !== '');
  el.name.setAttribute('aria-invalid', String(state === 'idle' && model.nameError !== ''));

  show(el.ready, answering);
  show(el.again, doneStates.has(state));
  show(el.retry, retryStates.has(state));
  el.retry.disabled = waitingToRetry && state === 'rate_limited';
  show(el.rename, doneStates.has(state) || (retryStates.has(state) && state !== 'server_restarting'));
  show(el.leave, holdingStates.has(state) || (state === 'broker_unreachable' && model.place !== null));
  el.leave.textContent = playing ? 'Give up my turn' : 'Leave the queue';
  show(el.pad, playing);
  show(el.hint, playing);

  if (entered) moveFocus(state);
}

// A new state puts the focus where the person acts next, unless they are typing.
function moveFocus(state) {
  if (document.activeElement === el.name && state === 'idle') return;
  if (state === 'ready_check') el.ready.focus();
  else if (state === 'idle') el.name.focus();
  // Not at turn_over: a player still pressing Space to drop would click "Play again".
  else if (state === 'left' || state === 'place_lost') el.again.focus();
  else if (state === 'playing' && document.activeElement && document.activeElement !== document.body) {
    document.activeElement.blur();  // Keys steer the claw; nothing else should take them.
  }
}

function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

function show(node, visible) {
  if (node.hidden === visible) node.hidden = !visible;
}
