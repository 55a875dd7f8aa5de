// Writing it together (issue 14), in headless Chromium against the real server: the
// person invites a worker in the room with a typed code; both phones show the same check
// number; the person lets them in, and the worker's own session can then read the plan's
// membership log and the keys of the parts the person chose; nothing was joined by a
// wrong code; the plan arrives on the worker's phone, and the worker's words on the safety
// plan reach the person's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { axeViolations, browserAndServer, savedOnThisPhone, tabWithStory, watchErrors } from './helpers.mjs';

const running = browserAndServer();

const PASSPHRASE = 'a kettle on the stove at seven';

async function signUp(page, url, name) {
  await page.goto(`${url}/account`);
  await page.getByRole('button', { name: 'Make an account' }).click();
  await page.getByRole('textbox', { name: 'Username' }).fill(name);
  await page.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
  await page.getByRole('button', { name: 'Make my account' }).click();
  await page.getByRole('heading', { name: 'Your recovery code' }).waitFor();
}

/** Opens `path` until the textbox `label` holds `words` (sync runs when there is news). */
async function wordsArrive(page, path, label, words) {
  const deadline = Date.now() + 30000;
  for (;;) {
    await page.goto(path);
    const box = page.getByRole('textbox', { name: label, exact: true });
    if (await box.waitFor({ timeout: 5000 }).then(() => true, () => false)) {
      if ((await box.inputValue()).includes(words)) return;
    }
    if (Date.now() > deadline) assert.fail(`"${words}" did not arrive at ${path}`);
    await page.waitForTimeout(1000);
  }
}

/** The person's phone opens an invite for a worker called `name`; its typed code. */
async function openInvite(page, url, name) {
  await page.goto(`${url}/account`);
  await page.getByRole('link', { name: 'Invite someone to your plan' }).click();
  await page.getByRole('radio', { name: /A worker/ }).check();
  await page.getByRole('textbox', { name: 'Their name' }).fill(name);
  assert.deepEqual(await axeViolations(page), []);
  await page.getByRole('button', { name: 'Make the invite' }).click();
  const code = page.getByTestId('invite-code');
  await code.waitFor();
  return (await code.textContent()).trim();
}

test('the person lets a worker in with a typed code, both phones showing one check number', async () => {
  const a = await tabWithStory(running, 'I grow tomatoes on the balcony');
  const errorsA = watchErrors(a.page);
  await a.page.setViewportSize({ width: 320, height: 800 });
  await signUp(a.page, a.url, 'the.person');
  await a.page.goto(`${a.url}/account`);
  await a.page.getByText(/Your plan was last backed up at \d\d:\d\d/).waitFor({ timeout: 30000 });

  const contextB = await running.browser.newContext({ viewport: { width: 320, height: 800 } });
  const b = await contextB.newPage();
  const errorsB = watchErrors(b);
  await signUp(b, a.url, 'sam.worker');

  // A wrong code joins nothing, and says so.
  const code = await openInvite(a.page, a.url, 'Sam');
  assert.match(code, /^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{5}$/);
  await b.goto(`${a.url}/account`);
  await b.getByRole('link', { name: "Join someone's plan" }).click();
  const box = b.getByRole('textbox', { name: 'The code on their phone' });
  const wrong = code.slice(0, 5) + (code[5] === 'Z' ? 'Y' : 'Z') + code.slice(6);
  await box.fill(wrong);
  await b.getByRole('button', { name: 'Join' }).click();
  await b.getByRole('alert').filter({ hasText: 'That code did not work.' }).waitFor();

  // The right code, typed in lower case with spaces.
  await box.fill(code.toLowerCase().replaceAll('-', ' '));
  await b.getByRole('button', { name: 'Join' }).click();
  const numberB = b.getByTestId('check-number');
  await numberB.waitFor({ timeout: 20000 });
  assert.deepEqual(await axeViolations(b), []);

  await a.page.getByRole('heading', { name: 'Sam (worker) wants to join your plan' }).waitFor({ timeout: 20000 });
  await a.page.getByText('Their account\'s username is sam.worker.').waitFor();
  await a.page.getByText('They will be able to change: My care and support plan, My safety plan.', { exact: false }).waitFor();
  const numberA = (await a.page.getByTestId('check-number').textContent()).trim();
  assert.match(numberA, /^\d{3} \d{3}$/);
  assert.equal((await numberB.textContent()).trim(), numberA);
  assert.deepEqual(await axeViolations(a.page), []);
  await a.page.getByRole('button', { name: 'Let them join' }).click();
  await a.page.getByText('Sam has joined your plan.').waitFor({ timeout: 20000 });
  await b.getByText('You have joined their plan.').waitFor({ timeout: 20000 });

  // The worker's own session reads the plan's log and the keys of the five parts a
  // worker may see by default; their phone is in the log with its range.
  const plan = await a.page.evaluate(() => fetch('/api/v1/plans').then((r) => r.json()).then((p) => p.plans[0].plan));
  const seen = await b.evaluate(async (plan) => {
    const members = await fetch(`/api/v1/plans/${plan}/members`);
    const keys = await fetch(`/api/v1/plans/${plan}/keys`).then((r) => r.json());
    return { members: members.status, entries: (await members.json()).entries.length, keys: keys.envelopes.length };
  }, plan);
  // The person, the person's phone, the worker and the worker's phone.
  assert.deepEqual(seen, { members: 200, entries: 4, keys: 5 });

  // The plan is on the worker's phone now: the person's story (the worker may suggest
  // there, so may read it) arrives, and a warning sign the worker adds to the safety plan
  // (which a worker may change) reaches the person's phone.
  await b.getByRole('link', { name: 'See their plan' }).click();
  await wordsArrive(b, `${a.url}/about-me`, 'My story, in my own words', 'I grow tomatoes on the balcony');
  await b.goto(`${a.url}/safety-plan/edit`);
  await b.getByRole('button', { name: 'Add a warning sign' }).click();
  await b.getByRole('textbox', { name: 'Warning sign 1', exact: true }).pressSequentially('Skipping meals');
  await savedOnThisPhone(b);
  await wordsArrive(a.page, `${a.url}/safety-plan/edit`, 'Warning sign 1', 'Skipping meals');

  assert.deepEqual(errorsA.filter((e) => !/status of 40[149]/.test(e)), []);
  assert.deepEqual(errorsB.filter((e) => !/status of 40[14]/.test(e)), []);
  await a.context.close();
  await contextB.close();
});
