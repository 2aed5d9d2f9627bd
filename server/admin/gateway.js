// System settings > E-Mail Gateway: configure it (the password write-only), send a test mail.
import { useEffect, useState } from "preact/hooks";
import { gql } from "./api.js";
import { CONFIGURE_GATEWAY, GATEWAY, TEST_MAIL } from "./queries.js";
import { Errors, html, Title } from "./ui.js";

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
    (e) => setSaved({ ok: false, errors: [{ code: e.code, message: e.message }] })); }, []);
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
      setSaved({ ok: false, errors: [{ code: e.code, message: e.message }] });
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
      setTest({ ok: false, errors: [{ code: e.code, message: e.message }] });
    } finally {
      setBusy(false);
    }
  }

  if (!form) return html`<${Errors} errors=${saved && saved.errors} /><p>Loading…</p>`;
  return html`<section class="gateway">
    <${Title}>E-Mail Gateway<//>
    <p>${stored.configured ? "Mail to users goes through this SMTP server."
                           : "No gateway is configured: resets that mail a password are refused."}</p>
    <form class="card grid" onSubmit=${save}>
      <${Field} id="gw-host" label="SMTP host" value=${form.host} onInput=${set("host")} required />
      <${Field} id="gw-port" label="Port" type="number" min="1" max="65535" value=${form.port}
        onInput=${set("port")} required />
      <label for="gw-security">Security</label>
      <select id="gw-security" value=${form.security}
        onChange=${(e) => set("security")(e.currentTarget.value)}>
        <option value="STARTTLS">STARTTLS</option><option value="TLS">TLS</option>
        <option value="NONE">None</option>
      </select>
      <${Field} id="gw-sender" label="Sender address" type="email" value=${form.senderAddress}
        onInput=${set("senderAddress")} required />
      <${Field} id="gw-sender-name" label="Sender name" value=${form.senderName}
        onInput=${set("senderName")} />
      <${Field} id="gw-user" label="User name" value=${form.username} onInput=${set("username")}
        autocomplete="off" />
      <${Field} id="gw-password" label="Password" type="password" value=${form.password}
        onInput=${set("password")} autocomplete="new-password"
        placeholder=${stored.hasPassword ? "stored; leave empty to keep it" : ""} />
      <button type="submit" class="primary" disabled=${busy}>Save</button>
      <div class="full">
        ${saved && saved.ok && html`<p role="status" class="ok">The gateway is saved.</p>`}
        ${saved && html`<${Errors} errors=${saved.errors} />`}
      </div>
    </form>
    <form class="card grid" onSubmit=${sendTest}>
      <h3 class="full">Test mail</h3>
      <${Field} id="gw-test-to" label="Send a test mail to" type="email" value=${to}
        onInput=${setTo} required />
      <button type="submit" disabled=${busy || !stored.configured}>Send test mail</button>
      <div class="full">
        ${test && test.ok && html`<p role="status" class="ok">The test mail was accepted for ${to}.</p>`}
        ${test && html`<${Errors} errors=${test.errors} />`}
      </div>
    </form>
  </section>`;
}
