// Accounts with no email (issue 12), in headless Chromium against the real server: make an
// account and keep the recovery code shown once, sign in on a second phone (a wrong
// passphrase refused plainly), recover on a third with the code (which then asks for a new
// passphrase and gives a new code), the used code refused, the phones listed, sign out;
// and the passphrase changed from the signed-in screen, proved by the one in use now.
// Every account screen is axe-core clean at 320 px, and nothing typed is stored readable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { axeViolations, browserAndServer, everythingStored, smallTargets, watchErrors } from './helpers.mjs';

const running = browserAndServer();

const NAME = 'river.walker';
const PASSPHRASE = 'the heron waits by the weir at dawn';
const NEW_PASSPHRASE = 'seven green boats under the old bridge';

/** A new phone (browser context) on the account screen. */
async function phone() {
  const context = await running.browser.newContext({ viewport: { width: 320, height: 720 } });
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(`${running.server.url}/account`);
  await page.getByRole('heading', { name: 'Back up and use on your other phones', level: 1 }).waitFor();
  return { context, page, errors };
}

async function fill(page, { username, secret, secretLabel = 'Passphrase', phoneName }) {
  await page.getByRole('textbox', { name: 'Username' }).fill(username);
  await page.getByLabel(secretLabel, { exact: true }).fill(secret);
  await page.getByRole('textbox', { name: 'A name for this phone' }).fill(phoneName);
}

async function clean(page) {
  assert.deepEqual(await axeViolations(page), []);
  assert.deepEqual(await smallTargets(page), []);
}

async function recoveryCode(page) {
  await page.getByRole('heading', { name: 'Your recovery code' }).waitFor();
  const code = (await page.getByTestId('recovery-code').innerText()).trim();
  assert.match(code, /^[0-9A-Z]{4}(-[0-9A-Z]{4}){6}$/);
  return code;
}

test('an account with no email: made, signed in elsewhere, recovered once, listed, signed out', async () => {
  // Phone A makes the account.
  const a = await phone();
  await clean(a.page);
  await a.page.getByRole('button', { name: 'Make an account' }).click();
  await fill(a.page, { username: NAME, secret: 'too short', phoneName: 'Phone A' });
  await clean(a.page);
  await a.page.getByRole('button', { name: 'Make my account' }).click();
  await a.page.getByRole('alert').filter({ hasText: 'Your passphrase has 9 characters. It needs at least 15.' }).waitFor();
  await a.page.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
  await a.page.getByRole('button', { name: 'Make my account' }).click();
  const firstCode = await recoveryCode(a.page);
  await clean(a.page);
  await a.page.getByRole('button', { name: 'I have kept it safe' }).click();
  await a.page.getByText(`Signed in as ${NAME}.`).waitFor();
  await a.page.getByRole('listitem').filter({ hasText: 'Phone A (this phone)' }).waitFor();
  await clean(a.page);
  const storedA = await everythingStored(a.page);
  for (const secret of [NAME, PASSPHRASE, firstCode]) {
    assert.ok(!storedA.includes(secret), `${secret} is not stored readable`);
  }

  // Phone B: a wrong passphrase is refused plainly, the right one signs in.
  const b = await phone();
  await b.page.getByRole('button', { name: 'Sign in' }).click();
  await fill(b.page, { username: NAME, secret: 'the heron waits by the river', phoneName: 'Phone B' });
  await b.page.getByRole('button', { name: 'Sign in on this phone' }).click();
  await b.page.getByRole('alert').filter({ hasText: 'That username and passphrase do not match an account.' }).waitFor();
  await clean(b.page);
  await b.page.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
  await b.page.getByRole('button', { name: 'Sign in on this phone' }).click();
  await b.page.getByText(`Signed in as ${NAME}.`).waitFor();
  await b.page.getByRole('listitem').filter({ hasText: 'Phone B (this phone)' }).waitFor();
  await b.page.getByRole('listitem').filter({ hasText: 'Phone A' }).waitFor();

  // Phone C: the recovery code signs in once, then a new passphrase and a new code.
  const c = await phone();
  await c.page.getByRole('button', { name: 'I have a recovery code' }).click();
  await fill(c.page, { username: NAME, secret: firstCode.toLowerCase(), secretLabel: 'Recovery code', phoneName: 'Phone C' });
  await clean(c.page);
  await c.page.getByRole('button', { name: 'Use my recovery code' }).click();
  await c.page.getByRole('heading', { name: 'Choose a new passphrase' }).waitFor();
  await clean(c.page);
  await c.page.getByLabel('New passphrase').fill(NEW_PASSPHRASE);
  await c.page.getByRole('button', { name: 'Save my new passphrase' }).click();
  const secondCode = await recoveryCode(c.page);
  assert.notEqual(secondCode, firstCode);

  // Phone D: the used code is refused; the new passphrase works, the old one no longer.
  const d = await phone();
  await d.page.getByRole('button', { name: 'I have a recovery code' }).click();
  await fill(d.page, { username: NAME, secret: firstCode, secretLabel: 'Recovery code', phoneName: 'Phone D' });
  await d.page.getByRole('button', { name: 'Use my recovery code' }).click();
  await d.page.getByRole('alert').filter({ hasText: 'or the code was used already' }).waitFor();
  await d.page.getByRole('button', { name: 'Back' }).click();
  await d.page.getByRole('button', { name: 'Sign in' }).click();
  await fill(d.page, { username: NAME, secret: PASSPHRASE, phoneName: 'Phone D' });
  await d.page.getByRole('button', { name: 'Sign in on this phone' }).click();
  await d.page.getByRole('alert').filter({ hasText: 'do not match an account' }).waitFor();
  await d.page.getByLabel('Passphrase', { exact: true }).fill(NEW_PASSPHRASE);
  await d.page.getByRole('button', { name: 'Sign in on this phone' }).click();
  await d.page.getByText(`Signed in as ${NAME}.`).waitFor();

  // The new recovery code works (once again), on phone C after it signs out.
  await c.page.getByRole('button', { name: 'I have kept it safe' }).click();
  await c.page.getByRole('button', { name: 'Sign out on this phone' }).click();
  await c.page.getByRole('button', { name: 'I have a recovery code' }).click();
  await fill(c.page, { username: NAME, secret: secondCode, secretLabel: 'Recovery code', phoneName: 'Phone C' });
  await c.page.getByRole('button', { name: 'Use my recovery code' }).click();
  await c.page.getByRole('heading', { name: 'Choose a new passphrase' }).waitFor();

  // Phone B signs out: it forgets the account and says its plan stays.
  await b.page.getByRole('button', { name: 'Sign out on this phone' }).click();
  await b.page.getByText('This phone is signed out. Your plan is still here.').waitFor();
  await b.page.reload();
  await b.page.getByRole('button', { name: 'Make an account' }).waitFor();

  for (const p of [a, b, c, d]) {
    // Refused sign-ins are 401s, which the browser logs; nothing else may be.
    assert.deepEqual(p.errors.filter((e) => !/status of 401/.test(e)), []);
    await p.context.close();
  }
});

