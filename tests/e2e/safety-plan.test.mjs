// The person's own safety plan: written step by step, kept through reloads and offline,
// contacts one tap to call, a removed reason for living brought back with Undo.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { axeViolations, browserAndServer, savedOnThisPhone, serviceWorkerReady, watchErrors } from './helpers.mjs';

const running = browserAndServer();

async function addItem(page, button, label, text) {
  await page.getByRole('button', { name: button }).click();
  const field = page.getByRole('textbox', { name: label, exact: true });
  await field.pressSequentially(text);
  await savedOnThisPhone(page);
}

test('a safety plan written step by step survives reloads and reads offline', async () => {
  const context = await running.browser.newContext();
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(`${running.server.url}/safety-plan/edit`);
  await page.getByRole('heading', { name: 'Write my safety plan', level: 1 }).waitFor();

  await addItem(page, 'Add a warning sign', 'Warning sign 1', 'Not sleeping for days');
  await addItem(page, 'Add something I can do', 'Something I can do 1', 'Walk to the park');
  await addItem(page, 'Add a reason', 'Reason 1', 'My cat, Pepper');
  await addItem(page, 'Add a reason', 'Reason 2', 'Seeing my niece grow up');
  await page.getByRole('button', { name: 'Add a person', exact: true }).click();
  await page.getByRole('group', { name: 'Person 1' }).getByRole('textbox', { name: 'Name' }).fill('Aunt Rose');
  await page.getByRole('group', { name: 'Person 1' }).getByRole('textbox', { name: 'Phone number' }).fill('07700 900123');
  await savedOnThisPhone(page);

  await page.reload();
  const reason = page.getByRole('textbox', { name: 'Reason 2', exact: true });
  await reason.waitFor();
  assert.equal(await reason.inputValue(), 'Seeing my niece grow up');
  assert.deepEqual(await axeViolations(page), [], 'axe-core on the filled-in editor');

  // Read it as someone in a hard moment would, from the safety plan screen.
  await serviceWorkerReady(page);
  await context.setOffline(true);
  await page.goto(`${running.server.url}/privacy`);
  await page.getByRole('link', { name: 'Safety plan', exact: true }).click();
  await page.getByRole('heading', { name: 'My safety plan' }).waitFor();
  await page.getByText('Not sleeping for days').waitFor();
  await page.getByText('My cat, Pepper').waitFor();
  assert.equal(await page.getByRole('link', { name: 'Call Aunt Rose' }).getAttribute('href'), 'tel:07700900123');
  assert.equal(await page.getByRole('link', { name: 'Text Aunt Rose' }).getAttribute('href'), 'sms:07700900123');
  assert.equal(await page.getByRole('link', { name: 'Call Samaritans on 116 123' }).getAttribute('href'), 'tel:116123');
  assert.deepEqual(await axeViolations(page), [], 'axe-core on the filled-in safety plan');
  await context.setOffline(false);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a removed reason for living comes back with Undo, in its place', async () => {
  const context = await running.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${running.server.url}/safety-plan/edit`);
  await addItem(page, 'Add a reason', 'Reason 1', 'My children');
  await addItem(page, 'Add a reason', 'Reason 2', 'The sea');
  await page.getByRole('button', { name: 'Remove Reason 1' }).click();
  assert.equal(await page.getByRole('textbox', { name: 'Reason 1', exact: true }).inputValue(), 'The sea');
  await page.getByRole('button', { name: 'Undo' }).click();
  await savedOnThisPhone(page);
  await page.reload();
  const first = page.getByRole('textbox', { name: 'Reason 1', exact: true });
  await first.waitFor();
  assert.equal(await first.inputValue(), 'My children');
  assert.equal(await page.getByRole('textbox', { name: 'Reason 2', exact: true }).inputValue(), 'The sea');
  await context.close();
});

test('leaving the editor straight after typing keeps every word, and the app keeps going', async () => {
  // The last writes end after the editor is gone; they once stopped the app as they ended,
  // and the changes queued behind them were never written.
  const context = await running.browser.newContext();
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(`${running.server.url}/safety-plan/edit`);
  await page.getByRole('button', { name: 'Add a warning sign' }).click();
  const field = page.getByRole('textbox', { name: 'Warning sign 1', exact: true });
  await field.pressSequentially('Pacing at night');
  // The last letters and the tap in one go, as a quick thumb does: their writes are still
  // on their way when the editor goes.
  const words = 'Pacing at night and not eating';
  await field.evaluate((input, text) => {
    input.value = text;
    input.dispatchEvent(new InputEvent('input', { bubbles: true }));
    document.querySelector('a.app-header__safety').click();
  }, words);
  await page.getByRole('heading', { name: 'Safety plan', level: 1 }).waitFor();
  await page.waitForTimeout(1000);
  assert.deepEqual(errors, []);
  await page.goto(`${running.server.url}/safety-plan/edit`);
  await field.waitFor();
  assert.equal(await field.inputValue(), words);
  await context.close();
});

test('leaving the editor while Undo is offered breaks nothing when the offer ends', async () => {
  const context = await running.browser.newContext();
  await context.clock.install();
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(`${running.server.url}/safety-plan/edit`);
  await addItem(page, 'Add a reason', 'Reason 1', 'My children');
  await addItem(page, 'Add a reason', 'Reason 2', 'The sea');
  await page.getByRole('button', { name: 'Remove Reason 1' }).click();
  await page.getByRole('button', { name: 'Undo' }).waitFor();
  await page.getByRole('link', { name: 'Safety plan', exact: true }).click();
  await page.getByRole('heading', { name: 'Safety plan', level: 1 }).waitFor();
  await page.clock.fastForward('00:20');
  await page.waitForTimeout(300);
  assert.deepEqual(errors, []);
  await page.getByText('The sea').waitFor();
  await context.close();
});

test('a half-typed phone number is kept and flagged in words', async () => {
  const context = await running.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${running.server.url}/safety-plan/edit`);
  await page.getByRole('button', { name: 'Add a service' }).click();
  const phone = page.getByRole('group', { name: 'Service 1' }).getByRole('textbox', { name: 'Phone number' });
  await phone.fill('0161 49');
  await page.getByText('Enter a phone number, like').waitFor();
  await page.reload();
  await phone.waitFor();
  assert.equal(await phone.inputValue(), '0161 49');
  await context.close();
});

