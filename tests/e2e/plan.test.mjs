// The whole plan: every section filled, kept through reloads and offline; two tabs typing
// into the same field at once; a cleared answer brought back; a check-in charted; a plan
// deleted only after a confirmation that names what it holds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { axeViolations, browserAndServer, everythingStored, savedOnThisPhone, serviceWorkerReady, watchErrors } from './helpers.mjs';
import { fillEverySection, findEveryWord, type } from './whole-plan.mjs';

const running = browserAndServer();

test('every section, filled in, survives a reload and reads back offline', async () => {
  const context = await running.browser.newContext();
  const page = await context.newPage();
  const errors = watchErrors(page);
  const url = running.server.url;
  await fillEverySection(page, url);
  await page.reload();
  await findEveryWord(page, url);
  // Read IndexedDB directly: what was typed is nowhere in it as plain text.
  const stored = await everythingStored(page);
  // (Long enough that random ciphertext cannot hold them by chance.)
  for (const words of ['grew up by the sea', 'make people laugh', 'without damp', 'housing office', 'My niece', 'Home treatment', 'Feed the cat']) {
    assert.ok(!stored.includes(words), `"${words}" is not in IndexedDB as plain text`);
  }
  // With every section holding words, goals, steps and a chart: still axe-clean.
  for (const path of ['/', '/about-me', '/care-plan', '/safety-plan', '/safety-plan/edit', '/crisis', '/check-ins', '/plans', '/print', '/crisis-card']) {
    await page.goto(`${url}${path}`);
    await page.locator('#main h1').first().waitFor();
    await page.waitForFunction(() => !document.querySelector('#app [role="status"]')?.textContent.includes('Opening'));
    assert.deepEqual(await axeViolations(page), [], `${path} (filled in): axe-core violations`);
  }

  await serviceWorkerReady(page);
  await context.setOffline(true);
  await page.reload();
  await findEveryWord(page, url);
  // From a deep screen, offline, the safety plan is one tap away.
  await page.goto(`${url}/care-plan`);
  await page.getByRole('link', { name: 'Safety plan', exact: true }).click();
  await page.getByText('My niece').waitFor();
  await context.setOffline(false);
  assert.deepEqual(errors, [], 'no console errors');
  await context.close();
});

test('two tabs typing into the same field at the same time each see both texts', async () => {
  const context = await running.browser.newContext();
  const [a, b] = [await context.newPage(), await context.newPage()];
  for (const page of [a, b]) {
    await page.goto(`${running.server.url}/about-me`);
    await page.getByRole('textbox', { name: 'What matters to me' }).click();
  }
  const fromA = 'aaaa aaaa';
  const fromB = 'BBBB BBBB';
  await Promise.all([
    a.getByRole('textbox', { name: 'What matters to me' }).pressSequentially(fromA, { delay: 30 }),
    b.getByRole('textbox', { name: 'What matters to me' }).pressSequentially(fromB, { delay: 30 }),
  ]);
  // Without a reload, both tabs come to read the same, holding every letter of both.
  const read = (page) => page.getByRole('textbox', { name: 'What matters to me' }).inputValue();
  await a.waitForFunction(
    (n) => document.querySelector('#field-what_matters').value.length === n,
    fromA.length + fromB.length,
  );
  await b.waitForFunction(
    (n) => document.querySelector('#field-what_matters').value.length === n,
    fromA.length + fromB.length,
  );
  const [inA, inB] = [await read(a), await read(b)];
  assert.equal(inA, inB);
  assert.equal(inA.replace(/[^a ]/g, '').replace(/ /g, '').length, 8, inA);
  assert.equal(inA.replace(/[^B]/g, ''), 'BBBBBBBB', inA);
  // Each tab's own typing stays in the order it was typed.
  assert.ok(isInOrder(inA, fromA.replace(' ', '')), inA);
  assert.ok(isInOrder(inA, fromB.replace(' ', '')), inA);
  await savedOnThisPhone(a);
  await savedOnThisPhone(b);
  await a.reload();
  assert.equal(await read(a), inB, 'what both tabs see is what is stored');
  await context.close();
});

function isInOrder(text, letters) {
  let at = 0;
  for (const letter of letters) {
    at = text.indexOf(letter, at);
    if (at < 0) return false;
    at += 1;
  }
  return true;
}

