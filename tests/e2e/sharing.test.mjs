// Writing it together (issue 14), in headless Chromium against the real server, three
// people: the person invites a worker in the room by QR code (read from the rendered image
// with jsQR) and a carer by typed code (after a wrong one, which joins nothing, and after
// declining a stranger who redeemed the code first); after the typed code both phones
// show the same check number. Neither joins before setting an app lock. Once let in, the
// worker's phone holds the plan, says what the worker may change, and words go both ways;
// the worker suggests new words for About me, which the person takes in; the carer's own
// session gets the key of the safety plan alone (and of their suggestions to it), and of
// three warning signs they suggest, the person takes two in. Both offline, the person and
// the worker edit the same warning sign and list, and each phone then shows both. The
// person takes the safety plan away from the worker (its key moves on, and the carer gets
// the new one), then removes the worker, whose phone is refused, says so and drops the
// plan; what the person writes next reaches the carer under the safety plan's new key.
// The access log says what each phone did. Last, the service turns the carer's account
// off: the carer's phone says so, and the person sees it. In a second plan, a carer
// leaves on their own (their phone drops the plan, the server refuses them, the person
// sees it), and the person's removal of them moves the keys on under a change their
// other phone had sealed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { SERVER_BIN, axeViolations, browserAndServer, savedOnThisPhone, setSecondFactor, signIn, signUp, tabWithStory, totp, watchErrors, PASSPHRASE } from './helpers.mjs';
import { go, letIn, openInvite, phoneAt, removeMember, setPin, watchRefusals, wordsArrive } from './together.mjs';

const running = browserAndServer();
const phoneOf = (url, name) => phoneAt(running, url, name);

