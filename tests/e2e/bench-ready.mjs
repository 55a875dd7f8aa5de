// `cargo xtask bench`, first part: how soon a person can use Coplan, in headless Chromium
// at 4× CPU slowdown (DevTools protocol), each figure the median, min and max of 5 runs
// in a fresh browser context:
//
// - app ready, cold, on Slow 4G (150 ms latency, 1.6 Mbps down, 750 kbps up): from
//   navigation until "Start my plan" answers a tap (the bench taps it as soon as it can
//   and waits for the screen it opens to take typing), beside the floor: the same bytes at
//   1.6 Mbps plus the round trips they need, measured in the same run;
// - app ready from the service worker, offline, the same way;
// - from the tap on "Start my plan" (cold visit) to a screen that takes typing.
//
// Times are taken inside the page (performance.now(), from navigation start), not by a
// mark the app sets. Prints numbers; asserts nothing. Not run by `cargo xtask test`.
import { launch, serviceWorkerReady, startServer } from './helpers.mjs';

const RUNS = 5;
const SLOWDOWN = 4;
const SLOW_4G = {
  offline: false,
  latency: 150,
  downloadThroughput: (1.6 * 1000 * 1000) / 8,
  uploadThroughput: (750 * 1000) / 8,
};
// The page's requests form two levels: the page itself, then everything it names (the
// stylesheet, pwa.js, the app's script, its loader and its wasm, all preloaded at once).
const ROUND_TRIPS = 2;
const BUDGET_COLD = 3.0;
const BUDGET_OFFLINE = 1.0;
const BUDGET_TO_TYPING = 1.0;
const FIELD = 'What I like to be called';

// Injected before the app: taps "Start my plan" the moment it is on the page (a
// MutationObserver, inside the page: Playwright's own checks before a click run on the
// slowed-down page thread and would add a quarter of a second of harness to each figure),
// and keeps the time of the tap.
const probe = () => {
  const tapWhenThere = new MutationObserver(() => {
    const button = [...document.querySelectorAll('#app button')].find((b) => b.textContent.trim() === 'Start my plan');
    if (button) {
      tapWhenThere.disconnect();
      window.__coplanTapped = performance.now();
      button.click();
    }
  });
  tapWhenThere.observe(document, { subtree: true, childList: true });
};

/** Waits for the tap on "Start my plan" to open a screen that takes typing. */
async function tapAndWaitForTyping(page) {
  const typing = await page.waitForFunction((label) => {
    const found = [...document.querySelectorAll('label')].find((l) => l.textContent.trim().startsWith(label));
    const control = found?.control;
    return control && !control.disabled && control.offsetParent !== null ? performance.now() : false;
  }, FIELD, { polling: 'raf', timeout: 60000 });
  const ready = await typing.jsonValue();
  const tapped = await page.evaluate(() => window.__coplanTapped);
  return { ready: ready / 1000, toTyping: (ready - tapped) / 1000 };
}

async function throttle(context, page, network) {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: SLOWDOWN });
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', network);
  return cdp;
}

function stats(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    median: sorted[Math.floor(sorted.length / 2)],
    min: sorted[0],
    max: sorted[sorted.length - 1],
  };
}

const s = (x) => `${x.toFixed(2)} s`;
function line(name, values, budget, floor) {
  const { median, min, max } = stats(values);
  const floorText = floor === undefined ? '' : `; floor ${s(floor)}, ${s(median - floor)} above it (allowed 0.50 s)`;
  const within = median <= budget && (floor === undefined || median - floor <= 0.5);
  console.log(
    `${name.padEnd(44)} median ${s(median)}  min ${s(min)}  max ${s(max)}  (budget ${s(budget)}${floorText}) ${within ? 'within' : 'OVER'}`,
  );
}

const server = await startServer();
const browser = await launch();
const cold = [];
const toTyping = [];
const floors = [];
const sizes = [];
const offline = [];
try {
  for (let run = 0; run < RUNS; run += 1) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.addInitScript(probe);
    let bytes = 0;
    let counting = true;
    context.on('requestfinished', async (request) => {
      if (!counting || request.serviceWorker()) return;
      const sizes = await request.sizes();
      bytes += sizes.responseHeadersSize + sizes.responseBodySize;
    });
    await throttle(context, page, SLOW_4G);
    await page.goto(server.url, { waitUntil: 'commit' });
    const times = await tapAndWaitForTyping(page);
    counting = false;
    cold.push(times.ready);
    toTyping.push(times.toTyping);
    sizes.push(bytes);
    floors.push(bytes / SLOW_4G.downloadThroughput + (ROUND_TRIPS * SLOW_4G.latency) / 1000);
    await context.close();
  }

  for (let run = 0; run < RUNS; run += 1) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(server.url);
    await serviceWorkerReady(page);
    await page.getByRole('button', { name: 'Start my plan' }).waitFor();
    await context.setOffline(true);
    await throttle(context, page, { ...SLOW_4G, offline: true, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    await page.addInitScript(probe);
    await page.goto(server.url, { waitUntil: 'commit' });
    offline.push((await tapAndWaitForTyping(page)).ready);
    await context.close();
  }
} finally {
  await browser.close();
  await server.stop();
}

console.log(`\nhow soon Coplan can be used (${RUNS} runs each, ${SLOWDOWN}× CPU)`);
line('app ready, cold, Slow 4G', cold, BUDGET_COLD, stats(floors).median);
console.log(
  `${''.padEnd(44)} floor: the bytes fetched until then (median ${stats(sizes).median} B) at 1.6 Mbps + ${ROUND_TRIPS} round trips of ${SLOW_4G.latency} ms`,
);
line('app ready from the service worker, offline', offline, BUDGET_OFFLINE);
line('tap on "Start my plan" to typing (cold)', toTyping, BUDGET_TO_TYPING);
