// The GraphQL-over-HTTP audit of graphql-http, run against a running server.
//
//   node tests/http/audit.mjs http://127.0.0.1:8000/graphql
//
// Prints one JSON object: {"ok": n, "warn": [...], "error": [...]} where each
// failing audit is {"id", "name", "reason", "response"}. Exits 1 when any audit
// warns or errs, 2 on a usage error.
import { auditServer } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node tests/http/audit.mjs URL');
  process.exit(2);
}

async function describe(result) {
  let response = null;
  if (result.response) {
    let body = '';
    try {
      body = await result.response.clone().text();
    } catch {
      body = '<unreadable>';
    }
    response = {
      status: result.response.status,
      contentType: result.response.headers.get('content-type'),
      body: body.slice(0, 500),
    };
  }
  return { id: result.id, name: result.name, reason: result.reason, response };
}

const results = await auditServer({ url });
const summary = { ok: 0, warn: [], error: [] };
for (const result of results) {
  if (result.status === 'ok') summary.ok += 1;
  else summary[result.status].push(await describe(result));
}
console.log(JSON.stringify(summary, null, 2));
process.exit(summary.warn.length || summary.error.length ? 1 : 0);
