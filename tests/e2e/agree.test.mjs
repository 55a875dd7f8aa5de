// An agreed version of the care plan (issue 15 item 2), in headless Chromium against the
// real server, two people on their own phones: the worker marks the care plan agreed, the
// person marks it too, and both phones say it is agreed, with the next review; the
// person changes a goal and both phones say it changed since; the agreed words still
// open as they were. The worker's caseload lists the plan with its review, the change
// since agreement and the worker's waiting suggestion, offline too; both histories tell
// the suggestion and the person's decision; the person's review reminder. axe-core clean
// at 320 px.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { axeViolations, browserAndServer, savedOnThisPhone, signUp, tabWithStory } from './helpers.mjs';
import { go, joins, wordsArrive } from './together.mjs';

const running = browserAndServer();

/** Opens `path` until the line about its agreement matches `said` (it is worked out at
 * the end of each round of sync). Returns the line's link. */
async function agreedSays(page, url, path, said) {
  let last = '';
  for (const until = Date.now() + 40000; ; ) {
    await go(page, `${url}${path}`);
    const line = page.getByTestId('agreed');
    if (await line.waitFor({ timeout: 5000 }).then(() => true, () => false)) {
      last = await line.innerText();
      if (said.test(last)) return line.getByRole('link');
    }
    assert.ok(Date.now() < until, `the agreement line matches ${said}; it said "${last}"`);
    await page.waitForTimeout(1000);
  }
}

