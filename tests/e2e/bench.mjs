// `cargo xtask bench`: keystroke to stored in IndexedDB, and opening a safety plan with
// 10 000 edits of history, in headless Chromium at 4× CPU slowdown (DevTools protocol).
// Prints numbers; asserts nothing. Not run by `cargo xtask test`.
import { readFileSync } from 'node:fs';
import { launch, startServer } from './helpers.mjs';

const SLOWDOWN = 4;
const KEYSTROKES = 200;
const history = [...readFileSync(process.env.COPLAN_BENCH_HISTORY)];

// Injected before the app: pairs each `input` event with the next IndexedDB readwrite
// transaction that appends to a section's log, and records the time to its `complete`.
const probe = () => {
  const inputs = [];
  window.__coplanLatencies = [];
  document.addEventListener('input', () => inputs.push(performance.now()), true);
  const open = IDBDatabase.prototype.transaction;
  IDBDatabase.prototype.transaction = function (stores, mode, ...rest) {
    const tx = open.call(this, stores, mode, ...rest);
    const names = [].concat(stores);
    if (mode === 'readwrite' && names.includes('section_updates') && names.length === 1) {
      tx.addEventListener('complete', () => {
        const started = inputs.shift();
        if (started !== undefined) window.__coplanLatencies.push(performance.now() - started);
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

  // A first visit starts a plan; then its safety plan is replaced by the long history.
  await page.goto(`${server.url}/safety-plan/edit`);
  await page.getByRole('button', { name: 'Add a warning sign' }).waitFor();
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
    // Sealed as the app seals a snapshot (coplan_domain::sealed): "CS", version 1, nonce,
    // AES-256-GCM ciphertext, with the record's place as associated data.
    const key = await read('meta', 'data_key');
    const nonce = crypto.getRandomValues(new Uint8Array(12));
    const additionalData = new TextEncoder().encode(`coplan/1/section_snapshots/${plan}/safety_plan`);
    const ciphertext = new Uint8Array(
      await crypto.subtle.encrypt({ name: 'AES-GCM', iv: nonce, additionalData }, key, new Uint8Array(bytes)),
    );
    const sealed = new Uint8Array(3 + 12 + ciphertext.length);
    sealed.set([0x43, 0x53, 1]);
    sealed.set(nonce, 3);
    sealed.set(ciphertext, 15);
    const tx = db.transaction(['section_snapshots', 'section_updates'], 'readwrite');
    tx.objectStore('section_snapshots').put(sealed, [plan, 'safety_plan']);
    tx.objectStore('section_updates').delete(IDBKeyRange.bound([plan, 'safety_plan', 0], [plan, 'safety_plan', Infinity]));
    await new Promise((resolve, reject) => {
      tx.oncomplete = resolve;
      tx.onerror = () => reject(tx.error);
    });
    db.close();
  }, history);

  await cdp.send('Emulation.setCPUThrottlingRate', { rate: SLOWDOWN });
  const opens = [];
  for (let run = 0; run < 5; run++) {
    await page.reload();
    await page.getByRole('button', { name: 'Add a warning sign' }).waitFor({ timeout: 120000 });
    opens.push(await page.evaluate(() => {
      const at = (name) => performance.getEntriesByName(name)[0].startTime;
      return {
        total: at('coplan:section-opened') - at('coplan:section-opening'),
        database: at('coplan:database-opened') - at('coplan:section-opening'),
        read: at('coplan:section-read') - at('coplan:database-opened'),
        merge: at('coplan:section-merged') - at('coplan:section-read'),
        view: at('coplan:section-opened') - at('coplan:section-merged'),
      };
    }));
  }
  opens.sort((a, b) => a.total - b.total);
  const middle = opens[Math.floor(opens.length / 2)];
  const field = page.getByRole('textbox', { name: 'Reason 1', exact: true });
  await field.click();
  await page.keyboard.press('End');
  await page.evaluate(() => { window.__coplanLatencies = []; });
  await field.pressSequentially('x'.repeat(KEYSTROKES), { delay: 60 });
  await page.waitForFunction((n) => window.__coplanLatencies.length >= n, KEYSTROKES, { timeout: 120000 });
  const latencies = (await page.evaluate(() => window.__coplanLatencies)).sort((a, b) => a - b);

  const ms = (n) => `${n.toFixed(1)} ms`;
  console.log(`CPU slowdown: ${SLOWDOWN}×, release build, headless Chromium`);
  console.log(`open the safety plan with 10 000 edits of history (${history.length} bytes stored), 5 loads: ` +
    `median ${ms(middle.total)}, max ${ms(opens[opens.length - 1].total)} (budget 100 ms)`);
  console.log(`  median load's parts: open the database ${ms(middle.database)}, read plan, author and section (one transaction) ${ms(middle.read)}, ` +
    `merge into the CRDT ${ms(middle.merge)}, build the view ${ms(middle.view)}`);
  console.log(`keystroke to stored in IndexedDB, ${latencies.length} keystrokes on that plan: ` +
    `p50 ${ms(percentile(latencies, 50))}, p99 ${ms(percentile(latencies, 99))}, max ${ms(latencies[latencies.length - 1])} (budget p99 100 ms)`);
  await context.close();
} finally {
  await browser.close();
  await server.stop();
}
