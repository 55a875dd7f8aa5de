// A new version deployed while a tab is open: the tab keeps working on its own version,
// is offered the new one, and switches only when the person chooses.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DIST_B, launch, savedOnThisPhone, serviceWorkerReady, startServer } from './helpers.mjs';

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

test('build A keeps working in an open tab after build B is deployed, and offers B', async () => {
  assert.ok(DIST_B, 'COPLAN_DIST_B names a second build');
  const a = await startServer();
  const context = await browser.newContext();
  const page = await context.newPage();
  let b;
  try {
    await page.goto(a.url);
    await serviceWorkerReady(page);
    // A second visit is controlled by A's service worker.
    await page.goto(a.url);
    assert.equal(await page.evaluate(() => navigator.serviceWorker.controller !== null), true);
    await page.getByRole('button', { name: 'Start my plan' }).click();
    await page.getByRole('textbox', { name: 'What I like to be called' }).pressSequentially('Ade');

    // Deploy B at the same address.
    await a.stop();
    b = await startServer({ dist: DIST_B, addr: a.addr, dataDir: a.dataDir });
    await page.evaluate(async () => {
      const registration = await navigator.serviceWorker.getRegistration();
      await registration.update();
    });

    const offer = page.getByRole('button', { name: 'Use the new version' });
    await offer.waitFor();
    // The open tab still works, on version A, without a reload.
    assert.equal(await page.locator('meta[name="coplan-build"]').count(), 0);
    await page.getByRole('link', { name: 'Privacy and your data' }).click();
    await page.getByRole('heading', { name: 'Privacy and your data', level: 1 }).waitFor();
    await page.getByRole('link', { name: 'My plan' }).click();
    await page.getByRole('link', { name: 'About me', exact: true }).click();
    const field = page.getByRole('textbox', { name: 'What I like to be called' });
    await field.fill('Ade B');
    await savedOnThisPhone(page);
    // Navigating within the old version is served from its own cache, still version A.
    await page.goto(`${b.url}/privacy`);
    assert.equal(await page.locator('meta[name="coplan-build"]').count(), 0);
    await page.getByRole('heading', { name: 'Privacy and your data', level: 1 }).waitFor();

    // The person chooses the new version.
    await page.getByRole('button', { name: 'Use the new version' }).click();
    await page.waitForFunction(() => document.querySelector('meta[name="coplan-build"]')?.content === 'B');
    await page.getByRole('link', { name: 'My plan' }).click();
    await page.getByRole('link', { name: 'About me', exact: true }).click();
    await field.waitFor();
    assert.equal(await field.inputValue(), 'Ade B', 'nothing typed was lost in the switch');
  } finally {
    await context.close();
    await b?.stop();
    await a.stop();
  }
});

test('when another tab moves the database to a newer version, this tab says so, keeps its words and stops taking edits', async () => {
  const server = await startServer();
  const context = await browser.newContext();
  const page = await context.newPage();
  const url = server.url;
  try {
    await page.goto(`${url}/about-me`);
    const box = page.getByRole('textbox', { name: 'My story, in my own words' });
    await box.pressSequentially('Written before the update');
    await savedOnThisPhone(page);

    // A newer build in another tab opens the database at a higher version.
    const newer = await context.newPage();
    await newer.goto(`${url}/pwa.js`);
    await newer.evaluate(() => new Promise((resolve, reject) => {
      const open = indexedDB.open('coplan', 99);
      open.onsuccess = () => { open.result.close(); resolve(); };
      open.onerror = () => reject(open.error);
    }));

    const said = page.getByRole('alert').filter({ hasText: 'Coplan was updated in another tab' });
    await said.waitFor();
    assert.match(await said.innerText(), /[Rr]eload/);
    assert.equal(await box.inputValue(), 'Written before the update', 'the words stay on screen');
    assert.equal(await box.isEditable(), false, 'no edit goes where it cannot be saved');
    assert.doesNotMatch(await page.locator('body').innerText(), /short of space/);
  } finally {
    await context.close();
    await server.stop();
  }
});
