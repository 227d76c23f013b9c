// Talks to the Ferry server's JSON API (the Rucio dialect plus /ferry extensions) with the session's token.
// The token lives in sessionStorage: it is gone when the tab closes, and is never put in a URL.

const KEY = "ferry.session";

/** An answer the server refused, with Rucio's ExceptionClass and ExceptionMessage when it sent them. */
export class ApiError extends Error {
  constructor(status, cls, message) {
    super(message);
    this.status = status;
    this.cls = cls;
  }
}

export function session() {
  try { return JSON.parse(sessionStorage.getItem(KEY) ?? "null"); } catch { return null; }
}

export function endSession() {
  sessionStorage.removeItem(KEY);
}

/** Rucio's userpass login: the token comes back in a response header. */
export async function login(username, password, account) {
  const headers = { "X-Rucio-Username": username, "X-Rucio-Password": password };
  if (account) headers["X-Rucio-Account"] = account;
  const r = await send("GET", "/auth/userpass", { headers });
  if (!r.ok) throw await errorOf(r);
  const s = {
    token: r.headers.get("X-Rucio-Auth-Token"),
    account: r.headers.get("X-Rucio-Auth-Account") || account || username,
    expires: r.headers.get("X-Rucio-Auth-Token-Expires"),
  };
  if (!s.token) throw new ApiError(r.status, "CannotAuthenticate", "The server answered the login without a token");
  sessionStorage.setItem(KEY, JSON.stringify(s));
  return s;
}

/** Path segments are encoded one by one, so names holding '/' or ':' reach the server intact (as %2F). */
export const path = (strings, ...values) => strings.reduce((acc, s, i) => acc + s + (i < values.length ? encodeURIComponent(values[i]) : ""), "");

export const get = p => call("GET", p);
export const getLines = p => call("GET", p, undefined, true);
export const post = (p, body) => call("POST", p, body);
export const postLines = (p, body) => call("POST", p, body, true);
export const put = (p, body) => call("PUT", p, body);
export const del = (p, body) => call("DELETE", p, body);

/** One call with the token; a JSON body or, for listings, the JSON lines (application/x-json-stream) as an array. */
export async function call(method, p, body, lines = false) {
  const s = session();
  if (!s) throw unauthenticated("Please log in.");
  const headers = { "X-Rucio-Auth-Token": s.token };
  if (lines) headers.Accept = "application/x-json-stream";
  const r = await send(method, p, { headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!r.ok) {
    const e = await errorOf(r);
    // Only an unknown or expired token means "log in again": other 401s (a locked rule) are ordinary refusals.
    if (r.status === 401 && e.cls === "CannotAuthenticate") throw unauthenticated("Your session has ended: please log in again.");
    throw e;
  }
  const text = await r.text();
  if (lines) return text.split("\n").filter(l => l.trim() !== "").map(l => JSON.parse(l));
  const type = r.headers.get("Content-Type") ?? "";
  return type.startsWith("application/json") && text !== "" ? JSON.parse(text) : text;
}

function unauthenticated(message) {
  endSession();
  const e = new ApiError(401, "CannotAuthenticate", message);
  window.dispatchEvent(new CustomEvent("ferry:unauthenticated", { detail: message }));
  return e;
}

async function send(method, p, init) {
  try {
    return await fetch(p, { method, cache: "no-store", credentials: "omit", ...init });
  } catch (e) {
    throw new ApiError(0, "NetworkError", `The server did not answer (${e.message}). Is it running?`);
  }
}

async function errorOf(r) {
  let cls = r.headers.get("ExceptionClass") ?? "", message = r.headers.get("ExceptionMessage") ?? "";
  try {
    const body = JSON.parse(await r.text());
    cls = body.ExceptionClass ?? cls;
    message = body.ExceptionMessage ?? message;
  } catch { /* not JSON: keep the headers */ }
  return new ApiError(r.status, cls || `HTTP ${r.status}`, message || `${r.status} ${r.statusText}`);
}
