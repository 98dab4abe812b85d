// `npm test`: type-check, build the app (for HTTP and browser tests), start a throwaway PostgreSQL when the
// binaries exist, run every vitest suite, and end with one plain "N passed, N failed" line.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { ensureBuilt, root } from "./build.mjs";
import { postgresAvailable, startPostgres } from "./postgres.mjs";

process.env.NEXT_TELEMETRY_DISABLED = "1";
process.env.CHECKPOINT_DISABLE = "1";
const extraArgs = process.argv.slice(2);
const reportFile = path.join(root, "test-results", "vitest.json");
mkdirSync(path.dirname(reportFile), { recursive: true });

function run(label, args, env = process.env) {
  console.log(`\n▶ ${label}`);
  return spawnSync(process.execPath, args, { cwd: root, stdio: "inherit", env }).status === 0;
}

const typecheckOk = run("Type-check (tsc --noEmit)", [path.join(root, "node_modules/typescript/bin/tsc"), "--noEmit", "-p", "."]);

try {
  ensureBuilt();
} catch (error) {
  console.error(error.message);
  console.log("0 passed, 1 failed");
  process.exit(1);
}

let postgres;
if (!process.env.TEST_DATABASE_URL && postgresAvailable()) {
  postgres = await startPostgres();
  console.log(`Started a throwaway PostgreSQL for the data-layer tests: ${postgres.url}`);
}
const env = { ...process.env, ...(postgres ? { TEST_DATABASE_URL: postgres.url } : {}) };
const vitestOk = run(
  "Test suites (vitest)",
  [path.join(root, "node_modules/vitest/vitest.mjs"), "run", "--reporter=default", "--reporter=json", `--outputFile.json=${reportFile}`, ...extraArgs],
  env,
);
await postgres?.stop();

let passed = 0;
let failed = 0;
let skipped = 0;
if (existsSync(reportFile)) {
  const report = JSON.parse(readFileSync(reportFile, "utf8"));
  passed = report.numPassedTests ?? 0;
  failed = report.numFailedTests ?? 0;
  skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
}
if (!typecheckOk) failed += 1;
if (!vitestOk && failed === 0) failed += 1;
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(typecheckOk && vitestOk && failed === 0 ? 0 : 1);
