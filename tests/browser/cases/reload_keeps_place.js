// Reloading a waiting player's page inside the grace period keeps its place: the page
// resumes from sessionStorage with the same account (no new join), its presence returns,
// and the queue still holds its ticket, present, at the same rank.
'use strict';

const { check, waitFor, waitForState } = require('../harness.js');

async function queued(cabinet) {
  return (await cabinet.admin('GET', '/v1/admin/queue')).json.waiting;
}

module.exports = {
  cabinet: { 'turn-ms': 30000, 'grace-ms': 10000 },
  async run(t) {
    await t.joinPlayer('Cy', { states: ['playing'] });
    const dee = await t.joinPlayer('Dee', { states: ['waiting', 'get_ready'] });
    const place = await dee.evaluate(() => JSON.parse(sessionStorage.getItem('clawnet.place')));
    const ticket = place.answer.ticket;
    const before = await queued(t.cabinet);
    check(before.length === 1 && before[0].ticket === ticket && before[0].present, `queue: ${JSON.stringify(before)}`);

    let joins = 0;
    dee.on('request', (request) => { if (request.url().endsWith('/v1/join')) joins += 1; });
    await dee.reload();
    await waitForState(dee, ['waiting', 'get_ready'], 10000);
    t.step(`reloaded: "${await dee.textContent('#status-title')}", place ${await dee.textContent('#place')}`);
    check(joins === 0, `the reload joined again (${joins} POST /v1/join)`);
    const after = await waitFor('Dee present again in the queue', async () => {
      const waiting = await queued(t.cabinet);
      return waiting.length === 1 && waiting[0].present && waiting;
    }, 5000);
    check(after[0].ticket === ticket && after[0].rank === before[0].rank,
      `after the reload: ${JSON.stringify(after)}, before: ${JSON.stringify(before)}`);
    const again = await dee.evaluate(() => JSON.parse(sessionStorage.getItem('clawnet.place')));
    check(again.answer.channel === place.answer.channel, 'the page took another channel');
  },
};
