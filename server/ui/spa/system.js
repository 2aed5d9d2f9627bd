// System settings: E-Mail Gateway (system administrators), Administrators, API tokens,
// Directory data sources, Webhooks, each at #/system/<tab>. What a sub-administrator may see is
// what the API answers it.
import { useEffect, useState } from "preact/hooks";
import { gql } from "./api.js";
import { Gateway } from "./gateway.js";
import { MailTemplates } from "./templates.js";
import { formatDateTime, formatNumber, t } from "./i18n.js";
import { ADMINISTRATORS, API_TOKENS, BLOCK_ADMINISTRATOR, CREATE_ADMINISTRATOR,
         CREATE_API_TOKEN, CREATE_DATA_SOURCE, CREATE_WEBHOOK_ENDPOINT, DATA_SOURCES,
         DELETE_ADMINISTRATOR, DELETE_WEBHOOK_ENDPOINT, PING_WEBHOOK_ENDPOINT,
         REVOKE_API_TOKEN, SCOPES, SET_DATA_SOURCE_ACTIVE, SET_WEBHOOK_ENDPOINT_ACTIVE,
         UNBLOCK_ADMINISTRATOR, WEBHOOK_ENDPOINTS } from "./queries.js";
import { errorOf, Errors, failed, html, Title } from "./ui.js";

function useQuery(document, pick) {
  const [state, setState] = useState({ data: null, error: null });
  const [version, setVersion] = useState(0);
  useEffect(() => {
    gql(document).then((data) => setState({ data: pick(data), error: null }),
      (e) => setState({ data: null, error: errorOf(e) }));
  }, [document, version]);
  return { ...state, reload: () => setVersion((v) => v + 1) };
}

// Sends a mutation; its payload's errors (or the request's) go to `setOutcome`.
async function act(document, variables, setOutcome, done) {
  try {
    const payload = Object.values(await gql(document, variables))[0];
    setOutcome({ ok: !payload.errors.length, errors: payload.errors, payload });
    if (!payload.errors.length && done) done(payload);
  } catch (e) {
    setOutcome(failed(e));
  }
}

function Outcome({ outcome, text }) {
  if (!outcome) return null;
  return html`${outcome.ok && text && html`<p role="status" class="ok">${text}</p>`}
    <${Errors} errors=${outcome.errors} />`;
}

function NameForm({ id, label, button, onSubmit }) {
  const [name, setName] = useState("");
  return html`<form class="toolbar" onSubmit=${(e) => { e.preventDefault(); onSubmit(name, setName); }}>
    <label for=${id}>${label}</label>
    <input id=${id} value=${name} onInput=${(e) => setName(e.currentTarget.value)} required />
    <button type="submit" class="primary">${button}</button>
  </form>`;
}

function Table({ label, head, rows }) {
  return html`<div class="table-wrap" tabindex="0" role="region" aria-label=${label}>
    <table>
      <thead><tr>${head.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead>
      <tbody>${rows.map((cells) => html`<tr>
        <th scope="row">${cells[0]}</th>${cells.slice(1).map((c) => html`<td>${c}</td>`)}
      </tr>`)}</tbody>
    </table>
    ${!rows.length && html`<p class="muted">${t("system.empty")}</p>`}
  </div>`;
}

function state(admin) {
  if (admin.blocked) return "system.blocked";
  return admin.passwordChangeRequired ? "system.activeTemporary" : "system.active";
}

