// User details, and Password: set one by hand, with the location's policy shown and
// each rule the typed password does not meet named.
import { useEffect, useState } from "preact/hooks";
import { gql } from "./api.js";
import { SET_PASSWORD, USER_DETAILS } from "./queries.js";
import { Errors, html, Title } from "./ui.js";

// As the server's rules (domain/rules.py): Python's punctuation counts as a symbol.
const SYMBOLS = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

export function policyRules(policy) {
  const chars = (p) => [...p];
  return [
    [`at least ${policy.minLength} characters`, (p) => chars(p).length >= policy.minLength],
    [`at most ${policy.maxLength} characters`, (p) => chars(p).length <= policy.maxLength],
    policy.requireUppercase && ["an uppercase letter", (p) => /\p{Lu}/u.test(p)],
    policy.requireLowercase && ["a lowercase letter", (p) => /\p{Ll}/u.test(p)],
    policy.requireDigit && ["a digit", (p) => /\p{Nd}/u.test(p)],
    policy.requireSymbol && ["a symbol", (p) => chars(p).some((c) => SYMBOLS.includes(c))],
  ].filter(Boolean);
}

export function UserDetails({ id }) {
  const [user, setUser] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    gql(USER_DETAILS, { id }).then(({ node }) => node ? setUser(node)
      : setError({ code: "USER_NOT_FOUND", message: "There is no such user." }),
      (e) => setError({ code: e.code, message: e.message }));
  }, [id]);
  if (error) return html`<${Errors} errors=${[error]} /><a href="#/users">Back to the users</a>`;
  if (!user) return html`<p aria-live="polite">Loading…</p>`;
  const facts = [
    ["Login", user.login], ["E-mail", user.email || "none"],
    ["Work phone", user.workPhone || "—"], ["Mobile phone", user.mobilePhone || "—"],
    ["Location", user.location.name],
    ["Configuration group", user.configurationGroup ? user.configurationGroup.name : "—"],
    ["VIP", user.isVip ? "yes" : "no"], ["Blocked", user.blocked ? "yes" : "no"],
    ["Password change required", user.passwordChangeRequired ? "yes" : "no"],
    ["Voicemail PIN", user.voicemailPinState],
  ];
  return html`<section class="details">
    <a href="#/users">Back to the users</a>
    <${Title}>${user.displayName}<//>
    <dl>${facts.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>
    <${PasswordForm} user=${user} />
  </section>`;
}

function PasswordForm({ user }) {
  const [password, setPassword] = useState("");
  const [outcome, setOutcome] = useState(null);
  const [busy, setBusy] = useState(false);
  const rules = policyRules(user.location.passwordPolicy);
  const unmet = rules.filter(([, met]) => !met(password)).map(([label]) => label);

  async function submit(event) {
    event.preventDefault();
    setBusy(true);
    try {
      const { setUserPassword } = await gql(SET_PASSWORD, { userId: user.id, password });
      setOutcome(setUserPassword);
      if (setUserPassword.ok) setPassword("");
    } catch (e) {
      setOutcome({ ok: false, errors: [{ code: e.code, message: e.message }] });
    } finally {
      setBusy(false);
    }
  }

  return html`<form class="card" onSubmit=${submit}>
    <h3>Password</h3>
    <p id="policy">The password policy of ${user.location.name} asks for:</p>
    <ul class="rules" aria-describedby="policy">
      ${rules.map(([label, met]) => html`<li class=${password && !met(password) ? "unmet" : ""}>
        ${label}</li>`)}
    </ul>
    <label for="new-password">New password</label>
    <input id="new-password" type="password" autocomplete="new-password" value=${password}
      aria-describedby="unmet" onInput=${(e) => { setPassword(e.currentTarget.value); setOutcome(null); }} />
    <p id="unmet" class="muted" aria-live="polite">${password && unmet.length
      ? `Not yet met: ${unmet.join(", ")}.` : ""}</p>
    <p class="muted">The user must change it at the next sign-in.</p>
    <button type="submit" class="primary" disabled=${busy || !password}>Set password</button>
    ${outcome && outcome.ok && html`<p role="status" class="ok">The password is set.</p>`}
    ${outcome && !outcome.ok && html`<${Errors} errors=${outcome.errors} />`}
  </form>`;
}
