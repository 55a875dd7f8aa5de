/*
 * Coplan's checker, in a module Web Worker: whatever a plan file, or a change from
 * another phone, makes the reader do happens here, in memory capped when the checker was
 * built, and never in the app. The page sends a file's bytes (and gets back "ok" or why
 * it would not load), or a section's kind and state with changes to it (and gets one
 * verdict per change), and ends the worker (after the answer, or after a time limit).
 */
import init, { check_plan_file, check_updates } from './coplan-checker.js';

const ready = init({ module_or_path: new URL('coplan-checker_bg.wasm', import.meta.url) });
self.onmessage = async (event) => {
  await ready;
  const data = event.data;
  if (data instanceof ArrayBuffer) {
    self.postMessage(check_plan_file(new Uint8Array(data)));
  } else {
    self.postMessage(check_updates(data.kind, new Uint8Array(data.state), new Uint8Array(data.updates), new Uint8Array(data.lengths)));
  }
};
