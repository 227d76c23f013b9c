// The landing page: the few numbers an operator looks at first, each linking to its page. Sections load
// independently, so one refused call leaves the others readable.
import { get, getLines } from "../api.js";
import { h, bytes, count, route } from "../dom.js";
import { describe } from "../app.js";
import { ruleTable } from "./rules.js";

const card = (title, href, lines) => h("a", { class: "card tile", href }, h("div", { class: "muted" }, title), lines);
const big = (text, attrs) => h("div", { class: "big", ...attrs }, text);
const failed = (title, e) => h("div", { class: "card" }, h("div", { class: "muted" }, title), h("p", { class: "error-box" }, describe(e)));

export async function overviewView(ctx) {
  const [rules, links, storage, tasks] = await Promise.allSettled([
    getLines(`/rules?account=${encodeURIComponent(ctx.account)}`),
    get("/ferry/transfers/links"),
    get(`/ferry/ui/storage?account=${encodeURIComponent(ctx.account)}`),
    getLines("/ferry/tasks"),
  ]);
  const tiles = [];
  if (rules.status === "fulfilled") {
    const n = s => rules.value.filter(r => r.state === s).length;
    tiles.push(card("Your rules", "#/rules", [big(count(rules.value.length), { "data-overview": "rules" }),
      h("div", null, `${count(n("OK"))} OK · ${count(n("REPLICATING"))} replicating · `, n("STUCK") ? h("strong", { class: "bad-text" }, `${count(n("STUCK"))} stuck`) : "0 stuck")]));
  } else tiles.push(failed("Your rules", rules.reason));
  if (links.status === "fulfilled") {
    const sum = k => links.value.reduce((a, l) => a + l[k], 0);
    tiles.push(card("Transfers", "#/transfers", [big(bytes(sum("bytes")), { "data-overview": "bytes" }), h("div", null, `${count(sum("done"))} files over ${count(links.value.length)} link${links.value.length === 1 ? "" : "s"} · ${count(sum("failed"))} failed`)]));
  } else tiles.push(failed("Transfers", links.reason));
  if (storage.status === "fulfilled") {
    const rses = storage.value.rses;
    const down = rses.filter(r => !r.availability_read || !r.availability_write).length;
    tiles.push(card("Storage", "#/storage", [big(bytes(rses.reduce((a, r) => a + r.used_bytes, 0)), { "data-overview": "stored" }),
      h("div", null, `on ${count(rses.length)} RSEs`, down ? ` · ${count(down)} not fully available` : "")]));
  } else tiles.push(failed("Storage", storage.reason));
  if (tasks.status === "fulfilled") {
    const n = s => tasks.value.filter(t => t.status === s).length;
    tiles.push(card("Tasks", "#/tasks", [big(count(tasks.value.length), { "data-overview": "tasks" }), h("div", null, `${count(n("running"))} running · ${count(n("failed") + n("broken"))} failed`)]));
  } else tiles.push(failed("Tasks", tasks.reason));

  const attention = rules.status === "fulfilled" ? rules.value.filter(r => r.state === "STUCK" || r.state === "SUSPENDED").slice(0, 20) : [];
  return {
    title: "Overview",
    node: h("section", null, h("h1", { tabindex: -1 }, "Overview"),
      h("div", { class: "cards" }, tiles),
      h("h2", null, "Rules that need attention"),
      ruleTable(attention, { id: "attention", empty: "None of your rules is stuck or suspended." }),
      h("p", null, h("a", { href: route("scopes") }, "Browse the catalogue"), " · ", h("a", { href: "#/rules?state=REPLICATING" }, "Rules replicating now"))),
  };
}