function Administrators({ me }) {
  const { data, error, reload } = useQuery(ADMINISTRATORS, (d) => d.administrators);
  const [outcome, setOutcome] = useState(null);
  const [confirm, setConfirm] = useState(null);
  if (error) return html`<${Errors} errors=${[error]} />`;
  if (!data) return html`<p aria-live="polite">${t("common.loading")}</p>`;
  const actions = (a) => me.system && a.login !== me.login && html`<div class="toolbar">
    <button type="button" onClick=${() => act(a.blocked ? UNBLOCK_ADMINISTRATOR
      : BLOCK_ADMINISTRATOR, { id: a.id }, setOutcome, reload)}>
      ${t(a.blocked ? "system.unblock" : "system.block", { login: a.login })}</button>
    <button type="button" class="danger" onClick=${() => setConfirm(a)}>
      ${t("system.delete", { login: a.login })}</button></div>`;
  return html`<${Table} label=${t("system.administrators")}
    head=${[t("users.login"), t("users.name"), t("system.role"), t("system.state"), ""]}
    rows=${data.map((a) => [a.login, [a.firstName, a.lastName].filter(Boolean).join(" "),
      a.locations.length ? t("system.subFor", { locations: a.locations.map((l) => l.name).join(", ") })
        : t("system.systemRole"), t(state(a)), actions(a)])} />
    ${confirm && html`<div role="alertdialog" aria-labelledby="confirm-admin" class="confirm">
      <p id="confirm-admin">${t("system.confirmDelete", { login: confirm.login })}</p>
      <button type="button" class="danger" onClick=${() => { setConfirm(null);
        act(DELETE_ADMINISTRATOR, { id: confirm.id }, setOutcome, reload); }}>${t("user.deleteNow")}</button>
      <button type="button" onClick=${() => setConfirm(null)}>${t("common.cancel")}</button>
    </div>`}
    <${Outcome} outcome=${outcome} text=${t("common.saved")} />
    ${me.system && html`<${NewAdministrator} onCreated=${reload} />`}`;
}

function NewAdministrator({ onCreated }) {
  const empty = { login: "", firstName: "", lastName: "", email: "", password: "", locationIds: [] };
  const [form, setForm] = useState(empty);
  const [locations, setLocations] = useState([]);
  const [outcome, setOutcome] = useState(null);
  useEffect(() => { gql(SCOPES).then((d) => setLocations(d.locations), () => {}); }, []);
  const set = (key) => (e) => setForm({ ...form, [key]: e.currentTarget.value });
  const toggle = (id) => (e) => setForm({ ...form, locationIds: e.currentTarget.checked
    ? [...form.locationIds, id] : form.locationIds.filter((x) => x !== id) });
  function submit(event) {
    event.preventDefault();
    const input = { ...form, firstName: form.firstName || null, email: form.email || null };
    act(CREATE_ADMINISTRATOR, { input }, setOutcome, () => { setForm(empty); onCreated(); });
  }
  const field = (key, label, type = "text") => html`<label for=${`na-${key}`}>${t(label)}</label>
    <input id=${`na-${key}`} type=${type} value=${form[key]} onInput=${set(key)}
      autocomplete=${type === "password" ? "new-password" : "off"} />`;
  return html`<form class="card grid" onSubmit=${submit}>
    <h3 class="full">${t("system.newAdministrator")}</h3>
    ${field("login", "users.login")}${field("firstName", "user.firstName")}
    ${field("lastName", "user.lastName")}${field("email", "user.email", "email")}
    ${field("password", "signin.password", "password")}
    <p class="full muted">${t("system.temporaryPassword")}</p>
    <fieldset class="full"><legend>${t("system.locations")}</legend>
      ${locations.map((l) => html`<div class="check"><input type="checkbox" id=${`na-loc-${l.id}`}
        checked=${form.locationIds.includes(l.id)} onChange=${toggle(l.id)} />
        <label for=${`na-loc-${l.id}`}>${l.name}</label></div>`)}
    </fieldset>
    <button type="submit" class="primary">${t("system.create")}</button>
    <div class="full"><${Outcome} outcome=${outcome} text=${t("common.saved")} /></div>
  </form>`;
}

function ApiTokens() {
  const { data, error, reload } = useQuery(API_TOKENS, (d) => d.apiTokens);
  const [outcome, setOutcome] = useState(null);
  const [secret, setSecret] = useState(null);
  const [copied, setCopied] = useState(false);
  if (error) return html`<${Errors} errors=${[error]} />`;
  if (!data) return html`<p aria-live="polite">${t("common.loading")}</p>`;
  function create(name, setName) {
    act(CREATE_API_TOKEN, { name }, setOutcome, (p) => {
      setSecret(p.token);
      setCopied(false);
      setName("");
      reload();
    });
  }
  async function copy() {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  }
  return html`<${NameForm} id="token-name" label=${t("system.tokenName")}
      button=${t("system.createToken")} onSubmit=${create} />
    ${secret && html`<div class="card" role="status">
      <p>${t("system.secretOnce")}</p>
      <p><code class="secret">${secret}</code></p>
      <button type="button" onClick=${copy}>${t("system.copy")}</button>
      ${copied && html` <span class="ok">${t("system.copied")}</span>`}
    </div>`}
    <${Outcome} outcome=${outcome} />
    <${Table} label=${t("system.tokens")}
    head=${[t("system.tokenName"), t("system.owner"), t("system.created"), t("system.lastUsed"),
            t("system.state"), ""]}
    rows=${data.map((k) => [k.name, k.owner.login, formatDateTime(k.createdAt),
      k.lastUsedAt ? formatDateTime(k.lastUsedAt) : t("system.never"),
      k.revokedAt ? t("system.revokedAt", { at: formatDateTime(k.revokedAt) }) : t("system.active"),
      !k.revokedAt && html`<button type="button" class="danger" onClick=${() =>
        act(REVOKE_API_TOKEN, { id: k.id }, setOutcome, reload)}>
        ${t("system.revoke", { name: k.name })}</button>`])} />`;
}

