// The app lock, in a real browser: set a PIN, and Coplan opens locked after every page
// load; the 24/7 lines are always on the lock screen; a safety plan opens without the PIN
// only when its option is on; no plan's name shows while locked; wrong PINs meet growing
// waits that a reload or a second tab cannot reset; quick hide locks; and with the lock
// on, every word typed is kept (closing 100 ms after typing, and every section reloaded).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { axeViolations, browserAndServer, everythingStored, savedOnThisPhone, smallTargets, watchErrors, tabWithStory } from './helpers.mjs';
import { fillEverySection, findEveryWord } from './whole-plan.mjs';

const running = browserAndServer();
const PIN = '482913';

async function setPin(page, url, pin = PIN) {
  await page.goto(`${url}/privacy`);
  // A new PIN is never offered to a password manager as one to fill in.
  for (const label of ['New PIN or passphrase', 'Type it again']) {
    assert.equal(await page.getByLabel(label).getAttribute('autocomplete'), 'new-password', label);
  }
  await page.getByLabel('New PIN or passphrase').fill(pin);
  await page.getByLabel('Type it again').fill(pin);
  await page.getByRole('button', { name: 'Turn the lock on' }).click();
  await page.getByText('The lock is on.').waitFor();
}

/** Tells the page it went out of sight (or came back), as leaving for another app does. */
function pageHidden(page, hidden) {
  return page.evaluate((hidden) => {
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden });
    document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
  }, hidden);
}

/** A new tab with a PIN set and the lock chosen to come on as soon as Coplan is out of sight. */
async function lockedAtOnce() {
  const context = await running.browser.newContext();
  const page = await context.newPage();
  const url = running.server.url;
  await setPin(page, url);
  await page.getByLabel('Lock when Coplan is not on screen').selectOption({ label: 'At once' });
  await page.waitForTimeout(300);
  return { context, page, url };
}

async function unlock(page, pin = PIN) {
  await page.getByRole('heading', { name: 'Coplan is locked', level: 1 }).or(page.getByRole('heading', { name: 'Safety plan', level: 1 })).waitFor();
  assert.equal(await page.getByLabel('Your PIN').getAttribute('autocomplete'), 'current-password');
  await page.getByLabel('Your PIN').fill(pin);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}

test('with a PIN set, Coplan opens locked, keeps every word sealed, and shows them all once unlocked', async () => {
  const context = await running.browser.newContext();
  const page = await context.newPage();
  const errors = watchErrors(page);
  const url = running.server.url;
  // A PIN too short is refused plainly, and no lock is set.
  await page.goto(`${url}/privacy`);
  await page.getByLabel('New PIN or passphrase').fill('1234');
  await page.getByLabel('Type it again').fill('1234');
  await page.getByRole('button', { name: 'Turn the lock on' }).click();
  assert.equal(await page.getByRole('alert').textContent(), 'Error: A PIN is 6 or more numbers, and nothing else.');
  assert.deepEqual(await axeViolations(page), []);
  await page.reload();
  await page.getByRole('button', { name: 'Turn the lock on' }).waitFor();
  await setPin(page, url);
  // The settings once a lock is set, at the narrowest phone width too.
  assert.deepEqual(await axeViolations(page), []);
  await page.setViewportSize({ width: 320, height: 640 });
  assert.deepEqual(await axeViolations(page), []);
  assert.deepEqual(await smallTargets(page), [], 'the lock settings: 44 px targets');
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= 320), true, 'no sideways scroll');
  await page.setViewportSize({ width: 800, height: 900 });
  const go = async (path) => {
    await page.goto(`${url}${path}`);
    await unlock(page);
  };
  await fillEverySection(page, url, go);
  const stored = await everythingStored(page);
  // (Long enough that random ciphertext cannot hold them by chance.)
  for (const words of ['I grew up by the sea', 'My niece', 'Feed the cat', 'Home treatment', 'Me and Priya']) {
    assert.ok(!stored.includes(words), `"${words}" is not stored in plain`);
  }
  await page.reload();
  await page.getByRole('heading', { name: 'Coplan is locked', level: 1 }).waitFor();
  assert.doesNotMatch(await page.locator('body').innerText(), /I grew up by the sea|My niece|Plan for Jo/);
  await page.setViewportSize({ width: 320, height: 640 });
  assert.deepEqual(await smallTargets(page), [], 'the lock screen: 44 px targets');
  await page.setViewportSize({ width: 800, height: 900 });
  assert.equal(await page.title(), 'Coplan');
  assert.deepEqual(await axeViolations(page), []);
  await findEveryWord(page, url, go);
  assert.deepEqual(errors, []);
  await context.close();
});

