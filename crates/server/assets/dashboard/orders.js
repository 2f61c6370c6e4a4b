// Orders: cards dragged between the kanban's columns, and stage moves
// (the "move on" button, the stage picker, the kitchen's big tap) sent in
// the background. Without this file every move is a form post.
(function () {
  "use strict";
  const S = window.Sokoni;
  if (!S) return;

  function whyOf(el) {
    const holder = el.closest("article, li, .order-detail");
    return holder ? holder.querySelector(".why") : null;
  }
  function say(el, text) {
    const why = whyOf(el);
    if (why) { why.textContent = text; why.hidden = !text; }
    else if (text) S.toast(text, true);
  }

  // The page the live regions come from: the board or the kitchen as it
  // was opened (the panel changes the address while it is open).
  const home = location.href;

  async function reload() {
    const res = await fetch(home, { credentials: "same-origin" });
    if (!res.ok) return;
    const doc = new DOMParser().parseFromString(await res.text(), "text/html");
    document.querySelectorAll("[data-live-region]").forEach((el) => {
      const fresh = doc.getElementById(el.id);
      if (fresh) el.replaceWith(fresh);
    });
  }

  async function afterMove(form) {
    const panel = form.closest("#panel");
    if (panel) {
      const article = panel.querySelector(".order-detail");
      if (article) await S.openPanel("/app/orders/" + article.dataset.id, false);
    }
    await reload();
  }

  async function move(form, data) {
    const holder = form.closest("article, li") || form;
    holder.classList.add("busy");
    say(form, "");
    const r = await S.post(form.action, data);
    holder.classList.remove("busy");
    if (r.ok) {
      if (r.body && r.body.message) S.toast(r.body.message);
      await afterMove(form);
      return true;
    }
    say(form, S.errorText(r) || "✕");
    return false;
  }

  document.addEventListener("submit", (e) => {
    const f = e.target;
    if (!f.matches("form[data-move]")) return;
    e.preventDefault();
    move(f, new FormData(f));
  });

  // ---- drag and drop on the kanban
  let dragged = null;
  let from = null;
  document.addEventListener("dragstart", (e) => {
    const card = e.target.closest && e.target.closest(".kcard[draggable=true]");
    if (!card) return;
    dragged = card;
    from = card.parentElement;
    card.classList.add("dragging");
    document.body.dataset.busy = "drag";
    e.dataTransfer.effectAllowed = "move";
    e.dataTransfer.setData("text/plain", card.dataset.id);
  });
  document.addEventListener("dragend", () => {
    if (dragged) dragged.classList.remove("dragging");
    document.querySelectorAll(".col.drop").forEach((c) => c.classList.remove("drop"));
    if (document.body.dataset.busy === "drag") delete document.body.dataset.busy;
  });
  document.addEventListener("dragover", (e) => {
    const col = e.target.closest && e.target.closest(".col");
    if (!col || !dragged || col === from) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = "move";
    document.querySelectorAll(".col.drop").forEach((c) => { if (c !== col) c.classList.remove("drop"); });
    col.classList.add("drop");
  });
  document.addEventListener("dragleave", (e) => {
    const col = e.target.closest && e.target.closest(".col");
    if (col && !col.contains(e.relatedTarget)) col.classList.remove("drop");
  });
  document.addEventListener("drop", async (e) => {
    const col = e.target.closest && e.target.closest(".col");
    if (!col || !dragged || col === from) return;
    e.preventDefault();
    col.classList.remove("drop");
    const card = dragged, home = from, next = card.nextElementSibling;
    card.classList.remove("dragging");
    dragged = null;
    const heading = col.querySelector("h2");
    col.insertBefore(card, heading ? heading.nextElementSibling : col.firstChild);
    const form = card.querySelector("form[data-move]");
    if (!form) return;
    const data = new FormData(form);
    data.set("stage", col.dataset.stage);
    const ok = await move(form, data);
    if (!ok) {
      // Back where it was, with the reason on it.
      home.insertBefore(card, next && next.parentElement === home ? next : null);
    }
  });
})();