test('cleared words come back with Undo', async () => {
  const context = await running.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${running.server.url}/crisis`);
  const box = page.getByRole('textbox', { name: 'Care I want to avoid' });
  await box.pressSequentially('Being restrained');
  await box.fill('');
  await page.getByRole('button', { name: 'Undo' }).click();
  assert.equal(await box.inputValue(), 'Being restrained');
  await savedOnThisPhone(page);
  await page.reload();
  assert.equal(await page.getByRole('textbox', { name: 'Care I want to avoid' }).inputValue(), 'Being restrained');
  await context.close();
});

test('a plan is deleted only after a confirmation that names what it holds', async () => {
  const context = await running.browser.newContext();
  const page = await context.newPage();
  const url = running.server.url;
  await page.goto(`${url}/safety-plan/edit`);
  await page.getByRole('button', { name: 'Add a reason' }).click();
  await type(page, 'Reason 1', 'My dog');
  await savedOnThisPhone(page);

  await page.goto(`${url}/plans`);
  await page.getByRole('button', { name: /^Delete this plan/ }).click();
  const confirm = page.getByRole('alertdialog', { name: 'Delete this plan from this phone?' });
  await confirm.waitFor();
  assert.match(await confirm.innerText(), /My safety plan: My reasons for living: 1/);
  assert.deepEqual(await axeViolations(page), []);
  // "No" keeps everything.
  await confirm.getByRole('button', { name: 'No, keep it' }).click();
  await page.goto(`${url}/safety-plan`);
  await page.getByText('My dog').waitFor();

  await page.goto(`${url}/plans`);
  await page.getByRole('button', { name: /^Delete this plan/ }).click();
  await page.getByRole('button', { name: 'Yes, delete this plan' }).click();
  await page.getByText('The plan was deleted from this phone.').waitFor();
  await page.getByText('There are no plans on this phone yet.').waitFor();
  const left = await page.evaluate(async () => {
    const db = await new Promise((ok, fail) => {
      const open = indexedDB.open('coplan');
      open.onsuccess = () => ok(open.result);
      open.onerror = () => fail(open.error);
    });
    const count = (store) =>
      new Promise((ok) => {
        const request = db.transaction(store).objectStore(store).count();
        request.onsuccess = () => ok(request.result);
      });
    return [await count('drafts'), await count('section_snapshots'), await count('section_updates')];
  });
  assert.deepEqual(left, [0, 0, 0], 'nothing of the plan is left in IndexedDB');
  await page.getByRole('link', { name: 'My plan' }).click();
  await page.getByRole('button', { name: 'Start my plan' }).waitFor();
  await context.close();
});

test('a plan saved as a file comes back whole after a wipe; a damaged file changes nothing', async () => {
  const context = await running.browser.newContext();
  const page = await context.newPage();
  const url = running.server.url;
  await fillEverySection(page, url);

  await page.goto(url);
  // Some browsers cancel a download whose address is withdrawn at once: it must outlive
  // the click that starts it.
  await page.evaluate(() => {
    window.__downloadClicked = [];
    window.__revoked = [];
    const click = HTMLAnchorElement.prototype.click;
    HTMLAnchorElement.prototype.click = function () {
      if (this.download) window.__downloadClicked.push(performance.now());
      return click.call(this);
    };
    const revoke = URL.revokeObjectURL;
    URL.revokeObjectURL = (address) => {
      window.__revoked.push(performance.now());
      return revoke.call(URL, address);
    };
  });
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Save a copy of my plan' }).click(),
  ]);
  await page.waitForTimeout(1000);
  const { clicked, revoked } = await page.evaluate(() => ({ clicked: window.__downloadClicked, revoked: window.__revoked }));
  assert.equal(clicked.length, 1, 'one download started');
  assert.deepEqual(revoked, [], 'the file\'s address is still there a second after the download started');
  assert.match(download.suggestedFilename(), /^notes-\d{4}-\d{2}-\d{2}\.json$/, 'no name in the file name');
  const saved = await download.path();
  const fs = await import('node:fs/promises');
  const bytes = await fs.readFile(saved);

  // Wipe: delete the plan from the phone.
  await page.goto(`${url}/plans`);
  await page.getByRole('button', { name: /^Delete this plan/ }).click();
  await page.getByRole('button', { name: 'Yes, delete this plan' }).click();
  await page.getByText('There are no plans on this phone yet.').waitFor();

  await page.getByLabel('Choose a Coplan file').setInputFiles({ name: 'plan.json', mimeType: 'application/json', buffer: bytes });
  await page.getByText('The plan from the file is on this phone now, and open.').waitFor();
  await findEveryWord(page, url);

  // A cut-short file, and a file from a newer Coplan: refused, the plan untouched.
  await page.goto(`${url}/plans`);
  const input = page.getByLabel('Choose a Coplan file');
  await input.setInputFiles({ name: 'cut.json', mimeType: 'application/json', buffer: bytes.subarray(0, bytes.length / 2) });
  await page.getByText('This file is damaged or incomplete, so nothing was loaded.', { exact: false }).waitFor();
  const newer = Buffer.from(bytes.toString('utf8').replace('"version": 1', '"version": 2'));
  await input.setInputFiles({ name: 'newer.json', mimeType: 'application/json', buffer: newer });
  await page.getByText('newer version of Coplan', { exact: false }).waitFor();
  assert.deepEqual(await axeViolations(page), []);
  await findEveryWord(page, url);
  await context.close();
});

test('when the phone is out of space, the words stay on screen, the problem is said, and saving resumes', async () => {
  const context = await running.browser.newContext();
  const page = await context.newPage();
  const url = running.server.url;
  await page.goto(`${url}/about-me`);
  const box = page.getByRole('textbox', { name: 'What matters to me' });
  await box.pressSequentially('My garden');
  await savedOnThisPhone(page);

  // A full disk: IndexedDB refuses writes with a QuotaExceededError. (Chromium's quota
  // override through DevTools did not make IndexedDB writes fail here, so the browser's
  // own put() is made to refuse them, exactly as it does when the disk is full.)
  await page.evaluate(() => {
    const put = IDBObjectStore.prototype.put;
    window.coplanDiskFull = true;
    IDBObjectStore.prototype.put = function (...args) {
      if (window.coplanDiskFull) throw new DOMException('The disk is full', 'QuotaExceededError');
      return put.apply(this, args);
    };
  });
  await box.pressSequentially(' and my bees, who need me every morning'.repeat(3));
  await page.getByText('Not saved yet.', { exact: false }).waitFor();
  assert.match(await box.inputValue(), /my bees/, 'the words stay on screen');

  // Space comes back: the retry saves everything, and a reload finds it.
  await page.evaluate(() => { window.coplanDiskFull = false; });
  await savedOnThisPhone(page);
  const typed = await box.inputValue();
  await page.reload();
  assert.equal(await page.getByRole('textbox', { name: 'What matters to me' }).inputValue(), typed);
  await context.close();
});

test('one failed write hides no later word: "Saved" waits for it, and closing soon after keeps every letter', async () => {
  const context = await running.browser.newContext();
  const page = await context.newPage();
  const url = running.server.url;
  await page.goto(`${url}/about-me`);
  const box = page.getByRole('textbox', { name: 'What matters to me' });
  await box.pressSequentially('My garden');
  await savedOnThisPhone(page);

  // The next write to IndexedDB fails once (as a write can when the phone is busy or
  // short of space for a moment); every write after it works.
  await page.evaluate(() => {
    const put = IDBObjectStore.prototype.put;
    let failNext = true;
    IDBObjectStore.prototype.put = function (...args) {
      if (failNext) {
        failNext = false;
        throw new DOMException('The disk is full', 'QuotaExceededError');
      }
      return put.apply(this, args);
    };
  });
  await box.pressSequentially(' and bees');
  await savedOnThisPhone(page);
  // Closed well within the 2 s a failed write used to wait before it was tried again.
  await page.close();
  const again = await context.newPage();
  await again.goto(`${url}/about-me`);
  const reopened = again.getByRole('textbox', { name: 'What matters to me' });
  await reopened.waitFor();
  assert.equal(await reopened.inputValue(), 'My garden and bees');
  await context.close();
});

test('the plan prints cleanly, and the crisis card fits one page in two bank-card panels', async () => {
  const context = await running.browser.newContext();
  const page = await context.newPage();
  const url = running.server.url;
  await fillEverySection(page, url);
  await page.goto(`${url}/crisis`);
  await page.getByRole('button', { name: 'Add something that helps' }).click();
  await type(page, 'Something that helps 1', 'Dim the lights');
  await page.getByRole('button', { name: 'Add someone to contact' }).click();
  await type(page, 'Name', 'Priya');
  await type(page, 'Phone number', '07700 900123');
  await savedOnThisPhone(page);

  // The safety plan on paper: the person's words and the lines, no buttons or menus.
  await page.goto(`${url}/safety-plan`);
  await page.getByText('My niece').waitFor();
  await page.emulateMedia({ media: 'print' });
  for (const hidden of ['.app-header', '.app-nav', '#app button']) {
    assert.equal(await page.locator(hidden).first().isVisible(), false, `${hidden} is not printed`);
  }
  assert.ok(await page.getByText('My niece').isVisible());
  assert.ok(await page.locator('#main').getByText('Call Samaritans on 116 123').isVisible());

  // The whole plan on paper holds every section's words.
  await page.emulateMedia({ media: 'screen' });
  await page.goto(`${url}/print`);
  await page.getByText('A flat without damp').waitFor();
  const printed = await page.locator('#main').innerText();
  for (const words of ['I grew up by the sea.', 'Move somewhere dry', 'Call the housing office', 'My niece', 'Feed the cat']) {
    assert.ok(printed.includes(words), `the printed plan holds "${words}"`);
  }

  await page.goto(`${url}/crisis-card`);
  await page.getByText('Jo: if I am in crisis').waitFor();
  await page.emulateMedia({ media: 'print' });
  const panels = await page.locator('.app-card__panel').evaluateAll((all) =>
    all.map((p) => ({ w: p.getBoundingClientRect().width, h: p.getBoundingClientRect().height, text: p.innerText })),
  );
  assert.equal(panels.length, 2);
  for (const { w, h } of panels) {
    // 85 x 54 mm at 96 px to the inch.
    assert.ok(Math.abs(w - 321) < 3 && Math.abs(h - 204) < 3, `a panel is bank-card sized: ${w} x ${h}`);
  }
  const card = panels.map((p) => p.text).join('\n');
  for (const words of ['Dim the lights', 'Priya: 07700 900123', 'Text SHOUT to 85258', 'Call 999']) {
    assert.ok(card.includes(words), `the card holds "${words}":\n${card}`);
  }
  const pdf = await page.pdf({ format: 'A4' });
  assert.equal((pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length, 1, 'the card prints on one page');
  await context.close();
});

/** A plan file whose safety plan claims a list of 32 million values and holds none. */
function fileThatClaimsAHugeList() {
  const varuint = (n) => {
    const out = [];
    while (n >= 0x80) {
      out.push((n % 0x80) | 0x80);
      n = Math.floor(n / 0x80);
    }
    out.push(n);
    return out;
  };
  const name = [...Buffer.from('l.reasons_for_living')];
  // One client, one item at its start, of plain values (8), under a named root, then the
  // count of values the item says it holds.
  const update = [1, 1, ...varuint(4242), 0, 8, 1, name.length, ...name, ...varuint(32_000_000)];
  return Buffer.from(JSON.stringify({
    format: 'coplan-plan',
    version: 1,
    plan: { id: 'plan-crafted', created_at_ms: 1700000000000 },
    exported_at_ms: 1764000000000,
    sections: { safety_plan: Buffer.from(update).toString('base64') },
  }));
}

test('a file crafted to exhaust memory is checked away from the app: refused plainly, the app stays small, the plan unchanged', async () => {
  const context = await running.browser.newContext();
  // Every WebAssembly memory the page makes, to read their sizes later.
  await context.addInitScript(() => {
    window.__memories = [];
    const keep = (result) => {
      const instance = result.instance ?? result;
      for (const value of Object.values(instance.exports ?? {})) {
        if (value instanceof WebAssembly.Memory) window.__memories.push(value);
      }
      return result;
    };
    for (const name of ['instantiate', 'instantiateStreaming']) {
      const original = WebAssembly[name];
      WebAssembly[name] = (...args) => original.apply(WebAssembly, args).then(keep);
    }
  });
  const page = await context.newPage();
  const url = running.server.url;
  await page.goto(`${url}/about-me`);
  await page.getByRole('textbox', { name: 'My story, in my own words' }).pressSequentially('Still here after the bad file');
  await savedOnThisPhone(page);
  const largest = () => page.evaluate(() => Math.max(...window.__memories.map((m) => m.buffer.byteLength)));
  const before = await largest();
  assert.ok(before > 0, 'the app\'s memory was found');

  await page.goto(`${url}/plans`);
  await page.getByLabel('Choose a Coplan file').setInputFiles({ name: 'plan.json', mimeType: 'application/json', buffer: fileThatClaimsAHugeList() });
  await page.getByText('This file is damaged or incomplete, so nothing was loaded.', { exact: false }).waitFor({ timeout: 60000 });
  const after = await largest();
  assert.ok(after - before < 64 * 1024 * 1024, `the app's memory grew by ${after - before} bytes`);

  await page.goto(`${url}/about-me`);
  const story = page.getByRole('textbox', { name: 'My story, in my own words' });
  await story.waitFor();
  assert.equal(await story.inputValue(), 'Still here after the bad file');
  assert.equal(await page.getByText('plan-crafted').count(), 0);
  await context.close();
});