test('with the lock on, closing the page 100 ms after typing loses no word', async () => {
  const context = await running.browser.newContext();
  const page = await context.newPage();
  const url = running.server.url;
  await setPin(page, url);
  await page.getByRole('link', { name: 'Safety plan' }).click();
  await page.getByRole('link', { name: 'Write or change my safety plan' }).click();
  await page.getByRole('button', { name: 'Add a warning sign' }).click();
  await page.getByRole('textbox', { name: 'Warning sign 1', exact: true }).pressSequentially('Pacing at night', { delay: 20 });
  await page.waitForTimeout(100);
  await page.close();
  const again = await context.newPage();
  await again.goto(`${url}/safety-plan/edit`);
  await unlock(again);
  const field = again.getByRole('textbox', { name: 'Warning sign 1', exact: true });
  await field.waitFor();
  assert.equal(await field.inputValue(), 'Pacing at night');
  await context.close();
});

test('the safety plan opens from the lock screen in one tap only while its option is on; the 24/7 lines always show', async () => {
  const context = await running.browser.newContext();
  const page = await context.newPage();
  const url = running.server.url;
  await page.goto(`${url}/safety-plan/edit`);
  await page.getByRole('button', { name: 'Add a reason' }).click();
  await page.getByRole('textbox', { name: 'Reason 1', exact: true }).pressSequentially('My dog Biscuit');
  await savedOnThisPhone(page);
  await setPin(page, url);
  // One plan on the phone: on by default.
  assert.equal(await page.getByRole('checkbox', { name: 'My safety plan opens without my PIN' }).isChecked(), true);

  // A change made after the lock was set reaches the lock screen's copy.
  await page.getByRole('link', { name: 'Safety plan' }).click();
  await page.getByRole('link', { name: 'Write or change my safety plan' }).click();
  await page.getByRole('button', { name: 'Add a reason' }).click();
  await page.getByRole('textbox', { name: 'Reason 2', exact: true }).pressSequentially('The allotment');
  await savedOnThisPhone(page);
  await page.waitForTimeout(1500);

  await page.goto(`${url}/about-me`);
  await page.getByRole('heading', { name: 'Coplan is locked', level: 1 }).waitFor();
  await page.getByRole('link', { name: 'Samaritans' }).first().waitFor();
  await page.getByRole('link', { name: 'Open my safety plan' }).click();
  await page.getByText('My dog Biscuit').waitFor();
  await page.getByText('The allotment').waitFor();
  await page.getByRole('link', { name: /Samaritans/ }).first().waitFor();
  assert.deepEqual(await axeViolations(page), []);
  // Read only: nothing here changes the plan, and the PIN is still asked for.
  assert.equal(await page.getByRole('link', { name: 'Write or change my safety plan' }).count(), 0);
  await page.getByLabel('Your PIN').waitFor();

  // Turned off: the safety plan needs the PIN, the 24/7 lines do not.
  await unlock(page);
  await page.goto(`${url}/privacy`);
  await unlock(page);
  await page.getByRole('checkbox', { name: 'My safety plan opens without my PIN' }).uncheck();
  await page.waitForTimeout(300);
  await page.reload();
  await page.getByRole('heading', { name: 'Coplan is locked', level: 1 }).waitFor();
  assert.equal(await page.getByRole('link', { name: 'Open my safety plan' }).count(), 0);
  await page.getByRole('link', { name: 'Safety plan', exact: true }).click();
  await page.getByText('Your own safety plan shows once Coplan is unlocked').waitFor();
  assert.doesNotMatch(await page.locator('body').innerText(), /Biscuit|allotment/);
  await page.getByRole('link', { name: /Samaritans/ }).first().waitFor();
  await context.close();
});

