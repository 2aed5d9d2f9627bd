// The Settings tab of a location or a configuration group: the password policy (a
// location's), the default relationship level and policy, the Connect Client and
// presence defaults; on a group each one Default (the location's) or Individual, and on a
// location the reset's password link and forgot password Default (the server's: the
// password is mailed; no forgot password) or Individual.
import { useEffect, useState } from "preact/hooks";
import { gql } from "./api.js";
import { t } from "./i18n.js";
import { SCOPE_SETTINGS, UPDATE_GROUP, UPDATE_LOCATION } from "./queries.js";
import { errorOf, Errors, failed, html, Title } from "./ui.js";

export function SettingList({ settings, label }) {
  if (!settings.length) return html`<p class="muted">${t("settings.noEntries")}</p>`;
  return html`<div class="table-wrap" tabindex="0" role="region" aria-label=${label}>
    <table>
      <thead><tr><th scope="col">${t("settings.key")}</th>
        <th scope="col">${t("settings.value")}</th></tr></thead>
      <tbody>${settings.map((s) => html`<tr><th scope="row">${s.key}</th>
        <td><code>${JSON.stringify(s.value)}</code></td></tr>`)}</tbody>
    </table>
  </div>`;
}

export function policyText(policy) {
  return [t("policy.length", { min: policy.minLength, max: policy.maxLength }),
          policy.requireUppercase && t("policy.upper"), policy.requireLowercase && t("policy.lower"),
          policy.requireDigit && t("policy.digit"), policy.requireSymbol && t("policy.symbol")]
    .filter(Boolean);
}

export function ScopeSettings({ scope }) {
  const [node, setNode] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    gql(SCOPE_SETTINGS, { id: scope.id }).then(({ node }) => setNode(node),
      (e) => setError(errorOf(e)));
  }, [scope.id]);
  if (error) return html`<${Errors} errors=${[error]} />`;
  if (!node) return html`<p aria-live="polite">${t("common.loading")}</p>`;
  const group = scope.kind === "group";
  if (!group) return html`<${LocationForm} key=${node.id} node=${node} name=${scope.name} />`;
  return html`<${GroupForm} key=${node.id} node=${node} name=${scope.name} />`;
}

// Default (the location's value, shown) or Individual (the group's own), as the manual.
function Choice({ id, legend, individual, onChange, children, inherited }) {
  return html`<fieldset class="card">
    <legend>${legend}</legend>
    <div class="check"><input type="radio" id=${`${id}-default`} name=${id} checked=${!individual}
      onChange=${() => onChange(false)} /><label for=${`${id}-default`}>${t("settings.default")}</label></div>
    <div class="check"><input type="radio" id=${`${id}-own`} name=${id} checked=${individual}
      onChange=${() => onChange(true)} /><label for=${`${id}-own`}>${t("settings.individual")}</label></div>
    ${individual ? children : inherited}
  </fieldset>`;
}

