// `cargo xtask bench`: a wasm bench in headless Chromium at 4× CPU slowdown. A wasm test
// (`tests/history_build.rs`, `tests/caseload.rs`), built for the bench, is served by
// wasm-bindgen-test-runner in its interactive mode at COPLAN_BENCH_URL; this page opens
// it, waits while the test stores what it measures at full speed, slows the CPU down
// once the test says it is ready, and prints what the test measured (each line with its
// budget).
// Prints numbers; asserts nothing.
import { launch } from './helpers.mjs';

const SLOWDOWN = 4;
const url = process.env.COPLAN_BENCH_URL;

const browser = await launch();
try {
  const page = await browser.newPage();
  const cdp = await page.context().newCDPSession(page);
  const lines = () => page.evaluate(() => window.__coplanBench ?? []);
  await page.goto(url);
  const told = async (line) => {
    await page.waitForFunction(
      (line) => (window.__coplanBench ?? []).includes(line) || /test result: FAILED|panicked/.test(document.body.innerText),
      line,
      { timeout: 600000, polling: 200 },
    );
    if (!(await lines()).includes(line)) {
      throw new Error(`the bench failed:\n${await page.evaluate(() => document.body.innerText)}`);
    }
  };
  await told('ready');
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: SLOWDOWN });
  await page.evaluate(() => { window.__coplanGo = true; });
  await told('done');
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
  console.log(`CPU slowdown: ${SLOWDOWN}×, headless Chromium, the app's code in a release build of the wasm test:`);
  for (const line of await lines()) {
    if (line !== 'ready' && line !== 'done') console.log(`  ${line}`);
  }
} finally {
  await browser.close();
}
