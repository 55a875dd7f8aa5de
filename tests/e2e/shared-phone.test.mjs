// Safe on a shared phone: "Forget this phone" leaves nothing of Coplan in the browser,
// even with a second tab open on the plan.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { axeViolations, browserAndServer, savedOnThisPhone, serviceWorkerReady, tabWithStory } from './helpers.mjs';

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
  const { context, page, url } = await tabWithStory(running, 'Private words');
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
  // The old worker still serves the open tabs until they close; a request through it must
  // not make its cache again.
  await other.evaluate(() => fetch('/pwa.js').then((r) => r.text()));
  assert.deepEqual(await whatIsLeft(page), { databases: [], caches: [], workers: 0, local: 0 });
  await context.close();
});

test('quick hide: Escape twice shows a neutral page, and Back five times or a reload never shows plan text', async () => {
  const context = await running.browser.newContext();
  const page = await context.newPage();
  const url = running.server.url;
  // Several screens, some as full page loads (so Back may restore them from the cache).
  await page.goto(`${url}/about-me`);
  await page.getByRole('textbox', { name: 'My story, in my own words' }).pressSequentially('Nobody here may read this');
  await savedOnThisPhone(page);
  await page.goto(`${url}/safety-plan/edit`);
  await page.getByRole('button', { name: 'Add a reason' }).click();
  await page.getByRole('textbox', { name: 'Reason 1', exact: true }).pressSequentially('Secret reason');
  await savedOnThisPhone(page);
  await page.getByRole('link', { name: 'Back to my safety plan' }).click();
  await page.getByText('Secret reason').waitFor();

  await page.keyboard.press('Escape');
  await page.keyboard.press('Escape');
  await page.getByRole('heading', { name: 'Notes', level: 1 }).waitFor();
  const shows = async () => {
    const text = await page.locator('body').innerText();
    return /Nobody here|Secret reason|safety plan/i.test(text);
  };
  assert.equal(await shows(), false, 'the neutral page shows no plan');
  assert.equal(await page.title(), 'Notes');
  assert.deepEqual(await axeViolations(page), []);
  for (let n = 0; n < 5; n++) {
    await page.goBack().catch(() => {});
    await page.waitForTimeout(300);
    assert.equal(await shows(), false, `after Back ${n + 1}: ${page.url()}`);
  }
  await page.goto(`${url}/about-me`);
  await page.waitForTimeout(300);
  assert.equal(await shows(), false, 'a fresh load in this tab stays hidden');

  // The person chooses to come back; the hide button does the same as Escape twice.
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('textbox', { name: 'My story, in my own words' }).waitFor();
  await page.getByRole('button', { name: 'Hide', exact: true }).click();
  await page.getByRole('heading', { name: 'Notes', level: 1 }).waitFor();
  assert.equal(await shows(), false);
  await context.close();
});

test('hiding leaves no screen name in the address bar', async () => {
  const context = await running.browser.newContext();
  const page = await context.newPage();
  const url = running.server.url;
  await page.goto(`${url}/safety-plan`);
  await page.getByRole('heading', { name: 'Safety plan', level: 1 }).waitFor();
  await page.getByRole('button', { name: 'Hide', exact: true }).click();
  await page.getByRole('heading', { name: 'Notes', level: 1 }).waitFor();
  assert.equal(new URL(page.url()).pathname, '/');
  await context.close();
});

test('a double tap on "Start my plan" starts one plan', async () => {
  const context = await running.browser.newContext();
  const page = await context.newPage();
  const url = running.server.url;
  await page.goto(`${url}/`);
  await page.getByRole('button', { name: 'Start my plan' }).dblclick();
  await page.waitForURL(`${url}/about-me`);
  await page.getByRole('textbox', { name: 'What I like to be called', exact: true }).waitFor();
  await page.waitForTimeout(500);
  const plans = await page.evaluate(() => new Promise((resolve, reject) => {
    const open = indexedDB.open('coplan');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const count = open.result.transaction('drafts').objectStore('drafts').count();
      count.onsuccess = () => { resolve(count.result); open.result.close(); };
      count.onerror = () => reject(count.error);
    };
  }));
  assert.equal(plans, 1);
  await context.close();
});

test('after forget this phone, Hide and a lock message from another tab create nothing again', async () => {
  const { context, page, url } = await tabWithStory(running, 'Private words');
  const other = await context.newPage();
  await other.goto(`${url}/about-me`);
  await other.getByRole('textbox', { name: 'My story, in my own words' }).waitFor();

  await page.goto(`${url}/privacy`);
  await page.getByRole('button', { name: 'Forget this phone' }).click();
  await page.getByRole('button', { name: 'Yes, forget this phone' }).click();
  await page.getByText('Coplan has forgotten this phone', { exact: false }).waitFor();
  await other.waitForURL(`${url}/forgotten`);

  await page.getByRole('button', { name: 'Hide', exact: true }).click();
  await page.getByRole('heading', { name: 'Notes', level: 1 }).waitFor();
  await other.getByRole('button', { name: 'Hide', exact: true }).click();
  await other.getByRole('heading', { name: 'Notes', level: 1 }).waitFor();
  await page.waitForTimeout(500);
  assert.deepEqual((await whatIsLeft(page)).databases, []);
  await context.close();
});
