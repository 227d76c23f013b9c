// Browse the catalogue: scopes, then the containers and datasets of a scope, then a DID with its content, its
// files' replicas (RSE, state, PFN) and the rules on it.
import { get, getLines, postLines, path } from "../api.js";
import { h, badge, bytes, count, crumbs, didHref, didLink, facts, field, route, table, dateText } from "../dom.js";
import { ruleTable } from "./rules.js";

const PAGE = 500;

export async function scopesView(ctx) {
  const scopes = (await get("/scopes/owner")).sort((a, b) => a.scope.localeCompare(b.scope));
  const filter = h("input", { id: "scope-filter", type: "search", placeholder: "type to filter", autocomplete: "off" });
  const rows = scopes.map(s => ({ cells: [h("a", { href: route("scopes", s.scope) }, s.scope), s.account === ctx.account ? [s.account, " ", badge("yours", "type")] : s.account], attrs: { "data-scope": s.scope } }));
  const list = table([{ label: "Scope" }, { label: "Owner" }], rows, { id: "scopes", empty: "No scopes yet: add one with ferry scope add." });
  filter.addEventListener("input", () => {
    const q = filter.value.toLowerCase();
    for (const tr of list.querySelectorAll("tbody tr")) tr.hidden = !tr.dataset.scope.toLowerCase().includes(q);
  });
  return {
    title: "Scopes",
    node: h("section", null, h("h1", { tabindex: -1 }, "Scopes"),
      h("div", { class: "toolbar" }, field("Filter scopes", filter), h("span", { class: "muted" }, `${count(scopes.length)} scopes`)), list),
  };
}

export async function scopeView(ctx) {
  const scope = ctx.params.scope;
  const pattern = ctx.query.get("pattern") || "*";
  const type = ctx.query.get("type") || "collection";
  const found = await getLines(`${path`/dids/${scope}/dids/search`}?type=${encodeURIComponent(type)}&long=true&limit=${PAGE + 1}&name=${encodeURIComponent(pattern)}`);
  const shown = found.slice(0, PAGE);
  const patternInput = h("input", { id: "did-pattern", name: "pattern", value: pattern, autocomplete: "off" });
  const typeSelect = h("select", { id: "did-type", name: "type" },
    [["collection", "Containers and datasets"], ["container", "Containers"], ["dataset", "Datasets"], ["file", "Files"], ["all", "Everything"]]
      .map(([v, label]) => h("option", { value: v, selected: v === type }, label)));
  const form = h("form", { class: "inline", role: "search" }, field("Name (wildcards *)", patternInput), field("Type", typeSelect), h("button", { type: "submit", class: "primary" }, "Search"));
  form.addEventListener("submit", e => {
    e.preventDefault();
    location.hash = `${route("scopes", scope)}?pattern=${encodeURIComponent(patternInput.value || "*")}&type=${encodeURIComponent(typeSelect.value)}`;
  });
  const rows = shown.map(d => ({ cells: [didLink(d.scope, d.name, d.name), badge(d.did_type, "type"), d.did_type === "FILE" ? "" : count(d.length), bytes(d.bytes)], attrs: { "data-did": `${d.scope}:${d.name}` } }));
  return {
    title: `Scope ${scope}`,
    node: h("section", null,
      crumbs([{ label: "Scopes", href: "#/scopes" }, { label: scope }]),
      h("h1", { tabindex: -1 }, scope), form,
      found.length > PAGE ? h("p", { class: "notice" }, `Showing the first ${PAGE} matches: narrow the name pattern to see the others.`) : null,
      table([{ label: "Name" }, { label: "Type" }, { label: "Files", num: true }, { label: "Size", num: true }], rows,
        { id: "dids", empty: `Nothing in ${scope} matches ${pattern}.` })),
  };
}