test('the person lets a worker in by QR code and a carer by typed code, each with the parts chosen', async () => {
  const a = await tabWithStory(running, 'I grow tomatoes on the balcony');
  const url = a.url;
  const errorsA = watchErrors(a.page);
  const refusedA = watchRefusals(a.context);
  await a.page.setViewportSize({ width: 320, height: 800 });
  await signUp(a.page, url, 'the.person');
  await a.page.goto(`${url}/account`);
  await a.page.getByText(/Your plan was last backed up at \d\d:\d\d/).waitFor({ timeout: 30000 });
  const plan = await a.page.evaluate(() => fetch('/api/v1/plans').then((r) => r.json()).then((p) => p.plans[0].plan));

  // The worker scans the QR code: the camera opens the address it holds. The long secret
  // and the person's fingerprint travel in the fragment, which the browser never sends.
  const worker = await phoneOf(url, 'sam.worker');
  const invite = await openInvite(a.page, url, 'A worker', 'Sam');
  assert.deepEqual(await axeViolations(a.page), []);
  assert.ok(invite.qr.startsWith(`${url}/join#1.`), invite.qr);
  // Someone else's plan is kept only on a locked phone: the worker sets a lock first,
  // and the scanned invite waits for them in the page meanwhile.
  await worker.page.goto(invite.qr);
  await worker.page.getByText('Before you join, set an app lock on this phone.').waitFor();
  assert.equal(new URL(worker.page.url()).hash, '', 'the secret leaves the address bar');
  await worker.page.getByRole('link', { name: 'Set an app lock' }).click();
  await setPin(worker.page);
  const backToJoin = () =>
    worker.page.evaluate(() => {
      history.pushState(null, '', '/join');
      dispatchEvent(new PopStateEvent('popstate'));
    });
  await backToJoin();
  // And only an account with a second factor joins: the worker sets one up, as an
  // authenticator app would, and the invite still waits.
  await worker.page.getByText('Before you join, set up a second factor for this account').waitFor();
  assert.deepEqual(await axeViolations(worker.page), []);
  await worker.page.getByRole('link', { name: 'Set up a second factor' }).click();
  await worker.page.getByTestId('second-factor-state').filter({ hasText: 'This account signs in with its passphrase alone.' }).waitFor();
  assert.deepEqual(await axeViolations(worker.page), []);
  await worker.page.getByRole('button', { name: 'Set up a second factor' }).click();
  await worker.page.getByRole('textbox', { name: 'Code from your authenticator app' }).fill('000000');
  assert.deepEqual(await axeViolations(worker.page), []);
  await worker.page.getByRole('button', { name: 'Turn it on' }).click();
  await worker.page.getByRole('alert').filter({ hasText: 'That code did not work.' }).waitFor();
  await worker.page.getByRole('button', { name: 'Back' }).click();
  await setSecondFactor(worker.page);
  await worker.page.getByTestId('second-factor-state').filter({ hasText: 'This account asks for a code from your authenticator app' }).waitFor();
  await backToJoin();
  await worker.page.getByText('Waiting for them to let you join…').waitFor({ timeout: 20000 });
  await a.page.getByRole('heading', { name: 'Sam (worker) wants to join your plan' }).waitFor({ timeout: 20000 });
  await a.page.getByText("Their account's username is sam.worker.").waitFor();
  await a.page.getByText('They will be able to change: My care and support plan, My safety plan.').waitFor();
  // After a scan the keys were checked by the QR code itself: no number to compare.
  assert.equal(await a.page.getByTestId('check-number').count(), 0);
  assert.equal(await worker.page.getByTestId('check-number').count(), 0);
  assert.deepEqual(await axeViolations(a.page), []);
  await a.page.getByRole('button', { name: 'Let them join' }).click();
  await a.page.getByText('Sam has joined your plan.').waitFor({ timeout: 20000 });
  await worker.page.getByText('You have joined their plan.').waitFor({ timeout: 20000 });
  assert.deepEqual(await axeViolations(worker.page), []);

  // The worker's own session reads the plan's log (the person, the person's phone, the
  // worker, the worker's phone, and the worker's suggestions documents for About me and
  // If I am in crisis) and the keys of the five parts a worker may see and of the plan's
  // card, then, once the
  // person's phone has made them, of those two documents.
  const deadline = Date.now() + 30000;
  for (;;) {
    const seen = await worker.page.evaluate(async (plan) => {
      const members = await fetch(`/api/v1/plans/${plan}/members`);
      const keys = await fetch(`/api/v1/plans/${plan}/keys`).then((r) => r.json());
      return { members: members.status, entries: (await members.json()).entries.length, keys: keys.envelopes.length };
    }, plan);
    assert.deepEqual({ ...seen, keys: undefined }, { members: 200, entries: 6, keys: undefined });
    assert.ok([6, 8].includes(seen.keys), `keys: ${seen.keys}`);
    if (seen.keys === 8) break;
    assert.ok(Date.now() < deadline, 'the suggestions keys arrive');
    await worker.page.waitForTimeout(500);
  }

  // The plan is on the worker's phone now, which says what the worker may change there:
  // the person's story arrives, and a warning sign the worker adds to the safety plan
  // reaches the person's phone.
  await worker.page.getByRole('link', { name: 'See their plan' }).click();
  await worker.page
    .locator('#app-notice')
    .filter({ hasText: "This is someone else's plan, shared with you. You can change: My care and support plan, My safety plan." })
    .waitFor({ timeout: 20000 });
  await wordsArrive(worker.page, `${url}/about-me`, 'My story, in my own words', 'I grow tomatoes on the balcony');
  await go(worker.page, `${url}/safety-plan/edit`);
  await worker.page.getByRole('button', { name: 'Add a warning sign' }).click();
  await worker.page.getByRole('textbox', { name: 'Warning sign 1', exact: true }).pressSequentially('Skipping meals');
  await savedOnThisPhone(worker.page);
  await wordsArrive(a.page, `${url}/safety-plan/edit`, 'Warning sign 1', 'Skipping meals');

  // About me is the person's to change: the worker may only suggest. The suggestion
  // reaches the person's phone, shown in place beside the words as they read now; the
  // person takes it in, About me says it, and the worker's phone shows it was taken in.
  await go(worker.page, `${url}/suggestions`);
  await worker.page.getByRole('button', { name: 'Suggest new words: My story, in my own words' }).click();
  const suggestion = worker.page.getByRole('textbox', { name: 'Your suggestion' });
  assert.equal(await suggestion.inputValue(), 'I grow tomatoes on the balcony');
  await suggestion.fill('I grow tomatoes and beans on the balcony');
  assert.deepEqual(await axeViolations(worker.page), []);
  await worker.page.getByRole('button', { name: 'Send suggestion' }).click();
  await worker.page.getByText('Saved on this phone. It is sent as soon as you are online.').waitFor();
  await worker.page.getByTestId('my-suggestion').filter({ hasText: 'Waiting for their decision' }).waitFor();
  const card = a.page.getByRole('article', { name: 'sam.worker suggests a change to About me' });
  for (const until = Date.now() + 30000; ; ) {
    await go(a.page, `${url}/suggestions`);
    if (await card.waitFor({ timeout: 3000 }).then(() => true, () => false)) break;
    assert.ok(Date.now() < until, 'the suggestion reaches the person');
  }
  await card.getByText('Your plan says now: I grow tomatoes on the balcony').waitFor();
  assert.equal(await card.getByTestId('suggested-words').textContent(), 'I grow tomatoes and beans on the balcony');
  assert.deepEqual(await axeViolations(a.page), []);
  await card.getByRole('button', { name: 'Take it in' }).click();
  await a.page.getByText('Taken in: your plan now says this.').waitFor();
  await a.page.getByText('There are no suggestions for this plan.').waitFor();
  await wordsArrive(a.page, `${url}/about-me`, 'My story, in my own words', 'I grow tomatoes and beans on the balcony');
  for (const until = Date.now() + 30000; ; ) {
    await go(worker.page, `${url}/suggestions`);
    const taken = worker.page.getByTestId('my-suggestion').filter({ hasText: 'Taken in' });
    if (await taken.waitFor({ timeout: 3000 }).then(() => true, () => false)) break;
    assert.ok(Date.now() < until, "the worker's phone hears it was taken in");
  }
  await wordsArrive(worker.page, `${url}/about-me`, 'My story, in my own words', 'I grow tomatoes and beans on the balcony');
  // On the worker's locked phone, the person's safety plan never opens without the PIN,
  // and the lock settings do not offer it.
  await worker.page.goto(url);
  await worker.page.getByRole('heading', { name: 'Coplan is locked', level: 1 }).waitFor();
  assert.ok(!(await worker.page.locator('body').innerText()).includes('Skipping meals'));
  await go(worker.page, `${url}/privacy`);
  await worker.page.getByText('The lock is on.').or(worker.page.getByRole('button', { name: 'Lock now' })).first().waitFor();
  assert.equal(await worker.page.locator('#lock-opens').isVisible(), false);

  // The carer types the code: a wrong one joins nothing and says so; the right one, in
  // lower case with spaces, gives both phones one check number. The person chose the
  // safety plan alone for them.
  const carer = await phoneOf(url, 'jo.carer');
  await setSecondFactor(carer.page, url);
  await setPin(carer.page, url);
  const carerRights = {
    'About me': 'Cannot see it',
    'If I am in crisis': 'Cannot see it',
    'My safety plan': 'Can read it and suggest changes for you to accept',
  };
  // Someone else (who overheard the code) redeems it first: the person sees their
  // username, not Jo's, and declines; nobody joins.
  const overheard = await openInvite(a.page, url, 'A carer', 'Jo', carerRights);
  const stranger = await phoneOf(url, 'a.stranger');
  await setSecondFactor(stranger.page, url);
  await setPin(stranger.page, url);
  await go(stranger.page, `${url}/join`);
  await stranger.page.getByRole('textbox', { name: 'The code on their phone' }).fill(overheard.code);
  await stranger.page.getByRole('button', { name: 'Join' }).click();
  await a.page.getByRole('heading', { name: 'Jo (carer) wants to join your plan' }).waitFor({ timeout: 20000 });
  await a.page.getByText("Their account's username is a.stranger.").waitFor();
  await a.page.getByRole('button', { name: 'Decline' }).click();
  await a.page.getByText('You declined. Nobody joined your plan.').waitFor();
  await stranger.page.getByText('You were not let in.').waitFor({ timeout: 20000 });
  const strangerKeys = await stranger.page.evaluate((plan) => fetch(`/api/v1/plans/${plan}/keys`).then((r) => r.status), plan);
  assert.equal(strangerKeys, 404);
  await stranger.context.close();

  const typed = await openInvite(a.page, url, 'A carer', 'Jo', carerRights);
  assert.match(typed.code, /^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{5}$/);
  await go(carer.page, `${url}/account`);
  await carer.page.getByRole('link', { name: "Join someone's plan" }).click();
  const box = carer.page.getByRole('textbox', { name: 'The code on their phone' });
  const wrong = typed.code.slice(0, 5) + (typed.code[5] === 'Z' ? 'Y' : 'Z') + typed.code.slice(6);
  await box.fill(wrong);
  await carer.page.getByRole('button', { name: 'Join' }).click();
  await carer.page.getByRole('alert').filter({ hasText: 'That code did not work.' }).waitFor();
  await box.fill(typed.code.toLowerCase().replaceAll('-', ' '));
  await carer.page.getByRole('button', { name: 'Join' }).click();
  const numberC = carer.page.getByTestId('check-number');
  await numberC.waitFor({ timeout: 20000 });
  assert.deepEqual(await axeViolations(carer.page), []);
  await a.page.getByRole('heading', { name: 'Jo (carer) wants to join your plan' }).waitFor({ timeout: 20000 });
  await a.page.getByText('They will be able to suggest changes to: My safety plan.').waitFor();
  const numberA = (await a.page.getByTestId('check-number').textContent()).trim();
  assert.match(numberA, /^\d{3} \d{3}$/);
  assert.equal((await numberC.textContent()).trim(), numberA);
  await a.page.getByRole('button', { name: 'Let them join' }).click();
  await a.page.getByText('Jo has joined your plan.').waitFor({ timeout: 20000 });
  await carer.page.getByText('You have joined their plan.').waitFor({ timeout: 20000 });
  // The safety plan's key and the card's alone, then that of the carer's suggestions to
  // the safety plan.
  for (const until = Date.now() + 30000; ; ) {
    const keys = await carer.page.evaluate((plan) => fetch(`/api/v1/plans/${plan}/keys`).then((r) => r.json()), plan);
    assert.ok([2, 3].includes(keys.envelopes.length), `keys: ${keys.envelopes.length}`);
    if (keys.envelopes.length === 3) break;
    assert.ok(Date.now() < until, "the carer's suggestions key arrives");
    await carer.page.waitForTimeout(500);
  }

  // The plan's card: the carer reads only the safety plan, yet their list of plans says
  // whose plan it is and when it is next reviewed, as the person wrote in About me and the
  // care plan.
  await go(a.page, `${url}/about-me`);
  await a.page.getByRole('textbox', { name: 'What I like to be called' }).fill('Alex');
  await savedOnThisPhone(a.page);
  await go(a.page, `${url}/care-plan`);
  await a.page.getByLabel('When we will look at this plan again').fill('2027-03-01');
  await savedOnThisPhone(a.page);
  // Where the person writes, each part says who else can see it: here, the worker alone.
  await a.page
    .getByTestId('readers')
    .filter({ hasText: /^Who else can see this part: sam\.worker \(worker\), who can change it\.$/ })
    .waitFor({ timeout: 30000 });
  assert.deepEqual(await axeViolations(a.page), []);
  const alexs = carer.page.getByRole('listitem').filter({ hasText: 'Plan for Alex' });
  for (const until = Date.now() + 30000; ; ) {
    await go(carer.page, `${url}/plans`);
    if (await alexs.getByText('Next review: 1 March 2027').waitFor({ timeout: 3000 }).then(() => true, () => false)) break;
    assert.ok(Date.now() < until, "the card reaches the carer's list of plans");
  }
  assert.deepEqual(await axeViolations(carer.page), []);
  // Open, every screen of it says whose plan it is.
  await alexs.getByRole('button', { name: 'Open this plan' }).click();
  await go(carer.page, `${url}/about-me`);
  await carer.page
    .locator('#app-notice')
    .filter({ hasText: "This is Alex's plan, shared with you to read." })
    .waitFor({ timeout: 30000 });
  // The safety plan says who else can see it: the worker, by role only (the person has
  // not named them to the carer).
  await go(carer.page, `${url}/safety-plan/edit`);
  await carer.page
    .getByTestId('readers')
    .filter({
      hasText:
        "Who can see this part: Alex, whose plan it is; you, who can read it and suggest changes; a worker Alex invited, who can change it.",
    })
    .waitFor({ timeout: 30000 });
  // The person chooses to show the worker to the others by a name of their choosing; the
  // screen says what the others can tell even without it. The carer's phone then names
  // the worker that way, and nothing else of them (never their username).
  await go(a.page, `${url}/account`);
  await a.page.getByRole('link', { name: 'Who can see your plan' }).click();
  const samsRegion = a.page.getByRole('region', { name: 'sam.worker (worker)' });
  await samsRegion
    .getByTestId('shown-to-others')
    .filter({ hasText: 'The others who can see your plan do not see their name, only their role.' })
    .waitFor({ timeout: 20000 });
  await a.page.getByText('may guess who wrote them').waitFor();
  await a.page.getByRole('button', { name: 'Show sam.worker (worker) to the others by name' }).click();
  await a.page.getByRole('heading', { name: 'What should the others call sam.worker (worker)?' }).waitFor();
  await a.page.getByRole('button', { name: 'Show this name' }).click();
  await a.page.getByRole('alert').filter({ hasText: 'Type the name the others should see.' }).waitFor();
  await a.page.getByRole('textbox', { name: 'Name the others will see' }).fill('Sam');
  assert.deepEqual(await axeViolations(a.page), []);
  await a.page.getByRole('button', { name: 'Show this name' }).click();
  await a.page.getByText('The others now see sam.worker (worker) as \u201cSam\u201d.').waitFor({ timeout: 20000 });
  await samsRegion
    .getByTestId('shown-to-others')
    .filter({ hasText: 'The others who can see your plan see them as \u201cSam\u201d.' })
    .waitFor();
  await a.page.getByRole('button', { name: "Stop showing sam.worker (worker)'s name" }).waitFor();
  assert.deepEqual(await axeViolations(a.page), []);
  const namedLine =
    "Who can see this part: Alex, whose plan it is; you, who can read it and suggest changes; Sam (worker), who can change it.";
  for (const until = Date.now() + 40000; ; ) {
    await go(carer.page, `${url}/safety-plan/edit`);
    const line = carer.page.getByTestId('readers').filter({ hasText: namedLine });
    if (await line.waitFor({ timeout: 3000 }).then(() => true, () => false)) break;
    assert.ok(Date.now() < until, "the worker's name the person chose reaches the carer's phone");
  }
  assert.ok(!(await carer.page.content()).includes('sam.worker'), "the carer's phone never shows the worker's username");
  // Offline, a screen opened afresh says it still, as the last round worked it out.
  await carer.context.setOffline(true);
  await go(carer.page, `${url}/safety-plan/edit`);
  await carer.page.getByTestId('readers').filter({ hasText: namedLine }).waitFor({ timeout: 20000 });
  await carer.context.setOffline(false);

  // The carer's voice: they notice warning signs and suggest three; the person leaves one
  // out, takes the other two in at once, and the safety plan holds only those.
  const suggestSign = async (words) => {
    await carer.page.getByRole('button', { name: 'Suggest something to add: Warning signs' }).click();
    await carer.page.getByRole('textbox', { name: 'Your suggestion' }).fill(words);
    await carer.page.getByRole('button', { name: 'Send suggestion' }).click();
    await carer.page.getByTestId('my-suggestion').filter({ hasText: words }).waitFor();
  };
  // (The carer's phone takes the key in at its next round, which a full load starts.)
  const addSign = carer.page.getByRole('button', { name: 'Suggest something to add: Warning signs' });
  for (const until = Date.now() + 30000; ; ) {
    await go(carer.page, `${url}/suggestions`);
    if (await addSign.waitFor({ timeout: 3000 }).then(() => true, () => false)) break;
    assert.ok(Date.now() < until, "the carer's phone holds their suggestions document");
  }
  await suggestSign('Stops answering the phone');
  await suggestSign('Sleeps all day');
  await suggestSign('Gives things away');
  assert.deepEqual(await axeViolations(carer.page), []);
  const signs = a.page.getByRole('article', { name: 'jo.carer suggests a change to My safety plan' });
  for (const until = Date.now() + 30000; ; ) {
    await go(a.page, `${url}/suggestions`);
    if (await signs.nth(2).waitFor({ timeout: 5000 }).then(() => true, () => false)) break;
    assert.ok(Date.now() < until, "the carer's suggestions reach the person");
  }
  await signs.first().getByText('Add to Warning signs').waitFor();
  assert.deepEqual(await axeViolations(a.page), []);
  await signs.filter({ hasText: 'Sleeps all day' }).getByRole('button', { name: 'Leave it out' }).click();
  await a.page.getByText('Left out: your plan did not change.').waitFor();
  // (The message comes first; the list is drawn again just after.)
  await signs.filter({ hasText: 'Sleeps all day' }).waitFor({ state: 'detached' });
  assert.equal(await signs.count(), 2);
  await a.page.getByRole('button', { name: 'Take them all in' }).click();
  await a.page.getByText('All taken in: your plan now says them.').waitFor();
  await a.page.getByText('There are no suggestions for this plan.').waitFor();
  await wordsArrive(a.page, `${url}/safety-plan/edit`, 'Warning sign 2', 'Stops answering the phone');
  await a.page.getByRole('textbox', { name: 'Warning sign 3', exact: true }).waitFor();
  assert.equal(await a.page.getByRole('textbox', { name: 'Warning sign 3', exact: true }).inputValue(), 'Gives things away');
  assert.equal(await a.page.getByRole('textbox', { name: 'Warning sign 4', exact: true }).count(), 0);

  // Both offline, the person and the worker change the safety plan: each adds words to
  // the same warning sign and a warning sign of their own to the same list. Back online,
  // both phones show all of it.
  await go(a.page, `${url}/safety-plan/edit`);
  await wordsArrive(worker.page, `${url}/safety-plan/edit`, 'Warning sign 3', 'Gives things away');
  await a.context.setOffline(true);
  await worker.context.setOffline(true);
  for (const [phone, added, sign] of [
    [a.page, ' at work', 'Not opening post'],
    [worker.page, ' lately', 'Cancels appointments'],
  ]) {
    const first = phone.getByRole('textbox', { name: 'Warning sign 1', exact: true });
    await first.press('End');
    await first.pressSequentially(added);
    await phone.getByRole('button', { name: 'Add a warning sign' }).click();
    await phone.getByRole('textbox', { name: 'Warning sign 4', exact: true }).pressSequentially(sign);
    await savedOnThisPhone(phone);
  }
  await a.context.setOffline(false);
  await worker.context.setOffline(false);
  for (const phone of [a.page, worker.page]) {
    for (const until = Date.now() + 60000; ; ) {
      await go(phone, `${url}/safety-plan/edit`);
      await phone.getByRole('textbox', { name: 'Warning sign 1', exact: true }).waitFor();
      const signs = await phone.getByRole('textbox', { name: /^Warning sign \d+$/ }).evaluateAll((boxes) => boxes.map((b) => b.value));
      const first = signs[0] ?? '';
      const both = first.includes(' at work') && first.includes(' lately') && first.startsWith('Skipping meals');
      if (both && signs.includes('Not opening post') && signs.includes('Cancels appointments') && signs.length === 5) break;
      assert.ok(Date.now() < until, `both phones' words on each phone: ${JSON.stringify(signs)}`);
      await phone.waitForTimeout(1000);
    }
  }

  // The person takes the safety plan away from the worker, in the same place: the
  // worker's phone says they may now change only the care plan, and the safety plan's key
  // moves on, so the carer, who still reads it, is given the new key (a third).
  await go(a.page, `${url}/account`);
  await a.page.getByRole('link', { name: 'Who can see your plan' }).click();
  await a.page.getByRole('button', { name: 'Change what sam.worker (worker) may do' }).click();
  await a.page.getByRole('heading', { name: 'What sam.worker (worker) may do' }).waitFor();
  await a.page.getByRole('combobox', { name: 'My safety plan' }).selectOption({ label: 'Cannot see it' });
  assert.deepEqual(await axeViolations(a.page), []);
  await a.page.getByRole('button', { name: 'Save' }).click();
  await a.page.getByText('Saved. sam.worker (worker) may now do what you chose.').waitFor({ timeout: 20000 });
  await a.page.getByRole('region', { name: 'sam.worker (worker)' }).getByText('My safety plan: Cannot see it').waitFor();
  await go(worker.page, `${url}/account`);
  await worker.page
    .locator('#app-notice')
    .filter({ hasText: /You can change: My care and support plan\. / })
    .waitFor({ timeout: 30000 });
  const keysNow = await carer.page.evaluate((plan) => fetch(`/api/v1/plans/${plan}/keys`).then((r) => r.json()), plan);
  assert.equal(keysNow.envelopes.length, 4);

  // The person removes the worker from "Who can see your plan": the worker's next
  // request is refused, and the worker's phone says so and no longer holds the plan.
  await removeMember(a.page, url, 'sam.worker (worker)', { stays: ['jo.carer (carer)'], axe: true });
  await a.page.getByRole('heading', { name: 'jo.carer (carer)' }).waitFor();
  assert.equal(await a.page.getByRole('heading', { name: 'sam.worker (worker)' }).count(), 0);
  const refused = await worker.page.evaluate((plan) => fetch(`/api/v1/plans/${plan}/keys`).then((r) => r.status), plan);
  assert.equal(refused, 404);
  await worker.page
    .locator('#app-notice')
    .filter({ hasText: 'A plan someone shared with you is no longer shared with this account (you left it, or they removed you), so it has been taken off this phone.' })
    .waitFor({ timeout: 30000 });
  await go(worker.page, `${url}/about-me`);
  const story = worker.page.getByRole('textbox', { name: 'My story, in my own words' });
  await story.waitFor();
  assert.ok(!(await story.inputValue()).includes('tomatoes'), 'the plan is off the worker\'s phone');

  // The removal moved on the keys of what the worker could still read: of the carer's,
  // only the card's, so the carer holds one key more (five). What the person writes in
  // the safety plan is sealed under its new key (the server would refuse the old key's)
  // and reaches the carer's phone.
  const carerKeys = await carer.page.evaluate((plan) => fetch(`/api/v1/plans/${plan}/keys`).then((r) => r.json()), plan);
  assert.equal(carerKeys.envelopes.length, 5);
  await go(a.page, `${url}/safety-plan/edit`);
  await a.page.getByRole('button', { name: 'Add a warning sign' }).click();
  await a.page.getByRole('textbox', { name: 'Warning sign 6', exact: true }).pressSequentially('Calls in sick');
  await savedOnThisPhone(a.page);
  await wordsArrive(carer.page, `${url}/safety-plan/edit`, 'Warning sign 6', 'Calls in sick');

  // The access log says, in plain words, what the others' phones did and what the person
  // did about them.
  await go(a.page, `${url}/account`);
  await a.page.getByRole('link', { name: 'What others did with your plan' }).click();
  const log = a.page.getByTestId('access-log');
  await log.waitFor({ timeout: 20000 });
  for (const line of [
    /^sam\.worker's phone received About me \((once|\d+ times) today\)$/,
    /^sam\.worker changed My safety plan \((once|\d+ times) today\)$/,
    /^sam\.worker suggested changes to About me \((once|\d+ times) today\)$/,
    /^jo\.carer suggested changes to My safety plan \((once|\d+ times) today\)$/,
    /^jo\.carer's phone fetched the keys to your plan \((once|\d+ times) today\)$/,
    /^You let jo\.carer join your plan \(today\)$/,
    /^You removed sam\.worker \(today\)$/,
  ]) {
    await log.getByRole('listitem').filter({ hasText: line }).first().waitFor();
  }
  assert.equal(await log.getByRole('listitem').filter({ hasText: /carer.*received About me/ }).count(), 0);
  assert.deepEqual(await axeViolations(a.page), []);
  // Offline, it reads as it was last fetched, and says so.
  await a.context.setOffline(true);
  await go(a.page, `${url}/access`);
  await a.page.getByText(/^You are offline: this is how it was at /).waitFor({ timeout: 20000 });
  await log.getByRole('listitem').filter({ hasText: /^You removed sam\.worker \(today\)$/ }).waitFor();
  await a.context.setOffline(false);

  // The service turns the carer's account off (someone who left), with the server's own
  // command: the carer's phone says so, and the person sees the carer marked in Who can
  // see your plan, to remove them.
  const turnedOff = spawnSync(SERVER_BIN, ['disable', 'jo.carer'], {
    env: { ...process.env, DATABASE_URL: `sqlite://${join(running.server.dataDir, 'coplan.db')}` },
    encoding: 'utf8',
  });
  assert.equal(turnedOff.status, 0, turnedOff.stderr);
  assert.match(turnedOff.stdout, /The account jo\.carer is turned off\./);
  await go(carer.page, `${url}/account`);
  await carer.page
    .locator('#app-notice')
    .filter({ hasText: 'The service that runs your Coplan server has turned off your account.' })
    .waitFor({ timeout: 30000 });
  const carerRefused = await carer.page.evaluate(() => fetch('/api/v1/account').then((r) => r.status));
  assert.equal(carerRefused, 403);
  await go(a.page, `${url}/account`);
  await a.page.getByRole('link', { name: 'Who can see your plan' }).click();
  const carerCard = a.page.getByRole('region', { name: 'jo.carer (carer)' });
  await carerCard.getByText('The service has turned off this account, for someone who has left.').waitFor({ timeout: 20000 });
  // Every screen of the person's phone asks them to remove the carer.
  await a.page.locator('#app-notice p', { hasText: 'the service turned their account off. Remove them in Who can see your plan' }).waitFor({ timeout: 30000 });
  assert.deepEqual(await axeViolations(a.page), []);

  assert.deepEqual(errorsA.filter((e) => !/status of 40[149]|ERR_INTERNET_DISCONNECTED/.test(e)), []);
  assert.deepEqual(worker.errors.filter((e) => !/status of 40[14]|ERR_INTERNET_DISCONNECTED/.test(e)), []);
  assert.deepEqual(carer.errors.filter((e) => !/status of 40[134]|ERR_INTERNET_DISCONNECTED/.test(e)), []);
  // The server was honest: no phone turned anything away.
  assert.deepEqual([refusedA, worker.refused, carer.refused], [[], [], []]);
  for (const phone of [a, worker, carer]) await phone.context.close();
});

