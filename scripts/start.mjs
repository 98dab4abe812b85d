// `npm start`: build when needed, migrate the database, bootstrap an admin, then serve the app on $PORT (default 3000)
// through server/main.ts (Next's handler, prerendered pages from memory).
import { spawn, spawnSync } from "node:child_process";
import path from "node:path";
import { ensureBuilt, root } from "./build.mjs";

process.env.NEXT_TELEMETRY_DISABLED = "1";
process.env.CHECKPOINT_DISABLE = "1";
const port = process.env.PORT || "3000";

try {
  ensureBuilt();
} catch (error) {
  console.error(error.message);
  process.exit(1);
}

const tsx = path.join(root, "node_modules/tsx/dist/cli.mjs");
const prepared = spawnSync(process.execPath, [tsx, path.join(root, "scripts/prepare-db.ts")], { cwd: root, stdio: "inherit" });
if (prepared.status !== 0) process.exit(prepared.status ?? 1);

const server = spawn(process.execPath, ["--import", "tsx", path.join(root, "server/main.ts")], {
  cwd: root,
  stdio: "inherit",
  env: { ...process.env, PORT: port, NODE_ENV: "production" },
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.kill(signal));
server.on("exit", (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