export async function didView(ctx) {
  const { scope, name } = ctx.params;
  const base = path`/dids/${scope}/${name}`;
  const [did, rules, parents] = await Promise.all([get(`${base}?dynamic_depth=FILE`), getLines(`${base}/rules`), getLines(`${base}/parents`)]);
  const parts = [
    crumbs([{ label: "Scopes", href: "#/scopes" }, { label: scope, href: route("scopes", scope) }, { label: name }]),
    h("h1", { tabindex: -1 }, h("span", { class: "muted" }, `${scope}:`), name, " ", badge(did.type, "type")),
  ];
  const summary = [["Type", did.type], ["Owner", did.account], ["Size", `${bytes(did.bytes)} (${count(did.bytes)} bytes)`]];
  if (did.type === "FILE") summary.push(["Adler32", h("code", null, did.adler32 ?? "–")], ["MD5", h("code", null, did.md5 ?? "–")]);
  else summary.push(["Files", count(did.length)], ["Open", did.open ? "yes" : "no"], ["Expires", did.expired_at ? dateText(did.expired_at) : "never"]);
  if (parents.length) summary.push(["In", parents.map((p, i) => [i ? ", " : "", didLink(p.scope, p.name)])]);
  parts.push(h("div", { class: "card" }, facts(summary)));

  if (did.type === "FILE") parts.push(h("h2", null, "Replicas"), await fileReplicas(scope, name));
  else if (did.type === "DATASET") parts.push(...await datasetParts(ctx, scope, name));
  else parts.push(...await containerParts(scope, name));

  parts.push(h("h2", null, "Rules"), ruleTable(rules, { id: "did-rules", empty: "No rule holds this DID." }));
  return { title: `${scope}:${name}`, node: h("section", null, parts) };
}

async function fileReplicas(scope, name) {
  const [file] = await postLines("/replicas/list", { dids: [{ scope, name }], all_states: true });
  const rses = Object.keys(file?.rses ?? {}).sort();
  const rows = rses.map(rse => {
    const pfns = file.rses[rse];
    return { cells: [rse, badge(file.states?.[rse]), pfns.length ? pfns.map(p => h("div", null, p)) : h("span", { class: "muted" }, "no readable protocol")], attrs: { "data-rse": rse } };
  });
  return table([{ label: "RSE" }, { label: "State" }, { label: "PFN", cls: "pfn" }], rows, { id: "replicas", empty: "This file has no replica." });
}

async function datasetParts(ctx, scope, name) {
  const base = path`/dids/${scope}/${name}`;
  const [files, replicas, perRse] = await Promise.all([
    getLines(`${base}/files`),
    postLines("/replicas/list", { dids: [{ scope, name }], all_states: true }),
    getLines(path`/replicas/${scope}/${name}/datasets`),
  ]);
  const byFile = new Map(replicas.map(r => [`${r.scope}:${r.name}`, r]));
  const all = ctx.query.get("all") === "1";
  const shown = all ? files : files.slice(0, PAGE);
  const rseRows = perRse.map(r => ({ cells: [r.rse, badge(r.state), `${count(r.available_length)} / ${count(r.length)}`, `${bytes(r.available_bytes)} / ${bytes(r.bytes)}`], attrs: { "data-rse": r.rse } }));
  const fileRows = shown.map(f => {
    const rep = byFile.get(`${f.scope}:${f.name}`);
    const states = Object.entries(rep?.states ?? {}).sort(([a], [b]) => a.localeCompare(b));
    return {
      cells: [didLink(f.scope, f.name, f.name), bytes(f.bytes), h("code", null, f.adler32 ?? "–"),
        states.length ? states.map(([rse, st]) => h("span", { class: "rse-state" }, badge(st), " ", rse, " ")) : h("span", { class: "muted" }, "no replica")],
      attrs: { "data-did": `${f.scope}:${f.name}` },
    };
  });
  return [
    h("h2", null, "Replicas per RSE"),
    table([{ label: "RSE" }, { label: "State" }, { label: "Files available", num: true }, { label: "Bytes available", num: true }], rseRows, { id: "dataset-replicas", empty: "No RSE holds any file of this dataset." }),
    h("h2", null, `Files (${count(files.length)})`),
    table([{ label: "Name" }, { label: "Size", num: true }, { label: "Adler32" }, { label: "Replicas" }], fileRows, { id: "files", empty: "This dataset is empty." }),
    !all && files.length > PAGE ? h("p", null, h("a", { href: `${didHref(scope, name)}?all=1` }, `Show all ${count(files.length)} files`)) : null,
  ];
}

async function containerParts(scope, name) {
  const content = await getLines(path`/dids/${scope}/${name}/dids`);
  const rows = content.map(c => ({ cells: [didLink(c.scope, c.name), badge(c.type, "type"), bytes(c.bytes)], attrs: { "data-did": `${c.scope}:${c.name}` } }));
  return [h("h2", null, `Content (${count(content.length)})`), table([{ label: "Name" }, { label: "Type" }, { label: "Size", num: true }], rows, { id: "content", empty: "This container is empty." })];
}
