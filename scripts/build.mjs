// Builds the Next.js app only when its inputs changed since the last build (fingerprint of sources and lockfile).
import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const sourceDirs = ["app", "labs", "grader", "cluster", "content", "shell", "prisma"];
const sourceFiles = ["next.config.js", "postcss.config.mjs", "tsconfig.json", "package-lock.json"];
const skipped = new Set(["node_modules", ".next", "generated", "migrations", "__fixtures__"]);
const fingerprintFile = path.join(root, ".next", "ica-build-fingerprint");

function* walk(dir) {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (skipped.has(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(full);
    else yield full;
  }
}

/** A hash of every file the build reads (paths, sizes and contents). */
export function sourceFingerprint() {
  const hash = createHash("sha256");
  const files = [...sourceDirs.flatMap((d) => [...walk(path.join(root, d))]), ...sourceFiles.map((f) => path.join(root, f))];
  for (const file of files.filter((f) => existsSync(f)).sort()) {
    hash.update(path.relative(root, file)).update(String(statSync(file).size)).update(readFileSync(file));
  }
  return hash.digest("hex");
}

/** Runs `next build` unless the last build used the same sources; returns whether it built. */
export function ensureBuilt({ force = false } = {}) {
  const fingerprint = sourceFingerprint();
  const previous = existsSync(fingerprintFile) ? readFileSync(fingerprintFile, "utf8") : "";
  if (!force && previous === fingerprint && existsSync(path.join(root, ".next", "BUILD_ID"))) return false;
  console.log("Building the web app (next build)…");
  const started = Date.now();
  const result = spawnSync(process.execPath, [path.join(root, "node_modules/next/dist/bin/next"), "build"], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production" },
  });
  if (result.status !== 0) throw new Error(`next build failed (exit ${result.status})`);
  writeFileSync(fingerprintFile, fingerprint);
  console.log(`Built in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  return true;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    ensureBuilt({ force: process.argv.includes("--force") });
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}