test('the person and their worker agree the care plan, and both phones say when it changed since', async () => {
  const a = await tabWithStory(running, 'I like long walks');
  const url = a.url;
  await a.page.setViewportSize({ width: 320, height: 800 });
  await a.page.goto(`${url}/care-plan`);
  const home = a.page.getByRole('region', { name: 'Where I live' });
  await home.getByRole('button', { name: 'Add a goal' }).click();
  await home.getByRole('textbox', { name: 'Goal 1', exact: true }).pressSequentially('Move somewhere dry');
  await a.page.getByLabel('When we will look at this plan again').fill('2027-03-03');
  await savedOnThisPhone(a.page);
  await signUp(a.page, url, 'pat.person');
  await a.page.goto(`${url}/account`);
  await a.page.getByText(/Your plan was last backed up at \d\d:\d\d/).waitFor({ timeout: 30000 });
  const worker = await joins(running, a, url, 'sam.worker', 'A worker', 'Sam');
  await worker.page.setViewportSize({ width: 320, height: 800 });
  await wordsArrive(worker.page, `${url}/care-plan`, 'Goal 1', 'Move somewhere dry');

  // The worker marks it agreed; it waits for the person.
  let link = await agreedSays(worker.page, url, '/care-plan', /^Not agreed yet$/);
  await link.click();
  await worker.page.getByRole('heading', { name: 'Agreeing My care and support plan', level: 1 }).waitFor();
  assert.deepEqual(await axeViolations(worker.page), []);
  await worker.page.getByRole('button', { name: 'Mark it as agreed' }).click();
  await worker.page.getByText('Marked as agreed. It is agreed once someone else marks it too.').waitFor();
  await agreedSays(worker.page, url, '/care-plan', /^You marked this as agreed on .*\. It is waiting for someone else to mark it too\.$/);

  // The person sees it waiting for them, and marks it too.
  link = await agreedSays(a.page, url, '/care-plan', /^sam\.worker \(worker\) marked this as agreed on .*\. It is waiting for you\.$/);
  await link.click();
  await a.page.getByRole('button', { name: 'Mark it as agreed too' }).click();
  await a.page.getByText('Marked as agreed. It is agreed now.').waitFor();
  assert.deepEqual(await axeViolations(a.page), []);
  await agreedSays(a.page, url, '/care-plan', /^Agreed by you and sam\.worker \(worker\) on .* · next review 3 March 2027$/);
  await agreedSays(worker.page, url, '/care-plan', /^Agreed by you and .+ on .* · next review 3 March 2027$/);
  // The history of the care plan tells both marks.
  await go(a.page, `${url}/history/care-plan`);
  const history = a.page.getByTestId('history');
  await history.getByRole('listitem').filter({ hasText: 'sam.worker (worker) marked this part as agreed' }).waitFor();
  await history.getByRole('listitem').filter({ hasText: 'You marked this part as agreed' }).waitFor();
  // The goal written before sharing is told with its part of life by its title.
  const toldHere = await history.innerText();
  assert.ok(toldHere.includes("'Where I live, Move somewhere dry'"), toldHere);
  assert.ok(!/'home, /.test(toldHere), toldHere);
  // A printout says which version it is.
  await go(a.page, `${url}/print`);
  const printed = a.page.locator('section').filter({ has: a.page.getByRole('heading', { name: 'My care and support plan', level: 2 }) });
  await printed.getByText(/^Agreed by you and sam\.worker \(worker\) on .* · next review 3 March 2027$/).waitFor({ timeout: 20000 });
  await a.page.getByText(/^Printed on \d+ \w+ \d{4}$/).waitFor();

  // The person changes the goal: both phones say it changed since they agreed it.
  await go(a.page, `${url}/care-plan`);
  const goal = a.page.getByRole('region', { name: 'Where I live' }).getByRole('textbox', { name: 'Goal 1', exact: true });
  await goal.press('End');
  await goal.pressSequentially(' by spring');
  await savedOnThisPhone(a.page);
  link = await agreedSays(a.page, url, '/care-plan', /^Changed since you and sam\.worker \(worker\) agreed it on /);
  await agreedSays(worker.page, url, '/care-plan', /^Changed since you and .+ agreed it on /);

  // The agreed words still open as they were, read-only, on the person's phone.
  await link.click();
  await a.page.getByRole('button', { name: 'See the agreed version' }).click();
  const agreed = a.page.getByTestId('agreed-version');
  await agreed.getByRole('heading', { name: /^My care and support plan, as agreed on / }).waitFor();
  const words = await agreed.innerText();
  assert.ok(words.includes('Move somewhere dry'), words);
  assert.ok(!words.includes('by spring'), words);
  // A goal's part of life is shown by its title, never by the code the plan keeps, and
  // its words with no empty label before them.
  assert.ok(words.includes('Part of my life: Where I live · Move somewhere dry'), words);
  assert.ok(!/: home\b|· :/.test(words), words);
  assert.equal(await agreed.getByRole('textbox').count(), 0);
  assert.deepEqual(await axeViolations(a.page), []);

  // The worker suggests new words for About me (theirs to suggest to, not change).
  for (const until = Date.now() + 30000; ; ) {
    await go(worker.page, `${url}/suggestions`);
    const suggest = worker.page.getByRole('button', { name: 'Suggest new words: My story, in my own words' });
    if (await suggest.waitFor({ timeout: 3000 }).then(() => true, () => false)) {
      await suggest.click();
      break;
    }
    assert.ok(Date.now() < until, 'the worker can suggest to About me');
  }
  await worker.page.getByRole('textbox', { name: 'Your suggestion' }).fill('I like long walks by the river');
  await worker.page.getByRole('button', { name: 'Send suggestion' }).click();
  await worker.page.getByTestId('my-suggestion').filter({ hasText: 'Waiting for their decision' }).waitFor();

  // The worker's caseload lists the plan with its review, the part changed since it was
  // agreed, and the suggestion waiting; offline, it and the history still say so.
  const caseloadSays = async () => {
    await go(worker.page, `${url}/plans`);
    await worker.page.getByRole('link', { name: 'What needs you in the plans shared with you' }).click();
    await worker.page.getByRole('heading', { name: 'Plans shared with you', level: 1 }).waitFor();
    const entry = worker.page.getByTestId('caseload').getByRole('listitem').first();
    await entry.getByText('Next review 3 March 2027').waitFor();
    await entry.getByText(/^My care and support plan has changed since it was agreed on /).waitFor();
    await entry.getByText('1 of your suggestions is waiting for them').waitFor({ timeout: 10000 }).catch(async (e) => {
      throw new Error(`${e.message}\nthe caseload said: ${await worker.page.getByTestId('caseload').innerText()}`);
    });
    await entry.getByRole('button', { name: /^Open the plan for / }).waitFor();
    await worker.page.getByText(/^Last synced at \d\d:\d\d, /).waitFor();
  };
  await caseloadSays();
  assert.deepEqual(await axeViolations(worker.page), []);
  await worker.context.setOffline(true);
  await caseloadSays();
  await go(worker.page, `${url}/history/care-plan`);
  await worker.page.getByTestId('history').getByRole('listitem').filter({ hasText: "'Move somewhere dry by spring'" }).first().waitFor();
  await worker.context.setOffline(false);
  // On patchy data a request can hang: the caseload and history still tell what was last
  // synced, without waiting on the membership log the server has not sent yet.
  const members = '**/api/v1/plans/*/members';
  await worker.context.route(members, () => {});
  await caseloadSays();
  await go(worker.page, `${url}/history/care-plan`);
  await worker.page.getByTestId('history').getByRole('listitem').filter({ hasText: "'Move somewhere dry by spring'" }).first().waitFor();
  await worker.context.unroute(members);

  // The person leaves the suggestion out; both histories of About me tell it, with the
  // decision.
  const card = a.page.getByRole('article', { name: 'sam.worker suggests a change to About me' });
  for (const until = Date.now() + 30000; ; ) {
    await go(a.page, `${url}/suggestions`);
    if (await card.waitFor({ timeout: 3000 }).then(() => true, () => false)) break;
    assert.ok(Date.now() < until, 'the suggestion reaches the person');
  }
  await card.getByRole('button', { name: 'Leave it out' }).click();
  await a.page.getByText('Left out: your plan did not change.').waitFor();
  const told = "suggested My story, in my own words should say 'I like long walks by the river' · declined";
  for (const [page, who] of [[a.page, 'sam.worker (worker)'], [worker.page, 'You']]) {
    for (const until = Date.now() + 40000; ; ) {
      await go(page, `${url}/history/about-me`);
      const line = page.getByTestId('history').getByRole('listitem').filter({ hasText: `${who} ${told}` });
      if (await line.first().waitFor({ timeout: 3000 }).then(() => true, () => false)) break;
      assert.ok(Date.now() < until, `the history says "${who} ${told}"`);
    }
  }
  assert.deepEqual(await axeViolations(worker.page), []);

  // The person asks to be reminded of their review; once it is three days away, every
  // screen says with whom and when. Before they asked, nothing was said.
  const soon = new Date(Date.now() + 3 * 24 * 60 * 60 * 1000);
  const day = soon.toISOString().slice(0, 10);
  const soonWords = soon.toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric' });
  await go(a.page, `${url}/care-plan`);
  await a.page.getByLabel('When we will look at this plan again').fill(day);
  await savedOnThisPhone(a.page);
  const reminder = a.page.locator('#app-notice').filter({ hasText: `Your review with sam.worker (worker) is on ${soonWords}.` });
  await agreedSays(a.page, url, '/care-plan', /^Changed since you and sam\.worker \(worker\) agreed it on /);
  assert.equal(await reminder.count(), 0, 'no reminder until the person asks for one');
  await go(a.page, `${url}/agree/care-plan`);
  await a.page.getByRole('checkbox', { name: 'Remind me on this phone in the week before my review' }).check();
  await reminder.waitFor({ timeout: 20000 });
  await go(a.page, `${url}/about-me`);
  await reminder.waitFor({ timeout: 20000 });
  await reminder.getByRole('link', { name: 'Open my care plan' }).click();
  await a.page.getByRole('heading', { name: 'My care and support plan', level: 1 }).waitFor();
  assert.deepEqual(await axeViolations(a.page), []);
  for (const context of [a.context, worker.context]) await context.close();
});
