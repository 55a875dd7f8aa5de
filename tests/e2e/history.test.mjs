// A part's history in plain words (issue 15 item 1), in headless Chromium against the
// real server, two people: the worker adds a warning sign, the person takes a reason for
// living off their safety plan; the person's history of the safety plan names each
// change and who made it, newest first, and brings the reason back; the history kept as
// built, carried on, reads as one built afresh; the worker's phone tells the same changes
// from its side, from when they joined. axe-core clean at 320 px.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { axeViolations, browserAndServer, savedOnThisPhone, signUp, tabWithStory } from './helpers.mjs';
import { go, joins, wordsArrive } from './together.mjs';

const running = browserAndServer();

/** Opens a part's history from its writing screen, until it says `line` (a change
 * reaches the history once it has been to the server and back). */
async function historySays(page, url, writing, line) {
  for (const until = Date.now() + 40000; ; ) {
    await go(page, `${url}${writing}`);
    await page.getByRole('link', { name: 'What changed here, and who changed it' }).click();
    const history = page.getByTestId('history');
    const found = history.getByRole('listitem').filter({ hasText: line });
    if (await found.first().waitFor({ timeout: 3000 }).then(() => true, () => false)) return history;
    assert.ok(Date.now() < until, `the history says "${line}"`);
  }
}

