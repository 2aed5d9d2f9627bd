// Reset user / Reset for multiple selections: the manual's three areas, a dry run
// with each user's warnings first, then the reset with its progress and a result
// per user and per action.
import { useState } from "preact/hooks";
import { atMost, gql, newOperationId, subscribe } from "./api.js";
import { RESET_PROGRESS, RESET_USERS, UNDO_RESET } from "./queries.js";
import { Errors, html, Title } from "./ui.js";

const AREAS = [
  ["Security", [["setRandomPassword", "Set a random password (mailed to the user)"],
                ["setRandomVoicemailPin", "Set a random voicemail PIN (mailed at first use)"]]],
  ["Settings", [["resetRelationships", "Reset relationships"],
                ["resetClientSettings", "Reset Connect Client settings"],
                ["resetPresenceSettings", "Reset presence settings"]]],
  ["Contact list", [["repairContactList", "Repair the contact list"]]],
];
export const ACTIONS = {
  PASSWORD: "Password", VOICEMAIL_PIN: "Voicemail PIN", RELATIONSHIPS: "Relationships",
  CLIENT_SETTINGS: "Connect Client settings", PRESENCE_SETTINGS: "Presence settings",
  CONTACT_LIST: "Contact list",
};
const noOptions = Object.fromEntries(AREAS.flatMap(([, opts]) => opts.map(([k]) => [k, false])));

export function ResetPanel({ users, onClose }) {
  const [options, setOptions] = useState(noOptions);
  const [dryRun, setDryRun] = useState(null);
  const [result, setResult] = useState(null);
  const [progress, setProgress] = useState(null);
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState(null);
  const chosen = Object.values(options).some(Boolean);
  const names = new Map(users.map((u) => [u.id, u]));
  const title = users.length > 1
    ? `Reset for multiple selections (${users.length} users)` : `Reset user ${users[0].displayName}`;

  function choose(key, on) {
    setOptions({ ...options, [key]: on });
    setDryRun(null);
  }

  async function run(dry) {
    setBusy(true);
    setErrors(null);
    const operationId = dry ? null : newOperationId();
    // Subscribed before the reset starts, so that its first and last progress arrive.
    const stream = operationId && subscribe(RESET_PROGRESS, { id: operationId },
      ({ resetProgress }) => setProgress(resetProgress));
    try {
      if (stream) await atMost(5, stream.ready.catch(() => {}));
      const { resetUsers } = await gql(RESET_USERS, {
        ids: users.map((u) => u.id), options, dryRun: dry, operationId,
      });
      if (stream) await atMost(5, stream.done.catch(() => {}));
      if (resetUsers.errors.length) setErrors(resetUsers.errors);
      else if (dry) setDryRun(resetUsers);
      else setResult(resetUsers);
    } catch (e) {
      setErrors([{ code: e.code, message: e.message }]);
    } finally {
      if (stream) stream.close();
      setBusy(false);
    }
  }

  if (result) {
    return html`<section class="reset">
      <${Title}>Reset finished<//>
      <p role="status" class="summary">${summary(result, false)}</p>
      ${progress && html`<p class="muted">Progress reported: ${progress.done} of
        ${" "}${progress.total} users${progress.finished ? ", finished" : ""}.</p>`}
      <${Results} payload=${result} names=${names} dry=${false} />
      <${Undo} reset=${result} names=${names} />
      <button type="button" class="primary" onClick=${onClose}>Back to the users</button>
    </section>`;
  }
  return html`<section class="reset">
    <${Title}>${title}<//>
    ${users.length > 1 && html`<p>${users.slice(0, 8).map((u) => u.displayName).join(", ")}
      ${users.length > 8 ? ` and ${users.length - 8} more` : ""}</p>`}
    <form onSubmit=${(e) => { e.preventDefault(); run(true); }}>
      ${AREAS.map(([area, opts]) => html`<fieldset>
        <legend>${area}</legend>
        ${opts.map(([key, label]) => html`<div class="check">
          <input type="checkbox" id=${key} checked=${options[key]} disabled=${busy}
            onChange=${(e) => choose(key, e.currentTarget.checked)} />
          <label for=${key}>${label}</label>
        </div>`)}
      </fieldset>`)}
      <div class="toolbar">
        <button type="submit" disabled=${!chosen || busy}>Check first (dry run)</button>
        <button type="button" class="danger" disabled=${!dryRun || busy}
          onClick=${() => run(false)}>Reset</button>
        <button type="button" onClick=${onClose} disabled=${busy}>Cancel</button>
      </div>
      ${!dryRun && chosen && html`<p class="muted">Reset is possible after the dry run.</p>`}
    </form>
    <${Errors} errors=${errors} />
    ${busy && progress && html`<div class="progress">
      <label for="reset-progress">Users reset</label>
      <progress id="reset-progress" max=${progress.total || 1} value=${progress.done}></progress>
      <span aria-live="polite">${progress.done} of ${progress.total}</span>
    </div>`}
    ${busy && !progress && html`<p aria-live="polite">Working…</p>`}
    ${dryRun && html`<div>
      <h3>Dry run: what the reset will do</h3>
      <p role="status" class="summary">${summary(dryRun, true)}</p>
      <${Results} payload=${dryRun} names=${names} dry=${true} />
    </div>`}
  </section>`;
}