test('closing the page 100 ms after typing loses no word', async () => {
  const context = await running.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${running.server.url}/safety-plan/edit`);
  await page.getByRole('button', { name: 'Add a warning sign' }).click();
  await page.getByRole('textbox', { name: 'Warning sign 1', exact: true }).pressSequentially('Pacing at night', { delay: 20 });
  await page.waitForTimeout(100);
  await page.close();
  const again = await context.newPage();
  await again.goto(`${running.server.url}/safety-plan/edit`);
  const field = again.getByRole('textbox', { name: 'Warning sign 1', exact: true });
  await field.waitFor();
  assert.equal(await field.inputValue(), 'Pacing at night');
  await context.close();
});

test('two tabs of the same plan writing at once never lose each other\'s words', async () => {
  const context = await running.browser.newContext();
  const [a, b] = [await context.newPage(), await context.newPage()];
  for (const page of [a, b]) {
    await page.goto(`${running.server.url}/safety-plan/edit`);
    await page.getByRole('button', { name: 'Add a warning sign' }).waitFor();
  }
  await addItem(a, 'Add a warning sign', 'Warning sign 1', 'Skipping meals');
  await addItem(b, 'Add a reason', 'Reason 1', 'My allotment');
  await a.reload();
  assert.equal(await a.getByRole('textbox', { name: 'Warning sign 1', exact: true }).inputValue(), 'Skipping meals');
  assert.equal(await a.getByRole('textbox', { name: 'Reason 1', exact: true }).inputValue(), 'My allotment');
  await context.close();
});

test('moving a reason up or down keeps the keyboard on the button pressed, on the item moved', async () => {
  const context = await running.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${running.server.url}/safety-plan/edit`);
  await addItem(page, 'Add a reason', 'Reason 1', 'My children');
  await addItem(page, 'Add a reason', 'Reason 2', 'The sea');
  await addItem(page, 'Add a reason', 'Reason 3', 'My allotment');
  const focused = () => page.evaluate(() => ({
    button: document.activeElement?.textContent?.trim(),
    item: document.activeElement?.closest('li')?.querySelector('input, textarea')?.value,
  }));
  await page.getByRole('button', { name: 'Move up Reason 3' }).focus();
  await page.keyboard.press('Enter');
  await page.waitForTimeout(200);
  assert.equal(await page.getByRole('textbox', { name: 'Reason 2', exact: true }).inputValue(), 'My allotment');
  assert.deepEqual(await focused(), { button: 'Move up', item: 'My allotment' });
  // Again, from where the keyboard is: no need to find the button anew.
  await page.keyboard.press('Enter');
  await page.waitForTimeout(200);
  assert.equal(await page.getByRole('textbox', { name: 'Reason 1', exact: true }).inputValue(), 'My allotment');
  assert.deepEqual(await focused(), { button: 'Move up', item: 'My allotment' });
  await page.getByRole('button', { name: 'Move down Reason 1' }).focus();
  await page.keyboard.press('Enter');
  await page.waitForTimeout(200);
  assert.deepEqual(await focused(), { button: 'Move down', item: 'My allotment' });
  await context.close();
});