test('with two plans on the phone, no name shows while locked, and no safety plan opens until chosen', async () => {
  const context = await running.browser.newContext();
  const page = await context.newPage();
  const url = running.server.url;
  for (const name of ['Amara', 'Bartholomew']) {
    await page.goto(`${url}/plans`);
    // Starting a plan opens About me by itself once the plan is stored; going there
    // sooner would leave the new plan half-started.
    await page.getByRole('button', { name: 'Start a new plan' }).click();
    await page.waitForURL(`${url}/about-me`);
    await page.getByRole('textbox', { name: 'What I like to be called', exact: true }).pressSequentially(name);
    await savedOnThisPhone(page);
  }
  await setPin(page, url);
  assert.equal(await page.getByRole('checkbox', { name: 'My safety plan opens without my PIN' }).isChecked(), false);
  for (const path of ['/', '/plans', '/safety-plan']) {
    await page.goto(`${url}${path}`);
    await page.getByLabel('Your PIN').waitFor();
    const text = await page.locator('body').innerText();
    assert.doesNotMatch(text, /Amara|Bartholomew/, path);
  }
  await context.close();
});

test('twenty wrong PINs across reloads and two tabs meet a growing wait; the right PIN then opens', async () => {
  const context = await running.browser.newContext();
  await context.clock.install();
  const url = running.server.url;
  const first = await context.newPage();
  await first.goto(`${url}/about-me`);
  await first.getByRole('textbox', { name: 'My story, in my own words' }).pressSequentially('Kept behind the lock');
  await savedOnThisPhone(first);
  await setPin(first, url);
  await first.reload();
  const second = await context.newPage();
  await second.goto(`${url}/`);
  const tabs = [first, second];

  const status = (page) => page.locator('#unlock-status');
  const seconds = (text) => {
    const m = text.match(/(\d+) (seconds|minutes)/);
    return m ? Number(m[1]) * (m[2] === 'minutes' ? 60 : 1) : 0;
  };
  /** Tries a PIN and resolves with what the lock screen says about this very try. */
  const attempt = async (page, pin) => {
    await page.getByLabel('Your PIN').fill(pin);
    const said = page.evaluate(() => new Promise((resolve) => {
      const el = document.getElementById('unlock-status');
      const seen = new MutationObserver(() => {
        const text = el.textContent;
        if (text && !text.includes('Checking')) {
          seen.disconnect();
          resolve(text);
        }
      });
      seen.observe(el, { childList: true, characterData: true, subtree: true });
    }));
    await page.getByRole('button', { name: 'Unlock' }).click();
    return said;
  };
  const waits = [];
  let tooSoon = 0;
  for (let tried = 0; tried < 20; ) {
    const page = tabs[tried % 2];
    if (tried % 5 === 4) await page.reload();
    await page.getByLabel('Your PIN').waitFor();
    const text = await attempt(page, '000000');
    if (/Please wait/.test(text)) {
      // The other tab's wait holds here too: time passes, then the same try again.
      tooSoon += 1;
      await context.clock.fastForward(seconds(text) * 1000 + 1000);
      continue;
    }
    assert.match(text, /not it/);
    waits.push(seconds(text));
    tried += 1;
  }
  assert.deepEqual(waits.slice(0, 5), [0, 0, 5, 10, 20]);
  assert.ok(waits.every((w, i) => i === 0 || w >= waits[i - 1]), `waits never shrink: ${waits}`);
  assert.equal(waits[19], 15 * 60);
  assert.ok(tooSoon >= 10, `tries were held back ${tooSoon} times`);

  // The right PIN, too soon, waits as well; after the wait it opens.
  assert.match(await attempt(first, PIN), /Please wait/);
  await context.clock.fastForward(16 * 60 * 1000);
  await unlock(first);
  await first.goto(`${url}/about-me`);
  await unlock(first);
  assert.equal(await first.getByRole('textbox', { name: 'My story, in my own words' }).inputValue(), 'Kept behind the lock');
  await context.close();
});

test('quick hide locks: Continue shows the lock screen, and Back five times shows no plan text', async () => {
  const { context, page, url } = await tabWithStory(running, 'Nobody here may read this');
  await setPin(page, url);
  await page.getByRole('link', { name: 'My plan' }).click();
  await page.getByRole('link', { name: 'About me' }).click();
  await page.getByText('Nobody here may read this').or(page.getByRole('textbox', { name: 'My story, in my own words' })).first().waitFor();
  const shows = async () => /Nobody here/.test(await page.locator('body').innerText()) ||
    (await page.locator('textarea, input').evaluateAll((els) => els.some((e) => /Nobody here/.test(e.value))));
  // Hide, then Continue in the same page: the lock screen, not the plan.
  await page.getByRole('button', { name: 'Hide', exact: true }).click();
  await page.getByRole('heading', { name: 'Notes', level: 1 }).waitFor();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('heading', { name: 'Coplan is locked', level: 1 }).waitFor();
  assert.equal(await shows(), false);

  await unlock(page);
  await page.getByRole('link', { name: 'My plan' }).click();
  await page.keyboard.press('Escape');
  await page.keyboard.press('Escape');
  await page.getByRole('heading', { name: 'Notes', level: 1 }).waitFor();
  for (let n = 0; n < 5; n++) {
    await page.goBack().catch(() => {});
    await page.waitForTimeout(300);
    assert.equal(await shows(), false, `after Back ${n + 1}: ${page.url()}`);
  }
  await context.close();
});

