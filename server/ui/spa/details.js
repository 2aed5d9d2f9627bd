// User details (#/user/<id>): master data to edit, move, VIP, block and unblock,
// delete with a confirmation naming the user; the effective relationships, settings
// (own or inherited), contacts, the voicemail PIN state, this user's resets with Undo;
// Password: set one by hand, each rule of the location's policy the typed password
// does not meet named. #/user/new/<location|group>/<id> creates a user there.
import { useEffect, useState } from "preact/hooks";
import { gql } from "./api.js";
import { formatDateTime, t } from "./i18n.js";
import { AUDIT_EVENTS, CREATE_USER, DELETE_USER, RESET_USERS, SCOPES, SET_PASSWORD,
         UNDO_RESET, UPDATE_USER, USER_DETAILS, USER_MAILS } from "./queries.js";
import { SettingList } from "./settings.js";
import { errorOf, Errors, failed, html, Title } from "./ui.js";

// As the server's rules (domain/rules.py): Python's punctuation counts as a symbol.
const SYMBOLS = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

export function policyRules(policy) {
  const chars = (p) => [...p];
  return [
    [t("policy.min", { count: policy.minLength }), (p) => chars(p).length >= policy.minLength],
    [t("policy.max", { count: policy.maxLength }), (p) => chars(p).length <= policy.maxLength],
    policy.requireUppercase && [t("policy.upper"), (p) => /\p{Lu}/u.test(p)],
    policy.requireLowercase && [t("policy.lower"), (p) => /\p{Ll}/u.test(p)],
    policy.requireDigit && [t("policy.digit"), (p) => /\p{Nd}/u.test(p)],
    policy.requireSymbol && [t("policy.symbol"), (p) => chars(p).some((c) => SYMBOLS.includes(c))],
  ].filter(Boolean);
}

const FIELDS = [["firstName", "user.firstName"], ["lastName", "user.lastName"],
                ["email", "user.email"], ["workPhone", "user.workPhone"],
                ["mobilePhone", "user.mobilePhone"]];

export function UserDetails({ route }) {
  const [id, locationId, groupId] = route;
  if (id === "new") {
    return html`<section class="details"><a href="#/users">${t("user.back")}</a>
      <${Title}>${t("user.createTitle")}<//><${UserForm} create=${{ locationId, groupId }} /></section>`;
  }
  return html`<${Details} key=${id} id=${id} />`;
}

