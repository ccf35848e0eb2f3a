// The claw's controls: keyboard (arrow keys and W A S D to move, Space to drop) and the
// touch pad (pointer events on big buttons). A held direction sends its On at once and
// again every repeatMs, each time as a new command (docs/protocol.md: the claw's dead-man
// stops a motor 600 ms after the last command), and its Off on release, and also when
// the press is lost: the pointer is cancelled or leaves the button, the window loses
// focus, the tab is hidden. A direction held by a key and a finger at once is one hold.
//
// createControls({pad, dropButton, repeatMs, send}) -> {enable(), disable(), enabled()}
// send(command) gets "upOn", "upOff", ..., "drop"; the caller adds the turn and seq.
// disable() forgets every hold without sending Offs: the turn is over, the claw ignores them.

const keyDirections = {
  ArrowUp: 'up', KeyW: 'up',
  ArrowDown: 'down', KeyS: 'down',
  ArrowLeft: 'left', KeyA: 'left',
  ArrowRight: 'right', KeyD: 'right',
};
const dropKey = 'Space';
const nudgeMs = 250;  // A direction button pressed without a pointer (Enter, a screen reader).

export function createControls({ pad, dropButton, repeatMs, send }) {
  let enabled = false;
  const holds = new Map();  // direction -> {sources: Set, timer}
  const buttons = new Map([...pad.querySelectorAll('[data-direction]')].map((b) => [b.dataset.direction, b]));

  function press(direction, source) {
    if (!enabled) return;
    let hold = holds.get(direction);
    if (!hold) {
      hold = { sources: new Set(), timer: 0 };
      holds.set(direction, hold);
      send(`${direction}On`);
      hold.timer = setInterval(() => send(`${direction}On`), repeatMs);
      buttons.get(direction).classList.add('held');
    }
    hold.sources.add(source);
  }

  function release(direction, source, { silent = false } = {}) {
    const hold = holds.get(direction);
    if (!hold || !hold.sources.delete(source) || hold.sources.size > 0) return;
    clearInterval(hold.timer);
    holds.delete(direction);
    buttons.get(direction).classList.remove('held');
    if (!silent && enabled) send(`${direction}Off`);
  }

  function releaseAll(options) {
    for (const [direction, hold] of [...holds]) {
      for (const source of [...hold.sources]) release(direction, source, options);
    }
  }

  function drop() {
    if (!enabled) return;
    releaseAll({ silent: true });  // The drop stops the gantry itself.
    send('drop');
    setEnabled(false);  // One drop ends the turn; the claw says so next.
  }

  function setEnabled(on) {
    enabled = on;
    for (const button of [...buttons.values(), dropButton]) button.disabled = !on;
  }

  // Keys are read at the window, before any focused button: Space must drop, not click.
  function onKey(event, down) {
    if (!enabled || event.altKey || event.ctrlKey || event.metaKey) return;
    const direction = keyDirections[event.code];
    if (!direction && event.code !== dropKey) return;
    event.preventDefault();
    event.stopPropagation();
    if (!down) {
      if (direction) release(direction, `key:${event.code}`);
    } else if (!event.repeat) {
      if (direction) press(direction, `key:${event.code}`);
      else drop();
    }
  }
  addEventListener('keydown', (event) => onKey(event, true), true);
  addEventListener('keyup', (event) => onKey(event, false), true);
  addEventListener('blur', () => releaseAll());
  document.addEventListener('visibilitychange', () => {
    if (document.hidden) releaseAll();
  });

  for (const [direction, button] of buttons) {
    const source = (event) => `pointer:${event.pointerId}`;
    button.addEventListener('pointerdown', (event) => {
      if (event.button !== 0) return;
      event.preventDefault();  // No focus ring flash, no text selection, no emulated mouse.
      press(direction, source(event));
    });
    for (const end of ['pointerup', 'pointercancel', 'pointerleave', 'lostpointercapture']) {
      button.addEventListener(end, (event) => release(direction, source(event)));
    }
    button.addEventListener('click', (event) => {
      if (event.detail !== 0) return;  // A pointer's click: its down and up did the work.
      press(direction, 'nudge');
      setTimeout(() => release(direction, 'nudge'), nudgeMs);
    });
  }
  pad.addEventListener('contextmenu', (event) => event.preventDefault());
  dropButton.addEventListener('click', () => drop());
  setEnabled(false);

  return {
    enable() {
      setEnabled(true);
    },
    disable() {
      releaseAll({ silent: true });
      setEnabled(false);
    },
    enabled: () => enabled,
  };
}