test('the lock comes on by itself in the background, but not while the person is on a call made from Coplan', async () => {
  const { context, page, url } = await lockedAtOnce();
  const away = (hidden) => pageHidden(page, hidden);

  // A call from the safety plan: the phone app takes the screen, then the person returns.
  await page.getByRole('link', { name: 'Safety plan', exact: true }).click();
  await page.evaluate(() => document.addEventListener('click', (e) => {
    if (e.target.closest('a[href^="tel:"]')) e.preventDefault(); // no dialler here
  }));
  await page.getByRole('link', { name: /Samaritans/ }).first().click();
  await away(true);
  await away(false);
  await page.waitForTimeout(300);
  assert.equal(await page.getByRole('navigation', { name: 'Main' }).isVisible(), true, 'still open after the call');

  // Leaving any other way locks at once (here, on the safety plan's address, the lock
  // screen leads with the 24/7 lines under the heading "Safety plan").
  await away(true);
  await page.getByLabel('Your PIN').waitFor();
  assert.equal(await page.getByRole('navigation', { name: 'Main' }).count(), 0);
  await away(false);
  await context.close();
});

test('a copy saved with a passphrase holds no plan text and opens only with that passphrase', async () => {
  const { context, page, url } = await tabWithStory(running, 'Only for me and my worker');

  await page.goto(url);
  const passphrase = 'kettle harbour violet stone';
  await page.getByLabel('A passphrase to lock the file (you can leave this empty)').fill(passphrase);
  await page.getByLabel('Type it again').fill(passphrase);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Save a copy of my plan' }).click(),
  ]);
  assert.match(download.suggestedFilename(), /^notes-\d{4}-\d{2}-\d{2}-locked\.json$/);
  const fs = await import('node:fs/promises');
  const bytes = await fs.readFile(await download.path());
  assert.match(bytes.toString(), /"format": "coplan-locked-plan"/);
  assert.ok(!bytes.includes('Only for me'), 'no plan text in the locked file');
  assert.ok(!bytes.includes(Buffer.from('Only for me').toString('base64').slice(0, 12)), 'nor in base64');

  await page.goto(`${url}/plans`);
  await page.getByRole('button', { name: /^Delete this plan/ }).click();
  await page.getByRole('button', { name: 'Yes, delete this plan' }).click();
  await page.getByText('There are no plans on this phone yet.').waitFor();
  await page.getByLabel('Choose a Coplan file').setInputFiles({ name: 'plan.json', mimeType: 'application/json', buffer: bytes });
  const field = page.getByLabel('This file is locked. Type its passphrase');
  await field.fill('wrong words entirely here');
  await page.getByRole('button', { name: 'Open the file' }).click();
  await page.getByText('That passphrase does not open this file.', { exact: false }).waitFor();
  assert.deepEqual(await axeViolations(page), []);
  await field.fill(passphrase);
  await page.getByRole('button', { name: 'Open the file' }).click();
  await page.getByText('The plan from the file is on this phone now, and open.').waitFor();
  await page.goto(`${url}/about-me`);
  const story = page.getByRole('textbox', { name: 'My story, in my own words' });
  await story.waitFor();
  assert.equal(await story.inputValue(), 'Only for me and my worker');
  await context.close();
});

test('with removal after wrong tries on, the lock screen says how many tries are left', async () => {
  const { context, page, url } = await tabWithStory(running, 'Kept');
  await setPin(page, url);
  await page.getByLabel('Remove everything from this phone after wrong tries').selectOption('10');
  await page.waitForTimeout(300);
  await page.reload();
  await page.getByLabel('Your PIN').fill('000000');
  await page.getByRole('button', { name: 'Unlock' }).click();
  await page.locator('#unlock-status').filter({ hasText: /9 tries left/ }).waitFor();
  assert.match(await page.locator('#unlock-status').innerText(), /removed/);
  await unlock(page);
  await context.close();
});

