// A lying server, driven through the app (issue 14): the real server, with the browser's
// request routing standing in for a server that lies, in headless Chromium, three phones.
// Every lie is something the server could do without any key of the plan's: change what
// it relays, replay what it relayed before, or hand out something it made. Each phone
// turns the lie away, keeps the plan as it was, and says so on screen.
//
// 1. When the worker redeems the person's typed code, the server puts a key of its own in
//    place of the worker's (joining in the middle): the worker's proof of the code no
//    longer holds for it, and the person's phone stops the invite.
// 2. The server hands the joining worker a key it made for part of the plan: the worker's
//    phone does not use it, says so, and takes the person's real key later.
// 3. The worker writes in the care plan; the server holds the change back until the
//    person has made the worker read-only there, then delivers it, correctly signed by the
//    worker: the person's phone leaves it out and says so.
// 4. The person removes the worker. To the carer, who remains, the server replays the old
//    entry that let the worker in: the carer's phone does not take the list and says so.
// 5. For the safety plan's new key (the removal starts a new epoch), the server hands the
//    carer one it made: the carer's phone does not use it and says so, and the person's
//    next words reach the carer once the server stops lying.
// How each refusal is judged is proved in the domain's tests (`domain/tests/invite.rs`,
// `membership.rs`, `key_envelope.rs`, `envelope.rs`), including a server that grinds 2^20
// keys to match a typed code's check number; here, that a phone acts on it and says so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { axeViolations, browserAndServer, savedOnThisPhone, setSecondFactor, signUp, tabWithStory } from './helpers.mjs';
import { go, joins, letIn, openInvite, phoneAt, removeMember, setPin, watchRefusals, wordsArrive } from './together.mjs';

const running = browserAndServer();

const fromBase64url = (text) => Buffer.from(text, 'base64url');
const hex = (bytes) => Buffer.from(bytes).toString('hex');

/** The documents of a sync request (`domain/src/sync/wire.rs`): id, cursor, envelopes. */
function readSyncRequest(body) {
  assert.equal(body.subarray(0, 3).toString('latin1'), 'CY\u0001');
  let at = 5;
  const documents = [];
  for (let n = body.readUInt16BE(3); n > 0; n -= 1) {
    const document = hex(body.subarray(at, at + 16));
    const after = body.readBigUInt64BE(at + 16);
    let pushes = body.readUInt16BE(at + 24);
    at += 26;
    const push = [];
    for (; pushes > 0; pushes -= 1) {
      const len = body.readUInt32BE(at);
      push.push(body.subarray(at + 4, at + 4 + len));
      at += 4 + len;
    }
    documents.push({ document, after, push });
  }
  assert.equal(at, body.length);
  return documents;
}

/**
 * A sync answer with `envelope` added to `document`'s pulls, numbered next after the
 * server's head, which moves on by one; null if that answer did not pull up to the head.
 */
function withPulled(body, document, envelope) {
  const parts = [body.subarray(0, 5)];
  let at = 5;
  let added = false;
  for (let n = body.readUInt16BE(3); n > 0; n -= 1) {
    const start = at;
    const id = hex(body.subarray(at, at + 16));
    at += 16;
    at += 1 + body[at];
    const headAt = at;
    const head = body.readBigUInt64BE(at);
    at += 8;
    let pushed = body.readUInt16BE(at);
    at += 2 + pushed * 17;
    const pulledAt = at;
    let pulled = body.readUInt16BE(at);
    at += 2;
    let last = null;
    for (; pulled > 0; pulled -= 1) {
      last = body.readBigUInt64BE(at);
      at += 16 + 4 + body.readUInt32BE(at + 16);
    }
    if (id !== document) {
      parts.push(body.subarray(start, at));
      continue;
    }
    if (last !== null && last !== head) return null;
    const copy = Buffer.from(body.subarray(start, at));
    copy.writeBigUInt64BE(head + 1n, headAt - start);
    copy.writeUInt16BE(copy.readUInt16BE(pulledAt - start) + 1, pulledAt - start);
    const entry = Buffer.alloc(20);
    entry.writeBigUInt64BE(head + 1n, 0);
    entry.writeBigUInt64BE(BigInt(Date.now()), 8);
    entry.writeUInt32BE(envelope.length, 16);
    parts.push(copy, entry, envelope);
    added = true;
  }
  return added ? Buffer.concat(parts) : null;
}

/** A key envelope with one byte of its sealed key changed: a key the server made. */
function madeUp(blob) {
  const bytes = fromBase64url(blob);
  bytes[110] ^= 0x5a;
  return bytes.toString('base64url');
}

/**
 * Stands in for the server on `pattern`: each request goes on to the real server, and
 * `change(request, answer)` gives what to send back instead ({ json } or { body }), or
 * nothing to pass the real answer on. A request the page gave up on meanwhile (it went to
 * another screen) is let go.
 */
