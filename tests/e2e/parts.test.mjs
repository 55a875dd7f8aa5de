// The parts loaded after the first screen (src/parts.rs): each opens online, and offline
// from the service worker's copy; each is in that copy from the first install; one that
// cannot be fetched says so in plain words with the safety plan still one tap away; and a
// page of one build never fetches another build's parts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DIST, DIST_B, axeViolations, browserAndServer, serviceWorkerReady, startServer, watchErrors } from './helpers.mjs';

const running = browserAndServer();

// Every screen that is a part, with the heading it opens on.
const SCREENS = [
  ['/care-plan', 'My care and support plan'],
  ['/check-ins', 'Check-ins'],
  ['/crisis', 'If I am in crisis'],
  ['/print', 'My plan, ready to print'],
  ['/crisis-card', 'Crisis card'],
  ['/plans', 'Plans on this phone'],
  ['/privacy', 'Privacy and your data'],
];
const MISSING = 'This part of Coplan could not open';

/** The one build folder in a dist: `pkg/<hash>`. */
function buildFolder(dist) {
  const [id] = readdirSync(join(dist, 'pkg'));
  return `/pkg/${id}/`;
}

/** Follows an in-app link (no page load), as a person's tap would. */
async function tapTo(page, path) {
  await page.evaluate((href) => {
    const link = document.createElement('a');
    link.href = href;
    link.textContent = 'go';
    document.querySelector('#main').append(link);
    link.click();
    link.remove();
  }, path);
}

async function startPlan(page, url) {
  await page.goto(url);
  await page.getByRole('button', { name: 'Start my plan' }).click();
  await page.getByRole('textbox', { name: 'What I like to be called' }).waitFor();
}

