// Horizontal bar charts drawn as inline SVG (no chart library): one row per item, stacked segments, an optional
// limit marker. Every rect carries data-label/data-value and a <title>, so the numbers are readable on hover, by
// screen readers (the chart is role=img with a description) and by tests.
import { s } from "./dom.js";

const W = 860, LABEL = 170, BAR = 470, ROW = 30, TOP = 10;

/**
 * rows: [{ label, segments: [{ value, cls, title }], limit, note }]; max: the value at the right end (default: the
 * largest total or limit). Returns an <svg class="chart">.
 */
export function barChart({ id, title, description, rows, max }) {
  const total = r => r.segments.reduce((a, x) => a + Math.max(0, x.value || 0), 0);
  const finite = v => typeof v === "number" && v > 0 && v < Number.MAX_SAFE_INTEGER;
  const top = max ?? Math.max(1, ...rows.map(r => Math.max(total(r), finite(r.limit) ? r.limit : 0)));
  const scale = v => (BAR * Math.min(Math.max(v, 0), top)) / top;
  const height = TOP * 2 + rows.length * ROW;
  const titleId = `${id}-title`, descId = `${id}-desc`;
  return s("svg", { id, class: "chart", viewBox: `0 0 ${W} ${height}`, role: "img", "aria-labelledby": `${titleId} ${descId}` },
    s("title", { id: titleId }, title),
    s("desc", { id: descId }, description ?? rows.map(r => `${r.label}: ${r.note ?? ""}`).join("; ")),
    rows.map((r, i) => {
      const y = TOP + i * ROW;
      let x = LABEL;
      return s("g", { class: "row", "data-label": r.label },
        s("text", { x: LABEL - 10, y: y + 19, "text-anchor": "end" }, r.label.length > 22 ? r.label.slice(0, 21) + "…" : r.label),
        s("rect", { class: "track", x: LABEL, y: y + 5, width: BAR, height: 18, rx: 3 }),
        r.segments.map(seg => {
          const w = scale(seg.value || 0);
          const rect = s("rect", { class: ["bar", seg.cls], x, y: y + 5, width: w.toFixed(2), height: 18, "data-label": r.label, "data-value": seg.value ?? 0 },
            s("title", null, seg.title ?? `${r.label}: ${seg.value}`));
          x += w;
          return rect;
        }),
        finite(r.limit) ? s("line", { class: "limit", x1: LABEL + scale(r.limit), x2: LABEL + scale(r.limit), y1: y + 1, y2: y + 27, "data-label": r.label, "data-value": r.limit },
          s("title", null, `${r.label}: limit`)) : null,
        s("text", { class: "dim", x: LABEL + BAR + 12, y: y + 19 }, r.note ?? ""));
    }));
}
