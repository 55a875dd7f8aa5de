/* Coplan's plain-script helper, loaded before the app and independent of it.
 *
 * 1. Tells a browser too old for the app so, instead of leaving a blank page (the crisis
 *    lines in index.html stay visible either way).
 * 2. Says so when the app fails to start or is slow, so nobody is left staring at
 *    "starting…".
 * 3. Registers the service worker that keeps the app working offline, and offers a new
 *    version when one is ready: the person chooses when to switch, never mid-sentence.
 *
 * Written in old-style JavaScript on purpose: it must run on browsers the app cannot.
 */
(function () {
  'use strict';

  var status = document.getElementById('app-status');
  function say(text) {
    if (status) { status.textContent = text; }
  }

  var script = document.createElement('script');
  var supported = typeof WebAssembly === 'object' &&
    typeof Promise === 'function' &&
    'indexedDB' in window &&
    'noModule' in script;
  if (!supported) {
    say('This browser is too old to open Coplan. The phone lines below still work. ' +
        'To use Coplan, open this page in an up-to-date browser, such as a recent Chrome, Firefox or Safari.');
    return;
  }

  var started = false;
  window.addEventListener('CoplanStarted', function () { started = true; });
  function failed() {
    if (!started) {
      say('Coplan could not start just now. The phone lines below still work. Try closing and opening the page again.');
    }
  }
  window.addEventListener('error', failed);
  window.addEventListener('unhandledrejection', failed);
  window.setTimeout(function () {
    if (!started) {
      say('Coplan is taking a while to start. The phone lines below work now.');
    }
  }, 15000);

  if (!('serviceWorker' in navigator)) { return; }

  var chosenToUpdate = false;
  var banner = document.getElementById('app-update');
  var button = document.getElementById('app-update-button');

  function offer(worker) {
    if (!banner || !button) { return; }
    banner.hidden = false;
    button.onclick = function () {
      chosenToUpdate = true;
      button.disabled = true;
      worker.postMessage({ type: 'SKIP_WAITING' });
    };
  }

  // Reload only when the person asked for the new version: the first install also
  // changes the controller, and that must never reload a page someone is typing in.
  navigator.serviceWorker.addEventListener('controllerchange', function () {
    if (chosenToUpdate) { window.location.reload(); }
  });

  function register() {
    navigator.serviceWorker.register('/sw.js').then(function (registration) {
      if (registration.waiting && navigator.serviceWorker.controller) {
        offer(registration.waiting);
      }
      registration.addEventListener('updatefound', function () {
        var worker = registration.installing;
        if (!worker) { return; }
        worker.addEventListener('statechange', function () {
          if (worker.state === 'installed' && navigator.serviceWorker.controller) {
            offer(worker);
          }
        });
      });
      document.addEventListener('visibilitychange', function () {
        if (document.visibilityState === 'visible') {
          registration.update().catch(function () { /* offline: try next time */ });
        }
      });
    }).catch(function () { /* no offline copy this time; the app still works online */ });
  }

  // After `load`, so the service worker's precache reuses what the page just downloaded
  // (from the HTTP cache) instead of fetching the app a second time.
  if (document.readyState === 'complete') {
    register();
  } else {
    window.addEventListener('load', register);
  }
}());
