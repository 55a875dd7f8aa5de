// The whole plan, filled in on every screen and read back word by word: shared by the
// plan's tests and the app lock's (which unlock after every page load).
import assert from 'node:assert/strict';
import { savedOnThisPhone } from './helpers.mjs';

/** Every word typed below, by the screen it was typed on and the box's label. */
export const WORDS = {
  '/about-me': [
    ['What I like to be called', 'Jo'],
    ['My story, in my own words', 'I grew up by the sea.'],
    ['Strength 1', 'I make people laugh'],
  ],
  '/safety-plan/edit': [['Reason 1', 'My niece']],
  '/crisis': [
    ['Care I would like', 'Home treatment if possible'],
    ['Thing to sort out 1', 'Feed the cat'],
  ],
};

export async function type(page, label, text) {
  const box = page.getByRole('textbox', { name: label, exact: true }).first();
  await box.pressSequentially(text);
}

export async function fillEverySection(page, url, go = (path) => page.goto(`${url}${path}`)) {
  await go('/about-me');
  await type(page, 'What I like to be called', 'Jo');
  await type(page, 'My story, in my own words', 'I grew up by the sea.');
  await page.getByRole('button', { name: 'Add a strength' }).click();
  await type(page, 'Strength 1', 'I make people laugh');
  await savedOnThisPhone(page);

  await go('/care-plan');
  const home = page.getByRole('region', { name: 'Where I live' });
  await home.getByRole('radio', { name: '3' }).check();
  await home.getByRole('textbox', { name: 'What I would like to be different' }).pressSequentially('A flat without damp');
  await home.getByRole('button', { name: 'Add a goal' }).click();
  await home.getByRole('textbox', { name: 'Goal 1', exact: true }).pressSequentially('Move somewhere dry');
  await home.getByRole('button', { name: 'Add a step' }).click();
  await home.getByRole('textbox', { name: 'What will happen' }).pressSequentially('Call the housing office');
  await home.getByRole('textbox', { name: 'Who will do it' }).pressSequentially('Me and Priya');
  await home.getByLabel('By when').fill('2027-01-15');
  await home.getByRole('checkbox', { name: 'Done' }).check();
  await page.getByRole('radio', { name: 'Getting more help' }).check();
  await savedOnThisPhone(page);

  await go('/safety-plan/edit');
  await page.getByRole('button', { name: 'Add a reason' }).click();
  await type(page, 'Reason 1', 'My niece');
  await savedOnThisPhone(page);

  await go('/crisis');
  await type(page, 'Care I would like', 'Home treatment if possible');
  await page.getByRole('button', { name: 'Add something to sort out' }).click();
  await type(page, 'Thing to sort out 1', 'Feed the cat');
  await savedOnThisPhone(page);

  await go('/check-ins');
  await page.getByRole('button', { name: 'Check in now' }).click();
  await page.getByRole('group', { name: 'My mental health' }).getByRole('radio', { name: '5' }).check();
  await savedOnThisPhone(page);
  await page.getByRole('button', { name: 'Finish check-in' }).click();
}

export async function findEveryWord(page, url, go = (path) => page.goto(`${url}${path}`)) {
  for (const [path, words] of Object.entries(WORDS)) {
    await go(path);
    for (const [label, text] of words) {
      const box = page.getByRole('textbox', { name: label, exact: true }).first();
      await box.waitFor();
      assert.equal(await box.inputValue(), text, `${path}: ${label}`);
    }
  }
  await go('/care-plan');
  const home = page.getByRole('region', { name: 'Where I live' });
  for (const [label, text] of [
    ['What I would like to be different', 'A flat without damp'],
    ['Goal 1', 'Move somewhere dry'],
    ['What will happen', 'Call the housing office'],
    ['Who will do it', 'Me and Priya'],
  ]) {
    assert.equal(await home.getByRole('textbox', { name: label, exact: true }).inputValue(), text, label);
  }
  assert.equal(await home.getByRole('radio', { name: '3' }).isChecked(), true);
  assert.equal(await home.getByLabel('By when').inputValue(), '2027-01-15');
  assert.equal(await home.getByRole('checkbox', { name: 'Done' }).isChecked(), true);
  assert.equal(await page.getByRole('radio', { name: 'Getting more help' }).isChecked(), true);

  await go('/check-ins');
  const chart = page.getByRole('figure', { name: 'My mental health' });
  await chart.waitFor();
  await chart.getByText('Show My mental health as a table').click();
  assert.equal(await chart.getByRole('cell').nth(1).textContent(), '5');

  // The overview counts what each section holds, in neutral words.
  await go('/');
  await page.getByText('Plan for Jo').waitFor();
  const overview = await page.locator('.app-overview').innerText();
  for (const line of ['My strengths: 1', 'Parts of life rated: 1', 'My goals: 1', 'Steps: 1, 1 done', 'My reasons for living: 1', 'Check-ins: 1']) {
    assert.ok(overview.includes(line), `overview says "${line}":\n${overview}`);
  }
  assert.doesNotMatch(overview, /%|incomplete/i);
}

