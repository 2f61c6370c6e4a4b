// Sokoni dashboard: the little JavaScript there is. Everything works without
// it (links and form posts); this makes it quicker: a theme that sticks,
// forms sent in the background, a slide-in panel, live updates, the
// installable app. Page scripts use window.Sokoni.
(function () {
  "use strict";
  const root = document.documentElement;
  const csrf = () => (document.querySelector('meta[name="csrf-token"]') || {}).content || "";

  // ---- theme: system, dark or light; the choice lives in a cookie so the
  // server renders it without a flash.
  function applyTheme(t) {
    if (t) root.dataset.theme = t; else delete root.dataset.theme;
    document.cookie = "sokoni_theme=" + (t || "") + "; Path=/; SameSite=Lax; Max-Age=" + (t ? 31536000 : 0);
    try { localStorage.setItem("sokoni_theme", t || ""); } catch (_) {}
    labelTheme();
  }
  function labelTheme() {
    const t = root.dataset.theme || "auto";
    document.querySelectorAll("[data-theme-toggle]").forEach((b) => {
      b.title = b.dataset[t] || b.title;
      b.setAttribute("aria-label", b.title);
      b.textContent = t === "dark" ? "☾" : t === "light" ? "☀" : "◐";
    });
  }
  function nextTheme() {
    const dark = matchMedia("(prefers-color-scheme: dark)").matches;
    const now = root.dataset.theme || "";
    // From the system's look to its opposite, then the other, then back.
    const order = dark ? ["", "light", "dark"] : ["", "dark", "light"];
    return order[(order.indexOf(now) + 1) % order.length];
  }

  // ---- toasts and background requests
  let toastTimer;
  function toast(text, bad) {
    const t = document.getElementById("toast");
    if (!t) return;
    t.textContent = text;
    t.classList.toggle("bad", !!bad);
    t.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { t.hidden = true; }, 5000);
  }

  // POSTs a form's fields (or an object) as a form, asking for JSON.
  // Resolves to {ok, status, body}.
  async function post(url, data) {
    const body = data instanceof FormData ? new URLSearchParams(data) : new URLSearchParams(data || {});
    const res = await fetch(url, {
      method: "POST",
      headers: { "Accept": "application/json", "X-CSRF-Token": csrf() },
      body,
      credentials: "same-origin",
    });
    let json = null;
    try { json = await res.json(); } catch (_) {}
    if (res.status === 401) { location.href = "/login?next=" + encodeURIComponent(location.pathname + location.search); }
    return { ok: res.ok, status: res.status, body: json };
  }
  const errorText = (r) => (r.body && r.body.error && r.body.error.message) || "";

  // ---- the slide-in panel: links with data-panel open their page inside it.
  const panel = () => document.getElementById("panel");
  async function openPanel(url, push) {
    const p = panel();
    if (!p) { location.href = url; return; }
    const res = await fetch(url, { headers: { "X-Fragment": "1" }, credentials: "same-origin" });
    if (!res.ok) { location.href = url; return; }
    p.innerHTML = await res.text();
    p.hidden = false;
    document.body.dataset.busy = "panel";
    if (push) history.pushState({ panel: url }, "", url);
    const first = p.querySelector("h1, h2, [autofocus]");
    if (first) { first.setAttribute("tabindex", "-1"); first.focus(); }
    document.dispatchEvent(new CustomEvent("sokoni:panel", { detail: { url } }));
  }
  function closePanel(pop) {
    const p = panel();
    if (!p || p.hidden) return;
    p.hidden = true;
    p.innerHTML = "";
    delete document.body.dataset.busy;
    if (!pop && history.state && history.state.panel) history.back();
  }

  // ---- live updates: the server says when something changed; the page's
  // live region is fetched again and swapped in, unless a person is busy.
  // The stream opens a few seconds after the page loads (so a page that is
  // only looked at, or screenshot, holds no connection) and asks for what
  // changed since the page was rendered: nothing in between is missed.
  function live() {
    if (!document.body.dataset.live || !window.EventSource) return;
    setTimeout(connect, 5000);
  }
  function connect() {
    let pending = false;
    const since = document.body.dataset.rendered || "";
    const es = new EventSource("/app/events?since=" + encodeURIComponent(since));
    es.addEventListener("change", async () => {
      if (pending) return;
      pending = true;
      setTimeout(async () => {
        pending = false;
        await refresh();
      }, 300);
    });
  }
  async function refresh() {
    if (document.body.dataset.busy) { document.body.dataset.stale = "1"; return; }
    const res = await fetch(location.href, { credentials: "same-origin" });
    if (!res.ok) return;
    const doc = new DOMParser().parseFromString(await res.text(), "text/html");
    document.querySelectorAll("[data-live-region]").forEach((el) => {
      const fresh = doc.getElementById(el.id);
      if (fresh) el.replaceWith(fresh);
    });
    if (doc.body && doc.body.dataset.rendered) document.body.dataset.rendered = doc.body.dataset.rendered;
    delete document.body.dataset.stale;
    document.dispatchEvent(new CustomEvent("sokoni:refreshed"));
  }

  document.addEventListener("click", (e) => {
    const tog = e.target.closest("[data-theme-toggle]");
    if (tog) { applyTheme(nextTheme()); return; }
    const close = e.target.closest("[data-close-panel]");
    if (close) { e.preventDefault(); closePanel(false); return; }
    const a = e.target.closest("a[data-panel]");
    if (a && !e.metaKey && !e.ctrlKey && !e.shiftKey) { e.preventDefault(); openPanel(a.href, true); }
  });
  document.addEventListener("keydown", (e) => { if (e.key === "Escape") closePanel(false); });
  window.addEventListener("popstate", (e) => {
    if (e.state && e.state.panel) openPanel(e.state.panel, false); else closePanel(true);
  });

  // Forms marked data-async are sent in the background; the answer's
  // message is shown, and the live region refreshed. Without JavaScript
  // they post and redirect like any form.
  document.addEventListener("submit", async (e) => {
    const f = e.target;
    if (!f.matches("form[data-async]")) return;
    e.preventDefault();
    const btn = f.querySelector("[type=submit]");
    if (btn) btn.disabled = true;
    const r = await post(f.action, new FormData(f));
    if (btn) btn.disabled = false;
    if (r.ok) {
      if (r.body && r.body.message) toast(r.body.message);
      if (r.body && r.body.redirect) { location.href = r.body.redirect; return; }
      if (f.dataset.reset !== undefined) f.reset();
      await refresh();
      document.dispatchEvent(new CustomEvent("sokoni:done", { detail: { form: f, body: r.body } }));
    } else {
      toast(errorText(r) || "✕", true);
    }
  });

  window.Sokoni = { csrf, post, toast, errorText, openPanel, closePanel, refresh };

  document.addEventListener("DOMContentLoaded", () => {
    labelTheme();
    live();
    if ("serviceWorker" in navigator && location.pathname.startsWith("/app")) {
      navigator.serviceWorker.register("/app/sw.js", { scope: "/app" }).catch(() => {});
    }
  });
})();
