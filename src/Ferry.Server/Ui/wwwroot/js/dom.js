// Small DOM and formatting helpers. Everything is built with createElement and text nodes, never innerHTML, so a
// DID name or an error message from the server is always shown as text.

export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  return fill(el, props, children);
}

const SVG_NS = "http://www.w3.org/2000/svg";
export function s(tag, props, ...children) {
  return fill(document.createElementNS(SVG_NS, tag), props, children);
}

function fill(el, props, children) {
  for (const [k, v] of Object.entries(props ?? {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    // Through the CSSOM: the page's Content-Security-Policy refuses style attributes.
    else if (k === "style") Object.assign(el.style, v);
    else if (k === "class") el.setAttribute("class", Array.isArray(v) ? v.filter(Boolean).join(" ") : v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** A hash route; each segment is encoded, so any DID name can be a link. */
export const route = (...segments) => "#/" + segments.map(x => encodeURIComponent(x)).join("/");
export const didHref = (scope, name) => route("did", scope, name);
export const didLink = (scope, name, text) => h("a", { href: didHref(scope, name) }, text ?? `${scope}:${name}`);

const UNITS = ["B", "kB", "MB", "GB", "TB", "PB", "EB"];
export function bytes(n) {
  if (n === null || n === undefined) return "–";
  if (n >= Number.MAX_SAFE_INTEGER) return "unlimited";
  let v = Number(n), i = 0;
  while (Math.abs(v) >= 1000 && i < UNITS.length - 1) { v /= 1000; i++; }
  return (i === 0 ? String(v) : v.toFixed(v >= 100 ? 0 : 1)) + " " + UNITS[i];
}
export const rate = n => (n ? bytes(n) + "/s" : "–");
export const count = n => (n === null || n === undefined ? "–" : Number(n).toLocaleString("en"));

/** Rucio's dates ("Tue, 01 Dec 2026 12:00:00 UTC") as a Date, or null. */
export function parseDate(text) {
  if (!text) return null;
  const t = Date.parse(text);
  return Number.isNaN(t) ? null : new Date(t);
}

export function dateText(text) {
  const d = parseDate(text);
  return d ? d.toISOString().replace("T", " ").replace(/:\d\d\.\d+Z$/, " UTC") : "–";
}

const relative = new Intl.RelativeTimeFormat("en", { numeric: "auto" });
export function relTime(text, now = Date.now()) {
  const d = parseDate(text);
  if (!d) return "";
  let diff = (d.getTime() - now) / 1000;
  for (const [unit, size] of [["second", 60], ["minute", 60], ["hour", 24], ["day", 30], ["month", 12], ["year", Infinity]]) {
    if (Math.abs(Math.round(diff)) < size) return relative.format(Math.round(diff), unit);
    diff /= size;
  }
  return "";
}

/** A date with its distance from now; the raw server value stays in data-value for tests and copy-paste. */
export const when = (text, id) => text
  ? h("time", { id, datetime: parseDate(text)?.toISOString(), "data-value": text, title: text }, dateText(text), h("span", { class: "muted" }, " (", relTime(text), ")"))
  : h("span", { id, class: "muted", "data-value": "" }, "never");

export const badge = (state, extra) => h("span", { class: ["badge", state, extra] }, state ?? "–");

/**
 * A stacked bar of OK / in progress / failed parts. role=progressbar carries the OK share for assistive technology;
 * the text under it says the same in words.
 */
export function progress({ ok = 0, busy = 0, bad = 0, total, unit = "locks", label }) {
  total = total ?? ok + busy + bad;
  const pct = x => (total > 0 ? (100 * x) / total : 0);
  const done = Math.round(pct(ok));
  const words = label ?? `${count(ok)} of ${count(total)} ${unit} OK` + (busy ? `, ${count(busy)} replicating` : "") + (bad ? `, ${count(bad)} stuck` : "");
  return h("div", { class: "progress-cell" },
    h("div", { class: "progress", role: "progressbar", "aria-valuemin": 0, "aria-valuemax": 100, "aria-valuenow": done, "aria-valuetext": words, "aria-label": words },
      ok ? h("span", { class: "ok", style: { width: `${pct(ok)}%` } }) : null,
      busy ? h("span", { class: "busy", style: { width: `${pct(busy)}%` } }) : null,
      bad ? h("span", { class: "bad", style: { width: `${pct(bad)}%` } }) : null),
    // The bar already says this to assistive technology (aria-valuetext); the visible words are for the eye only.
    h("div", { class: "progress-label", "aria-hidden": "true" }, words));
}

/** A table with a header row; columns are {label, num}; each row is an array of cells or {cells, attrs}. */
export function table(columns, rows, { caption, id, empty = "Nothing to show." } = {}) {
  if (rows.length === 0) return h("p", { class: "empty", id }, empty);
  return h("table", { id },
    caption ? h("caption", null, caption) : null,
    h("thead", null, h("tr", null, columns.map(c => h("th", { scope: "col", class: c.num ? "num" : null }, c.label)))),
    h("tbody", null, rows.map(r => {
      const cells = Array.isArray(r) ? r : r.cells;
      return h("tr", Array.isArray(r) ? null : r.attrs, cells.map((c, i) => h("td", { class: [columns[i]?.num ? "num" : null, columns[i]?.cls] }, c)));
    })));
}

export const facts = pairs => h("dl", { class: "facts" }, pairs.filter(Boolean).map(([k, v]) => [h("dt", null, k), h("dd", null, v ?? "–")]));

export const crumbs = items => h("nav", { class: "crumbs", "aria-label": "Breadcrumb" },
  h("ol", null, items.map((it, i) => h("li", null, it.href && i < items.length - 1 ? h("a", { href: it.href }, it.label) : h("span", { "aria-current": i === items.length - 1 ? "page" : null }, it.label)))));

/** A labelled form field: the label wraps the control, so clicking the words focuses it. */
export const field = (label, control) => h("label", { class: "field" }, h("span", null, label), control);
