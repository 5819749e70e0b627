// Popgate's service worker: the app shell (HTML, scripts, styles, icons) comes from its cache
// when the network does not answer, so the app opens offline; its data (the API) is never
// cached here: the app keeps what it needs in IndexedDB. The build fills in the two constants.

const BUILD = self.__POPGATE_BUILD__;
const PRECACHE = self.__POPGATE_PRECACHE__;
const CACHE = `popgate-shell-${BUILD}`;
const NOT_SHELL = /^\/(?:api\/|healthz|readyz|metrics)/;

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(PRECACHE))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(
          keys
            .filter((key) => key.startsWith('popgate-shell-') && key !== CACHE)
            .map((key) => caches.delete(key)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || NOT_SHELL.test(url.pathname)) return;

  if (request.mode === 'navigate') {
    // The network first (a new version, the server's headers); the cached shell when offline.
    event.respondWith(
      fetch(request).catch(async () => {
        const cache = await caches.open(CACHE);
        return (await cache.match('/index.html')) ?? Response.error();
      }),
    );
    return;
  }

  // Hashed assets never change: the cache first.
  event.respondWith(
    caches.match(request).then((hit) => {
      if (hit) return hit;
      return fetch(request).then(async (response) => {
        if (response.ok && url.pathname.startsWith('/assets/')) {
          const cache = await caches.open(CACHE);
          await cache.put(request, response.clone());
        }
        return response;
      });
    }),
  );
});
