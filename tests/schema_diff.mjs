// graphql-inspector's diff of two SDL files: every change as JSON, one array on stdout.
// node tests/schema_diff.mjs OLD.graphql NEW.graphql (tests/test_schema_inspector.py).
import { readFileSync } from "node:fs";
import { buildSchema } from "graphql";
import { diff } from "@graphql-inspector/core";

const [before, after] = process.argv.slice(2).map((file) =>
  buildSchema(readFileSync(file, "utf8")),
);
const changes = await diff(before, after);
process.stdout.write(
  JSON.stringify(
    changes.map((change) => ({
      type: change.type,
      level: change.criticality.level,
      message: change.message,
      path: change.path ?? null,
    })),
  ),
);