const WEBHOOK_EVENTS = ["USER_RESET", "RESET_UNDONE", "MAIL_SENT", "MAIL_FAILED",
  "ADMINISTRATOR_CREATED", "ADMINISTRATOR_BLOCKED", "ADMINISTRATOR_UNBLOCKED",
  "ADMINISTRATOR_DELETED"];

function NewWebhook({ onCreated }) {
  const [url, setUrl] = useState("");
  const [events, setEvents] = useState(["USER_RESET"]);
  const [outcome, setOutcome] = useState(null);
  const toggle = (name) => (e) => setEvents(e.currentTarget.checked
    ? [...events, name] : events.filter((x) => x !== name));
  function submit(event) {
    event.preventDefault();
    act(CREATE_WEBHOOK_ENDPOINT, { input: { url, events } }, setOutcome, (p) => {
      setUrl("");
      onCreated(p.secret);
    });
  }
  return html`<form class="card grid" onSubmit=${submit}>
    <h3 class="full">${t("system.newWebhook")}</h3>
    <label for="wh-url">${t("system.webhookUrl")}</label>
    <input id="wh-url" type="url" value=${url} required placeholder="https://"
      onInput=${(e) => setUrl(e.currentTarget.value)} />
    <fieldset class="full"><legend>${t("system.webhookEvents")}</legend>
      ${WEBHOOK_EVENTS.map((name) => html`<div class="check"><input type="checkbox"
        id=${`wh-ev-${name}`} checked=${events.includes(name)} onChange=${toggle(name)} />
        <label for=${`wh-ev-${name}`}>${t(`webhookEvent.${name}`)}</label></div>`)}
    </fieldset>
    <button type="submit" class="primary">${t("system.create")}</button>
    <div class="full"><${Outcome} outcome=${outcome} /></div>
  </form>`;
}

function Webhooks() {
  const { data, error, reload } = useQuery(WEBHOOK_ENDPOINTS, (d) => d.webhookEndpoints);
  const [outcome, setOutcome] = useState(null);
  const [secret, setSecret] = useState(null);
  if (error) return html`<${Errors} errors=${[error]} />`;
  if (!data) return html`<p aria-live="polite">${t("common.loading")}</p>`;
  const state = (w) => w.active ? t("system.active")
    : t("system.switchedOffAt", { at: formatDateTime(w.disabledAt) });
  const actions = (w) => html`<div class="toolbar">
    <button type="button" onClick=${() => act(PING_WEBHOOK_ENDPOINT, { id: w.id }, setOutcome,
      reload)}>${t("system.ping", { url: w.url })}</button>
    <button type="button" onClick=${() => act(SET_WEBHOOK_ENDPOINT_ACTIVE,
      { id: w.id, active: !w.active }, setOutcome, reload)}>
      ${t(w.active ? "system.switchOff" : "system.switchOn", { url: w.url })}</button>
    <button type="button" class="danger" onClick=${() => act(DELETE_WEBHOOK_ENDPOINT,
      { id: w.id }, setOutcome, reload)}>${t("system.deleteWebhook", { url: w.url })}</button>
  </div>`;
  return html`${secret && html`<div class="card" role="status">
      <p>${t("system.webhookSecretOnce")}</p>
      <p><code class="secret">${secret}</code></p>
    </div>`}
    <${Outcome} outcome=${outcome} />
    <${Table} label=${t("system.webhooks")}
      head=${[t("system.webhookUrl"), t("system.webhookEvents"), t("system.owner"),
              t("system.state"), ""]}
      rows=${data.map((w) => [w.url, w.events.map((e) => t(`webhookEvent.${e}`)).join(", "),
        w.owner.login, state(w), actions(w)])} />
    ${data.map((w) => html`<${Table} label=${t("system.deliveries", { url: w.url })}
      head=${[t("system.deliveryCreated"), t("system.webhookEvent"), t("system.state"),
              t("system.replyCode"), t("system.attempts")]}
      rows=${w.deliveries.map((d) => [formatDateTime(d.createdAt), t(`webhookEvent.${d.eventType}`),
        t(`deliveryStatus.${d.status}`), d.lastStatusCode ?? (d.lastError || "–"),
        String(d.attempts)])} />`)}
    <${NewWebhook} onCreated=${(s) => { setSecret(s); reload(); }} />`;
}

