// The spectators' page: polls GET /v1/watch every second (the answer is public and the
// same for everyone, so a proxy can serve many spectators from one request) and shows it,
// counting the turn down smoothly between polls. It opens no websocket and holds no
// account, so a spectator can publish nothing. document.body.dataset.state is "loading",
// "live" or "unreachable" (clawd did not answer), for tests.

import * as api from './api.js';
import { showCamera } from './camera.js';
import { clock } from './format.js';

const pollMs = 1000;
const tickMs = 250;

const $ = (id) => document.getElementById(id);
const el = {
  notice: $('notice'), nowPlaying: $('now-playing'),
  turnLeftLine: $('turn-left-line'), turnLeft: $('turn-left'), turnBar: $('turn-bar'),
  claw: $('claw-status'), queue: $('queue-status'), queueLength: $('queue-length'),
  last: $('last-result'),
};

const resultWords = {
  win: 'won a prize!',
  loss: 'dropped, no prize',
  timeout: 'ran out of time, no prize',
  ended_by_server: 'turn ended by the game',
  abandoned: 'left during the turn',
};
const queueWords = { running: 'Running', paused: 'Paused by an operator', stopped: 'Stopped (emergency stop)' };

let board = null;
let boardAt = 0;
let reachable = null;

async function poll() {
  try {
    board = await api.getWatch();
    boardAt = performance.now();
    reachable = true;
  } catch {
    reachable = false;
  }
  render();
  setTimeout(poll, pollMs);
}

function noticeText() {
  if (reachable === false) return 'The game server is not answering right now (restarting?). Trying again...';
  if (!board) return 'Loading...';
  if (board.claw !== 'online') return 'The claw machine is offline; the queue waits until it is back.';
  if (board.queue !== 'running') return `The queue is ${board.queue === 'paused' ? 'paused' : 'stopped'}.`;
  if (board.turn) return `${board.turn.name} is playing.`;
  return board.queue_length > 0 ? 'The next turn is about to start.' : 'Nobody is playing: join and have a go!';
}

function render() {
  document.body.dataset.state = reachable === false ? 'unreachable' : board ? 'live' : 'loading';
  setText(el.notice, noticeText());
  if (!board) return;
  const turn = board.turn;
  setText(el.nowPlaying, turn ? turn.name : 'Nobody');
  el.turnLeftLine.hidden = !turn;
  el.turnBar.hidden = !turn;
  if (turn) {
    const left = Math.max(0, turn.left_ms - (performance.now() - boardAt));
    setText(el.turnLeft, clock(left));
    el.turnBar.value = turn.turn_ms > 0 ? left / turn.turn_ms : 0;
  }
  setText(el.claw, board.claw === 'online' ? 'Online' : 'Offline');
  el.claw.dataset.online = String(board.claw === 'online');
  setText(el.queue, queueWords[board.queue] || board.queue);
  setText(el.queueLength, board.queue_length === 1 ? '1 player' : `${board.queue_length} players`);
  const last = board.last_result;
  setText(el.last, last ? `${last.name}: ${resultWords[last.result] || last.result}` : 'No turn played yet');
}

function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

async function start() {
  try {
    const config = await api.getConfig();
    showCamera($('camera'), config.camera);
  } catch {
    showCamera($('camera'), { kind: 'none' });
  }
  poll();
  setInterval(render, tickMs);
}

start();