test('when the checker stops before answering, the file is refused plainly and nothing is loaded', async () => {
  // No service worker, so the checker's script comes from the network, where this test
  // swaps it for one that fails the way a crashed WebAssembly instance does.
  const context = await running.browser.newContext({ serviceWorkers: 'block' });
  await context.route('**/checker-worker.js', (route) => route.fulfill({
    contentType: 'text/javascript',
    body: "self.onmessage = () => { throw new WebAssembly.RuntimeError('unreachable'); };",
  }));
  const page = await context.newPage();
  const url = running.server.url;
  await page.goto(`${url}/about-me`);
  await page.getByRole('textbox', { name: 'My story, in my own words' }).pressSequentially('Only my words');
  await savedOnThisPhone(page);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.goto(url).then(() => page.getByRole('button', { name: 'Save a copy of my plan' }).click()),
  ]);
  const fs = await import('node:fs/promises');
  const bytes = await fs.readFile(await download.path());

  // A good file, but its check never finishes: nothing of it is loaded.
  await page.goto(`${url}/plans`);
  await page.getByRole('button', { name: /^Delete this plan/ }).click();
  await page.getByRole('button', { name: 'Yes, delete this plan' }).click();
  await page.getByText('There are no plans on this phone yet.').waitFor();
  await page.getByLabel('Choose a Coplan file').setInputFiles({ name: 'plan.json', mimeType: 'application/json', buffer: bytes });
  await page.getByText('Coplan could not finish checking this file, so nothing was loaded.', { exact: false }).waitFor();
  assert.deepEqual(await axeViolations(page), []);
  await page.reload();
  await page.getByText('There are no plans on this phone yet.').waitFor();
  await context.close();
});