test('every part opens online, and again offline from the service worker, with no error', async () => {
  const context = await running.browser.newContext();
  const page = await context.newPage();
  const errors = watchErrors(page);
  try {
    await startPlan(page, running.server.url);
    await serviceWorkerReady(page);
    for (const [path, heading] of SCREENS) {
      await tapTo(page, path);
      await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
    }
    await tapTo(page, '/');
    await page.getByRole('button', { name: 'Save a copy of my plan' }).waitFor();

    await context.setOffline(true);
    await page.reload();
    for (const [path, heading] of SCREENS) {
      await page.goto(`${running.server.url}${path}`);
      await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
      assert.equal(await page.getByText(MISSING).count(), 0, `${path} opened offline`);
    }
    await page.goto(running.server.url);
    await page.getByRole('button', { name: 'Save a copy of my plan' }).waitFor();
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('leaving screens before they finish opening breaks nothing', async () => {
  // Each screen reads its section after its first paint; a person tapping on before that
  // read ends must not take the app down (it once did: a read of a signal the screen had
  // already dropped).
  const context = await running.browser.newContext();
  const page = await context.newPage();
  const errors = watchErrors(page);
  const screens = ['/about-me', ...SCREENS.map(([path]) => path), '/safety-plan'];
  try {
    await startPlan(page, running.server.url);
    await page.getByRole('textbox', { name: 'What I like to be called' }).fill('Ash');
    for (let round = 0; round < 4; round += 1) {
      for (const path of screens) {
        await tapTo(page, path);
        await page.waitForTimeout(round * 5);
      }
    }
    await page.getByRole('heading', { name: 'Safety plan', level: 1 }).waitFor();
    await page.waitForTimeout(500);
    assert.deepEqual(errors, []);
    await tapTo(page, '/about-me');
    const name = page.getByRole('textbox', { name: 'What I like to be called' });
    await name.waitFor();
    assert.equal(await name.inputValue(), 'Ash');
  } finally {
    await context.close();
  }
});

test('the first install of the offline copy holds every file of the build, every offline part included, and no online-only one', async () => {
  const context = await running.browser.newContext();
  const page = await context.newPage();
  try {
    await page.goto(running.server.url);
    await serviceWorkerReady(page);
    const cached = await page.evaluate(async () => {
      const names = await caches.keys();
      const cache = await caches.open(names.find((n) => n.startsWith('coplan-shell-')));
      return (await cache.keys()).map((r) => new URL(r.url).pathname);
    });
    const folder = buildFolder(DIST);
    const files = readdirSync(join(DIST, folder)).filter((f) => !/\.(br|gz)$/.test(f));
    assert.ok(files.some((f) => f.startsWith('split_')), `the build has parts: ${files}`);
    // The account part is used only online, so an offline install does not carry it.
    const onlineOnly = (f) => f === 'split_account.wasm';
    assert.ok(files.some(onlineOnly), `the build has the account part: ${files}`);
    for (const file of files.filter((f) => !onlineOnly(f))) {
      assert.ok(cached.includes(`${folder}${file}`), `${folder}${file} is precached: ${cached}`);
    }
    assert.ok(!cached.includes(`${folder}split_account.wasm`), `the account part is not precached: ${cached}`);
    assert.ok(!cached.some((p) => p.includes('common-passphrases')), 'nor the list of common passphrases');
  } finally {
    await context.close();
  }
});

test('a part that cannot be fetched says so plainly, the safety plan stays one tap away, and Try again works', async () => {
  // No service worker: the part must come from the network, which is blocked.
  const context = await running.browser.newContext({ serviceWorkers: 'block' });
  const page = await context.newPage();
  let blocked = 0;
  await page.route('**/pkg/*/split_*.wasm', (route) => {
    blocked += 1;
    return route.abort('internetdisconnected');
  });
  try {
    await startPlan(page, running.server.url);
    await tapTo(page, '/care-plan');
    const alert = page.getByRole('alert').filter({ hasText: MISSING });
    await alert.waitFor();
    assert.ok(blocked > 0, 'the part was asked for');
    assert.match(await alert.innerText(), /Everything you wrote is still on this phone/);
    assert.deepEqual(await axeViolations(page), [], 'the message is axe-core clean');

    // The words typed before are still there, and the safety plan opens in one tap.
    await page.getByRole('link', { name: 'Safety plan' }).click();
    await page.getByRole('heading', { name: 'Safety plan', level: 1 }).waitFor();
    await page.getByRole('link', { name: 'Call Samaritans on 116 123' }).first().waitFor();

    // An embedded part fails in its place, and the screen around it still works.
    await tapTo(page, '/');
    await page.getByRole('heading', { name: 'Your plan', level: 1 }).waitFor();
    await page.getByRole('alert').filter({ hasText: MISSING }).waitFor();
    await page.getByRole('link', { name: 'About me' }).first().click();
    await page.getByRole('textbox', { name: 'What I like to be called' }).waitFor();

    // Once the part can be fetched again, Try again opens it without a reload.
    await tapTo(page, '/care-plan');
    await page.getByRole('alert').filter({ hasText: MISSING }).waitFor();
    await page.unroute('**/pkg/*/split_*.wasm');
    await page.getByRole('button', { name: 'Try again' }).click();
    await page.getByRole('heading', { name: 'My care and support plan', level: 1 }).waitFor();
  } finally {
    await context.close();
  }
});

test('a deployment between two part loads never mixes builds', async () => {
  assert.ok(DIST_B, 'COPLAN_DIST_B names a second build');
  const folderA = buildFolder(DIST);
  const folderB = buildFolder(DIST_B);
  assert.notEqual(folderA, folderB, 'each build has its own folder');
  const a = await startServer();
  let b;
  // Without a service worker: the parts of A are gone from the server once B is deployed.
  const bare = await running.browser.newContext({ serviceWorkers: 'block' });
  // With one: the offline copy of A still has them.
  const kept = await running.browser.newContext();
  const fetched = [];
  for (const context of [bare, kept]) {
    context.on('request', (r) => fetched.push(new URL(r.url()).pathname));
  }
  try {
    const bareTab = await bare.newPage();
    const keptTab = await kept.newPage();
    await startPlan(bareTab, a.url);
    await startPlan(keptTab, a.url);
    await serviceWorkerReady(keptTab);
    await tapTo(bareTab, '/check-ins');
    await bareTab.getByRole('heading', { name: 'Check-ins', level: 1 }).waitFor();

    await a.stop();
    b = await startServer({ dist: DIST_B, addr: a.addr, dataDir: a.dataDir });

    await tapTo(bareTab, '/care-plan');
    await bareTab.getByRole('alert').filter({ hasText: MISSING }).waitFor();
    await bareTab.getByRole('link', { name: 'Safety plan' }).click();
    await bareTab.getByRole('heading', { name: 'Safety plan', level: 1 }).waitFor();

    await tapTo(keptTab, '/care-plan');
    await keptTab.getByRole('heading', { name: 'My care and support plan', level: 1 }).waitFor();

    const partsOf = (folder) => fetched.filter((p) => p.startsWith(folder) && /\.wasm$/.test(p));
    assert.ok(partsOf(folderA).length > 1, `A's parts were fetched: ${fetched}`);
    assert.deepEqual(partsOf(folderB), [], "no page of A ever fetched B's parts");
  } finally {
    await bare.close();
    await kept.close();
    await b?.stop();
    await a.stop();
  }
});
