// The audit trail: resets and mail outcomes, newest as the API orders them.
import { gql } from "./api.js";
import { AUDIT_EVENTS } from "./queries.js";
import { Errors, html, Pager, Title, usePages } from "./ui.js";

const PAGE_SIZE = 25;

export function AuditTrail() {
  const pages = usePages(
    async (after) => (await gql(AUDIT_EVENTS, { first: PAGE_SIZE, after })).auditEvents, "audit");
  const rows = pages.connection ? pages.connection.edges.map((e) => e.node) : [];
  return html`<section>
    <${Title}>Audit trail<//>
    <${Errors} errors=${pages.error && [pages.error]} />
    <div class="table-wrap" tabindex="0" role="region" aria-label="Audit events">
      <table>
        <thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">What</th>
          <th scope="col">User</th><th scope="col" class="wide">Details</th></tr></thead>
        <tbody>${rows.map((ev) => html`<tr>
          <td>${new Date(ev.at).toLocaleString()}</td><td>${ev.actor}</td><td>${ev.action}</td>
          <td>${ev.targetUser ? ev.targetUser.displayName : "—"}</td>
          <td class="wide"><code>${JSON.stringify(ev.details)}</code></td>
        </tr>`)}</tbody>
      </table>
    </div>
    <${Pager} pages=${pages} pageSize=${PAGE_SIZE} label="Pages of audit events" />
  </section>`;
}
