// The change log: one sentence per event in the reader's language, newest first as the
// API orders them, page by page; filters by action, administrator, user (picked by
// searching), location and time go to the server (auditEvents(filter:)) and into the
// address, so that back and reload keep them:
// #/changelog?action=USER_RESET&actor=admin&user=<id>&location=<id>&since=…
// (a user's details link to #/changelog?user=<id>; #/changelog/user/<id> still works).
// The users of one reset on a page are one entry that opens to them, with Undo.
import { useEffect, useState } from "preact/hooks";
import { gql } from "./api.js";
import { formatDateTime, has, t } from "./i18n.js";
import { UserSearch } from "./picker.js";
import { AUDIT_EVENTS, SCOPES, UNDO_RESET, USER_NAME } from "./queries.js";
import { Errors, failed, html, Pager, Title, usePages } from "./ui.js";

const PAGE_SIZE = 25;
export const LOGGED = ["USER_RESET", "RESET_UNDONE", "PASSWORD_SET", "PASSWORD_LINK_REQUESTED",
  "USER_CREATED",
  "USER_UPDATED", "USER_DELETED", "MAIL_SENT", "MAIL_FAILED", "EMAIL_GATEWAY_CHANGED",
  "LOCATION_CREATED", "LOCATION_UPDATED", "LOCATION_DELETED", "CONFIGURATION_GROUP_CREATED",
  "CONFIGURATION_GROUP_UPDATED", "CONFIGURATION_GROUP_DELETED", "TEAM_CREATED", "TEAM_UPDATED", "TEAM_DELETED",
  "ADMINISTRATOR_CREATED", "ADMINISTRATOR_BLOCKED", "ADMINISTRATOR_UNBLOCKED",
  "ADMINISTRATOR_DELETED", "API_TOKEN_CREATED", "API_TOKEN_REVOKED", "DATA_SOURCE_CREATED",
  "DATA_SOURCE_ACTIVATED", "DATA_SOURCE_DEACTIVATED", "WEBHOOK_ENDPOINT_CREATED",
  "WEBHOOK_ENDPOINT_ENABLED", "WEBHOOK_ENDPOINT_DISABLED", "WEBHOOK_ENDPOINT_SWITCHED_OFF",
  "WEBHOOK_ENDPOINT_DELETED"];

// "admin reset Ida Koch: Password (1 change), Relationships (2 changes)"
function sentence(ev) {
  // An administrator's own password change names no user: the administrator it was.
  const own = ev.action === "PASSWORD_CHANGED" && !ev.targetUser;
  const user = ev.targetUser ? ev.targetUser.displayName : own ? ev.actor : t("log.someone");
  const id = `log.${ev.action}`;
  if (ev.action === "USER_RESET" && ev.details && ev.details.actions) {
    const parts = Object.entries(ev.details.actions).map(([action, s]) =>
      t("log.resetPart", { action: t(`action.${action}`), changes: s.changes ?? 0 }));
    return t(id, { actor: ev.actor, user, parts: parts.join(", ") });
  }
  if (ev.action === "PASSWORD_LINK_REQUESTED" && ev.details) {
    // Nobody signed in: what was asked for, and what became of it (forgot password).
    const outcome = `forgotOutcome.${ev.details.outcome}`;
    return t(id, { requested: ev.details.requested ?? "",
                   outcome: has(outcome) ? t(outcome) : String(ev.details.outcome) });
  }
  if (has(id)) return t(id, { actor: ev.actor, user });
  return t("log.other", { actor: ev.actor, user, action: ev.action });
}

// Adjacent USER_RESET events of one run (the same actor and options, within a minute,
// no other reset ID) become one entry; its reset ID (details.reset_id, on the users with
// something to undo) is the undo's.
function sameRun(entry, ev) {
  if (!entry || !entry.run || ev.action !== "USER_RESET") return false;
  const other = entry.events[entry.events.length - 1];
  const id = ev.details && ev.details.reset_id;
  return other.actor === ev.actor && Math.abs(Date.parse(other.at) - Date.parse(ev.at)) < 60000
    && JSON.stringify(other.details.options) === JSON.stringify(ev.details.options)
    && !(id && entry.resetId && id !== entry.resetId);
}

function grouped(events) {
  const entries = [];
  for (const ev of events) {
    const last = entries[entries.length - 1];
    if (sameRun(last, ev)) last.events.push(ev);
    else entries.push({ run: ev.action === "USER_RESET", events: [ev] });
    const entry = entries[entries.length - 1];
    entry.resetId = entry.resetId || (ev.details && ev.details.reset_id) || null;
    entry.undoUntil = entry.undoUntil || (ev.details && ev.details.undo_until) || null;
  }
  return entries;
}

// `route` is the address's path after #/changelog: ["user", id] in the older form.
function parseFilter(query, route) {
  const params = new URLSearchParams(query || "");
  const older = route[0] === "user" ? route[1] || "" : "";
  return { action: params.get("action") || "", actor: params.get("actor") || "",
           user: params.get("user") || older, location: params.get("location") || "",
           since: params.get("since") || "", until: params.get("until") || "" };
}

function toApi(f) {
  const day = (value, next) => {
    if (!value) return null;
    const date = new Date(`${value}T00:00:00`);
    if (next) date.setDate(date.getDate() + 1);
    return date.toISOString();
  };
  return { actions: f.action ? [f.action] : null, actor: f.actor || null,
           userId: f.user || null, locationId: f.location || null,
           since: day(f.since, false), until: day(f.until, true) };
}