function GroupForm({ node, name }) {
  const base = node.location;
  const [form, setForm] = useState({
    ownLevel: !!node.groupLevel, level: node.groupLevel || base.defaultRelationship,
    ownClient: !!node.groupClient, client: asRows(node.groupClient || []),
    ownPresence: !!node.groupPresence, presence: asRows(node.groupPresence || []) });
  const [outcome, setOutcome] = useState(null);
  const rows = [...(form.ownClient ? form.client : []), ...(form.ownPresence ? form.presence : [])];
  const invalid = rows.some((r) => parsed(r.value) === undefined);
  const set = (changes) => setForm({ ...form, ...changes });

  async function save(event) {
    event.preventDefault();
    const settings = (own, list) => (own ? list.map((r) => ({ key: r.key, value: parsed(r.value) }))
      : null);
    const input = { id: node.id, defaultRelationship: form.ownLevel ? form.level : null,
                    clientSettings: settings(form.ownClient, form.client),
                    presenceSettings: settings(form.ownPresence, form.presence) };
    try {
      const { updateConfigurationGroup: p } = await gql(UPDATE_GROUP, { input });
      setOutcome({ ok: !p.errors.length, errors: p.errors });
    } catch (e) {
      setOutcome(failed(e));
    }
  }

  return html`<section class="settings" aria-labelledby="settings-title">
    <${Title}><span id="settings-title">${t("settings.title", { name })}</span><//>
    <form onSubmit=${save}>
      <${Choice} id="g-level" legend=${t("settings.defaultRelationship")} individual=${form.ownLevel}
        onChange=${(own) => set({ ownLevel: own })}
        inherited=${html`<p class="muted">${t("settings.inherits", { value: t(`level.${base.defaultRelationship}`) })}</p>`}>
        <label for="g-level-value">${t("settings.defaultRelationship")}</label>
        <select id="g-level-value" value=${form.level}
          onChange=${(e) => set({ level: e.currentTarget.value })}>
          ${LEVELS.map((l) => html`<option value=${l}>${t(`level.${l}`)}</option>`)}
        </select>
      <//>
      <${Choice} id="g-client" legend=${t("settings.client")} individual=${form.ownClient}
        onChange=${(own) => set({ ownClient: own })}
        inherited=${html`<${SettingList} settings=${base.clientSettings} label=${t("settings.client")} />`}>
        <${SettingRows} id="client" label=${t("settings.client")} rows=${form.client}
          onChange=${(client) => set({ client })} />
      <//>
      <${Choice} id="g-presence" legend=${t("settings.presence")} individual=${form.ownPresence}
        onChange=${(own) => set({ ownPresence: own })}
        inherited=${html`<${SettingList} settings=${base.presenceSettings} label=${t("settings.presence")} />`}>
        <${SettingRows} id="presence" label=${t("settings.presence")} rows=${form.presence}
          onChange=${(presence) => set({ presence })} />
      <//>
      <button type="submit" class="primary" disabled=${invalid}>${t("common.save")}</button>
      ${outcome && outcome.ok && html`<p role="status" class="ok">${t("common.saved")}</p>`}
      ${outcome && html`<${Errors} errors=${outcome.errors} />`}
    </form>
  </section>`;
}

const LEVELS = ["BLOCKED", "UNKNOWN", "EXTERNAL", "FORWARDING_PARTICIPANT", "FORWARDER",
                "EMPLOYEE", "TEAM_COLLEAGUE", "ASSISTANT", "ASSISTANT_PLUS"];
const POLICIES = ["EXTEND_AND_RESTRICT", "EXTEND_ONLY"];
const RULES = ["requireUppercase", "requireLowercase", "requireDigit", "requireSymbol"];
const RULE_TEXT = { requireUppercase: "policy.upper", requireLowercase: "policy.lower",
                    requireDigit: "policy.digit", requireSymbol: "policy.symbol" };

// Key/value rows; a value is JSON (text in quotes). Answers the list, or null and marks
// the rows whose value is no JSON.
function SettingRows({ id, label, rows, onChange }) {
  const set = (i, key) => (e) => onChange(rows.map((r, j) => (j === i
    ? { ...r, [key]: e.currentTarget.value } : r)));
  return html`<fieldset class="rows">
    <legend>${label}</legend>
    ${rows.map((row, i) => html`<div class="row">
      <label for=${`${id}-key-${i}`}>${t("settings.key")}</label>
      <input id=${`${id}-key-${i}`} value=${row.key} onInput=${set(i, "key")} />
      <label for=${`${id}-value-${i}`}>${t("settings.valueJson")}</label>
      <input id=${`${id}-value-${i}`} value=${row.value} onInput=${set(i, "value")}
        aria-invalid=${parsed(row.value) === undefined ? "true" : undefined} />
      <button type="button" onClick=${() => onChange(rows.filter((_, j) => j !== i))}>
        ${t("settings.remove", { key: row.key || "…" })}</button>
      ${parsed(row.value) === undefined && html`<p class="errors">${t("settings.notJson")}</p>`}
    </div>`)}
    <button type="button" onClick=${() => onChange([...rows, { key: "", value: "" }])}>
      ${t("settings.add")}</button>
  </fieldset>`;
}

function parsed(text) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const asRows = (settings) => settings.map((s) => ({ key: s.key, value: JSON.stringify(s.value) }));

