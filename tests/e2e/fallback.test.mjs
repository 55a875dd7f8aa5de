// The crisis lines never depend on the app: with JavaScript off, and with the wasm
// blocked, index.html still shows them as links a phone can tap.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { browserAndServer } from './helpers.mjs';

const LINES = [
  ['Call Samaritans on 116 123', 'tel:116123'],
  ['Call NHS 111', 'tel:111'],
  ['Text SHOUT to 85258', 'sms:85258?body=SHOUT'],
  ['Call 999', 'tel:999'],
];

const running = browserAndServer();

async function assertCrisisLinks(page) {
  for (const [name, href] of LINES) {
    const link = page.getByRole('link', { name });
    assert.ok(await link.isVisible(), `${name} is visible`);
    assert.equal(await link.getAttribute('href'), href);
  }
}

test('with JavaScript turned off, the crisis lines are there as links', async () => {
  const context = await running.browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(running.server.url);
  await assertCrisisLinks(page);
  await context.close();
});

test('when the wasm cannot load, the crisis lines stay and the page says so', async () => {
  const context = await running.browser.newContext({ serviceWorkers: 'block' });
  await context.route('**/*_bg.wasm', (route) => route.abort());
  const page = await context.newPage();
  await page.goto(running.server.url);
  await page.getByText('Coplan could not start just now').waitFor();
  await assertCrisisLinks(page);
  await context.close();
});
