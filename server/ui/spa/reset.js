// Reset user / Reset for multiple selections: the manual's three areas, a dry run
// with each user's warnings first, then the reset with its progress and a result
// per user and per action.
import { useState } from "preact/hooks";
import { atMost, gql, newOperationId, subscribe } from "./api.js";
import { RESET_PROGRESS, RESET_USERS, SCHEDULE_RESET, UNDO_RESET } from "./queries.js";
import { errorText, formatDateTime, t } from "./i18n.js";
import { errorOf, Errors, html, Title } from "./ui.js";

const AREAS = [
  ["security", ["setRandomPassword", "setRandomVoicemailPin", "unlock", "expirePassword"]],
  ["settings", ["resetRelationships", "resetClientSettings", "resetPresenceSettings"]],
  ["contacts", ["repairContactList"]],
];
// An action's name: t(`action.${action}`), e.g. action.PASSWORD.
const noOptions = Object.fromEntries(AREAS.flatMap(([, opts]) => opts.map((k) => [k, false])));

// `selection` (instead of users): { filter, count, name }, every user of a node or a
// search, resolved by the server; the results then hold a sample, the summary all.
export function ResetPanel({ users, selection, onClose }) {
  const [options, setOptions] = useState(noOptions);
  // A set-password link instead of the password; unticked: the location's default.
  const [link, setLink] = useState(false);
  const [dryRun, setDryRun] = useState(null);
  const [result, setResult] = useState(null);
  const [progress, setProgress] = useState(null);
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState(null);
  // Run later: the time (datetime-local, the browser's zone) and the job once stored.
  const [later, setLater] = useState("");
  const [job, setJob] = useState(null);
  const chosen = Object.values(options).some(Boolean);
  const names = new Map(users.map((u) => [u.id, u]));
  const title = selection ? t("reset.titleSelection", { count: selection.count,
    name: selection.name }) : users.length > 1 ? t("reset.titleMany", { count: users.length })
    : t("reset.titleOne", { name: users[0].displayName });
  const whom = { ids: selection ? [] : users.map((u) => u.id),
                 selection: selection ? selection.filter : null };
  // Before anything is sent: who will be mailed a password he cannot use, or nothing.
  const mailing = options.setRandomPassword || options.setRandomVoicemailPin;
  const blocked = users.filter((u) => u.blocked);
  const noEmail = users.filter((u) => !u.email);

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
        ...whom, dryRun: dry, operationId,
        options: link && options.setRandomPassword ? { ...options, sendPasswordLink: true } : options,
      });
      if (stream) await atMost(5, stream.done.catch(() => {}));
      if (resetUsers.errors.length) setErrors(resetUsers.errors);
      else if (dry) setDryRun(resetUsers);
      else setResult(resetUsers);
    } catch (e) {
      setErrors([errorOf(e)]);
    } finally {
      if (stream) stream.close();
      setBusy(false);
    }
  }

  async function runLater() {
    setBusy(true);
    setErrors(null);
    try {
      const { resetUsers } = await gql(SCHEDULE_RESET, {
        ...whom, runAt: new Date(later).toISOString(),
        options: link && options.setRandomPassword ? { ...options, sendPasswordLink: true } : options,
      });
      if (resetUsers.errors.length) setErrors(resetUsers.errors);
      else setJob(resetUsers.job);
    } catch (e) {
      setErrors([{ code: e.code, message: e.message }]);
    } finally {
      setBusy(false);
    }
  }

  if (job) {
    return html`<section class="reset">
      <${Title}>${t("reset.scheduled")}<//>
      <p role="status">${t("reset.scheduledAt", { at: formatDateTime(job.runAt) })}
        ${" "}<a href="#/jobs">${t("nav.jobs")}</a></p>
      <button type="button" class="primary" onClick=${onClose}>${t("reset.back")}</button>
    </section>`;
  }
  if (result) {
    return html`<${Finished} result=${result} progress=${progress} names=${names}
      onClose=${onClose} />`;
  }
  return html`<section class="reset">
    <${Title}>${title}<//>
    ${users.length > 1 && html`<p>${t("reset.names", { names: users.slice(0, 8)
      .map((u) => u.displayName).join(", "), more: Math.max(0, users.length - 8) })}</p>`}
    <form onSubmit=${(e) => { e.preventDefault(); run(true); }}>
      ${AREAS.map(([area, opts]) => html`<fieldset>
        <legend>${t(`reset.area.${area}`)}</legend>
        ${opts.map((key) => html`<div class="check">
          <input type="checkbox" id=${key} checked=${options[key]} disabled=${busy}
            onChange=${(e) => choose(key, e.currentTarget.checked)} />
          <label for=${key}>${t(`reset.option.${key}`)}</label>
        </div>`)}
        ${area === "security" && options.setRandomPassword && html`<div class="check">
          <input type="checkbox" id="sendPasswordLink" checked=${link} disabled=${busy}
            onChange=${(e) => { setLink(e.currentTarget.checked); setDryRun(null); }} />
          <label for="sendPasswordLink">${t("reset.option.sendPasswordLink")}</label>
        </div>`}
      </fieldset>`)}
      <div class="toolbar">
        <button type="submit" disabled=${!chosen || busy}>${t("reset.dryRun")}</button>
        <button type="button" class="danger" disabled=${!dryRun || busy}
          onClick=${() => run(false)}>${t("reset.run")}</button>
        <button type="button" onClick=${onClose} disabled=${busy}>${t("common.cancel")}</button>
      </div>
      <div class="toolbar">
        <label for="run-at">${t("reset.runAt")}</label>
        <input type="datetime-local" id="run-at" value=${later} disabled=${busy}
          onInput=${(e) => setLater(e.currentTarget.value)} />
        <button type="button" disabled=${!chosen || !later || busy}
          onClick=${runLater}>${t("reset.runLater")}</button>
      </div>
      ${!dryRun && chosen && html`<p class="muted">${t("reset.afterDryRun")}</p>`}
      ${mailing && blocked.length > 0 && html`<p class="warning">${t("reset.warnBlocked",
        { count: blocked.length, names: blocked.map((u) => u.displayName).join(", ") })}</p>`}
      ${mailing && noEmail.length > 0 && html`<p class="warning">${t("reset.warnNoEmail",
        { count: noEmail.length, names: noEmail.map((u) => u.displayName).join(", ") })}</p>`}
    </form>
    <${Errors} errors=${errors} />
    ${busy && progress && html`<div class="progress">
      <label for="reset-progress">${t("reset.progress")}</label>
      <progress id="reset-progress" max=${progress.total || 1} value=${progress.done}></progress>
      <span aria-live="polite">${t("reset.progressCount", { done: progress.done, total: progress.total })}</span>
    </div>`}
    ${busy && !progress && html`<p aria-live="polite">${t("reset.working")}</p>`}
    ${dryRun && html`<div>
      <h3>${t("reset.dryRunTitle")}</h3>
      <p role="status" class="summary">${summary(dryRun, true)}</p>
      <${Results} payload=${dryRun} names=${names} dry=${true} />
    </div>`}
  </section>`;
}

