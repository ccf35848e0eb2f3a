// The words the play page says in each state (docs/web.md lists the states): a title and
// one sentence of detail, in plain language, for the status region that screen readers
// announce. Numbers that tick (the countdown, the wait) are not here but in the facts
// beside it, so the announcement does not repeat every second.
//
// wordsFor(state, model) -> {title, detail}; model as play.js keeps it.

const resultWords = {
  win: ['You won a prize!', 'Congratulations: the prize fell through the chute.'],
  loss: ['No prize this time', 'The claw dropped and came back empty. Better luck next time!'],
  timeout: ["Time's up: no prize this time", 'The claw dropped by itself when the time ran out.'],
  ended_by_server: ['Your turn was ended', 'The game ended your turn early (the claw or an operator stopped it).'],
  abandoned: ['Your turn ended', 'Your turn ended because this page lost its connection.'],
};

const lostWords = {
  grace: (model) => `You were away for more than ${seconds(model.graceMs)}, so the queue went on without you.`,
  unready: () => 'You did not answer "I\'m here" in time, so your turn went to the next player.',
  kicked: () => 'An operator removed you from the queue.',
  gone: () => 'The game no longer has your place (it may have ended while you were away).',
};

const pausedWords = {
  claw: 'The claw machine is offline. Your place is kept; the queue moves again when it is back.',
  operator: 'An operator paused the queue. Your place is kept; it moves again when they resume.',
  stopped: 'The claw machine was stopped by an operator. Your place is kept until it starts again.',
};

const words = {
  loading: () => ['Loading...', ''],
  idle: () => ['Play the claw machine', 'Choose a name that others will see, then join the queue.'],
  joining: () => ['Joining the queue...', ''],
  connecting: () => ['Connecting...', 'Getting your place in the queue.'],
  waiting: (model) => model.position && model.position.ahead === 0
    ? ["You're next!", "Your turn starts when the player before you is done. Keep this page open."]
    : ["You're in the queue", "Keep this page open: we'll tell you when it's your turn."],
  get_ready: () => ["Get ready: you're next!", 'Your turn starts as soon as the claw is free.'],
  ready_check: () => ['Are you there?', 'Press "I\'m here" to start your turn, or it goes to the next player.'],
  ready: () => ['Thanks, your turn is starting', 'The claw is getting ready for you.'],
  playing: () => ['Your turn: steer and drop!', 'Hold the arrows (or W A S D, or the buttons) to move, press Space or Drop to grab.'],
  turn_over: (model) => resultWords[model.result] || ['Dropping the claw...', "Your turn is over. Let's see if you caught a prize."],
  left: () => ['You left the queue', 'Thanks for stopping by. You can join again any time.'],
  place_lost: (model) => ['Your place was lost', (lostWords[model.lostReason] || lostWords.gone)(model) + ' Join again to get a new place.'],
  queue_full: () => ['The queue is full', 'Too many people are waiting right now. Please try again in a few minutes.'],
  rate_limited: () => ['Too many joins at once', 'Please wait a moment, then try again.'],
  busy: () => ['The game is very busy', 'Too many people are joining right now. Please try again in a moment.'],
  paused: (model) => ['The game is paused', pausedWords[model.pausedBy] || pausedWords.claw],
  broker_unreachable: () => ["Can't reach the game", "The game's message service is not answering. Please try again in a moment."],
  reconnecting: (model) => ['Connection lost: reconnecting...', `Your place is kept for ${seconds(model.graceMs)} while the connection is down.`],
  server_restarting: () => ['The game server is restarting', 'It should be back in a few seconds; this page tries again by itself.'],
  other_tab: (model) => model.takenOver
    ? ['This game is open somewhere else', 'Your place is now used in another tab or window. Go back to that one to play.']
    : ["You're already in the queue in another tab", 'Please use that tab to play. This tab will be ready when that one is done.'],
  join_failed: (model) => ["Couldn't join", model.joinError || 'The game refused the join. Please try again.'],
};

export function wordsFor(state, model) {
  const [title, detail] = (words[state] || words.loading)(model);
  return { title, detail };
}

function seconds(ms) {
  const count = Math.round((ms || 0) / 1000);
  return count === 1 ? '1 second' : `${count} seconds`;
}
