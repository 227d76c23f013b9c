// Tasks (Ferry's processing over datasets) and their jobs, with the attempts' logs on demand.
import { get, getLines, call, path } from "../api.js";
import { h, badge, bytes, count, crumbs, didLink, facts, field, progress, route, table, when } from "../dom.js";
import { describe, showMessage } from "../app.js";

const STATES = ["registered", "defined", "ready", "running", "paused", "finishing", "done", "finished", "failed", "broken", "aborted", "exhausted"];

const didOf = text => { const i = text.indexOf(":"); return i < 0 ? text : didLink(text.slice(0, i), text.slice(i + 1)); };
const jobProgress = t => progress({ ok: t.jobs_by_status?.finished ?? 0, busy: (t.jobs_by_status?.running ?? 0) + (t.jobs_by_status?.defined ?? 0), bad: t.jobs_by_status?.failed ?? 0,
  total: t.jobs, unit: "jobs", label: `${count(t.jobs_by_status?.finished ?? 0)} of ${count(t.jobs)} jobs finished` + (t.jobs_by_status?.failed ? `, ${count(t.jobs_by_status.failed)} failed` : "") });

export async function tasksView(ctx) {
  const status = ctx.query.get("status") ?? "";
  const tasks = await getLines(`/ferry/tasks${status ? `?status=${encodeURIComponent(status)}` : ""}`);
  const select = h("select", { id: "tasks-status" }, h("option", { value: "" }, "Any status"), STATES.map(s => h("option", { value: s, selected: s === status }, s)));
  const form = h("form", { class: "inline", role: "search" }, field("Status", select), h("button", { type: "submit", class: "primary" }, "Show"));
  form.addEventListener("submit", e => { e.preventDefault(); location.hash = `#/tasks${select.value ? `?status=${encodeURIComponent(select.value)}` : ""}`; });
  const rows = tasks.map(t => ({
    cells: [h("a", { href: route("tasks", String(t.task_id)) }, String(t.task_id)), t.name, badge(t.status), jobProgress(t), didOf(t.input), `${t.output_scope}:${t.output_dataset}`, t.account, when(t.updated_at)],
    attrs: { "data-task-id": t.task_id },
  }));
  return {
    title: "Tasks",
    node: h("section", null, h("h1", { tabindex: -1 }, "Tasks"), form,
      table([{ label: "Id" }, { label: "Name" }, { label: "Status" }, { label: "Jobs" }, { label: "Input" }, { label: "Output" }, { label: "Account" }, { label: "Updated" }], rows,
        { id: "tasks", empty: "No task yet: submit one with ferry task submit." })),
  };
}

export async function taskView(ctx) {
  const id = ctx.params.id;
  const t = await get(path`/ferry/tasks/${id}`);
  let attempts = [];
  try { attempts = await getLines(path`/ferry/tasks/${id}/attempts`); } catch { /* logs are for the owner and admins only */ }
  const logTitle = h("h3", { id: "task-log-title", hidden: true });
  const log = h("pre", { class: "log", id: "task-log", hidden: true, tabindex: 0, "aria-labelledby": "task-log-title" });
  const showLog = async (a, stream) => {
    try {
      const text = await call("GET", path`/ferry/tasks/${id}/jobs/${a.job}/attempts/${a.attempt}/${stream}`);
      logTitle.textContent = `${stream} of job ${a.job}, attempt ${a.attempt}`;
      log.textContent = text || `(${stream} is empty)`;
      log.hidden = logTitle.hidden = false;
      log.focus();
    } catch (e) { showMessage(describe(e)); }
  };
  const jobRows = t.job_list.map(j => ({ cells: [String(j.job), badge(j.status), String(j.attempt), j.error ?? ""], attrs: { "data-job": j.job } }));
  const attemptRows = attempts.map(a => [`${a.job}.${a.attempt}`, badge(a.status), a.exit_code ?? "–", a.executor, when(a.started_at), when(a.ended_at),
    [h("button", { type: "button", class: "link", onclick: () => showLog(a, "stdout") }, `stdout (${a.stdout_bytes ?? 0} B)`),
      h("button", { type: "button", class: "link", onclick: () => showLog(a, "stderr") }, `stderr (${a.stderr_bytes ?? 0} B)`)]]);
  return {
    title: `Task ${id}`,
    node: h("section", null,
      crumbs([{ label: "Tasks", href: "#/tasks" }, { label: `${id}` }]),
      h("h1", { tabindex: -1 }, `Task ${id}: ${t.name} `, badge(t.status)),
      h("div", { class: "card" }, jobProgress(t)),
      h("div", { class: "card" }, facts([
        ["Input", didOf(t.input)], ["Output", didLink(t.output_scope, t.output_dataset)], ["Output RSE", t.output_rse], ["Command", h("code", null, t.command ?? "")],
        ["Executor", t.executor], ["Account", t.account], ["Rule", t.rule_id ? h("a", { href: route("rules", t.rule_id) }, t.rule_id) : "–"],
        t.error ? ["Error", h("span", { class: "error-box" }, t.error)] : null, ["Created", when(t.created_at)], ["Updated", when(t.updated_at)],
      ])),
      h("h2", null, `Jobs (${count(t.job_list.length)})`),
      table([{ label: "Job" }, { label: "Status" }, { label: "Attempt" }, { label: "Error" }], jobRows, { id: "jobs", empty: "No job yet: the task is being split." }),
      attempts.length ? [h("h2", null, "Attempts"), table([{ label: "Attempt" }, { label: "Status" }, { label: "Exit" }, { label: "Executor" }, { label: "Started" }, { label: "Ended" }, { label: "Logs" }], attemptRows, { id: "attempts" }), logTitle, log] : null,
      t.outputs.length ? [h("h2", null, "Outputs"), table([{ label: "File" }, { label: "Size", num: true }], t.outputs.map(o => [didLink(o.scope, o.name), bytes(o.bytes)]))] : null),
  };
}