function summary(payload, dry) {
  const all = payload.summary;
  if (all) {
    return t(dry ? "reset.summaryDry" : "reset.summary", {
      ok: all.succeeded, total: all.users, partial: all.partial, failed: all.failed,
      warnings: all.warnings.reduce((n, w) => n + w.count, 0),
    });
  }
  const count = (status) => payload.results.filter((r) => r.status === status).length;
  const warnings = payload.results.reduce((n, r) => n + r.warnings.length, 0);
  return t(dry ? "reset.summaryDry" : "reset.summary", {
    ok: count("SUCCEEDED"), total: payload.results.length, partial: count("PARTIAL"),
    failed: count("FAILED"), warnings,
  });
}

function Finished({ result, progress, names, onClose }) {
  const [undone, setUndone] = useState(false);
  return html`<section class="reset">
    <${Title}>${t(undone ? "reset.finishedUndone" : "reset.finished")}<//>
    <p role="status" class="summary">${summary(result, false)}</p>
    ${progress && html`<p class="muted">${t("reset.progressReported", { done: progress.done,
      total: progress.total, finished: progress.finished ? "yes" : "no" })}</p>`}
    <${Results} payload=${result} names=${names} dry=${false} />
    <${Undo} reset=${result} names=${names} onUndone=${() => setUndone(true)} />
    <button type="button" class="primary" onClick=${onClose}>${t("reset.back")}</button>
  </section>`;
}