function Details({ id }) {
  const [user, setUser] = useState(null);
  const [error, setError] = useState(null);
  const [version, setVersion] = useState(0);
  useEffect(() => {
    gql(USER_DETAILS, { id }).then(({ node }) => node ? setUser(node)
      : setError({ code: "USER_NOT_FOUND", message: "" }),
      (e) => setError(errorOf(e)));
  }, [id, version]);
  const back = html`<a href="#/users">${t("user.back")}</a>`;
  if (error) return html`<${Errors} errors=${[error]} />${back}`;
  if (!user) return html`<p aria-live="polite">${t("common.loading")}</p>`;
  const yes = (on) => t(on ? "common.yes" : "common.no");
  const facts = [
    [t("users.login"), user.login], [t("user.email"), user.email || t("common.none")],
    [t("user.workPhone"), user.workPhone || "—"], [t("user.mobilePhone"), user.mobilePhone || "—"],
    [t("user.location"), user.location.name],
    [t("users.group"), user.configurationGroup ? user.configurationGroup.name : "—"],
    [t("users.vip"), yes(user.isVip)], [t("users.blocked"), yes(user.blocked)],
    [t("user.passwordChange"), yes(user.passwordChangeRequired)],
    [t("user.pin"), t(`pin.${user.voicemailPinState}`)],
    [t("user.teams"), user.teams.map((team) => team.name).join(", ") || "—"],
  ];
  return html`<section class="details">
    <a href=${`#/users/location/${encodeURIComponent(user.location.id)}`}>${t("user.back")}</a>
    <${Title}>${user.displayName}<//>
    <dl class="facts">${facts.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>
    <${UserForm} user=${user} onSaved=${() => setVersion(version + 1)} />
    <${Relationships} user=${user} />
    <div class="card">
      <h3>${t("user.clientSettings")}</h3>
      <${OwnOrInherited} all=${user.clientSettings} own=${user.clientSettingOverrides}
        label=${t("user.clientSettings")} />
      <h3>${t("user.presenceSettings")}</h3>
      <${OwnOrInherited} all=${user.presenceSettings} own=${user.presenceSettingOverrides}
        label=${t("user.presenceSettings")} />
    </div>
    <div class="card">
      <h3>${t("user.contacts", { count: user.contacts.length })}</h3>
      ${user.contacts.length ? html`<ul>${user.contacts.map((c) => html`<li>${c.displayName}
        ${c.dataSource && html` <span class="muted">${t(c.dataSource.active ? "user.fromSource"
          : "user.fromInactiveSource", { source: c.dataSource.name })}</span>`}</li>`)}</ul>`
        : html`<p class="muted">${t("user.noContacts")}</p>`}
    </div>
    <${UserResets} user=${user} />
    <${Mails} user=${user} />
    <${PasswordForm} user=${user} />
  </section>`;
}

function OwnOrInherited({ all, own, label }) {
  const mine = new Set(own.map((s) => s.key));
  if (!all.length) return html`<p class="muted">${t("settings.noEntries")}</p>`;
  return html`<div class="table-wrap" tabindex="0" role="region" aria-label=${label}>
    <table><thead><tr><th scope="col">${t("settings.key")}</th>
      <th scope="col">${t("settings.value")}</th><th scope="col">${t("user.origin")}</th></tr></thead>
    <tbody>${all.map((s) => html`<tr><th scope="row">${s.key}</th>
      <td><code>${JSON.stringify(s.value)}</code></td>
      <td>${t(mine.has(s.key) ? "user.own" : "user.inherited")}</td></tr>`)}</tbody></table>
  </div>`;
}

function Relationships({ user }) {
  return html`<div class="card">
    <h3>${t("user.relationships")}</h3>
    <p>${user.defaultRelationship ? t("user.defaultLevel", { level: t(`level.${user.defaultRelationship}`) })
      : t("user.noDefaultLevel")}</p>
    ${user.relationships.length ? html`<div class="table-wrap" tabindex="0" role="region"
        aria-label=${t("user.relationships")}><table>
      <thead><tr><th scope="col">${t("user.target")}</th><th scope="col">${t("user.level")}</th>
        <th scope="col">${t("user.source")}</th></tr></thead>
      <tbody>${user.relationships.map((r) => html`<tr><th scope="row">${r.target.displayName}</th>
        <td>${t(`level.${r.level}`)}</td><td>${t(`source.${r.source}`)}</td></tr>`)}</tbody>
    </table></div>` : html`<p class="muted">${t("user.noRelationships")}</p>`}
  </div>`;
}

// The resets of this user (its USER_RESET events), each with Undo while it is kept.
function UserResets({ user }) {
  const [events, setEvents] = useState(null);
  const [outcome, setOutcome] = useState(null);
  useEffect(() => {
    gql(AUDIT_EVENTS, { first: 20, after: null,
      filter: { userId: user.id, actions: ["USER_RESET"] } }).then(
      ({ auditEvents }) => setEvents(auditEvents.edges.map((e) => e.node)), () => setEvents([]));
  }, [user.id]);
  async function undo(resetId) {
    try {
      const { undoReset } = await gql(UNDO_RESET, { resetId, dryRun: false });
      setOutcome(undoReset.errors.length ? { ok: false, errors: undoReset.errors }
        : { ok: true, errors: undoReset.results.flatMap((r) => r.errors) });
    } catch (e) {
      setOutcome(failed(e));
    }
  }
  if (!events) return null;
  const now = Date.now();
  return html`<div class="card">
    <h3>${t("user.resets")}</h3>
    <p><a href=${`#/changelog?${new URLSearchParams({ user: user.id })}`}>${t("user.changes")}</a></p>
    ${events.length ? html`<ul>${events.map((ev) => {
      const until = ev.details.undo_until;
      const open = ev.details.reset_id && until && Date.parse(until) > now;
      return html`<li>${t("user.resetAt", { at: formatDateTime(ev.at), actor: ev.actor })}
        ${open && html` <button type="button" onClick=${() => undo(ev.details.reset_id)}>
          ${t("user.undo", { until: formatDateTime(until) })}</button>`}</li>`;
    })}</ul>` : html`<p class="muted">${t("user.noResets")}</p>`}
    ${outcome && outcome.ok && html`<p role="status" class="ok">${t("user.undone")}</p>`}
    ${outcome && html`<${Errors} errors=${outcome.errors} />`}
  </div>`;
}

// The latest mails to this user and how they fared; a failed one is not sent again,
// a new reset sends a new secret.
const RESENDS = {
  PASSWORD: { setRandomPassword: true, sendPasswordLink: false },
  PASSWORD_LINK: { setRandomPassword: true, sendPasswordLink: true },
  VOICEMAIL_PIN: { setRandomVoicemailPin: true },
};

function Mails({ user }) {
  const [mails, setMails] = useState(null);
  const [version, setVersion] = useState(0);
  const [outcome, setOutcome] = useState(null);
  useEffect(() => {
    gql(USER_MAILS, { id: user.id }).then(({ node }) => setMails(node.mailDeliveries),
      (e) => setOutcome(failed(e)));
  }, [user.id, version]);
  async function resend(kind) {
    try {
      const { resetUsers } = await gql(RESET_USERS, { ids: [user.id],
        options: RESENDS[kind], dryRun: false, operationId: null });
      const [result] = resetUsers.results;
      const errors = [...resetUsers.errors, ...(result ? result.errors : []),
        ...(result ? result.actions.flatMap((a) => a.errors) : [])];
      setOutcome({ ok: !errors.length, errors });
      setVersion(version + 1);
    } catch (e) {
      setOutcome(failed(e));
    }
  }
  if (!mails) return outcome && html`<${Errors} errors=${outcome.errors} />`;
  return html`<div class="card">
    <h3>${t("mails.title")}</h3>
    ${mails.length ? html`<div class="table-wrap" tabindex="0" role="region"
        aria-label=${t("mails.title")}><table>
      <thead><tr><th scope="col">${t("mails.queued")}</th><th scope="col">${t("mails.kind")}</th>
        <th scope="col">${t("mails.state")}</th><th scope="col">${t("mails.reply")}</th></tr></thead>
      <tbody>${mails.map((m) => html`<tr><th scope="row">${formatDateTime(m.queuedAt)}</th>
        <td>${t(`templates.kind.${m.kind}`)}</td>
        <td>${t(`mails.${m.status}`, { at: formatDateTime(m.sentAt || m.nextAttemptAt || m.queuedAt),
          attempts: m.attempts })}</td>
        <td>${m.status === "FAILED" ? html`${m.replyCode || ""} ${m.reply}${RESENDS[m.kind] && html` <button type="button"
          onClick=${() => resend(m.kind)}>${t(`mails.resend.${m.kind}`)}</button>`}` : ""}</td>
      </tr>`)}</tbody></table></div>` : html`<p class="muted">${t("mails.none")}</p>`}
    <button type="button" onClick=${() => setVersion(version + 1)}>${t("mails.refresh")}</button>
    ${outcome && outcome.ok && html`<p role="status" class="ok">${t("mails.resent")}</p>`}
    ${outcome && html`<${Errors} errors=${outcome.errors} />`}
  </div>`;
}

// Create (in a location or group) or edit the master data; VIP, block, delete.
function UserForm({ user, create, onSaved }) {
  const start = user ? Object.fromEntries(FIELDS.map(([k]) => [k, user[k] || ""]))
    : { login: "", ...Object.fromEntries(FIELDS.map(([k]) => [k, ""])) };
  const [form, setForm] = useState({ ...start, isVip: user ? user.isVip : false,
    ...(user ? { locationId: user.location.id,
                 configurationGroupId: user.configurationGroup ? user.configurationGroup.id : "" }
      : {}) });
  const [locations, setLocations] = useState([]);
  useEffect(() => {
    if (user) gql(SCOPES).then((d) => setLocations(d.locations), () => {});
  }, []);
  const groups = (locations.find((l) => l.id === form.locationId) || { configurationGroups: [] })
    .configurationGroups;
  const [outcome, setOutcome] = useState(null);
  const [confirming, setConfirming] = useState(false);
  const set = (key) => (e) => setForm({ ...form, [key]: e.currentTarget.type === "checkbox"
    ? e.currentTarget.checked : e.currentTarget.value });

  async function send(document, input, done) {
    try {
      const data = await gql(document, { input });
      const payload = Object.values(data)[0];
      setOutcome({ ok: !payload.errors.length, errors: payload.errors });
      if (!payload.errors.length) done(payload);
    } catch (e) {
      setOutcome(failed(e));
    }
  }

  function save(event) {
    event.preventDefault();
    const input = { ...form };
    if (user) {
      delete input.login;
      const moved = input.locationId !== user.location.id;
      if (!input.configurationGroupId) delete input.configurationGroupId;
      if (!moved) delete input.locationId;
      return send(UPDATE_USER, { id: user.id, ...input }, () => onSaved());
    }
    for (const [key] of FIELDS) if (!input[key] && key !== "lastName") delete input[key];
    input.locationId = create.locationId;
    if (create.groupId) input.configurationGroupId = create.groupId;
    return send(CREATE_USER, input, (p) => { location.hash = `#/user/${encodeURIComponent(p.user.id)}`; });
  }

  async function remove() {
    try {
      const { deleteUser } = await gql(DELETE_USER, { id: user.id });
      if (deleteUser.ok) location.hash = `#/users/location/${encodeURIComponent(user.location.id)}`;
      else setOutcome({ ok: false, errors: deleteUser.errors });
    } catch (e) {
      setOutcome(failed(e));
    }
  }

  const field = (key, label, type = "text") => html`<label for=${`u-${key}`}>${t(label)}</label>
    <input id=${`u-${key}`} type=${type} value=${form[key]} onInput=${set(key)} />`;
  return html`<form class="card grid" onSubmit=${save}>
    ${user && html`<h3 class="full">${t("user.edit")}</h3>`}
    ${!user && field("login", "users.login")}
    ${FIELDS.map(([key, label]) => field(key, label, key === "email" ? "email" : "text"))}
    ${user && html`<label for="u-location">${t("user.location")}</label>
      <select id="u-location" value=${form.locationId} onChange=${(e) => setForm({ ...form,
        locationId: e.currentTarget.value, configurationGroupId: "" })}>
        ${locations.map((l) => html`<option value=${l.id}>${l.name}</option>`)}
      </select>
      <label for="u-group">${t("users.group")}</label>
      <select id="u-group" value=${form.configurationGroupId} onChange=${set("configurationGroupId")}>
        <option value="">${t("user.noGroup")}</option>
        ${groups.map((g) => html`<option value=${g.id}>${g.name}</option>`)}
      </select>`}
    <label for="u-vip">${t("users.vip")}</label>
    <input id="u-vip" type="checkbox" checked=${form.isVip} onChange=${set("isVip")} />
    <button type="submit" class="primary">${t(user ? "common.save" : "user.createButton")}</button>
    <div class="full">
      ${outcome && outcome.ok && html`<p role="status" class="ok">${t("common.saved")}</p>`}
      ${outcome && html`<${Errors} errors=${outcome.errors} />`}
      ${user && html`<div class="toolbar">
        <button type="button" onClick=${() => send(UPDATE_USER,
          { id: user.id, blocked: !user.blocked }, () => onSaved())}>
          ${t(user.blocked ? "user.unblock" : "user.block")}</button>
        <button type="button" class="danger" onClick=${() => setConfirming(true)}>
          ${t("user.delete")}</button>
      </div>`}
      ${confirming && html`<div role="alertdialog" aria-labelledby="confirm-delete" class="confirm">
        <p id="confirm-delete">${t("user.confirmDelete", { name: user.displayName })}</p>
        <button type="button" class="danger" onClick=${remove}>${t("user.deleteNow")}</button>
        <button type="button" onClick=${() => setConfirming(false)}>${t("common.cancel")}</button>
      </div>`}
    </div>
  </form>`;
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
      setOutcome(failed(e));
    } finally {
      setBusy(false);
    }
  }

  return html`<form class="card" onSubmit=${submit}>
    <h3>${t("password.title")}</h3>
    <p id="policy">${t("password.policy", { location: user.location.name })}</p>
    <ul class="rules" aria-describedby="policy">
      ${rules.map(([label, met]) => html`<li class=${password && !met(password) ? "unmet" : ""}>
        ${label}</li>`)}
    </ul>
    <label for="new-password">${t("password.new")}</label>
    <input id="new-password" type="password" autocomplete="new-password" value=${password}
      aria-describedby="unmet" onInput=${(e) => { setPassword(e.currentTarget.value); setOutcome(null); }} />
    <p id="unmet" class="muted" aria-live="polite">${password && unmet.length
      ? t("password.unmet", { rules: new Intl.ListFormat(document.documentElement.lang).format(unmet) }) : ""}</p>
    <p class="muted">${t("password.mustChange")}</p>
    <button type="submit" class="primary" disabled=${busy || !password}>${t("password.set")}</button>
    ${outcome && outcome.ok && html`<p role="status" class="ok">${t("password.done")}</p>`}
    ${outcome && !outcome.ok && html`<${Errors} errors=${outcome.errors} />`}
  </form>`;
}
