// Sokoni's service worker: keeps the shell (styles, script, icons, the
// offline page) so the installed app opens, and shows the offline page
// when a page cannot be fetched. Pages themselves are never cached: they
// show live orders and money.
const VERSION = "__VERSION__";
const SHELL = "sokoni-shell-" + VERSION;
const FILES = [
  "/app/offline",
  "/app/static/app.css?v=" + VERSION,
  "/app/static/app.js?v=" + VERSION,
  "/app/static/icon.svg",
  "/app/static/icon-192.png",
];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL).then((c) => c.addAll(FILES)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("sokoni-shell-") && k !== SHELL).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const req = event.request;
  if (req.method !== "GET") return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (req.mode === "navigate") {
    event.respondWith(fetch(req).catch(() => caches.match("/app/offline")));
    return;
  }
  if (url.pathname.startsWith("/app/static/")) {
    event.respondWith(caches.match(req).then((hit) => hit || fetch(req)));
  }
});
