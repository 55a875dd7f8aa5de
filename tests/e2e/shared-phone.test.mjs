// Safe on a shared phone: "Forget this phone" leaves nothing of Coplan in the browser,
// even with a second tab open on the plan.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { axeViolations, browserAndServer, savedOnThisPhone, serviceWorkerReady } from './helpers.mjs';

const running = browserAndServer();

async function whatIsLeft(page) {
  return page.evaluate(async () => ({
    databases: (await indexedDB.databases()).map((d) => d.name),
    caches: await caches.keys(),
    workers: (await navigator.serviceWorker.getRegistrations()).length,
    local: localStorage.length,
  }));
}

test('forget this phone leaves nothing of Coplan in IndexedDB, caches, storage or service workers', async () => {
  const context = await running.browser.newContext();
  const page = await context.newPage();
  const url = running.server.url;
  await page.goto(`${url}/about-me`);
  await page.getByRole('textbox', { name: 'My story, in my own words' }).pressSequentially('Private words');
  await savedOnThisPhone(page);
  await serviceWorkerReady(page);
  const before = await whatIsLeft(page);
  assert.ok(before.databases.includes('coplan') && before.caches.length > 0 && before.workers > 0, JSON.stringify(before));

  // A second tab has the plan open.
  const other = await context.newPage();
  await other.goto(`${url}/about-me`);
  await other.getByRole('textbox', { name: 'My story, in my own words' }).waitFor();

  await page.goto(`${url}/privacy`);
  await page.getByRole('button', { name: 'Forget this phone' }).click();
  const confirm = page.getByRole('alertdialog', { name: 'Remove everything Coplan keeps on this phone?' });
  await confirm.waitFor();
  assert.match(await confirm.innerText(), /plans on this phone: 1/);
  assert.match(await confirm.innerText(), /cannot delete|not deleted/);
  assert.deepEqual(await axeViolations(page), []);
  await confirm.getByRole('button', { name: 'Yes, forget this phone' }).click();
  await page.getByText('Coplan has forgotten this phone', { exact: false }).waitFor();

  // The other tab stepped aside and shows no plan text.
  await other.waitForURL(`${url}/forgotten`);
  assert.doesNotMatch(await other.locator('body').innerText(), /Private words/);
  assert.deepEqual(await whatIsLeft(page), { databases: [], caches: [], workers: 0, local: 0 });
  await context.close();
});
