// System settings > E-Mail Gateway: configure it (the password write-only), send a test mail.
import { useEffect, useState } from "preact/hooks";
import { gql } from "./api.js";
import { CONFIGURE_GATEWAY, GATEWAY, TEST_MAIL } from "./queries.js";
import { t } from "./i18n.js";
import { Errors, failed, html, Title } from "./ui.js";

function Field({ id, label, value, onInput, type = "text", ...rest }) {
  return html`<label for=${id}>${label}</label>
    <input id=${id} type=${type} value=${value}
      onInput=${(e) => onInput(e.currentTarget.value)} ...${rest} />`;
}

export function Gateway() {
  const [stored, setStored] = useState(null);
  const [form, setForm] = useState(null);
  const [saved, setSaved] = useState(null);
  const [to, setTo] = useState("");
  const [test, setTest] = useState(null);
  const [busy, setBusy] = useState(false);

  function show(gateway) {
    setStored(gateway);
    setForm({ host: gateway.host || "", port: String(gateway.port || 587),
              security: gateway.configured ? gateway.security : "STARTTLS",
              senderAddress: gateway.senderAddress || "", senderName: gateway.senderName || "",
              username: gateway.username || "", password: "" });
  }
  useEffect(() => { gql(GATEWAY).then(({ emailGateway }) => show(emailGateway),
    (e) => setSaved(failed(e))); }, []);
  const set = (key) => (value) => setForm({ ...form, [key]: value });

  async function save(event) {
    event.preventDefault();
    setBusy(true);
    const input = { ...form, port: Number(form.port), username: form.username || null,
                    senderName: form.senderName || null, password: form.password || null };
    try {
      const { configureEmailGateway: p } = await gql(CONFIGURE_GATEWAY, { input });
      if (p.emailGateway) show(p.emailGateway);
      setSaved({ ok: !p.errors.length, errors: p.errors });
    } catch (e) {
      setSaved(failed(e));
    } finally {
      setBusy(false);
    }
  }

  async function sendTest(event) {
    event.preventDefault();
    setBusy(true);
    setTest(null);
    try {
      setTest((await gql(TEST_MAIL, { to })).sendTestEmail);
    } catch (e) {
      setTest(failed(e));
    } finally {
      setBusy(false);
    }
  }

  if (!form) return html`<${Errors} errors=${saved && saved.errors} /><p>${t("common.loading")}</p>`;
  return html`<section class="gateway">
    <${Title}>${t("system.gateway")}<//>
    <p>${t(stored.configured ? "gateway.configured" : "gateway.notConfigured")}</p>
    <form class="card grid" onSubmit=${save}>
      <${Field} id="gw-host" label=${t("gateway.host")} value=${form.host} onInput=${set("host")} required />
      <${Field} id="gw-port" label=${t("gateway.port")} type="number" min="1" max="65535" value=${form.port}
        onInput=${set("port")} required />
      <label for="gw-security">${t("gateway.security")}</label>
      <select id="gw-security" value=${form.security}
        onChange=${(e) => set("security")(e.currentTarget.value)}>
        <option value="STARTTLS">STARTTLS</option><option value="TLS">TLS</option>
        <option value="NONE">${t("gateway.securityNone")}</option>
      </select>
      <${Field} id="gw-sender" label=${t("gateway.sender")} type="email" value=${form.senderAddress}
        onInput=${set("senderAddress")} required />
      <${Field} id="gw-sender-name" label=${t("gateway.senderName")} value=${form.senderName}
        onInput=${set("senderName")} />
      <${Field} id="gw-user" label=${t("gateway.user")} value=${form.username} onInput=${set("username")}
        autocomplete="off" />
      <${Field} id="gw-password" label=${t("gateway.password")} type="password" value=${form.password}
        onInput=${set("password")} autocomplete="new-password"
        placeholder=${stored.hasPassword ? t("gateway.passwordKept") : ""} />
      <button type="submit" class="primary" disabled=${busy}>${t("common.save")}</button>
      <div class="full">
        ${saved && saved.ok && html`<p role="status" class="ok">${t("gateway.saved")}</p>`}
        ${saved && html`<${Errors} errors=${saved.errors} />`}
      </div>
    </form>
    <form class="card grid" onSubmit=${sendTest}>
      <h3 class="full">${t("gateway.testTitle")}</h3>
      <${Field} id="gw-test-to" label=${t("gateway.testTo")} type="email" value=${to}
        onInput=${setTo} required />
      <button type="submit" disabled=${busy || !stored.configured}>${t("gateway.testSend")}</button>
      <div class="full">
        ${test && test.ok && html`<p role="status" class="ok">${t("gateway.testAccepted", { to })}</p>`}
        ${test && html`<${Errors} errors=${test.errors} />`}
      </div>
    </form>
  </section>`;
}
