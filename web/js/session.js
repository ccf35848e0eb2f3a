// What the play page keeps across a reload: the place it holds (the join answer with its
// broker credentials, whether the person already said "I'm here", the last position
// heard) in sessionStorage, which belongs to this tab alone and outlives a reload or a
// navigation away and back; and the display name in localStorage, for the next visit.
//
// A place is kept only while it is worth resuming: the page forgets it when the turn is
// over, the player left, or the place was lost. Storage that throws (a browser that
// refuses it) behaves as empty storage: a reload then loses the place, nothing else.

const placeKey = 'clawnet.place';
const nameKey = 'clawnet.name';

// Place: {answer, name, readyConfirmed, position: {ahead, exact, waitMs, heardAt}|null,
//         connectedOnce}
export function loadPlace() {
  const text = read(sessionStorage, placeKey);
  if (!text) return null;
  try {
    const place = JSON.parse(text);
    const answer = place && place.answer;
    if (answer && typeof answer.channel === 'string' && answer.broker && typeof answer.broker === 'object') return place;
  } catch {
    // A damaged entry is no place.
  }
  forgetPlace();
  return null;
}

export function savePlace(place) {
  write(sessionStorage, placeKey, JSON.stringify(place));
}

export function forgetPlace() {
  try {
    sessionStorage.removeItem(placeKey);
  } catch {
    // Nothing kept, nothing to forget.
  }
}

export function rememberedName() {
  return read(localStorage, nameKey) || '';
}

export function rememberName(name) {
  write(localStorage, nameKey, name);
}

function read(storage, key) {
  try {
    return storage.getItem(key);
  } catch {
    return null;
  }
}

function write(storage, key, value) {
  try {
    storage.setItem(key, value);
  } catch {
    // Full or refused: the page works on, without surviving a reload.
  }
}
