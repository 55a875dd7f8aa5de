// `cargo xtask bench`: opening a new plan's safety plan offline and the same with 10 000
// edits of history, then keystroke to stored in IndexedDB, in headless Chromium at 4× CPU slowdown (DevTools protocol);
// then, with a PIN set, the unlock time (measured unthrottled: the key derivation runs
// in the browser's own code, outside the page's slowed-down thread, so it is reported
// ×4 as the cheap-phone figure) and keystroke to stored again with the lock on; then that
// phone makes an account (backing the long plan up) and three new phones sign in at 4×
// CPU: the passphrase's stretch, the long section arriving, and opening it.
// Prints numbers; asserts nothing. Not run by `cargo xtask test`.
import { readFileSync } from 'node:fs';
import { launch, serviceWorkerReady, startServer } from './helpers.mjs';

const SLOWDOWN = 4;
const KEYSTROKES = 200;
const PIN = '482913';
const history = [...readFileSync(process.env.COPLAN_BENCH_HISTORY)];

// Injected before the app: each `input` event is stored by the first IndexedDB readwrite
// transaction that appends to a section's log and starts after it (one write carries
// every change queued behind the last one); records the time from input to `complete`.
const probe = () => {
  const inputs = [];
  window.__coplanInputs = inputs;
  window.__coplanLatencies = [];
  document.addEventListener('input', () => inputs.push(performance.now()), true);
  const open = IDBDatabase.prototype.transaction;
  IDBDatabase.prototype.transaction = function (stores, mode, ...rest) {
    const tx = open.call(this, stores, mode, ...rest);
    const names = [].concat(stores);
    if (mode === 'readwrite' && names.includes('section_updates') && !names.includes('section_snapshots')) {
      const carried = inputs.splice(0, inputs.length);
      tx.addEventListener('complete', () => {
        const now = performance.now();
        for (const started of carried) window.__coplanLatencies.push(now - started);
      });
    }
    return tx;
  };
};

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const server = await startServer();
const browser = await launch();
try {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.addInitScript(probe);
  const cdp = await context.newCDPSession(page);

  // Five offline loads of the safety plan's editor, each from navigation to the plan's
  // words on screen (the view built), with the parts of the median load.
  const openFiveTimes = async () => {
    await context.setOffline(true);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: SLOWDOWN });
    const opens = [];
    for (let run = 0; run < 5; run++) {
      await page.reload();
      await page.getByRole('button', { name: 'Add a warning sign' }).waitFor({ timeout: 120000 });
      opens.push(await page.evaluate(() => {
        const at = (name) => performance.getEntriesByName(name)[0].startTime;
        return {
          // From navigation: the document, the app's code (from the offline copy), then
          // the database before any screen shows.
          total: at('coplan:section-opened'),
          start: at('coplan:app-opening'),
          database: at('coplan:app-opened') - at('coplan:app-opening'),
          screen: at('coplan:section-opening') - at('coplan:app-opened'),
          read: at('coplan:section-read') - at('coplan:database-opened'),
          merge: at('coplan:section-merged') - at('coplan:section-read'),
          view: at('coplan:section-opened') - at('coplan:section-merged'),
        };
      }));
    }
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
    await context.setOffline(false);
    opens.sort((a, b) => a.total - b.total);
    return { median: opens[Math.floor(opens.length / 2)], max: opens[opens.length - 1] };
  };

  // A first visit starts a plan, which opens offline as it is; then its safety plan is
  // replaced by the long history.
  await page.goto(`${server.url}/safety-plan/edit`);
  await page.getByRole('button', { name: 'Add a warning sign' }).waitFor();
  await serviceWorkerReady(page);
  const fresh = await openFiveTimes();
  await page.evaluate(async (bytes) => {
    const db = await new Promise((resolve, reject) => {
      const request = indexedDB.open('coplan');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    const read = (store, key) =>
      new Promise((resolve) => {
        const request = db.transaction(store).objectStore(store).get(key);
        request.onsuccess = () => resolve(request.result);
      });
    const plan = await read('meta', 'current_plan');
    // Sealed as the app seals a snapshot (coplan_domain::sealed, version 2): "CS", 2, the
    // key id (4 bytes, big-endian), nonce, AES-256-GCM ciphertext, with the record's
    // version, key id and place as associated data. The data key (id 1), unwrapped with
    // the device key (id 2) as the app does with no lock set.
    const device = await read('meta', 'device_key');
    const wrapped = new Uint8Array(await read('meta', 'data_key_by_device'));
    const key = await crypto.subtle.unwrapKey(
      'raw',
      wrapped.slice(19),
      device,
      { name: 'AES-GCM', iv: wrapped.slice(7, 19), additionalData: new TextEncoder().encode('coplan/2/2/meta/data_key_by_device') },
      'AES-GCM',
      false,
      ['encrypt', 'decrypt'],
    );
    const nonce = crypto.getRandomValues(new Uint8Array(12));
    const additionalData = new TextEncoder().encode(`coplan/2/1/section_snapshots/${plan}/safety_plan`);
    const ciphertext = new Uint8Array(
      await crypto.subtle.encrypt({ name: 'AES-GCM', iv: nonce, additionalData }, key, new Uint8Array(bytes)),
    );
    const sealed = new Uint8Array(7 + 12 + ciphertext.length);
    sealed.set([0x43, 0x53, 2, 0, 0, 0, 1]);
    sealed.set(nonce, 7);
    sealed.set(ciphertext, 19);
    const tx = db.transaction(['section_snapshots', 'section_updates'], 'readwrite');
    tx.objectStore('section_snapshots').put(sealed, [plan, 'safety_plan']);
    tx.objectStore('section_updates').delete(IDBKeyRange.bound([plan, 'safety_plan', 0], [plan, 'safety_plan', Infinity]));
    await new Promise((resolve, reject) => {
      tx.oncomplete = resolve;
      tx.onerror = () => reject(tx.error);
    });
    db.close();
  }, history);

  const long = await openFiveTimes();
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: SLOWDOWN });
  const typeAndTime = async () => {
    const field = page.getByRole('textbox', { name: 'Reason 1', exact: true });
    await field.click();
    await page.keyboard.press('End');
    await page.evaluate(() => {
      window.__coplanInputs.length = 0;
      window.__coplanLatencies = [];
    });
    await field.pressSequentially('x'.repeat(KEYSTROKES), { delay: 60 });
    await page.waitForFunction((n) => window.__coplanLatencies.length >= n, KEYSTROKES, { timeout: 120000 });
    return (await page.evaluate(() => window.__coplanLatencies)).sort((a, b) => a - b);
  };
  const latencies = await typeAndTime();

  // The lock: set a PIN, then unlock five times, unthrottled.
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
  await page.goto(`${server.url}/privacy`);
  await page.getByLabel('New PIN or passphrase').fill(PIN);
  await page.getByLabel('Type it again').fill(PIN);
  await page.getByRole('button', { name: 'Turn the lock on' }).click();
  await page.getByText('The lock is on.').waitFor({ timeout: 60000 });
  const unlocks = [];
  for (let run = 0; run < 5; run++) {
    await page.goto(`${server.url}/safety-plan/edit`);
    await page.getByLabel('Your PIN').fill(PIN);
    await page.getByRole('button', { name: 'Unlock' }).click();
    await page.getByRole('button', { name: 'Add a warning sign' }).waitFor({ timeout: 120000 });
    unlocks.push(await page.evaluate(() => {
      const at = (name) => performance.getEntriesByName(name)[0].startTime;
      return at('coplan:unlocked') - at('coplan:unlocking');
    }));
  }
  unlocks.sort((a, b) => a - b);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: SLOWDOWN });
  const locked = await typeAndTime();
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });

  const ms = (n) => `${n.toFixed(1)} ms`;
  console.log(`CPU slowdown: ${SLOWDOWN}×, release build, headless Chromium`);
  const parts = (open) => `app's code ready ${ms(open.start)}, open the database and its keys ${ms(open.database)}, ` +
    `show the screen ${ms(open.screen)}, read plan, author and section (one transaction) ${ms(open.read)}, ` +
    `merge into the CRDT ${ms(open.merge)}, build the view ${ms(open.view)}`;
  console.log(`open the safety plan offline, from navigation to its words on screen, 5 loads each:`);
  console.log(`  a new plan: median ${ms(fresh.median.total)}, max ${ms(fresh.max.total)}`);
  console.log(`    median load's parts: ${parts(fresh.median)}`);
  console.log(`  with 10 000 edits of history (${history.length} bytes stored): median ${ms(long.median.total)}, max ${ms(long.max.total)} (budget 1 s)`);
  console.log(`    median load's parts: ${parts(long.median)}`);
  console.log(`  the long history costs ${ms(long.median.total - fresh.median.total)} more than a new plan (budget 100 ms)`);
  console.log(`keystroke to stored in IndexedDB, ${latencies.length} keystrokes on that plan: ` +
    `p50 ${ms(percentile(latencies, 50))}, p99 ${ms(percentile(latencies, 99))}, max ${ms(latencies[latencies.length - 1])} (budget p99 100 ms)`);
  const median = unlocks[Math.floor(unlocks.length / 2)];
  console.log(`unlock with a PIN (PBKDF2-SHA-256, 600 000 iterations, then unwrap), 5 unlocks unthrottled: ` +
    `median ${ms(median)}, max ${ms(unlocks[unlocks.length - 1])}; ×4 for a cheap phone: ${ms(median * 4)} (budget 1 s)`);
  console.log(`keystroke to stored with the lock on (the safety plan also opens without the PIN), ${locked.length} keystrokes: ` +
    `p50 ${ms(percentile(locked, 50))}, p99 ${ms(percentile(locked, 99))}, max ${ms(locked[locked.length - 1])} (budget p99 100 ms)`);

  // The person makes an account on this phone, which backs the long plan up.
  const NAME = 'bench.person';
  const PASSPHRASE = 'a quiet bench by the canal at noon';
  const openUnlocked = async (path) => {
    await page.goto(`${server.url}${path}`);
    await page.getByLabel('Your PIN').fill(PIN);
    await page.getByRole('button', { name: 'Unlock' }).click();
  };
  await openUnlocked('/account');
  await page.getByRole('button', { name: 'Make an account' }).click();
  await page.getByRole('textbox', { name: 'Username' }).fill(NAME);
  await page.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
  await page.getByRole('button', { name: 'Make my account' }).click();
  await page.getByRole('heading', { name: 'Your recovery code' }).waitFor({ timeout: 60000 });
  await openUnlocked('/account');
  await page.getByText(/Your plan was last backed up at/).waitFor({ timeout: 120000 });
  await context.close();

  // Signing in on a new phone at 4× CPU: Argon2id at the account's cost, on the page; then
  // the plan arriving, from the end of the stretch to the long safety plan checked, opened,
  // merged and stored on this phone; then that section opening on screen.
  const signIns = [];
  for (let run = 0; run < 3; run++) {
    const phone = await browser.newContext();
    const next = await phone.newPage();
    const throttle = await phone.newCDPSession(next);
    await next.goto(`${server.url}/account`);
    await next.getByRole('button', { name: 'Sign in' }).click();
    await throttle.send('Emulation.setCPUThrottlingRate', { rate: SLOWDOWN });
    await next.getByRole('textbox', { name: 'Username' }).fill(NAME);
    await next.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
    await next.getByRole('button', { name: 'Sign in on this phone' }).click();
    await next.getByText(`Signed in as ${NAME}.`).waitFor({ timeout: 120000 });
    await next.waitForFunction(() => performance.getEntriesByName('coplan:took-in:safety_plan').length > 0, null, { timeout: 120000 });
    const times = await next.evaluate(() => {
      const at = (name) => performance.getEntriesByName(name)[0].startTime;
      return { stretch: at('coplan:stretched') - at('coplan:stretching'), arrive: at('coplan:took-in:safety_plan') - at('coplan:stretched') };
    });
    await next.goto(`${server.url}/safety-plan/edit`);
    await next.getByRole('button', { name: 'Add a warning sign' }).waitFor({ timeout: 120000 });
    times.open = await next.evaluate(() => performance.getEntriesByName('coplan:section-opened')[0].startTime);
    signIns.push(times);
    await phone.close();
  }
  const middle = (key) => signIns.map((s) => s[key]).sort((a, b) => a - b)[1];
  const most = (key) => Math.max(...signIns.map((s) => s[key]));
  console.log(`sign in on a new phone at ${SLOWDOWN}× CPU, 3 sign-ins (median, max):`);
  console.log(`  Argon2id at the server's cost for new accounts (46 MiB, 2 passes), on the page: ` +
    `${ms(middle('stretch'))}, ${ms(most('stretch'))} (budget 3 s)`);
  console.log(`  then the safety plan with 10 000 edits (${history.length} bytes) fetched, checked, opened, merged and stored: ` +
    `${ms(middle('arrive'))}, ${ms(most('arrive'))}`);
  console.log(`  then opening it, from navigation to its words on screen: ${ms(middle('open'))}, ${ms(most('open'))} (budget 1 s)`);
} finally {
  await browser.close();
  await server.stop();
}
