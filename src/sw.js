/* Coplan's service worker: keeps the app shell (and with it the crisis lines) working
 * offline. `cargo xtask build` writes dist/sw.js from this file, filling in the version
 * and the list of files from dist/, so each build's worker serves exactly that build's
 * files: an open tab keeps its version until the person chooses the new one.
 *
 * It never caches anything under /api/: plan data is not kept in the Cache Storage.
 */
'use strict';

const VERSION = '__COPLAN_VERSION__';
const PRECACHE = __COPLAN_PRECACHE__;
const CACHE = 'coplan-shell-' + VERSION;

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(PRECACHE)));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys().then((keys) => Promise.all(
      keys
        .filter((key) => key.startsWith('coplan-shell-') && key !== CACHE)
        .map((key) => caches.delete(key)),
    )),
  );
});

self.addEventListener('message', (event) => {
  if (event.data && event.data.type === 'SKIP_WAITING') {
    self.skipWaiting();
  }
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') { return; }
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith('/api/')) { return; }

  // Matched by cache name, never `caches.open`: opening would make the cache again
  // after "Forget this phone" deleted it, while this worker still serves open tabs.
  if (request.mode === 'navigate') {
    // Every app address is the same shell; this version's copy, so old and new never mix.
    event.respondWith(
      caches.match('/', { cacheName: CACHE }).then((cached) => cached || fetch(request)),
    );
    return;
  }
  event.respondWith(
    caches.match(request, { cacheName: CACHE, ignoreSearch: true })
      .then((cached) => cached || fetch(request)),
  );
});
