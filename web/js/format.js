// Numbers as people read them: durations ("1 min 30 s"), clocks ("0:23"), places
// ("3rd"). Pure functions, no DOM.

// "45 s", "1 min 30 s", "2 min"; a wait rounds up so it never promises too soon.
export function duration(ms) {
  const seconds = Math.max(0, Math.ceil(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  if (minutes >= 10 || rest === 0) return `${Math.round(seconds / 60)} min`;
  return `${minutes} min ${rest} s`;
}

// "0:07" for a countdown.
export function clock(ms) {
  const seconds = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

// 1 -> "1st", 2 -> "2nd", 11 -> "11th", 23 -> "23rd".
export function ordinal(n) {
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) return `${n}th`;
  const suffix = { 1: 'st', 2: 'nd', 3: 'rd' }[n % 10] || 'th';
  return `${n}${suffix}`;
}

// What a player calls its place, from the number of players ahead (docs/protocol.md:
// a position that is not exact is an upper bound).
export function place(ahead, exact) {
  if (ahead === 0) return 'Next';
  return exact ? ordinal(ahead + 1) : `${ordinal(ahead + 1)} or better`;
}
