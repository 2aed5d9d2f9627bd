// Jobs: the resets stored to run later (Reset user > Run later), newest first, with
// their state and counts; cancel one before it starts or stop it while it runs, and
// download a job's report (each user's result per action) as CSV or JSON.
import { useEffect, useState } from "preact/hooks";
import { gql } from "./api.js";
import { CANCEL_RESET_JOB, RESET_JOBS } from "./queries.js";
import { currentLanguage, formatDateTime, t } from "./i18n.js";
import { Errors, html, Title } from "./ui.js";

const ACTIVE = new Set(["SCHEDULED", "RUNNING"]);

export function ResetJobs() {
  const [jobs, setJobs] = useState(null);
  const [errors, setErrors] = useState(null);

  async function reload() {
    setErrors(null);
    try {
      setJobs((await gql(RESET_JOBS, { language: currentLanguage() })).resetJobs);
    } catch (e) {
      setErrors([{ code: e.code, message: e.message }]);
    }
  }

  useEffect(() => { reload(); }, []);

  async function cancel(job) {
    const { cancelResetJob } = await gql(CANCEL_RESET_JOB, { id: job.id });
    if (cancelResetJob.errors.length) setErrors(cancelResetJob.errors);
    await reload();
  }

  return html`<section class="jobs">
    <${Title}>${t("jobs.title")}<//>
    <div class="toolbar"><button type="button" onClick=${reload}>${t("jobs.reload")}</button></div>
    <${Errors} errors=${errors} />
    ${jobs === null && html`<p aria-live="polite">${t("common.loading")}</p>`}
    ${jobs && html`<div class="table-wrap" tabindex="0" role="region" aria-label=${t("jobs.title")}>
      <table>
        <thead><tr>${["runAt", "createdBy", "actions", "state", "progress", "result", ""]
          .map((key) => html`<th scope="col">${key && t(`jobs.${key}`)}</th>`)}</tr></thead>
        <tbody>${jobs.map((job) => html`<tr>
          <th scope="row">${formatDateTime(job.runAt)}</th>
          <td>${job.createdBy}</td>
          <td>${job.actions.map((a) => t(`action.${a}`)).join(", ")}</td>
          <td>${t(`jobs.state.${job.state}`)}${job.stopRequested && job.state === "RUNNING"
            ? ` (${t("jobs.stopping")})` : ""}</td>
          <td>${job.total === null ? t("jobs.notResolved")
            : t("jobs.done", { done: job.done, total: job.total })}</td>
          <td>${t("jobs.counts", { ok: job.succeeded, partial: job.partial, failed: job.failed })}</td>
          <td class="toolbar">
            ${ACTIVE.has(job.state) && !job.stopRequested && html`<button type="button"
              onClick=${() => cancel(job)}>${t(job.state === "SCHEDULED" ? "jobs.cancel"
                : "jobs.stop")}</button>`}
            ${job.state !== "SCHEDULED" && job.state !== "CANCELLED" && html`
              <a href=${job.csv} download>${t("jobs.csv")}</a>
              <a href=${job.json} download>${t("jobs.json")}</a>`}
          </td>
        </tr>`)}</tbody>
      </table>
      ${!jobs.length && html`<p class="muted">${t("jobs.empty")}</p>`}
    </div>`}
  </section>`;
}