// The sources with their contacts (in the lists the caller reads); only a system
// administrator changes them, and deactivating asks first, saying how many contacts the
// next contact-list repair removes.
function DataSources({ me }) {
  const { data, error, reload } = useQuery(DATA_SOURCES, (d) => d.directoryDataSources);
  const [outcome, setOutcome] = useState(null);
  const [confirm, setConfirm] = useState(null);
  if (error) return html`<${Errors} errors=${[error]} />`;
  if (!data) return html`<p aria-live="polite">${t("common.loading")}</p>`;
  const setActive = (s, active) => act(SET_DATA_SOURCE_ACTIVE, { id: s.id, active },
    setOutcome, reload);
  const button = (s) => html`<button type="button" onClick=${() => (s.active ? setConfirm(s)
    : setActive(s, true))}>
    ${t(s.active ? "system.deactivate" : "system.activate", { name: s.name })}</button>`;
  return html`${me.system && html`<${NameForm} id="source-name" label=${t("system.sourceName")}
      button=${t("system.createSource")} onSubmit=${(name, setName) =>
        act(CREATE_DATA_SOURCE, { name }, setOutcome, () => { setName(""); reload(); })} />`}
    <p class="muted">${t("system.deactivateHint")}</p>
    <${Outcome} outcome=${outcome} />
    <${Table} label=${t("system.directory")}
    head=${[t("system.sourceName"), t("system.state"), t("system.contacts"),
            ...(me.system ? [""] : [])]}
    rows=${data.map((s) => [s.name, t(s.active ? "system.active" : "system.inactive"),
      formatNumber(s.contactCount), ...(me.system ? [button(s)] : [])])} />
    ${confirm && html`<div role="alertdialog" aria-labelledby="confirm-source" class="confirm">
      <p id="confirm-source">${t("system.confirmDeactivate", { name: confirm.name })}
        ${" "}${t("system.removedAtRepair", { count: confirm.contactCount })}</p>
      <button type="button" class="danger" onClick=${() => { setConfirm(null);
        setActive(confirm, false); }}>${t("system.deactivateNow")}</button>
      <button type="button" onClick=${() => setConfirm(null)}>${t("common.cancel")}</button>
    </div>`}`;
}

export function SystemSettings({ route, me }) {
  const tabs = [...(me.system ? [["gateway", t("system.gateway")]] : []),
                ["administrators", t("system.administrators")], ["tokens", t("system.tokens")],
                ["templates", t("system.templates")], ["directory", t("system.directory")],
                ["webhooks", t("system.webhooks")]];
  const [wanted] = route;
  const tab = tabs.some(([key]) => key === wanted) ? wanted : tabs[0][0];
  const label = tabs.find(([key]) => key === tab)[1];
  return html`<section class="system">
    <nav class="tabs" aria-label=${t("nav.system")}>
      ${tabs.map(([key, name]) => html`<a href=${`#/system/${key}`}
        aria-current=${tab === key ? "page" : undefined}>${name}</a>`)}
    </nav>
    ${tab === "gateway" ? html`<${Gateway} />` : html`<div key=${tab}>
      <${Title}>${label}<//>
      ${tab === "administrators" ? html`<${Administrators} me=${me} />`
        : tab === "tokens" ? html`<${ApiTokens} />`
        : tab === "templates" ? html`<${MailTemplates} />`
        : tab === "webhooks" ? html`<${Webhooks} />` : html`<${DataSources} me=${me} />`}
    </div>`}
  </section>`;
}