test('the history of a part names each change and who made it, and brings back what the person took out', async () => {
  const a = await tabWithStory(running, 'I like long walks');
  const url = a.url;
  await a.page.setViewportSize({ width: 320, height: 800 });
  await a.page.goto(`${url}/safety-plan/edit`);
  await a.page.getByRole('button', { name: 'Add a reason' }).click();
  await a.page.getByRole('textbox', { name: 'Reason 1', exact: true }).pressSequentially('My garden');
  await savedOnThisPhone(a.page);
  await signUp(a.page, url, 'pat.person');
  await a.page.goto(`${url}/account`);
  await a.page.getByText(/Your plan was last backed up at \d\d:\d\d/).waitFor({ timeout: 30000 });
  const worker = await joins(running, a, url, 'sam.worker', 'A worker', 'Sam');

  // The worker adds a warning sign; it reaches the person, who then takes the reason out.
  await go(worker.page, `${url}/safety-plan/edit`);
  await worker.page.getByRole('button', { name: 'Add a warning sign' }).click();
  await worker.page.getByRole('textbox', { name: 'Warning sign 1', exact: true }).pressSequentially('Not answering the phone');
  await savedOnThisPhone(worker.page);
  await wordsArrive(a.page, `${url}/safety-plan/edit`, 'Warning sign 1', 'Not answering the phone');
  await a.page.getByRole('button', { name: 'Remove Reason 1' }).click();
  await savedOnThisPhone(a.page);

  // The person's history, newest first: their removal, the worker's sign, and what the
  // plan held before it was shared.
  const history = await historySays(a.page, url, '/safety-plan/edit', "You removed 'My garden' from My reasons for living");
  await a.page.getByRole('heading', { name: 'What changed in My safety plan', level: 1 }).waitFor();
  const lines = await history.getByRole('listitem').locator('p:first-child').allInnerTexts();
  assert.deepEqual(lines, [
    "You removed 'My garden' from My reasons for living",
    "sam.worker (worker) added 'Not answering the phone' to Warning signs",
    "Before you shared this plan, you added 'My garden' to My reasons for living",
  ]);
  assert.deepEqual(await axeViolations(a.page), []);
  // The reason comes back from the history, as a change of the person's.
  await history.getByRole('button', { name: /^Bring it back: You removed 'My garden'/ }).click();
  await a.page.getByText('Brought back. It is in My safety plan again.').waitFor();
  assert.deepEqual(await axeViolations(a.page), []);
  await go(a.page, `${url}/safety-plan/edit`);
  assert.equal(await a.page.getByRole('textbox', { name: 'Reason 1', exact: true }).inputValue(), 'My garden');

  // The history is kept as built and carried on with what arrived since: it reads as
  // one built afresh from every change (offline, so that nothing arrives between the two).
  await a.context.setOffline(true);
  await go(a.page, `${url}/history/safety-plan`);
  await a.page.getByTestId('history').getByRole('listitem').first().waitFor();
  const carriedLines = await a.page.getByTestId('history').getByRole('listitem').locator('p:first-child').allInnerTexts();
  assert.ok(carriedLines.length >= 3, carriedLines.join('\n'));
  const forgot = await a.page.evaluate(async () => {
    const db = await new Promise((resolve, reject) => {
      const request = indexedDB.open('coplan');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    const plan = await new Promise((resolve) => {
      const request = db.transaction('meta').objectStore('meta').get('current_plan');
      request.onsuccess = () => resolve(request.result);
    });
    const key = `${plan}.built.safety_plan`;
    const tx = db.transaction('sync', 'readwrite');
    const had = await new Promise((resolve) => {
      const request = tx.objectStore('sync').count(key);
      request.onsuccess = () => resolve(request.result);
    });
    tx.objectStore('sync').delete(key);
    await new Promise((resolve) => { tx.oncomplete = resolve; });
    db.close();
    return had;
  });
  assert.equal(forgot, 1, 'the history was kept as built');
  await go(a.page, `${url}/history/safety-plan`);
  await a.page.getByTestId('history').getByRole('listitem').first().waitFor();
  assert.deepEqual(await a.page.getByTestId('history').getByRole('listitem').locator('p:first-child').allInnerTexts(), carriedLines);
  await a.context.setOffline(false);

  // The worker's phone tells the same changes from its side, and offers nothing to bring
  // back (that is the person's to do).
  const theirs = await historySays(worker.page, url, '/safety-plan/edit', "You added 'Not answering the phone' to Warning signs");
  const told = await theirs.getByRole('listitem').locator('p:first-child').allInnerTexts();
  assert.ok(told.includes("The person whose plan it is removed 'My garden' from My reasons for living"), told.join('\n'));
  assert.equal(await theirs.getByRole('button', { name: /^Bring it back/ }).count(), 0);
  // The worker's history starts when they were let in: what the plan held before is
  // not told to them.
  assert.ok(!told.some((line) => line.startsWith('Before sharing')), told.join('\n'));
  assert.deepEqual(await axeViolations(worker.page), []);
  for (const context of [a.context, worker.context]) await context.close();
});

test('a long history shows its newest changes first, and the earlier ones a page at a time', async () => {
  // More groups of changes than the history keeps together (200): one change a round,
  // each written eleven minutes after the last by the phone's clock, so each is a group.
  // The clock a change is written by (Date.now) is moved on, and the 2 s a change
  // settles for before its round is cut to nothing; no other timer is touched.
  // (Playwright's clock cannot stand in: its timer ids are past what web-sys takes, so
  // the app cannot clear its timers under it.)
  const context = await running.browser.newContext();
  await context.addInitScript(() => {
    const now = Date.now.bind(Date);
    const setTimeout = window.setTimeout.bind(window);
    window.__coplanAhead = 0;
    Date.now = () => now() + window.__coplanAhead;
    window.setTimeout = (f, ms, ...rest) => setTimeout(f, ms === 2000 ? 0 : ms, ...rest);
  });
  const page = await context.newPage();
  const url = running.server.url;
  await page.goto(`${url}/about-me`);
  const box = page.getByRole('textbox', { name: 'My story, in my own words' });
  await box.pressSequentially('Before');
  await savedOnThisPhone(page);
  await signUp(page, url, 'long.history');
  await page.goto(`${url}/account`);
  await page.getByText(/Your plan was last backed up at \d\d:\d\d/).waitFor({ timeout: 30000 });
  await page.goto(`${url}/about-me`);
  const sync = [];
  page.on('request', (r) => {
    const path = new URL(r.url()).pathname;
    if (r.method() === 'POST' && path.startsWith('/api/v1/sync')) sync.push(path);
  });
  /** Resolves once a round that sent something has ended (its wait is parked). */
  const roundEnds = async () => {
    for (const until = Date.now() + 30000; ; await page.waitForTimeout(20)) {
      const sent = sync.indexOf('/api/v1/sync');
      if (sent >= 0 && sync.indexOf('/api/v1/sync/wait', sent) > sent) return;
      assert.ok(Date.now() < until, `a round ended: ${sync.join(', ')}`);
    }
  };
  await box.waitFor();
  for (let n = 1; n <= 202; n += 1) {
    await page.evaluate((ahead) => { window.__coplanAhead = ahead; }, n * 11 * 60 * 1000);
    sync.length = 0;
    await box.press('End');
    await box.pressSequentially(n % 2 ? 'a' : 'b');
    await savedOnThisPhone(page);
    await roundEnds();
  }

  // Built (here, or by the sync loop keeping up), the history is kept in pages; opened
  // again, it reads only the newest, and the earlier ones on asking.
  const history = page.getByTestId('history');
  const lines = history.getByRole('listitem');
  await page.goto(`${url}/history/about-me`);
  await lines.first().waitFor({ timeout: 60000 });
  await page.goto(`${url}/history/about-me`);
  await lines.first().waitFor({ timeout: 60000 });
  const earlier = page.getByRole('button', { name: 'Show earlier changes' });
  await earlier.waitFor();
  const newest = await lines.allInnerTexts();
  assert.ok(newest.length < 200, `${newest.length} lines before asking for more`);
  const first = /^Before you shared this plan, you wrote 'Before'/;
  assert.ok(!newest.some((line) => first.test(line)), newest.join('\n'));
  await earlier.click();
  await lines.filter({ hasText: first }).waitFor();
  const all = await lines.allInnerTexts();
  assert.equal(all.length, 203);
  // The newest still first, the oldest last, and nothing older left to ask for.
  assert.deepEqual(all.slice(0, newest.length), newest);
  assert.match(all[all.length - 1], first);
  assert.equal(await earlier.count(), 0);
  assert.deepEqual(await axeViolations(page), []);
  await context.close();
});