test('a section getting too long to move to a saved copy says so plainly, and still opens whole', async () => {
  const context = await running.browser.newContext();
  const page = await context.newPage();
  const url = running.server.url;
  const fs = await import('node:fs/promises');
  // Made natively by `cargo xtask` (xtask/src/fixtures.rs): a care plan of over 800 KB.
  const bytes = await fs.readFile(process.env.COPLAN_LONG_PLAN);
  await page.goto(`${url}/plans`);
  await page.getByLabel('Choose a Coplan file').setInputFiles({ name: 'plan.json', mimeType: 'application/json', buffer: bytes });
  await page.getByText('The plan from the file is on this phone now, and open.').waitFor({ timeout: 60000 });
  await page.goto(`${url}/care-plan`);
  const warning = page.getByText('This section is getting very long.', { exact: false });
  await warning.waitFor({ timeout: 60000 });
  assert.deepEqual(await axeViolations(page), []);
  // Every field and item is there, and it still takes typing.
  const fields = page.getByRole('textbox');
  assert.ok((await fields.count()) > 10, 'the care plan opened with its items');
  assert.match(await fields.first().inputValue(), /^(\u{1F30A})+$/u);

  // A short section says nothing of the sort.
  await page.goto(`${url}/about-me`);
  await page.getByRole('textbox', { name: 'My story, in my own words' }).waitFor();
  assert.equal(await page.getByText('This section is getting very long.', { exact: false }).count(), 0);
  await context.close();
});
