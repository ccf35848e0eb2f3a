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
// Controls start disabled; one drop disables them (the claw ends the turn next).

const keyDirections = {
  ArrowUp: 'up', KeyW: 'up',
  ArrowDown: 'down', KeyS: 'down',
  ArrowLeft: 'left', KeyA: 'left',
  ArrowRight: 'right', KeyD: 'right',
};
const dropKey = 'Space';
const nudgeMs = 250;  // A direction button pressed without a pointer (Enter, a screen reader).

export function createControls({ pad, dropButton, repeatMs, send }) {
  const buttons = new Map([...pad.querySelectorAll('[data-direction]')].map((b) => [b.dataset.direction, b]));
  const controls = new Holds({ buttons, dropButton, repeatMs, send });
  listenToKeys(controls);
  listenToPad(controls, pad, dropButton);
  return {
    enable: () => controls.setEnabled(true),
    disable: () => {
      controls.releaseAll({ silent: true });
      controls.setEnabled(false);
    },
    enabled: () => controls.enabled,
  };
}

// The held directions: each has the set of sources holding it (a key, a pointer) and
// the timer that repeats its On.
class Holds {
  constructor({ buttons, dropButton, repeatMs, send }) {
    Object.assign(this, { buttons, dropButton, repeatMs, send });
    this.holds = new Map();  // direction -> {sources: Set, timer}
    this.setEnabled(false);
  }

  press(direction, source) {
    if (!this.enabled) return;
    let hold = this.holds.get(direction);
    if (!hold) {
      hold = { sources: new Set(), timer: 0 };
      this.holds.set(direction, hold);
      this.send(`${direction}On`);
      hold.timer = setInterval(() => this.send(`${direction}On`), this.repeatMs);
      this.buttons.get(direction).classList.add('held');
    }
    hold.sources.add(source);
  }

  release(direction, source, { silent = false } = {}) {
    const hold = this.holds.get(direction);
    if (!hold || !hold.sources.delete(source) || hold.sources.size > 0) return;
    clearInterval(hold.timer);
    this.holds.delete(direction);
    this.buttons.get(direction).classList.remove('held');
    if (!silent && this.enabled) this.send(`${direction}Off`);
  }

  releaseAll(options) {
    for (const [direction, hold] of [...this.holds]) {
      for (const source of [...hold.sources]) this.release(direction, source, options);
    }
  }

  drop() {
    if (!this.enabled) return;
    this.releaseAll({ silent: true });  // The drop stops the gantry itself.
    this.send('drop');
    this.setEnabled(false);  // One drop ends the turn; the claw says so next.
  }

  setEnabled(on) {
    this.enabled = on;
    for (const button of [...this.buttons.values(), this.dropButton]) button.disabled = !on;
  }
}

// Keys are read at the window, before any focused button: Space must drop, not click.
function listenToKeys(controls) {
  const onKey = (event, down) => {
    if (!controls.enabled || event.altKey || event.ctrlKey || event.metaKey) return;
    const direction = keyDirections[event.code];
    if (!direction && event.code !== dropKey) return;
    event.preventDefault();
    event.stopPropagation();
    if (!down) {
      if (direction) controls.release(direction, `key:${event.code}`);
    } else if (!event.repeat) {
      if (direction) controls.press(direction, `key:${event.code}`);
      else controls.drop();
    }
  };
  addEventListener('keydown', (event) => onKey(event, true), true);
  addEventListener('keyup', (event) => onKey(event, false), true);
  addEventListener('blur', () => controls.releaseAll());
  document.addEventListener('visibilitychange', () => {
    if (document.hidden) controls.releaseAll();
  });
}

function listenToPad(controls, pad, dropButton) {
  for (const [direction, button] of controls.buttons) {
    const source = (event) => `pointer:${event.pointerId}`;
    button.addEventListener('pointerdown', (event) => {
      if (event.button !== 0) return;
      event.preventDefault();  // No focus ring flash, no text selection, no emulated mouse.
      controls.press(direction, source(event));
    });
    for (const end of ['pointerup', 'pointercancel', 'pointerleave', 'lostpointercapture']) {
      button.addEventListener(end, (event) => controls.release(direction, source(event)));
    }
    button.addEventListener('click', (event) => {
      if (event.detail !== 0) return;  // A pointer's click: its down and up did the work.
      controls.press(direction, 'nudge');
      setTimeout(() => controls.release(direction, 'nudge'), nudgeMs);
    });
  }
  pad.addEventListener('contextmenu', (event) => event.preventDefault());
  dropButton.addEventListener('click', () => controls.drop());
}
