// Replication rules: a filterable list with lock progress, and one rule with its locks, extend and delete.
import { get, getLines, put, del, path } from "../api.js";
import { h, badge, count, crumbs, didLink, facts, field, progress, route, table, when } from "../dom.js";
import { confirmAction, describe, flash, showMessage } from "../app.js";

const STATES = ["OK", "REPLICATING", "STUCK", "SUSPENDED", "WAITING_APPROVAL", "INJECT"];
const UNITS = [["hours", 3600], ["days", 86400], ["weeks", 7 * 86400]];

const lockProgress = r => progress({ ok: r.locks_ok_cnt, busy: r.locks_replicating_cnt, bad: r.locks_stuck_cnt });

/** The rules table shared by the rules page and a DID's page. */
export function ruleTable(rules, opts) {
  const rows = rules.map(r => ({
    cells: [h("a", { href: route("rules", r.id), "aria-label": `Rule ${r.id}`, class: "mono" }, r.id.slice(0, 8) + "…"), didLink(r.scope, r.name), h("code", null, r.rse_expression),
      count(r.copies), [badge(r.state), r.locked ? [" ", badge("locked", "type")] : null, r.error ? h("div", { class: "muted small" }, r.error) : null], lockProgress(r), when(r.expires_at), r.account],
    attrs: { "data-rule-id": r.id },
  }));
  return table([{ label: "Rule" }, { label: "DID" }, { label: "RSE expression" }, { label: "Copies", num: true }, { label: "State" }, { label: "Locks" }, { label: "Expires" }, { label: "Account" }], rows, opts);
}

export async function rulesView(ctx) {
  const account = ctx.query.has("account") ? ctx.query.get("account") : ctx.account;
  const state = ctx.query.get("state") ?? "";
  const params = new URLSearchParams();
  if (account) params.set("account", account);
  if (state) params.set("state", state);
  const rules = await getLines(`/rules?${params}`);
  const accountInput = h("input", { id: "rules-account", name: "account", value: account ?? "", placeholder: "every account", autocomplete: "off" });
  const stateSelect = h("select", { id: "rules-state", name: "state" }, h("option", { value: "" }, "Any state"), STATES.map(s => h("option", { value: s, selected: s === state }, s)));
  const form = h("form", { class: "inline", role: "search" }, field("Account", accountInput), field("State", stateSelect), h("button", { type: "submit", class: "primary" }, "Show"));
  form.addEventListener("submit", e => {
    e.preventDefault();
    location.hash = `#/rules?account=${encodeURIComponent(accountInput.value.trim())}&state=${encodeURIComponent(stateSelect.value)}`;
  });
  const byState = Object.groupBy ? Object.groupBy(rules, r => r.state) : {};
  const cards = h("div", { class: "cards" }, ["OK", "REPLICATING", "STUCK", "SUSPENDED"].map(s => h("a", { class: "card tile", href: `#/rules?account=${encodeURIComponent(account ?? "")}&state=${s}` },
    h("div", { class: "muted" }, s), h("div", { class: "big", "data-state-count": s }, count(byState[s]?.length ?? 0)))));
  return {
    title: "Rules",
    node: h("section", null, h("h1", { tabindex: -1 }, account ? `Rules of ${account}` : "All rules"), form, cards,
      h("div", { class: "legend", "aria-hidden": "true" }, h("span", null, h("i", { class: "ok" }), "locks OK"), h("span", null, h("i", { class: "busy" }), "replicating"), h("span", null, h("i", { class: "bad" }), "stuck")),
      ruleTable(rules, { id: "rules", empty: "No rule matches." })),
  };
}

