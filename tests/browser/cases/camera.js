// The configured camera shows on both pages: with web.camera_kind mjpeg the pages show the
// stream's URL in an image, which the Content-Security-Policy (img-src with the camera's
// origin) lets load from another origin. The "stream" is a still image served here; with
// no camera configured the pages say so (every other case).
'use strict';

const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { check, repoRoot } = require('../harness.js');

const image = fs.readFileSync(path.join(repoRoot, 'docs/screenshots/watch-390x844.png'));
let server = null;

async function imageShown(page) {
  await page.waitForFunction(() => {
    const img = document.querySelector('#camera img');
    return img && img.complete && img.naturalWidth > 0;
  }, null, { timeout: 5000 });
  return page.evaluate(() => document.querySelector('#camera img').src);
}

module.exports = {
  async prepare() {
    server = http.createServer((request, response) => {
      response.writeHead(200, { 'Content-Type': 'image/png', 'Cache-Control': 'no-store' });
      response.end(image);
    });
    await new Promise((done) => server.listen(0, '127.0.0.1', done));
    return {
      cabinet: { 'camera-kind': 'mjpeg', 'camera-url': `http://127.0.0.1:${server.address().port}/cabinet.mjpg` },
      teardown: () => new Promise((done) => server.close(done)),
    };
  },
  async run(t) {
    const play = await t.openPlay();
    const shown = await imageShown(play);
    check(shown.endsWith('/cabinet.mjpg'), `the play page shows ${shown}`);
    const watch = await t.newPage();
    await watch.goto(t.cabinet.url('/watch'));
    await imageShown(watch);
    t.step(`both pages show the camera from ${shown}`);
  },
};