function summary(payload, dry) {
  const count = (status) => payload.results.filter((r) => r.status === status).length;
  const warnings = payload.results.reduce((n, r) => n + r.warnings.length, 0);
  const [ok, partly, failed] = dry
    ? ["without a problem", "would partly fail", "would fail"]
    : ["reset completely", "partly failed", "failed"];
  return `${count("SUCCEEDED")} of ${payload.results.length} users ${ok}; ` +
    `${count("PARTIAL")} ${partly}, ${count("FAILED")} ${failed}; ${warnings} warnings.`;
}

const STATUS = { SUCCEEDED: "Succeeded", PARTIAL: "Partly failed", FAILED: "Failed" };
const WOULD = { SUCCEEDED: "Would succeed", PARTIAL: "Would partly fail", FAILED: "Would fail" };

// Undo of the reset just run: what it removed or overwrote comes back (newer values a
// user set since stay); new passwords and PINs cannot be undone.
function Undo({ reset, names }) {
  const [check, setCheck] = useState(null);
  const [undone, setUndone] = useState(null);
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState(null);
  if (!reset.resetId) {
    return html`<p class="muted">Nothing of this reset can be undone (new passwords and
      PINs never can).</p>`;
  }
  const until = reset.results.map((r) => r.undoAvailableUntil).filter(Boolean).sort().pop();

  async function undo(dry) {
    setBusy(true);
    setErrors(null);
    try {
      const { undoReset } = await gql(UNDO_RESET, { resetId: reset.resetId, dryRun: dry });
      if (undoReset.errors.length) setErrors(undoReset.errors);
      else if (dry) setCheck(undoReset);
      else setUndone(undoReset);
    } catch (e) {
      setErrors([{ code: e.code, message: e.message }]);
    } finally {
      setBusy(false);
    }
  }

  return html`<section class="undo" aria-labelledby="undo-title">
    <h3 id="undo-title">Undo this reset</h3>
    <p>Puts back what the reset removed or overwrote (relationships, settings, repaired
      contacts) until ${new Date(until).toLocaleString()}; what a user changed since stays.
      New passwords and PINs cannot be undone.</p>
    <div class="toolbar">
      <button type="button" disabled=${busy || undone}
        onClick=${() => undo(true)}>Check undo (dry run)</button>
      <button type="button" class="danger" disabled=${!check || busy || undone}
        onClick=${() => undo(false)}>Undo reset</button>
    </div>
    <${Errors} errors=${errors} />
    ${undone ? html`<p aria-live="polite">Undone for ${undone.succeeded} of
        ${" "}${undone.results.length} users.</p>
      <${Results} payload=${undone} names=${names} dry=${false} label="Undo per user" />`
      : check && html`<${Results} payload=${check} names=${names} dry=${true}
        label="Undo dry run per user" />`}
  </section>`;
}

function Results({ payload, names, dry, label }) {
  return html`<div class="table-wrap" tabindex="0" role="region"
      aria-label=${label || (dry ? "Dry run per user" : "Result per user")}>
    <table class="results">
      <thead><tr>
        <th scope="col">User</th><th scope="col">${dry ? "Outcome" : "Status"}</th>
        <th scope="col">Actions</th><th scope="col">Warnings</th>
      </tr></thead>
      <tbody>${payload.results.map((r) => {
        const user = r.user || names.get(r.userId);
        return html`<tr class=${`status-${r.status.toLowerCase()}`}>
          <th scope="row">${user ? user.displayName : r.userId}</th>
          <td>${(dry ? WOULD : STATUS)[r.status]}</td>
          <td><ul class="actions">
            ${r.actions.map((a) => html`<li>
              ${ACTIONS[a.action]}: ${a.status === "DONE"
                ? (dry ? "will be done" : "done") : html`<strong>${dry ? "would fail" : "failed"}</strong>`}
              ${a.errors.map((e) => html` — ${e.message} (${e.code})`)}
            </li>`)}
            ${r.errors.map((e) => html`<li><strong>${e.code}</strong>: ${e.message}</li>`)}
          </ul></td>
          <td>${r.warnings.length ? html`<ul class="warnings">
            ${r.warnings.map((w) => html`<li>${w.message} (${w.code})</li>`)}</ul>` : "—"}</td>
        </tr>`;
      })}</tbody>
    </table>
  </div>`;
}
