// The app shell: a strict CSP with no CSP errors, the safety plan button on every screen,
// axe-core clean on every screen at 320 px wide, and touch targets of at least 44 px; the
// account part's screens too, signed in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { axeViolations, browserAndServer, signUp, watchErrors, smallTargets } from './helpers.mjs';

const SCREENS = [
  ['/', 'Your plan'],
  ['/safety-plan', 'Safety plan'],
  ['/safety-plan/edit', 'Write my safety plan'],
  ['/plans', 'Plans on this phone'],
  ['/about-me', 'About me'],
  ['/care-plan', 'My care and support plan'],
  ['/crisis', 'If I am in crisis'],
  ['/check-ins', 'Check-ins'],
  ['/privacy', 'Privacy and your data'],
  ['/account', 'Back up and use on your other phones'],
  ['/print', 'My plan, ready to print'],
  ['/crisis-card', 'Crisis card'],
  ['/forgotten', 'Forget this phone'],
  ['/no-such-page', 'This page does not exist'],
];

// The screens of the account part, as someone signed in sees them.
const ACCOUNT_SCREENS = [
  ['/account', 'Back up and use on your other phones'],
  ['/second-factor', 'Second factor'],
  ['/invite', 'Invite someone to your plan'],
  ['/join', "Join someone's plan"],
  ['/people', 'Who can see your plan'],
  ['/suggestions', 'Suggestions'],
  ['/access', 'What others did with your plan'],
  ['/leave', 'Leave a plan'],
  ['/history/care-plan', 'What changed in My care and support plan'],
  ['/agree/care-plan', 'Agreeing My care and support plan'],
  ['/caseload', 'Plans shared with you'],
];

const running = browserAndServer();

test('the CSP forbids inline script and eval, and the app runs under it cleanly', async () => {
  const context = await running.browser.newContext();
  const page = await context.newPage();
  const errors = watchErrors(page);
  const response = await page.goto(running.server.url);
  const csp = response.headers()['content-security-policy'];
  assert.ok(csp, 'index.html has a Content-Security-Policy');
  assert.doesNotMatch(csp, /'unsafe-inline'/);
  assert.doesNotMatch(csp, /'unsafe-eval'/);
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval' 'sha256-/);
  await page.getByRole('heading', { name: 'Your plan' }).waitFor();
  for (const [path] of SCREENS) {
    await page.goto(running.server.url + path);
    await page.getByRole('link', { name: 'Safety plan', exact: true }).waitFor();
  }
  assert.deepEqual(errors.filter((e) => /Content Security Policy|Refused to/i.test(e)), []);
  assert.deepEqual(errors, []);
  await context.close();
});

for (const width of [320, 800]) {
  test(`every screen at ${width} px: safety plan one tap away, axe-core clean, 44 px targets`, async () => {
    const context = await running.browser.newContext({ viewport: { width, height: 700 } });
    const page = await context.newPage();
    // Signed in half way, so the account part's screens are seen as a member sees them.
    const screens = [...SCREENS, ['sign up', null], ...ACCOUNT_SCREENS];
    for (const [path, heading] of screens) {
      if (path === 'sign up') {
        await signUp(page, running.server.url, `sweep.${width}`);
        await page.goto(`${running.server.url}/account`);
        await page.getByText(`Signed in as sweep.${width}.`).waitFor();
        continue;
      }
      await page.goto(running.server.url + path);
      await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
      await page.waitForFunction(() => !document.querySelector('#app [role="status"]')?.textContent.includes('Opening'));
      await page.waitForLoadState('networkidle');
      const safety = page.getByRole('link', { name: 'Safety plan', exact: true });
      assert.ok(await safety.isVisible(), `${path}: the safety plan button is visible`);
      assert.deepEqual(await axeViolations(page), [], `${path}: axe-core violations`);
      const small = await smallTargets(page);
      assert.deepEqual(small, [], `${path}: touch targets under 44 px`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
      assert.equal(overflow, false, `${path}: no sideways scrolling at ${width} px`);
    }
    await context.close();
  });
}

test('the safety plan button opens the 24/7 lines in one tap from the home screen', async () => {
  const context = await running.browser.newContext();
  const page = await context.newPage();
  await page.goto(running.server.url);
  await page.getByRole('link', { name: 'Safety plan', exact: true }).click();
  await page.getByRole('heading', { name: 'Safety plan', level: 1 }).waitFor();
  const links = await page.locator('#app a[href^="tel:"], #app a[href^="sms:"]').evaluateAll((as) =>
    as.map((a) => a.getAttribute('href')),
  );
  assert.deepEqual(links, ['tel:116123', 'tel:111', 'sms:85258?body=SHOUT', 'tel:999']);
  assert.equal(await page.title(), 'Coplan', 'the title never carries plan text');
  // Reading the safety plan starts nothing: no plan appears that the person did not begin.
  await page.getByRole('link', { name: 'My plan' }).click();
  await page.getByRole('button', { name: 'Start my plan' }).waitFor();
  await context.close();
});
