// Transfers per link (source RSE -> destination RSE): what moved, what failed, and the rate while busy.
import { get } from "../api.js";
import { h, bytes, count, rate, table } from "../dom.js";
import { barChart } from "../charts.js";

export async function transfersView() {
  const links = await get("/ferry/transfers/links");
  const label = l => `${l.source} → ${l.destination}`;
  const rows = links.map(l => ({
    cells: [l.source, l.destination, count(l.done), l.failed ? h("span", { class: "badge STUCK" }, count(l.failed)) : "0", count(l.failed_attempts), bytes(l.bytes), rate(l.bytes_per_second)],
    attrs: { "data-link": label(l) },
  }));
  const totals = links.reduce((a, l) => ({ done: a.done + l.done, failed: a.failed + l.failed, bytes: a.bytes + l.bytes }), { done: 0, failed: 0, bytes: 0 });
  return {
    title: "Transfers",
    node: h("section", null, h("h1", { tabindex: -1 }, "Transfers per link"),
      h("div", { class: "cards" },
        h("div", { class: "card" }, h("div", { class: "muted" }, "Links"), h("div", { class: "big" }, count(links.length))),
        h("div", { class: "card" }, h("div", { class: "muted" }, "Files transferred"), h("div", { class: "big" }, count(totals.done))),
        h("div", { class: "card" }, h("div", { class: "muted" }, "Bytes transferred"), h("div", { class: "big" }, bytes(totals.bytes))),
        h("div", { class: "card" }, h("div", { class: "muted" }, "Failed for good"), h("div", { class: "big" }, count(totals.failed)))),
      links.length ? [
        h("h2", null, "Throughput"),
        h("p", { class: "muted" }, "Bytes of completed transfers over the time their last attempts took: the link's rate while busy."),
        barChart({
          id: "throughput-chart", title: "Throughput per link",
          rows: links.map(l => ({ label: label(l), segments: [{ value: l.bytes_per_second, cls: "used", title: `${label(l)}: ${rate(l.bytes_per_second)}` }], note: rate(l.bytes_per_second) })),
        }),
        h("h2", null, "Files per link"),
        h("div", { class: "legend", "aria-hidden": "true" }, h("span", null, h("i", { class: "ok" }), "done"), h("span", null, h("i", { class: "bad" }), "failed")),
        barChart({
          id: "files-chart", title: "Files done and failed per link",
          rows: links.map(l => ({ label: label(l), segments: [{ value: l.done, cls: "ok", title: `${label(l)}: ${l.done} done` }, { value: l.failed, cls: "bad", title: `${label(l)}: ${l.failed} failed` }], note: `${count(l.done)} done, ${count(l.failed)} failed` })),
        }),
      ] : null,
      h("h2", null, "Links"),
      table([{ label: "Source" }, { label: "Destination" }, { label: "Done", num: true }, { label: "Failed", num: true }, { label: "Failed attempts", num: true }, { label: "Bytes", num: true }, { label: "Throughput", num: true }],
        rows, { id: "links", empty: "No transfer yet: rules that need copies queue them." })),
  };
}