test("a carer leaves on their own; a change the person's other phone sealed before the carer's removal and sent after it is sealed again under the new key and arrives", async () => {
  const a = await tabWithStory(running, 'I keep a diary');
  const url = a.url;
  await signUp(a.page, url, 'pat.person');
  await a.page.goto(`${url}/account`);
  await a.page.getByText(/Your plan was last backed up at \d\d:\d\d/).waitFor({ timeout: 30000 });
  const refusedA = watchRefusals(a.context);
  const contextB = await running.browser.newContext();
  const refusedB = watchRefusals(contextB);
  const b = await contextB.newPage();
  await signIn(b, url, 'pat.person');
  await wordsArrive(b, `${url}/about-me`, 'My story, in my own words', 'I keep a diary');
  await b.getByTestId('readers').filter({ hasText: 'Only you can see this part of your plan.' }).waitFor({ timeout: 30000 });
  // A carer, who reads the safety plan, joins by typed code.
  const carer = await phoneOf(url, 'kim.carer');
  const carersKey = await setSecondFactor(carer.page, url);
  await setPin(carer.page, url);
  await letIn(a, carer, url, 'A carer', 'Kim', 20000);
  // On another phone, the carer's passphrase alone no longer signs in: the form asks for
  // the code their app shows, and takes the next one.
  const another = await running.browser.newContext({ viewport: { width: 320, height: 800 } });
  const other = await another.newPage();
  await other.goto(`${url}/account`);
  await other.getByRole('button', { name: 'Sign in' }).click();
  await other.getByRole('textbox', { name: 'Username' }).fill('kim.carer');
  await other.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
  await other.getByRole('button', { name: 'Sign in on this phone' }).click();
  await other.getByRole('alert').filter({ hasText: 'This account also asks for the code your authenticator app shows now.' }).waitFor({ timeout: 20000 });
  assert.deepEqual(await axeViolations(other), []);
  await other.getByRole('textbox', { name: 'Code from your authenticator app' }).fill(totp(carersKey, Date.now() + 30000));
  await other.getByRole('button', { name: 'Sign in on this phone' }).click();
  await other.getByText('Signed in as kim.carer.').waitFor({ timeout: 20000 });
  await another.close();

  // Phone B writes a warning sign. None of its syncs gets through, so the change, sealed
  // under the safety plan's key as it stands, waits in its outbox.
  await b.route('**/api/v1/sync**', (route) => route.abort());
  await b.goto(`${url}/safety-plan/edit`);
  await b.getByRole('button', { name: 'Add a warning sign' }).click();
  await b.getByRole('textbox', { name: 'Warning sign 1', exact: true }).pressSequentially('Sleeping all day');
  await savedOnThisPhone(b);
  // Two rounds tried after the words were saved: the second sealed them.
  for (let tries = 0; tries < 2; tries += 1) {
    await b.waitForRequest((r) => r.method() === 'POST' && new URL(r.url()).pathname === '/api/v1/sync', { timeout: 30000 });
  }

  // The carer leaves on their own, from their list of plans after a plain question: the
  // plan comes off their phone and the server refuses them at once. The person sees it.
  const planId = await a.page.evaluate(() => fetch('/api/v1/plans').then((r) => r.json()).then((p) => p.plans[0].plan));
  await go(carer.page, `${url}/plans`);
  await carer.page.getByRole('button', { name: /^Leave this plan/ }).click();
  await carer.page.getByRole('heading', { name: /^Leave .+'s plan\?$/ }).waitFor();
  assert.deepEqual(await axeViolations(carer.page), []);
  await carer.page.getByRole('button', { name: /^Leave .+'s plan$/ }).click();
  await carer.page.getByText(/^You left .+'s plan\. It is no longer on this phone\.$/).waitFor({ timeout: 30000 });
  assert.deepEqual(await axeViolations(carer.page), []);
  const refused = await carer.page.evaluate((plan) => fetch(`/api/v1/plans/${plan}`).then((r) => r.status), planId);
  assert.equal(refused, 404);
  await go(carer.page, `${url}/plans`);
  await carer.page.getByText('There are no plans on this phone yet.').or(carer.page.getByRole('button', { name: /^Open this plan/ }).first()).waitFor();
  assert.equal(await carer.page.getByRole('button', { name: /^Leave this plan/ }).count(), 0);
  await go(a.page, `${url}/people`);
  const toRemove = a.page.locator('#app-notice p', { hasText: 'Someone who could see your plan has left it' });
  await toRemove.waitFor({ timeout: 30000 });
  await a.page
    .getByRole('region', { name: 'kim.carer (carer)' })
    .getByText('They chose to leave your plan, and can no longer reach it.', { exact: false })
    .waitFor({ timeout: 20000 });
  await go(a.page, `${url}/access`);
  await a.page.getByTestId('access-log').getByRole('listitem').filter({ hasText: /^kim\.carer left your plan \(today\)$/ }).waitFor({ timeout: 20000 });

  // Phone A removes the carer who left: the safety plan's key moves on, and the server
  // refuses anything sealed under the old one. Phone B's sync gets through again: B
  // learns the key moved on (from the server's answer to its push, or from the log),
  // takes the new key, seals the change again and sends it, and it reaches phone A.
  await removeMember(a.page, url, 'kim.carer (carer)');
  await b.unroute('**/api/v1/sync**');
  await contextB.setOffline(true);
  await contextB.setOffline(false);
  await wordsArrive(a.page, `${url}/safety-plan/edit`, 'Warning sign 1', 'Sleeping all day');
  // Removed: the phone stops asking.
  await toRemove.waitFor({ state: 'detached', timeout: 30000 });
  // The server was honest: no phone turned anything away.
  assert.deepEqual([refusedA, refusedB, carer.refused], [[], [], []]);
  for (const context of [a.context, contextB, carer.context]) await context.close();
});
