// Shared helpers for the end-to-end tests: the real server binary on a fresh SQLite file,
// and Debian's Chromium driven by playwright-core, headless.
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);

export const SERVER_BIN = need('COPLAN_SERVER_BIN');
export const DIST = need('COPLAN_DIST');
export const DIST_B = process.env.COPLAN_DIST_B;

export function need(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run these tests with \`cargo xtask test\``);
  }
  return value;
}

/**
 * Starts the server, on a fresh SQLite file in `dataDir` or on the PostgreSQL at `database`;
 * resolves once it prints the address to open.
 */
export async function startServer({ dist = DIST, addr = '127.0.0.1:0', dataDir, database } = {}) {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'coplan-e2e-'));
  const child = spawn(SERVER_BIN, [], {
    env: {
      ...process.env,
      COPLAN_ADDR: addr,
      COPLAN_DIST: dist,
      DATABASE_URL: database ?? `sqlite://${join(dir, 'coplan.db')}`,
      COPLAN_LOG: 'info',
      NO_COLOR: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs = [];
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${logs.join('\n')}`)), 20000);
    const onData = (chunk) => {
      for (const line of chunk.toString().split('\n')) {
        if (!line) continue;
        logs.push(line);
        const match = line.match(/Open (http:\/\/[^/]+)\//);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`server exited (${code}):\n${logs.join('\n')}`)));
  });
  return {
    url,
    addr: url.replace('http://', ''),
    dataDir: dir,
    logs,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.on('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Launches headless Chromium the way this closed network needs it. */
export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** Collects console errors and page errors (CSP violations arrive as console errors). */
export function watchErrors(page) {
  const errors = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(String(error)));
  return errors;
}

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** Runs axe-core on the page (WCAG 2.0–2.2 A and AA) and returns its violations. */
export async function axeViolations(page) {
  // Evaluated through the DevTools protocol, so the page's CSP is not loosened for it.
  await page.evaluate(`${AXE_SOURCE}\n;0`);
  const results = await page.evaluate(() =>
    window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
    }),
  );
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5),
  }));
}

/** Waits until a service worker controls this origin and has finished installing. */
export async function serviceWorkerReady(page) {
  await page.evaluate(async () => {
    const registration = await navigator.serviceWorker.ready;
    return registration.active.state;
  });
}

/** How many times the server sent a path with status 200, from its request log. */
export function timesServed(logs, pathPattern) {
  return logs.filter((line) => pathPattern.test(line) && /status=200/.test(line)).length;
}

/**
 * One browser and one server for a whole test file: started before its first test and
 * stopped after its last. Read `.browser` and `.server` inside the tests.
 */
export function browserAndServer() {
  const running = { browser: undefined, server: undefined };
  before(async () => {
    running.browser = await launch();
    running.server = await startServer();
  });
  after(async () => {
    await running.browser?.close();
    await running.server?.stop();
  });
  return running;
}

/** A new browser context and tab with `words` typed into About me's story and saved. */
export async function tabWithStory(running, words) {
  const context = await running.browser.newContext();
  const page = await context.newPage();
  const url = running.server.url;
  await page.goto(`${url}/about-me`);
  await page.getByRole('textbox', { name: 'My story, in my own words' }).pressSequentially(words);
  await savedOnThisPhone(page);
  return { context, page, url };
}

/** Waits until every write has reached IndexedDB ("Saved on this phone", not busy). */
export async function savedOnThisPhone(page) {
  await page.locator('[role="status"][aria-busy="false"]', { hasText: 'Saved on this phone' }).waitFor();
}

/** Controls smaller than 44 × 44 px (links inside running text excepted, as WCAG allows). */
export async function smallTargets(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll('#app a, #app button, #app input, #app select')]
      .filter((el) => el.offsetParent !== null && !(el.tagName === 'A' && el.closest('p')))
      .map((el) => ({ text: el.textContent.trim() || el.id, box: el.getBoundingClientRect() }))
      .filter(({ box }) => box.height < 44 || box.width < 44)
      .map(({ text, box }) => `${text} (${Math.round(box.width)}×${Math.round(box.height)})`),
  );
}

/** Every value in Coplan's IndexedDB, as one text (bytes decoded leniently as UTF-8). */
export async function everythingStored(page) {
  return page.evaluate(async () => {
    const db = await new Promise((ok, fail) => {
      const open = indexedDB.open('coplan');
      open.onsuccess = () => ok(open.result);
      open.onerror = () => fail(open.error);
    });
    const texts = [];
    for (const store of db.objectStoreNames) {
      const values = await new Promise((ok) => {
        const request = db.transaction(store).objectStore(store).getAll();
        request.onsuccess = () => ok(request.result);
      });
      for (const value of values) {
        if (typeof value === 'string') texts.push(value);
        else if (value instanceof Uint8Array || value instanceof ArrayBuffer) {
          texts.push(new TextDecoder('utf-8', { fatal: false }).decode(value));
        } else texts.push(JSON.stringify(value ?? null));
      }
    }
    db.close();
    return texts.join('\n');
  });
}

/** The passphrase the e2e tests' accounts use. */
export const PASSPHRASE = 'a kettle on the stove at seven';

/** Makes an account called `name` on this phone, up to its recovery code. */
export async function signUp(page, url, name) {
  await page.goto(`${url}/account`);
  await page.getByRole('button', { name: 'Make an account' }).click();
  await page.getByRole('textbox', { name: 'Username' }).fill(name);
  await page.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
  await page.getByRole('button', { name: 'Make my account' }).click();
  await page.getByRole('heading', { name: 'Your recovery code' }).waitFor();
}

/**
 * The code an authenticator app shows for `secret` (base32, as the app types it; spaces
 * ignored) at `at` ms: RFC 6238, HMAC-SHA1, 30-second steps, 6 digits.
 */
export function totp(secret, at = Date.now()) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const bits = [...secret.replace(/\s/g, '')].map((c) => alphabet.indexOf(c).toString(2).padStart(5, '0')).join('');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const step = Buffer.alloc(8);
  step.writeBigUInt64BE(BigInt(Math.floor(at / 30000)));
  const digest = createHmac('sha1', key).update(step).digest();
  const at4 = digest[19] & 15;
  return String((digest.readUInt32BE(at4) & 0x7fffffff) % 1000000).padStart(6, '0');
}

/**
 * Sets up a second factor on the second-factor screen open now (or at `/second-factor`
 * when `url` is given), as an authenticator app would: reads the key the screen shows and
 * types the code for it. Answers the key, for codes at later sign-ins.
 */
export async function setSecondFactor(page, url) {
  if (url) await page.goto(`${url}/second-factor`);
  await page.getByRole('button', { name: 'Set up a second factor' }).click();
  await page.getByRole('img', { name: 'QR code for your authenticator app' }).waitFor();
  const secret = (await page.getByTestId('second-factor-secret').textContent()).trim();
  await page.getByRole('textbox', { name: 'Code from your authenticator app' }).fill(totp(secret));
  await page.getByRole('button', { name: 'Turn it on' }).click();
  await page.getByText('Done. From now on, signing in on a phone also asks for the code your app shows.').waitFor();
  return secret;
}

/** Signs this phone in (as "Phone B") to the account `name` made with `signUp`. */
export async function signIn(page, url, name) {
  await page.goto(`${url}/account`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('textbox', { name: 'Username' }).fill(name);
  await page.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
  await page.getByRole('textbox', { name: 'A name for this phone' }).fill('Phone B');
  await page.getByRole('button', { name: 'Sign in on this phone' }).click();
  await page.getByText(`Signed in as ${name}.`).waitFor();
}