async function lie(target, pattern, change) {
  await target.route(pattern, async (route) => {
    try {
      const real = await route.fetch();
      const instead = real.ok() ? await change(route.request(), real) : null;
      await route.fulfill({ response: real, ...(instead ?? {}) });
    } catch (error) {
      if (!/already handled|closed/i.test(String(error))) throw error;
    }
  });
}

/** Waits until the notice slot on every screen says `words`. */
async function says(page, words) {
  await page.locator('#app-notice').filter({ hasText: words }).waitFor({ timeout: 30000 });
}

/** Opens the account screen, where the person has seen what the notice said (it goes). */
async function seen(page, url) {
  await go(page, `${url}/account`);
  await page.locator('#app-notice').filter({ hasText: /Coplan (left it out|did not use it)/ }).waitFor({ state: 'detached', timeout: 20000 });
}

test('a server that lies is caught by every phone, which keeps the plan as it was and says so', async () => {
  const a = await tabWithStory(running, 'I swim on Tuesdays');
  const url = a.url;
  await a.page.setViewportSize({ width: 320, height: 800 });
  const refusedA = watchRefusals(a.context);
  await signUp(a.page, url, 'lee.person');
  await a.page.goto(`${url}/account`);
  await a.page.getByText(/Your plan was last backed up at \d\d:\d\d/).waitFor({ timeout: 30000 });
  const plan = await a.page.evaluate(() => fetch('/api/v1/plans').then((r) => r.json()).then((p) => p.plans[0].plan));
  const worker = await phoneAt(running, url, 'ray.worker');
  await setSecondFactor(worker.page, url);
  await setPin(worker.page, url);

  // 1. The server swaps the worker's keys for its own in what it tells the person's phone.
  const invitePath = new RegExp(`/api/v1/plans/${plan}/invites/[^/]+$`);
  await lie(a.page, invitePath, async (request, real) => {
    if (request.method() !== 'GET') return null;
    const state = await real.json();
    if (!state.joiner) return null;
    const signing = fromBase64url(state.joiner.signing);
    signing[0] ^= 1;
    return { json: { ...state, joiner: { ...state.joiner, signing: signing.toString('base64url') } } };
  });
  const first = await openInvite(a.page, url, 'A worker', 'Ray');
  await go(worker.page, `${url}/join`);
  await worker.page.getByRole('textbox', { name: 'The code on their phone' }).fill(first.code);
  await worker.page.getByRole('button', { name: 'Join' }).click();
  await a.page.getByText('Someone tried this invite without the right code (or what they sent was changed on the way), so it was stopped. Nobody joined.').waitFor({ timeout: 30000 });
  assert.equal(await a.page.getByRole('button', { name: 'Let them join' }).count(), 0);
  assert.deepEqual(await axeViolations(a.page), []);
  await a.page.unroute(invitePath);
  const afterStop = await a.page.evaluate((plan) => fetch(`/api/v1/plans/${plan}/members`).then((r) => r.json()), plan);
  const personOnly = afterStop.entries.length;

  // 2. The worker joins for real; the server hands their phone a key it made.
  const keysPath = `**/api/v1/plans/${plan}/keys`;
  // `change` makes up some of the key envelopes the server holds for this phone.
  const lyingKeys = (change) => async (request, real) =>
    request.method() === 'GET' ? { json: { envelopes: change((await real.json()).envelopes) } } : null;
  await lie(worker.context, keysPath, lyingKeys((envelopes) => [madeUp(envelopes[0]), ...envelopes.slice(1)]));
  await letIn(a, worker, url, 'A worker', 'Ray');
  await says(worker.page, "the server sent a key for part of a plan that the plan's owner did not sign. Coplan did not use it");
  assert.deepEqual(await axeViolations(worker.page), []);
  await worker.context.unroute(keysPath);
  await seen(worker.page, url);
  // With the person's real keys, taken once the server stops lying, the plan arrives.
  await wordsArrive(worker.page, `${url}/about-me`, 'My story, in my own words', 'I swim on Tuesdays');

  // 3. The worker writes in the care plan; the server keeps the sealed change.
  const documents = await a.page.evaluate((plan) => fetch(`/api/v1/plans/${plan}`).then((r) => r.json()), plan);
  const carePlan = documents.documents.find((d) => d.section === 'care_plan').id;
  let held = null;
  await worker.context.route('**/api/v1/sync', async (route) => {
    for (const document of readSyncRequest(route.request().postDataBuffer())) {
      if (document.document === carePlan && document.push.length > 0) held ??= document.push[0];
    }
    await route.abort();
  });
  await go(worker.page, `${url}/care-plan`);
  const home = worker.page.getByRole('region', { name: 'Where I live' });
  await home.getByRole('textbox', { name: 'What I would like to be different' }).pressSequentially('A bigger kitchen');
  await savedOnThisPhone(worker.page);
  for (const until = Date.now() + 60000; held === null; ) {
    assert.ok(Date.now() < until, "the worker's change is sealed and sent");
    await worker.page.waitForTimeout(500);
  }
  // The person makes the worker read-only on the care plan.
  await go(a.page, `${url}/people`);
  await a.page.getByRole('button', { name: 'Change what ray.worker (worker) may do' }).click();
  await a.page.getByRole('combobox', { name: 'My care and support plan' }).selectOption({ label: 'Can read it' });
  await a.page.getByRole('button', { name: 'Save' }).click();
  await a.page.getByText('Saved. ray.worker (worker) may now do what you chose.').waitFor({ timeout: 20000 });
  // Then the server delivers the worker's change to the person's phone after all.
  let delivered = false;
  await lie(a.context, '**/api/v1/sync', async (request, real) => {
    const body = delivered ? null : withPulled(await real.body(), carePlan, held);
    if (body === null) return null;
    delivered = true;
    return { body };
  });
  await go(a.page, `${url}/care-plan`);
  for (const until = Date.now() + 30000; !delivered; ) {
    assert.ok(Date.now() < until, 'the held change is delivered');
    await a.page.waitForTimeout(500);
  }
  await says(a.page, 'the server sent a change to My care and support plan that was not signed by anyone who may change that part. Coplan left it out');
  assert.deepEqual(await axeViolations(a.page), []);
  await a.context.unroute('**/api/v1/sync');
  await worker.context.unroute('**/api/v1/sync');
  const box = a.page.getByRole('region', { name: 'Where I live' }).getByRole('textbox', { name: 'What I would like to be different' });
  assert.equal(await box.inputValue(), '');
  await seen(a.page, url);

  // A carer joins, who reads the safety plan.
  const carer = await joins(running, a, url, 'ash.carer', 'A carer', 'Ash');
  await go(a.page, `${url}/safety-plan/edit`);
  await a.page.getByRole('button', { name: 'Add a warning sign' }).click();
  await a.page.getByRole('textbox', { name: 'Warning sign 1', exact: true }).pressSequentially('Not answering the door');
  await savedOnThisPhone(a.page);
  await wordsArrive(carer.page, `${url}/safety-plan/edit`, 'Warning sign 1', 'Not answering the door');

  // 4. The person removes the worker, which starts a new key epoch of every part the
  // worker could read. From now on the server hands the carer a key it made for any
  // epoch after the first (5, below), and replays to the carer the old entry that let
  // the worker in (the log's second "add member": the person's own is the first).
  const before = await carer.page.evaluate((plan) => fetch(`/api/v1/plans/${plan}/members`).then((r) => r.json()), plan);
  const added = before.entries.filter((entry) => fromBase64url(entry)[63] === 1);
  assert.equal(added.length, 3, 'the person, the worker and the carer were added');
  assert.ok(before.entries.length > personOnly);
  // (A key envelope's epoch: 4 bytes after its version, plan and document.)
  const epochOf = (blob) => fromBase64url(blob).readUInt32BE(35);
  await lie(carer.context, keysPath, lyingKeys((envelopes) => envelopes.map((blob) => (epochOf(blob) > 0 ? madeUp(blob) : blob))));
  await removeMember(a.page, url, 'ray.worker (worker)', { stays: ['ash.carer (carer)'] });
  const membersPath = `**/api/v1/plans/${plan}/members`;
  await lie(carer.context, membersPath, async (request, real) =>
    request.method() === 'GET' ? { json: { entries: [...(await real.json()).entries, added[1]] } } : null,
  );
  await go(carer.page, `${url}/plans`);
  await says(carer.page, "the server sent a list of who can see a plan that is not the one the plan's owner signed. Coplan did not use it");
  assert.deepEqual(await axeViolations(carer.page), []);
  await carer.context.unroute(membersPath);
  await seen(carer.page, url);

  // 5. The person writes again, under the safety plan's new key, which the lying server
  // hands the carer made up.
  await go(a.page, `${url}/safety-plan/edit`);
  await a.page.getByRole('button', { name: 'Add a warning sign' }).click();
  await a.page.getByRole('textbox', { name: 'Warning sign 2', exact: true }).pressSequentially('Staying up all night');
  await savedOnThisPhone(a.page);
  await go(carer.page, `${url}/safety-plan/edit`);
  await says(carer.page, "the server sent a key for part of a plan that the plan's owner did not sign. Coplan did not use it");
  const signs = await carer.page.getByRole('textbox', { name: /^Warning sign \d+$/ }).evaluateAll((boxes) => boxes.map((b) => b.value));
  assert.deepEqual(signs, ['Not answering the door']);
  // The server stops lying: the person's real key arrives, and the words with it.
  await carer.context.unroute(keysPath);
  await wordsArrive(carer.page, `${url}/safety-plan/edit`, 'Warning sign 2', 'Staying up all night');
  // What each phone turned away, as it told the console: nothing but the lies.
  const kinds = (refused) => [...new Set(refused.map((line) => line.replace('sync: turned away a ', '')))].sort();
  assert.deepEqual(
    { person: kinds(refusedA), worker: kinds(worker.refused), carer: kinds(carer.refused) },
    { person: ['change from the server'], worker: ['key from the server'], carer: ['key from the server', 'members from the server'] },
  );
  for (const context of [a.context, worker.context, carer.context]) await context.close();
});