function LocationForm({ node, name }) {
  const [form, setForm] = useState({
    policy: { ...node.passwordPolicy }, level: node.defaultRelationship,
    relationshipPolicy: node.relationshipPolicy,
    client: asRows(node.clientSettings), presence: asRows(node.presenceSettings),
    ownLink: node.passwordLink !== null, link: !!node.passwordLink,
    ownForgot: node.forgotPassword !== null, forgot: !!node.forgotPassword });
  const [outcome, setOutcome] = useState(null);
  const invalid = [...form.client, ...form.presence].some((r) => parsed(r.value) === undefined);
  const policy = (key, number) => (e) => setForm({ ...form, policy: { ...form.policy,
    [key]: number ? Number(e.currentTarget.value) : e.currentTarget.checked } });

  async function save(event) {
    event.preventDefault();
    const settings = (rows) => rows.map((r) => ({ key: r.key, value: parsed(r.value) }));
    const input = { id: node.id, passwordPolicy: form.policy, defaultRelationship: form.level,
                    relationshipPolicy: form.relationshipPolicy,
                    clientSettings: settings(form.client), presenceSettings: settings(form.presence),
                    passwordLink: form.ownLink ? form.link : null,
                    forgotPassword: form.ownForgot ? form.forgot : null };
    try {
      const { updateLocation } = await gql(UPDATE_LOCATION, { input });
      setOutcome({ ok: !updateLocation.errors.length, errors: updateLocation.errors });
    } catch (e) {
      setOutcome(failed(e));
    }
  }

  return html`<section class="settings" aria-labelledby="settings-title">
    <${Title}><span id="settings-title">${t("settings.title", { name })}</span><//>
    <form onSubmit=${save}>
      <fieldset class="card">
        <legend>${t("settings.passwordPolicy")}</legend>
        <div class="grid">
          <label for="pp-min">${t("settings.minLength")}</label>
          <input id="pp-min" type="number" min="1" max="1024" value=${form.policy.minLength}
            onInput=${policy("minLength", true)} />
          <label for="pp-max">${t("settings.maxLength")}</label>
          <input id="pp-max" type="number" min="1" max="1024" value=${form.policy.maxLength}
            onInput=${policy("maxLength", true)} />
        </div>
        ${RULES.map((rule) => html`<div class="check">
          <input type="checkbox" id=${`pp-${rule}`} checked=${form.policy[rule]}
            onChange=${policy(rule, false)} />
          <label for=${`pp-${rule}`}>${t("settings.requires", { rule: t(RULE_TEXT[rule]) })}</label>
        </div>`)}
      </fieldset>
      <fieldset class="card">
        <legend>${t("settings.relationships")}</legend>
        <div class="grid">
          <label for="loc-level">${t("settings.defaultRelationship")}</label>
          <select id="loc-level" value=${form.level}
            onChange=${(e) => setForm({ ...form, level: e.currentTarget.value })}>
            ${LEVELS.map((l) => html`<option value=${l}>${t(`level.${l}`)}</option>`)}
          </select>
          <label for="loc-policy">${t("settings.relationshipPolicy")}</label>
          <select id="loc-policy" value=${form.relationshipPolicy}
            onChange=${(e) => setForm({ ...form, relationshipPolicy: e.currentTarget.value })}>
            ${POLICIES.map((p) => html`<option value=${p}>${t(`relationshipPolicy.${p}`)}</option>`)}
          </select>
        </div>
      </fieldset>
      <${Choice} id="loc-link" legend=${t("settings.passwordLink")} individual=${form.ownLink}
        onChange=${(own) => setForm({ ...form, ownLink: own })}
        inherited=${html`<p class="muted">${t("settings.passwordLinkDefault")}</p>`}>
        <div class="check"><input type="checkbox" id="loc-link-value" checked=${form.link}
          onChange=${(e) => setForm({ ...form, link: e.currentTarget.checked })} />
          <label for="loc-link-value">${t("settings.passwordLinkSend")}</label></div>
      <//>
      <${Choice} id="loc-forgot" legend=${t("settings.forgotPassword")} individual=${form.ownForgot}
        onChange=${(own) => setForm({ ...form, ownForgot: own })}
        inherited=${html`<p class="muted">${t("settings.forgotPasswordDefault")}</p>`}>
        <div class="check"><input type="checkbox" id="loc-forgot-value" checked=${form.forgot}
          onChange=${(e) => setForm({ ...form, forgot: e.currentTarget.checked })} />
          <label for="loc-forgot-value">${t("settings.forgotPasswordAllow")}</label></div>
      <//>
      <div class="card"><${SettingRows} id="client" label=${t("settings.client")} rows=${form.client}
        onChange=${(client) => setForm({ ...form, client })} /></div>
      <div class="card"><${SettingRows} id="presence" label=${t("settings.presence")}
        rows=${form.presence} onChange=${(presence) => setForm({ ...form, presence })} /></div>
      <button type="submit" class="primary" disabled=${invalid}>${t("common.save")}</button>
      ${outcome && outcome.ok && html`<p role="status" class="ok">${t("common.saved")}</p>`}
      ${outcome && html`<${Errors} errors=${outcome.errors} />`}
    </form>
  </section>`;
}
