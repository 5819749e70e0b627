/**
 * Registers the service worker that keeps the app shell available offline (see
 * src/service-worker.js). A new version takes over on the next visit.
 */
export function registerServiceWorker(): void {
  if (!('serviceWorker' in navigator)) return;
  window.addEventListener('load', () => {
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => {
      // Without it the app still works online.
    });
  });
}
