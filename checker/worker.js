/*
 * Coplan's checker, in a module Web Worker: whatever a plan file makes the reader do
 * happens here, in memory capped when the checker was built, and never in the app. The
 * page sends the file's bytes, gets back "ok" or why it would not load, and ends the
 * worker (after the answer, or after a time limit).
 */
import init, { check_plan_file } from './coplan-checker.js';

const ready = init({ module_or_path: new URL('coplan-checker_bg.wasm', import.meta.url) });
self.onmessage = async (event) => {
  await ready;
  self.postMessage(check_plan_file(new Uint8Array(event.data)));
};
