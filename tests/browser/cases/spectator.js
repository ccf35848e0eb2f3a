// A spectator sees who plays (by display name), the turn's countdown and the queue length,
// and cannot publish: the watch page opens no websocket at all, and an anonymous MQTT
// connection from the page's origin is refused by the broker.
'use strict';

const { check, sleep, text } = require('../harness.js');

module.exports = {
  cabinet: { 'turn-ms': 30000 },
  async run(t) {
    await t.joinPlayer('Iris', { states: ['playing'] });
    await t.joinPlayer('Jon', { states: ['waiting', 'get_ready'] });
    const watch = await t.newPage();
    const sockets = [];
    watch.on('websocket', (socket) => sockets.push(socket.url()));
    await watch.goto(t.cabinet.url('/watch'));
    await watch.waitForFunction(() => document.getElementById('now-playing').textContent === 'Iris', null,
      { timeout: 5000 });
    const first = await text(watch, '#turn-left');
    check(/^0:(2\d|30)$/.test(first), `turn countdown "${first}"`);
    check((await text(watch, '#queue-length')) === '1 player', `queue length "${await text(watch, '#queue-length')}"`);
    check((await text(watch, '#claw-status')) === 'Online', 'claw not shown online');
    await sleep(2500);
    const later = await text(watch, '#turn-left');
    t.step(`watch: Iris playing, ${first} then ${later} left, 1 waiting`);
    check(later < first, 'the countdown did not run down');
    check(sockets.length === 0, `the watch page opened websockets: ${sockets.join(' ')}`);
    check(!(await watch.evaluate(() => 'mqtt' in window)), 'the watch page loaded MQTT.js');

    // Even a spectator who loads MQTT.js from the same origin gets nowhere without an account.
    await watch.addScriptTag({ url: '/vendor/mqtt.min.js' });
    const config = (await t.cabinet.request('GET', '/v1/config')).json;
    const outcome = await watch.evaluate((url) => new Promise((done) => {
      const client = window.mqtt.connect(url, { protocolVersion: 5, reconnectPeriod: 0, connectTimeout: 5000 });
      client.on('connect', () => { client.end(true); done('connected'); });
      client.on('error', (error) => { client.end(true); done(`refused ${error.code}`); });
    }), config.broker_url);
    t.step(`anonymous MQTT from the watch page: ${outcome}`);
    check(outcome === 'refused 135' || outcome === 'refused 134', `anonymous connection: ${outcome}`);
  },
};
