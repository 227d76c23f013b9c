// The web UI's shell: hash routes, the session bar, messages, refresh. Each view is an async function that fetches
// through api.js and returns { title, node }; errors it throws are shown, and an ended session leads to the login.
import { ApiError, endSession, session } from "./api.js";
import { h } from "./dom.js";
import { loginView } from "./views/login.js";
import { overviewView } from "./views/overview.js";
import { scopesView, scopeView, didView } from "./views/browse.js";
import { rulesView, ruleView } from "./views/rules.js";
import { transfersView } from "./views/transfers.js";
import { storageView } from "./views/storage.js";
import { tasksView, taskView } from "./views/tasks.js";

const routes = [
  ["login", loginView, { open: true }],
  ["overview", overviewView],
  ["scopes", scopesView], ["scopes/:scope", scopeView], ["did/:scope/:name", didView],
  ["rules", rulesView], ["rules/:id", ruleView],
  ["transfers", transfersView], ["storage", storageView],
  ["tasks", tasksView], ["tasks/:id", taskView],
];

const $ = id => document.getElementById(id);
let sequence = 0;
let loginReason = null;

function parseHash() {
  const raw = location.hash.replace(/^#\/?/, "");
  const q = raw.indexOf("?");
  const segments = (q < 0 ? raw : raw.slice(0, q)).split("/").filter(x => x !== "");
  let decoded;
  try { decoded = segments.map(decodeURIComponent); } catch { decoded = segments; }
  return { segments: decoded, query: new URLSearchParams(q < 0 ? "" : raw.slice(q + 1)) };
}

function match(segments) {
  for (const [pattern, view, opts] of routes) {
    const parts = pattern.split("/");
    if (parts.length !== segments.length) continue;
    const params = {};
    if (parts.every((p, i) => (p.startsWith(":") ? ((params[p.slice(1)] = segments[i]), true) : p === segments[i]))) return { view, params, opts: opts ?? {}, name: parts[0] };
  }
  return null;
}

export function showMessage(text, kind = "error") {
  $("message-text").textContent = text;
  $("message").className = kind === "error" ? "message" : "message info";
  $("message").setAttribute("role", kind === "error" ? "alert" : "status");
  $("message").hidden = false;
}
const hideMessage = () => { $("message").hidden = true; };
export const describe = e => (e instanceof ApiError ? (e.cls && !e.cls.startsWith("HTTP") ? `${e.cls}: ${e.message}` : e.message) : `Unexpected error: ${e.message}`);

/** Asks before a destructive action; resolves true only on an explicit confirm (Escape or Cancel say no). */
export function confirmAction(title, body, okLabel) {
  const dialog = $("confirm");
  $("confirm-title").textContent = title;
  $("confirm-body").replaceChildren(body);
  $("confirm-ok").textContent = okLabel;
  dialog.returnValue = "";
  dialog.showModal();
  $("confirm-cancel").focus();
  return new Promise(resolve => dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true }));
}

async function render({ quiet = false } = {}) {
  const { segments, query } = parseHash();
  if (segments.length === 0) { location.replace("#/overview"); return; }
  const route = match(segments);
  const s = session();
  updateSessionBar(s, route?.name);
  if (!route) {
    $("main").replaceChildren(h("h1", { tabindex: -1 }, "Not found"), h("p", null, "There is no such page. ", h("a", { href: "#/scopes" }, "Start browsing")));
    return;
  }
  if (!route.opts.open && !s) { goLogin(); return; }
  const mine = ++sequence;
  const main = $("main");
  main.setAttribute("aria-busy", "true");
  if (!quiet) { hideMessageUnlessFlashed(); main.replaceChildren(h("p", { class: "muted" }, "Loading…")); }
  const ctx = { params: route.params, query, account: s?.account, reason: loginReason, refresh: () => render({ quiet: true }) };
  try {
    const out = await route.view(ctx);
    if (mine !== sequence) return;
    const scroll = window.scrollY;
    main.replaceChildren(out.node);
    document.title = `${out.title} · Ferry`;
    if (quiet) window.scrollTo(0, scroll);
    else (main.querySelector("h1") ?? main).focus({ preventScroll: true });
    $("status").textContent = quiet ? "" : `${out.title} loaded`;
  } catch (e) {
    if (mine !== sequence) return;
    if (e instanceof ApiError && e.status === 401 && e.cls === "CannotAuthenticate") { goLogin(e.message); return; }
    main.replaceChildren(h("h1", { tabindex: -1 }, "Could not load this page"), h("p", { class: "error-box", id: "page-error" }, describe(e)),
      h("p", null, h("button", { type: "button", onclick: () => render() }, "Try again")));
    showMessage(describe(e));
  } finally {
    if (mine === sequence) main.setAttribute("aria-busy", "false");
  }
}

let flashed = false;
/** A message that survives the re-render an action triggers (e.g. "Rule extended"). */
export function flash(text, kind = "info") { showMessage(text, kind); flashed = true; }
function hideMessageUnlessFlashed() { if (!flashed) hideMessage(); flashed = false; }

function goLogin(reason) {
  endSession();
  loginReason = reason ?? null;
  const here = location.hash;
  const next = here && !here.startsWith("#/login") ? `?next=${encodeURIComponent(here)}` : "";
  if (location.hash.startsWith("#/login")) render(); else location.hash = `#/login${next}`;
}
export const loggedIn = next => { loginReason = null; location.hash = next && next.startsWith("#/") && !next.startsWith("#/login") ? next : "#/overview"; };

function updateSessionBar(s, current) {
  $("session").hidden = !s;
  $("nav").hidden = !s;
  $("who").textContent = s?.account ?? "";
  for (const a of document.querySelectorAll("[data-nav]")) {
    const active = a.dataset.nav === current || (current === "did" && a.dataset.nav === "scopes");
    if (active) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current");
  }
}

window.addEventListener("hashchange", () => render());
window.addEventListener("ferry:unauthenticated", e => { loginReason = e.detail; });
$("refresh").addEventListener("click", () => render({ quiet: true }));
$("logout").addEventListener("click", () => { endSession(); loginReason = "You have logged out."; location.hash = "#/login"; });
$("message-close").addEventListener("click", hideMessage);
$("auto-refresh").checked = sessionStorage.getItem("ferry.auto") === "1";
$("auto-refresh").addEventListener("change", e => sessionStorage.setItem("ferry.auto", e.target.checked ? "1" : "0"));
setInterval(() => {
  const busy = document.querySelector("dialog[open]") || document.activeElement?.matches("input, select, textarea");
  if ($("auto-refresh").checked && session() && document.visibilityState === "visible" && !busy) render({ quiet: true });
}, 10_000);
document.addEventListener("keydown", e => {
  if (e.key === "r" && !e.ctrlKey && !e.metaKey && !e.altKey && !e.target.matches("input, select, textarea") && session()) render({ quiet: true });
});
render();