export async function ruleView(ctx) {
  const id = ctx.params.id;
  const [rule, locks] = await Promise.all([get(path`/rules/${id}`), getLines(path`/rules/${id}/locks`)]);
  const info = facts([
    ["DID", didLink(rule.scope, rule.name)], ["Account", rule.account], ["RSE expression", h("code", null, rule.rse_expression)],
    ["Copies", count(rule.copies)], ["Grouping", rule.grouping], ["Activity", rule.activity],
    ["State", h("span", { id: "rule-state" }, badge(rule.state))], rule.error ? ["Error", h("span", { class: "error-box" }, rule.error)] : null,
    ["Expires", when(rule.expires_at, "rule-expires")], ["Created", when(rule.created_at)], ["Updated", when(rule.updated_at)],
    ["Locked", rule.locked ? "yes: it cannot be deleted until unlocked" : "no"], ["Purge replicas", rule.purge_replicas ? "yes" : "no"],
    rule.comments ? ["Comment", rule.comments] : null, rule.child_rule_id ? ["Moved to", h("a", { href: route("rules", rule.child_rule_id) }, rule.child_rule_id)] : null,
  ]);
  const lockRows = locks.slice(0, 1000).map(l => ({ cells: [didLink(l.scope, l.name), l.rse ?? l.rse_id, badge(l.state)], attrs: { "data-rse": l.rse } }));
  return {
    title: `Rule ${id}`,
    node: h("section", null,
      crumbs([{ label: "Rules", href: "#/rules" }, { label: id }]),
      h("h1", { tabindex: -1 }, "Rule ", h("span", { class: "mono" }, id), " ", badge(rule.state)),
      h("div", { class: "card" }, h("h2", { class: "sr-only" }, "Progress"), lockProgress(rule)),
      h("div", { class: "split" }, h("div", { class: "card" }, info), h("div", null, extendCard(ctx, rule), deleteCard(ctx, rule))),
      h("h2", null, `Locks (${count(locks.length)})`),
      locks.length > 1000 ? h("p", { class: "notice" }, "Showing the first 1000 locks.") : null,
      table([{ label: "File" }, { label: "RSE" }, { label: "State" }], lockRows, { id: "locks", empty: "This rule has no locks." })),
  };
}

function extendCard(ctx, rule) {
  const value = h("input", { id: "rule-lifetime", type: "number", min: 1, step: 1, value: 30, required: true, inputmode: "numeric" });
  const unit = h("select", { id: "rule-lifetime-unit" }, UNITS.map(([u, secs]) => h("option", { value: secs, selected: u === "days" }, u)));
  const button = h("button", { type: "submit", class: "primary", id: "rule-extend" }, "Set expiry");
  const form = h("form", { class: "inline", "aria-labelledby": "extend-title" }, field("Keep for", value), field("Unit", unit), button);
  form.addEventListener("submit", async e => {
    e.preventDefault();
    const n = Number(value.value);
    if (!Number.isInteger(n) || n < 1) { showMessage("The lifetime is a whole number of at least 1."); value.focus(); return; }
    button.disabled = true;
    try {
      await put(path`/rules/${rule.id}`, { options: { lifetime: n * Number(unit.value) } });
      flash(`Rule ${rule.id} now expires ${n} ${unit.selectedOptions[0].textContent} from now.`);
      await ctx.refresh();
    } catch (err) {
      showMessage(describe(err));
    } finally {
      button.disabled = false;
    }
  });
  return h("div", { class: "card" }, h("h2", { id: "extend-title" }, "Lifetime"),
    h("p", { class: "muted" }, "The rule will expire this long from now (it may shorten it too)."), form);
}

function deleteCard(ctx, rule) {
  const button = h("button", { type: "button", class: "danger", id: "rule-delete", disabled: rule.locked }, "Delete rule…");
  button.addEventListener("click", async () => {
    const now = h("input", { type: "radio", name: "when", value: "now", checked: true, id: "delete-now" });
    const later = h("input", { type: "radio", name: "when", value: "later", id: "delete-later" });
    const purge = h("input", { type: "checkbox", id: "delete-purge", checked: rule.purge_replicas });
    const body = h("div", null,
      h("p", null, "Rule ", h("code", null, rule.id), " on ", h("code", null, `${rule.scope}:${rule.name}`), " will go; replicas no other rule needs are then deleted by the reaper."),
      h("fieldset", null, h("legend", null, "When"),
        h("label", null, now, " Now"), h("br"),
        h("label", null, later, " Within the hour (as Rucio does: the rule expires then)")),
      h("p", null, h("label", null, purge, " Purge its replicas even on RSEs that keep unneeded copies as a cache")));
    if (!await confirmAction("Delete this rule?", body, "Delete rule")) return;
    try {
      await del(`${path`/rules/${rule.id}`}${now.checked ? "?immediate=true" : ""}`, { purge_replicas: purge.checked });
      if (now.checked) {
        flash(`Rule ${rule.id} was deleted.`);
        location.hash = "#/rules";
      } else {
        flash(`Rule ${rule.id} will expire within the hour.`);
        await ctx.refresh();
      }
    } catch (err) {
      showMessage(describe(err));
    }
  });
  return h("div", { class: "card" }, h("h2", null, "Delete"),
    rule.locked ? h("p", { class: "notice" }, "This rule is locked: unlock it (ferry rule update ID --locked false) before deleting it.") : h("p", { class: "muted" }, "Deleting asks for confirmation."),
    button);
}