test('a call link that never left the page does not keep the lock off later', async () => {
  const context = await running.browser.newContext();
  await context.clock.install();
  const page = await context.newPage();
  const url = running.server.url;
  await setPin(page, url);
  await page.getByLabel('Lock when Coplan is not on screen').selectOption({ label: 'At once' });
  await page.waitForTimeout(300);
  const away = (hidden) => pageHidden(page, hidden);
  await page.getByRole('link', { name: 'Safety plan', exact: true }).click();
  await page.evaluate(() => document.addEventListener('click', (e) => {
    if (e.target.closest('a[href^="tel:"]')) e.preventDefault(); // the call never starts
  }));
  await page.getByRole('link', { name: /Samaritans/ }).first().click();
  // A minute later, still on the page, the person puts the phone away.
  await page.clock.fastForward('01:00');
  await away(true);
  await page.getByLabel('Your PIN').waitFor();
  await away(false);
  await context.close();
});

test('typing in one tab keeps another tab of the same phone from locking it for lack of use', async () => {
  const context = await running.browser.newContext();
  await context.clock.install();
  const url = running.server.url;
  const idle = await context.newPage();
  await setPin(idle, url);
  await idle.goto(`${url}/`);
  await unlock(idle);
  const busy = await context.newPage();
  await busy.goto(`${url}/about-me`);
  await unlock(busy);
  const box = busy.getByRole('textbox', { name: 'My story, in my own words' });
  // 16 minutes of typing in one tab while the other sits untouched (the default is to
  // lock after 15 minutes without use).
  for (let minute = 0; minute < 16; minute += 1) {
    assert.equal(await busy.getByLabel('Your PIN').count(), 0, `the tab in use locked after ${minute} minutes`);
    await box.pressSequentially('a');
    await busy.clock.fastForward('01:00');
  }
  await box.pressSequentially('b');
  await busy.clock.fastForward('00:30');
  assert.equal(await busy.getByLabel('Your PIN').count(), 0, 'the tab in use stayed open');
  assert.equal(await idle.getByLabel('Your PIN').count(), 0, 'use anywhere on the phone counts');
  await context.close();
});

test('with the lock on, a copy is saved without a passphrase only when the person says so', async () => {
  const { context, page, url } = await tabWithStory(running, 'Only for me');
  await setPin(page, url);
  await page.goto(url);
  await unlock(page);
  let downloads = 0;
  page.on('download', () => { downloads += 1; });
  await page.getByRole('button', { name: 'Save a copy of my plan' }).click();
  await page.getByRole('alert').filter({ hasText: /passphrase/ }).waitFor();
  await page.waitForTimeout(500);
  assert.equal(downloads, 0, 'nothing saved unlocked without being asked');

  await page.getByRole('checkbox', { name: 'Save it without a passphrase' }).check();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Save a copy of my plan' }).click(),
  ]);
  assert.match(download.suggestedFilename(), /^notes-\d{4}-\d{2}-\d{2}\.json$/);
  await context.close();
});

test('with "lock at once", choosing a file or printing does not lock Coplan mid-way; leaving any other way still does', async () => {
  const { context, page, url } = await lockedAtOnce();
  const stillOpen = async (what) => {
    await page.waitForTimeout(300);
    assert.equal(await page.getByRole('navigation', { name: 'Main' }).isVisible(), true, what);
  };

  // The phone's file chooser takes the screen, then the person comes back.
  await page.goto(`${url}/plans`);
  await unlock(page);
  await Promise.all([page.waitForEvent('filechooser'), page.getByLabel('Choose a Coplan file').click()]);
  await pageHidden(page, true);
  await pageHidden(page, false);
  await stillOpen('still open after choosing a file');

  // The phone's print screen, from the safety plan.
  await page.getByRole('link', { name: 'Safety plan', exact: true }).click();
  await page.evaluate(() => { window.print = () => {}; }); // no print screen here
  await page.getByRole('button', { name: 'Print my safety plan' }).click();
  await pageHidden(page, true);
  await pageHidden(page, false);
  await stillOpen('still open after printing');

  // Leaving with no such tap locks at once.
  await pageHidden(page, true);
  await page.getByLabel('Your PIN').waitFor();
  await pageHidden(page, false);
  await context.close();
});
