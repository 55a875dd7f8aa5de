// `cargo xtask size`: what a cold first visit transfers, measured in Chromium through the
// DevTools protocol (Playwright's request sizes are the protocol's encodedDataLength):
// the page's own requests and the service worker's install, until the worker is active.
// Prints each request and ends with the budget line. Not a test: it reports numbers.
import { launch, serviceWorkerReady, startServer } from './helpers.mjs';

const BUDGET = 358400;

const server = await startServer();
const browser = await launch();
try {
  const context = await browser.newContext();
  const rows = [];
  const pending = [];
  context.on('requestfinished', (request) => {
    pending.push((async () => {
      const response = await request.response();
      if (!response || response.fromServiceWorker()) return;
      const sizes = await request.sizes();
      rows.push({
        who: request.serviceWorker() ? 'service worker' : 'page',
        path: new URL(request.url()).pathname,
        status: response.status(),
        encoding: (await response.allHeaders())['content-encoding'] ?? '-',
        bytes: sizes.responseHeadersSize + sizes.responseBodySize,
      });
    })());
  });
  const page = await context.newPage();
  await page.goto(server.url, { waitUntil: 'load' });
  await page.getByRole('heading', { name: 'Your plan' }).waitFor();
  await serviceWorkerReady(page);
  await page.waitForTimeout(500);
  await Promise.all(pending);

  rows.sort((x, y) => y.bytes - x.bytes);
  console.log(`${'first visit request'.padEnd(52)} ${'from'.padEnd(15)} ${'enc'.padEnd(4)} ${'bytes'.padStart(9)}`);
  for (const row of rows) {
    console.log(`${row.path.padEnd(52)} ${row.who.padEnd(15)} ${row.encoding.padEnd(4)} ${String(row.bytes).padStart(9)}`);
  }
  const total = rows.reduce((sum, row) => sum + row.bytes, 0);
  console.log(`requests: ${rows.length} (${rows.filter((r) => r.who !== 'page').length} by the service worker)`);
  console.log(`first-visit brotli total: ${total} bytes (budget ${BUDGET})`);
  await context.close();
} finally {
  await browser.close();
  await server.stop();
}
