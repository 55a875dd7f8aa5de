// A first visit, a draft typed and found again after a reload and after closing the tab,
// then the app started again with the network off, from the service worker alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { browserAndServer, savedOnThisPhone, startServer, serviceWorkerReady, timesServed, watchErrors } from './helpers.mjs';

const running = browserAndServer();

test('a draft survives a reload and closing the tab, and the app starts offline', async () => {
  const context = await running.browser.newContext();
  const page = await context.newPage();
  const errors = watchErrors(page);

  await page.goto(running.server.url);
  await page.getByRole('button', { name: 'Start my plan' }).click();
  const name = page.getByRole('textbox', { name: 'What I like to be called' });
  await name.pressSequentially('Sam Okafor');
  await savedOnThisPhone(page);

  await page.reload();
  await assertValue(page, 'Sam Okafor', running.server.url);

  // Close the tab, open a new one: still there.
  await page.close();
  const second = await context.newPage();
  await second.goto(running.server.url);
  await second.getByText('Plan for Sam Okafor').waitFor();
  await assertValue(second, 'Sam Okafor', running.server.url);

  // The first visit's service worker has installed; go offline with no reload.
  await serviceWorkerReady(second);
  await context.setOffline(true);
  await second.goto(`${running.server.url}/safety-plan`);
  await second.getByRole('heading', { name: 'Safety plan', level: 1 }).waitFor();
  assert.equal(
    await second.getByRole('link', { name: 'Call Samaritans on 116 123' }).getAttribute('href'),
    'tel:116123',
  );
  await second.getByRole('link', { name: 'My plan' }).click();
  await second.getByText('Plan for Sam Okafor').waitFor();
  await assertValue(second, 'Sam Okafor', running.server.url);
  await context.setOffline(false);

  assert.deepEqual(errors, [], 'no console errors');
  await context.close();
});

test('a first visit downloads the wasm once, not again for the offline copy', async () => {
  const fresh = await startServer();
  try {
    const context = await running.browser.newContext();
    const page = await context.newPage();
    await page.goto(fresh.url);
    await page.getByRole('heading', { name: 'Your plan' }).waitFor();
    await serviceWorkerReady(page);
    // The service worker has cached every file, so the wasm it holds came from somewhere:
    // it must have been the browser's HTTP cache, not a second download.
    const cached = await page.evaluate(async () => {
      const keys = await caches.keys();
      const cache = await caches.open(keys.find((k) => k.startsWith('coplan-shell-')));
      return (await cache.keys()).map((r) => new URL(r.url).pathname);
    });
    const modules = cached.filter((p) => p.endsWith('_bg.wasm'));
    assert.ok(modules.some((p) => p.endsWith('/coplan-app_bg.wasm')), `the app's wasm is precached: ${cached}`);
    assert.ok(modules.some((p) => p.endsWith('/coplan-checker_bg.wasm')), `the checker's wasm is precached: ${cached}`);
    for (const module of modules) {
      const served = new RegExp(`path=${module.replace(/[.]/g, '\\.')}[ }]`);
      assert.equal(timesServed(fresh.logs, served), 1, `${module}\n${fresh.logs.join('\n')}`);
    }
    await context.close();
  } finally {
    await fresh.stop();
  }
});

async function assertValue(page, expected, url) {
  await page.goto(`${url}/about-me`);
  const field = page.getByRole('textbox', { name: 'What I like to be called' });
  await field.waitFor();
  assert.equal(await field.inputValue(), expected);
}
