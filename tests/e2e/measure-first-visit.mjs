// `cargo xtask size` (and the size gate in `cargo xtask test`): what a cold first visit
// transfers, measured in Chromium through the DevTools protocol (Playwright's request
// sizes are the protocol's encodedDataLength, headers included).
//
// The critical path is every request the page makes before the app is ready: from
// navigation until the first screen's main control ("Start my plan") answers a tap. What
// the service worker then fetches for its offline copy (the parts loaded later) is
// printed apart. Not a timed test: bytes are the same on every run.
//
// With `--check`, exits non-zero when the critical path passes the hard cap.
import { launch, serviceWorkerReady, startServer } from './helpers.mjs';

const BUDGET = 307200;
const HARD_CAP = 358400;
const check = process.argv.includes('--check');

const server = await startServer();
const browser = await launch();
let critical = 0;
try {
  const context = await browser.newContext();
  const rows = [];
  const pending = [];
  let ready = false;
  context.on('request', (request) => {
    const row = { early: !ready, request };
    rows.push(row);
    pending.push((async () => {
      const response = await request.response().catch(() => null);
      if (!response || response.fromServiceWorker()) { row.skip = true; return; }
      const sizes = await request.sizes();
      row.who = request.serviceWorker() ? 'service worker' : 'page';
      row.path = new URL(request.url()).pathname;
      row.encoding = (await response.allHeaders())['content-encoding'] ?? '-';
      row.bytes = sizes.responseHeadersSize + sizes.responseBodySize;
    })());
  });
  const page = await context.newPage();
  await page.goto(server.url);
  const start = page.getByRole('button', { name: 'Start my plan' });
  await start.waitFor();
  ready = true;
  await serviceWorkerReady(page);
  await page.waitForTimeout(500);
  await Promise.all(pending);

  const done = rows.filter((r) => !r.skip && r.path);
  // The worker's script is fetched to install it after `load`, never to start the app.
  const onPath = done.filter((r) => r.early && r.who === 'page' && r.path !== '/sw.js');
  const later = done.filter((r) => !onPath.includes(r));
  const print = (title, list) => {
    list.sort((x, y) => y.bytes - x.bytes);
    console.log(`\n${title.padEnd(52)} ${'from'.padEnd(15)} ${'enc'.padEnd(4)} ${'bytes'.padStart(9)}`);
    for (const row of list) {
      console.log(`${row.path.padEnd(52)} ${row.who.padEnd(15)} ${row.encoding.padEnd(4)} ${String(row.bytes).padStart(9)}`);
    }
    return list.reduce((sum, row) => sum + row.bytes, 0);
  };
  const afterTotal = print('after the app is ready (offline copy)', later);
  console.log(`after the app is ready: ${later.length} requests, ${afterTotal} bytes`);
  critical = print('critical path (before the app is ready)', onPath);
  console.log(`critical path: ${onPath.length} requests`);
  console.log(`first-visit brotli total: ${critical} bytes (budget ${BUDGET}, hard cap ${HARD_CAP})`);
  await context.close();
} finally {
  await browser.close();
  await server.stop();
}
if (check && critical > HARD_CAP) {
  console.error(`the critical path is ${critical} bytes, over the hard cap of ${HARD_CAP}`);
  process.exit(1);
}
if (critical > BUDGET) {
  console.log(`over budget by ${critical - BUDGET} bytes`);
}