// Undo of the reset just run: what it removed or overwrote comes back (newer values a
// user set since stay); new passwords and PINs cannot be undone.
function Undo({ reset, names, onUndone }) {
  const [check, setCheck] = useState(null);
  const [undone, setUndone] = useState(null);
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState(null);
  if (!reset.resetId) return html`<p class="muted">${t("undo.nothing")}</p>`;
  const until = reset.results.map((r) => r.undoAvailableUntil).filter(Boolean).sort().pop();

  async function undo(dry) {
    setBusy(true);
    setErrors(null);
    try {
      const { undoReset } = await gql(UNDO_RESET, { resetId: reset.resetId, dryRun: dry });
      if (undoReset.errors.length) setErrors(undoReset.errors);
      else if (dry) setCheck(undoReset);
      else {
        setUndone(undoReset);
        onUndone();
      }
    } catch (e) {
      setErrors([errorOf(e)]);
    } finally {
      setBusy(false);
    }
  }

  return html`<section class="undo" aria-labelledby="undo-title">
    <h3 id="undo-title">${t("undo.title")}</h3>
    <p>${t("undo.explain", { until: formatDateTime(until) })}</p>
    <div class="toolbar">
      <button type="button" disabled=${busy || undone}
        onClick=${() => undo(true)}>${t("undo.check")}</button>
      <button type="button" class="danger" disabled=${!check || busy || undone}
        onClick=${() => undo(false)}>${t("undo.run")}</button>
    </div>
    <${Errors} errors=${errors} />
    ${undone ? html`<p aria-live="polite">${t("undo.done", { ok: undone.succeeded,
        total: undone.results.length })}</p>
      <${Results} payload=${undone} names=${names} dry=${false} label=${t("undo.perUser")} />`
      : check && html`<${Results} payload=${check} names=${names} dry=${true}
        label=${t("undo.dryPerUser")} />`}
  </section>`;
}

// What an action did or would do, in words: counts, "nothing to change", or failed.
function actionText(a, dry) {
  if (a.status !== "DONE") return html`<strong>${t(dry ? "result.wouldFail" : "result.failed")}</strong>`;
  if (a.changes === 0) return t("result.nothing");
  return t(dry ? `change.would.${a.action}` : `change.done.${a.action}`,
    { count: a.changes === null || a.changes === undefined ? -1 : a.changes });
}

function Results({ payload, names, dry, label }) {
  const [problemsOnly, setProblemsOnly] = useState(false);
  const shown = problemsOnly
    ? payload.results.filter((r) => r.status !== "SUCCEEDED" || r.warnings.length) : payload.results;
  const id = `problems-${dry ? "dry" : "done"}-${label ? "undo" : "reset"}`;
  return html`<div class="check">
      <input type="checkbox" id=${id} checked=${problemsOnly}
        onChange=${(e) => setProblemsOnly(e.currentTarget.checked)} />
      <label for=${id}>${t("result.problemsOnly", { shown: shown.length, total: payload.results.length })}</label>
    </div>
    <div class="table-wrap" tabindex="0" role="region"
      aria-label=${label || t(dry ? "result.dryPerUser" : "result.perUser")}>
    <table class="results">
      <thead><tr>
        <th scope="col">${t("result.user")}</th>
        <th scope="col">${t(dry ? "result.outcome" : "result.status")}</th>
        <th scope="col">${t("result.actions")}</th><th scope="col">${t("result.warnings")}</th>
      </tr></thead>
      <tbody>${shown.map((r) => {
        const user = r.user || names.get(r.userId);
        return html`<tr class=${`status-${r.status.toLowerCase()}`}>
          <th scope="row">${user ? user.displayName : r.userId}</th>
          <td>${t(`${dry ? "would" : "status"}.${r.status}`)}</td>
          <td><ul class="actions">
            ${r.actions.map((a) => html`<li>
              ${t("result.action", { action: t(`action.${a.action}`) })} ${actionText(a, dry)}
              ${a.passwordLinkSent && html` — <span class="link-sent">${t("result.linkSent")}</span>`}
              ${a.errors.map((e) => html` — ${errorText(e)} (${e.code})`)}
            </li>`)}
            ${r.errors.map((e) => html`<li><strong>${e.code}</strong>: ${errorText(e)}</li>`)}
          </ul></td>
          <td>${r.warnings.length ? html`<ul class="warnings">
            ${r.warnings.map((w) => html`<li>${errorText(w)} (${w.code})</li>`)}</ul>` : "—"}</td>
        </tr>`;
      })}</tbody>
    </table>
  </div>`;
}
