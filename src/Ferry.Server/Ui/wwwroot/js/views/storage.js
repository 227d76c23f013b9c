// Storage: per RSE what Ferry stores there and what the storage reports free, and the account's usage against its
// quotas, as charts and as a table (the table is the accessible form of the same numbers).
import { get } from "../api.js";
import { h, badge, bytes, count, field, table, when } from "../dom.js";
import { barChart } from "../charts.js";

const UNLIMITED = Number.MAX_SAFE_INTEGER;

const quotaText = r => (!r.limit_set ? "no quota set" : r.bytes_limit >= UNLIMITED ? "unlimited" : bytes(r.bytes_limit));

export async function storageView(ctx) {
  const account = ctx.query.get("account") || ctx.account;
  const data = await get(`/ferry/ui/storage?account=${encodeURIComponent(account)}`);
  const rses = data.rses;
  const accountInput = h("input", { id: "storage-account", value: account, autocomplete: "off" });
  const form = h("form", { class: "inline" }, field("Quotas of account", accountInput), h("button", { type: "submit", class: "primary" }, "Show"));
  form.addEventListener("submit", e => { e.preventDefault(); location.hash = `#/storage?account=${encodeURIComponent(accountInput.value.trim())}`; });

  // Stored bytes on one scale, so RSEs compare at a glance; free space (often far larger) is told in words beside each bar.
  const space = barChart({
    id: "usage-chart", title: "Bytes stored by Ferry per RSE",
    rows: rses.map(r => ({
      label: r.rse,
      segments: [{ value: r.used_bytes, cls: "used", title: `${r.rse}: ${bytes(r.used_bytes)} in ${count(r.files)} files` }],
      note: `${bytes(r.used_bytes)} stored · ${r.free_bytes === null ? "free space unknown" : bytes(r.free_bytes) + " free"}`,
    })),
  });
  const quotas = barChart({
    id: "quota-chart", title: `Usage and quota of ${data.account} per RSE`,
    rows: rses.map(r => ({
      label: r.rse, limit: r.limit_set ? r.bytes_limit : null,
      segments: [{ value: r.account_bytes, cls: "mine", title: `${r.rse}: ${bytes(r.account_bytes)} used by ${data.account}` }],
      note: `${bytes(r.account_bytes)} of ${quotaText(r)}`,
    })),
  });
  const avail = r => ["read", "write", "delete"].filter(k => !r[`availability_${k}`]);
  const rows = rses.map(r => ({
    cells: [r.rse, [badge(r.rse_type, "type"), r.volatile ? [" ", badge("volatile", "type")] : null], avail(r).length ? badge(`no ${avail(r).join("/")}`, "UNAVAILABLE") : badge("ok", "ok"),
      count(r.files), bytes(r.used_bytes), r.free_bytes === null ? "unknown" : [bytes(r.free_bytes), h("div", { class: "muted" }, when(r.free_updated_at))],
      r.min_free_space === null ? "–" : bytes(r.min_free_space), bytes(r.account_bytes), quotaText(r)],
    attrs: { "data-rse": r.rse },
  }));
  const globals = data.global_limits.map(g => [h("code", null, g.rse_expression), g.rses.join(", ") || h("span", { class: "muted" }, "selects no RSE"), bytes(g.bytes),
    g.bytes_limit >= UNLIMITED ? "unlimited" : bytes(g.bytes_limit)]);
  return {
    title: "Storage",
    node: h("section", null, h("h1", { tabindex: -1 }, "Storage and quotas"), form,
      h("h2", null, "Space per RSE"),
      h("div", { class: "legend", "aria-hidden": "true" }, h("span", null, h("i", { class: "used" }), "stored by Ferry (free space as the storage last reported it)")),
      rses.length ? space : null,
      h("h2", null, `Quotas of ${data.account}`),
      h("div", { class: "legend", "aria-hidden": "true" }, h("span", null, h("i", { class: "mine" }), `used by ${data.account}`), h("span", null, h("i", { class: "limit" }), "quota")),
      rses.length ? quotas : null,
      h("p", { class: "muted" }, "Without a quota on an RSE an account that is not an admin may not place rules there."),
      h("h2", null, "RSEs"),
      table([{ label: "RSE" }, { label: "Type" }, { label: "Availability" }, { label: "Files", num: true }, { label: "Stored", num: true }, { label: "Free", num: true },
        { label: "Min free", num: true }, { label: `${data.account} uses`, num: true }, { label: "Quota", num: true }], rows, { id: "rse-table", empty: "No RSE yet." }),
      data.global_limits.length ? [h("h2", null, "Quotas on RSE expressions"),
        table([{ label: "Expression" }, { label: "RSEs" }, { label: "Used", num: true }, { label: "Quota", num: true }], globals, { id: "global-limits" })] : null),
  };
}