test('a name already taken is said plainly, and nothing is kept on the phone', async () => {
  const a = await phone();
  await a.page.getByRole('button', { name: 'Make an account' }).click();
  await fill(a.page, { username: 'first.comer', secret: PASSPHRASE, phoneName: 'Phone A' });
  await a.page.getByRole('button', { name: 'Make my account' }).click();
  await recoveryCode(a.page);

  const b = await phone();
  await b.page.getByRole('button', { name: 'Make an account' }).click();
  await fill(b.page, { username: 'First.Comer', secret: NEW_PASSPHRASE, phoneName: 'Phone B' });
  await b.page.getByRole('button', { name: 'Make my account' }).click();
  await b.page.getByRole('alert').filter({ hasText: 'Someone already has that username. Choose another.' }).waitFor();
  await b.page.reload();
  await b.page.getByRole('button', { name: 'Make an account' }).waitFor();
  await a.context.close();
  await b.context.close();
});

test('the passphrase is changed from the signed-in screen, proved by the one in use now, with a new recovery code', async () => {
  const name = 'canal.keeper';
  const a = await phone();
  await a.page.getByRole('button', { name: 'Make an account' }).click();
  await fill(a.page, { username: name, secret: PASSPHRASE, phoneName: 'Phone A' });
  await a.page.getByRole('button', { name: 'Make my account' }).click();
  const firstCode = await recoveryCode(a.page);
  await a.page.getByRole('button', { name: 'I have kept it safe' }).click();
  await a.page.getByRole('button', { name: 'Change my passphrase' }).click();
  await a.page.getByRole('heading', { name: 'Change my passphrase' }).waitFor();
  await a.page.getByLabel('The passphrase you use now').fill('not the passphrase at all, no');
  await a.page.getByLabel('New passphrase').fill(NEW_PASSPHRASE);
  await a.page.getByRole('button', { name: 'Save my new passphrase' }).click();
  await a.page.getByRole('alert').filter({ hasText: 'That is not the passphrase you use now.' }).waitFor();
  await clean(a.page);
  await a.page.getByLabel('The passphrase you use now').fill(PASSPHRASE);
  await a.page.getByRole('button', { name: 'Save my new passphrase' }).click();
  const secondCode = await recoveryCode(a.page);
  assert.notEqual(secondCode, firstCode);

  // Another phone: the old passphrase no longer signs in, the new one does.
  const b = await phone();
  await b.page.getByRole('button', { name: 'Sign in' }).click();
  await fill(b.page, { username: name, secret: PASSPHRASE, phoneName: 'Phone B' });
  await b.page.getByRole('button', { name: 'Sign in on this phone' }).click();
  await b.page.getByRole('alert').filter({ hasText: 'do not match an account' }).waitFor();
  await b.page.getByLabel('Passphrase', { exact: true }).fill(NEW_PASSPHRASE);
  await b.page.getByRole('button', { name: 'Sign in on this phone' }).click();
  await b.page.getByText(`Signed in as ${name}.`).waitFor();
  for (const p of [a, b]) {
    assert.deepEqual(p.errors.filter((e) => !/status of 401/.test(e)), []);
    await p.context.close();
  }
});
