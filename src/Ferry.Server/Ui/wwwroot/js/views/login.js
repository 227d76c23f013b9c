// Rucio userpass login: the server hands back a token, kept in sessionStorage for this tab only.
import { login, session } from "../api.js";
import { h, field } from "../dom.js";
import { describe, loggedIn } from "../app.js";

export async function loginView(ctx) {
  const next = ctx.query.get("next");
  if (session()) { loggedIn(next); return { title: "Log in", node: h("p", null, "Already logged in.") }; }
  const error = h("p", { id: "login-error", class: "error-box", role: "alert", hidden: !ctx.reason }, ctx.reason ?? "");
  const user = h("input", { id: "login-username", name: "username", autocomplete: "username", required: true, autocapitalize: "off", spellcheck: "false" });
  const password = h("input", { id: "login-password", name: "password", type: "password", autocomplete: "current-password", required: true });
  const account = h("input", { id: "login-account", name: "account", autocomplete: "off", autocapitalize: "off", spellcheck: "false" });
  const button = h("button", { type: "submit", class: "primary", id: "login-button" }, "Log in");
  const form = h("form", { "aria-describedby": "login-error", novalidate: true },
    error,
    field("Username", user),
    field("Password", password),
    h("details", null, h("summary", null, "Log in as a particular account"),
      field("Account (leave empty for the identity's default account)", account)),
    button);
  form.addEventListener("submit", async e => {
    e.preventDefault();
    if (!user.value || !password.value) {
      error.textContent = "Enter your username and password.";
      error.hidden = false;
      (user.value ? password : user).focus();
      return;
    }
    button.disabled = true;
    button.textContent = "Logging in…";
    try {
      await login(user.value.trim(), password.value, account.value.trim());
      loggedIn(next);
    } catch (err) {
      error.textContent = err.status === 401 ? "Wrong username or password (or that account is not yours)." : describe(err);
      error.hidden = false;
      password.value = "";
      password.focus();
    } finally {
      button.disabled = false;
      button.textContent = "Log in";
    }
  });
  return {
    title: "Log in",
    node: h("section", { class: "login card" }, h("h1", { tabindex: -1 }, "Log in to Ferry"),
      h("p", { class: "muted" }, "Use the same username and password as the ferry and rucio command-line clients."), form),
  };
}