// The user filter: the user picked, with a button to drop it, or a search to pick one.
function UserFilter({ id, name, onChange }) {
  if (id) {
    const shown = name === undefined ? t("common.loading") : name || t("log.unknownUser");
    return html`<div class="picked"><span>${t("log.user")}: <strong>${shown}</strong></span>
      <button type="button" onClick=${() => onChange("", "")}>
        ${t("log.anyUser")}</button></div>`;
  }
  return html`<div><${UserSearch} id="log-user" label=${t("log.user")}
    pickLabel=${(u) => t("log.pickUser", { name: u.displayName })}
    onPick=${(u) => onChange(u.id, u.displayName)} /></div>`;
}

function ResetEntry({ entry }) {
  const [outcome, setOutcome] = useState(null);
  const first = entry.events[0];
  const until = entry.undoUntil;
  const open = entry.resetId && until && Date.parse(until) > Date.now();
  async function undo() {
    try {
      const { undoReset } = await gql(UNDO_RESET, { resetId: entry.resetId, dryRun: false });
      setOutcome({ ok: !undoReset.errors.length, errors: undoReset.errors });
    } catch (e) {
      setOutcome(failed(e));
    }
  }
  const many = entry.events.length > 1;
  const body = html`${many && html`<ul>${entry.events.map((ev) => html`<li>${sentence(ev)}</li>`)}</ul>`}
    ${open && !(outcome && outcome.ok) && html`<button type="button" onClick=${undo}>
      ${t("user.undo", { until: formatDateTime(until) })}</button>`}
    ${outcome && outcome.ok && html`<p role="status" class="ok">${t("user.undone")}</p>`}
    ${outcome && html`<${Errors} errors=${outcome.errors} />`}`;
  if (!many) return html`<div>${sentence(first)} ${body}</div>`;
  return html`<details>
    <summary>${t("log.resetGroup", { actor: first.actor, count: entry.events.length })}</summary>
    ${body}
  </details>`;
}

export function ChangeLog({ route }) {
  const query = (location.hash.split("?")[1]) || "";
  const applied = parseFilter(query, route);
  const address = `${route.join("/")}?${query}`;
  const [form, setForm] = useState(applied);
  const [locations, setLocations] = useState([]);
  // Display names of the users filtered by: "" for one not found (or not seen).
  const [names, setNames] = useState({});
  useEffect(() => { gql(SCOPES).then((d) => setLocations(d.locations), () => {}); }, []);
  useEffect(() => setForm(parseFilter(query, route)), [address]);
  useEffect(() => {
    const id = applied.user;
    if (!id || id in names) return;
    gql(USER_NAME, { id }).then(({ node }) => setNames((had) => ({ ...had,
      [id]: (node && node.displayName) || "" })), () => setNames((had) => ({ ...had, [id]: "" })));
  }, [applied.user]);
  const pages = usePages(async (after) => (await gql(AUDIT_EVENTS, {
    first: PAGE_SIZE, after, filter: toApi(applied) })).auditEvents, address);
  const rows = pages.connection ? grouped(pages.connection.edges.map((e) => e.node)) : [];
  const set = (key) => (e) => setForm({ ...form, [key]: e.currentTarget.value });
  const pickUser = (id, name) => {
    if (id) setNames((had) => ({ ...had, [id]: name }));
    setForm({ ...form, user: id });
  };

  function apply(event) {
    event.preventDefault();
    const params = new URLSearchParams(Object.entries(form).filter(([, v]) => v));
    location.hash = params.toString() ? `#/changelog?${params}` : "#/changelog";
  }

  const userName = applied.user && names[applied.user];
  return html`<section>
    <${Title}>${userName ? t("log.ofUser", { name: userName }) : t("nav.changelog")}<//>
    <form class="card filters" onSubmit=${apply} aria-label=${t("log.filters")}>
      <div><label for="log-action">${t("log.action")}</label>
        <select id="log-action" value=${form.action} onChange=${set("action")}>
          <option value="">${t("log.any")}</option>
          ${LOGGED.map((a) => html`<option value=${a}>${t(`logAction.${a}`)}</option>`)}
        </select></div>
      <div><label for="log-actor">${t("log.actor")}</label>
        <input id="log-actor" value=${form.actor} onInput=${set("actor")} /></div>
      <${UserFilter} id=${form.user} name=${names[form.user]} onChange=${pickUser} />
      <div><label for="log-location">${t("user.location")}</label>
        <select id="log-location" value=${form.location} onChange=${set("location")}>
          <option value="">${t("log.any")}</option>
          ${locations.map((l) => html`<option value=${l.id}>${l.name}</option>`)}
        </select></div>
      <div><label for="log-since">${t("log.since")}</label>
        <input id="log-since" type="date" value=${form.since} onInput=${set("since")} /></div>
      <div><label for="log-until">${t("log.until")}</label>
        <input id="log-until" type="date" value=${form.until} onInput=${set("until")} /></div>
      <div class="actions-row"><button type="submit" class="primary">${t("log.apply")}</button></div>
    </form>
    <${Errors} errors=${pages.error && [pages.error]} />
    <div class="table-wrap" tabindex="0" role="region" aria-label=${t("log.table")}>
      <table>
        <thead><tr><th scope="col">${t("log.when")}</th><th scope="col">${t("log.what")}</th>
          <th scope="col" class="wide">${t("log.code")}</th></tr></thead>
        <tbody>${rows.map((entry) => {
          const ev = entry.events[0];
          return html`<tr>
            <td>${formatDateTime(ev.at)}</td>
            <td>${entry.run ? html`<${ResetEntry} entry=${entry} />` : sentence(ev)}</td>
            <td class="wide"><code>${ev.action}</code></td>
          </tr>`;
        })}</tbody>
      </table>
      ${pages.connection && !rows.length && html`<p>${t("log.none")}</p>`}
    </div>
    <${Pager} pages=${pages} pageSize=${PAGE_SIZE} label=${t("log.pages")} />
  </section>`;
}
