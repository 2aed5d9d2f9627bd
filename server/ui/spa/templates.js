// System settings > Mail templates: a location's own text of one kind of mail in one
// language (Jinja in a sandbox, checked when saved), previewed with sample data and sent
// as a test; without one, or once it is deleted, the built-in text is sent.
import { useEffect, useState } from "preact/hooks";
import { gql } from "./api.js";
import { DELETE_MAIL_TEMPLATE, MAIL_PREVIEW, MAIL_TEMPLATES, SCOPES, SEND_MAIL_TEMPLATE_TEST,
         SET_MAIL_TEMPLATE } from "./queries.js";
import { formatDateTime, t } from "./i18n.js";
import { Errors, failed, html } from "./ui.js";

const KINDS = ["PASSWORD", "PASSWORD_LINK", "VOICEMAIL_PIN", "TEST"];
const VARIABLES = {
  PASSWORD: "display_name login password expires_hours expires_at location sign_in_hint language",
  PASSWORD_LINK: "display_name login link expires_hours expires_at requested location sign_in_hint language",
  VOICEMAIL_PIN: "display_name login pin location sign_in_hint language",
  TEST: "location sign_in_hint language",
};
const EMPTY = { subject: "", html: "", text: "" };

function Choice({ id, label, value, options, onChange }) {
  return html`<div><label for=${id}>${label}</label>
    <select id=${id} value=${value} onChange=${(e) => onChange(e.currentTarget.value)}>
      ${options.map(([key, name]) => html`<option value=${key}>${name}</option>`)}
    </select></div>`;
}

export function MailTemplates() {
  const [locations, setLocations] = useState([]);
  const [languages, setLanguages] = useState([]);
  const [choice, setChoice] = useState({ locationId: "", kind: "PASSWORD", language: "" });
  const [own, setOwn] = useState(null);
  const [form, setForm] = useState(EMPTY);
  const [preview, setPreview] = useState(null);
  const [outcome, setOutcome] = useState(null);
  const [to, setTo] = useState("");
  const [version, setVersion] = useState(0);
  const choose = (key) => (value) => setChoice({ ...choice, [key]: value });

  useEffect(() => {
    gql(SCOPES).then(({ locations: found }) => {
      setLocations(found);
      if (found.length) setChoice((c) => ({ ...c, locationId: found[0].id }));
    }, (e) => setOutcome(failed(e)));
  }, []);
  useEffect(() => {
    if (!choice.locationId) return;
    gql(MAIL_TEMPLATES, { locationId: choice.locationId }).then(({ mailTemplates, mailLanguages }) => {
      setOwn(mailTemplates);
      setLanguages(mailLanguages.available);
      setChoice((c) => ({ ...c, language: c.language || mailLanguages.systemDefault }));
    }, (e) => setOutcome(failed(e)));
  }, [choice.locationId, version]);
  const stored = own && own.find((m) => m.kind === choice.kind && m.language === choice.language);
  const storedAt = stored ? stored.updatedAt : null;
  useEffect(() => {
    setForm(stored ? { subject: stored.subject, html: stored.html, text: stored.text } : EMPTY);
    setPreview(null);
  }, [choice.locationId, choice.kind, choice.language, storedAt, own]);

  // The text typed, when all three parts are; else what the location sends now.
  const typed = form.subject && form.html && form.text;
  const sample = { ...choice, ...(typed ? form : {}) };

  async function run(send) {
    setOutcome(null);
    try {
      await send();
    } catch (e) {
      setOutcome(failed(e));
    }
  }
  const showPreview = () => run(async () => {
    setPreview((await gql(MAIL_PREVIEW, { input: sample })).mailPreview);
  });
  const save = (event) => { event.preventDefault(); run(async () => {
    const { setMailTemplate: p } = await gql(SET_MAIL_TEMPLATE, { input: { ...choice, ...form } });
    setOutcome({ ok: !p.errors.length, errors: p.errors, text: t("templates.saved") });
    if (!p.errors.length) setVersion(version + 1);
  }); };
  const remove = () => run(async () => {
    const { deleteMailTemplate: p } = await gql(DELETE_MAIL_TEMPLATE, choice);
    setOutcome({ ok: p.ok, errors: p.errors, text: t("templates.deleted") });
    setVersion(version + 1);
  });
  const test = () => run(async () => {
    const { sendMailTemplateTest: p } = await gql(SEND_MAIL_TEMPLATE_TEST, { input: sample, to });
    setOutcome({ ok: p.ok, errors: p.errors, text: t("templates.sent", { to }) });
  });

  const part = (key, rows) => html`<label for=${`mt-${key}`}>${t(`templates.${key}`)}</label>
    ${rows ? html`<textarea id=${`mt-${key}`} rows=${rows} value=${form[key]}
        onInput=${(e) => setForm({ ...form, [key]: e.currentTarget.value })} />`
      : html`<input id=${`mt-${key}`} value=${form[key]}
        onInput=${(e) => setForm({ ...form, [key]: e.currentTarget.value })} />`}`;
  return html`<div>
    <div class="card filters">
      <${Choice} id="mt-location" label=${t("templates.location")} value=${choice.locationId}
        options=${locations.map((l) => [l.id, l.name])} onChange=${choose("locationId")} />
      <${Choice} id="mt-kind" label=${t("templates.kind")} value=${choice.kind}
        options=${KINDS.map((k) => [k, t(`templates.kind.${k}`)])} onChange=${choose("kind")} />
      <${Choice} id="mt-language" label=${t("templates.language")} value=${choice.language}
        options=${languages.map((l) => [l, t(`templates.language.${l}`)])} onChange=${choose("language")} />
    </div>
    <form class="card grid" onSubmit=${save}>
      <p class="full">${stored ? t("templates.own", { at: formatDateTime(stored.updatedAt),
        by: stored.updatedBy || "—" }) : t("templates.builtIn")}</p>
      <p class="full muted">${t("templates.variables", { names: VARIABLES[choice.kind] })}</p>
      ${part("subject")}${part("html", 8)}${part("text", 8)}
      <div class="full toolbar">
        <button type="button" onClick=${showPreview}>${t("templates.preview")}</button>
        <button type="submit" class="primary">${t("templates.save")}</button>
        ${stored && html`<button type="button" class="danger" onClick=${remove}>
          ${t("templates.delete")}</button>`}
      </div>
      <div class="full toolbar">
        <label for="mt-to">${t("templates.testTo")}</label>
        <input id="mt-to" type="email" value=${to} onInput=${(e) => setTo(e.currentTarget.value)} />
        <button type="button" onClick=${test} disabled=${!to}>${t("templates.test")}</button>
      </div>
      <div class="full">
        ${outcome && outcome.ok && html`<p role="status" class="ok">${outcome.text}</p>`}
        ${outcome && html`<${Errors} errors=${outcome.errors} />`}
      </div>
    </form>
    ${preview && html`<div class="card" role="region" aria-label=${t("templates.previewTitle")}>
      <h3>${t("templates.previewTitle")}</h3>
      <p><strong>${preview.subject}</strong></p>
      <iframe title=${t("templates.previewHtml")} sandbox="" srcdoc=${preview.html}
        class="mail-preview"></iframe>
      <pre class="mail-text">${preview.text}</pre>
    </div>`}
  </div>`;
}
