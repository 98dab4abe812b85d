// Throwaway PostgreSQL clusters for tests and CI, built from the Debian server binaries on this machine.
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

const debianPostgresRoot = "/usr/lib/postgresql";

/**
 * The newest /usr/lib/postgresql/<version>/bin that holds initdb, pg_ctl and postgres, or undefined.
 * @returns {string | undefined}
 */
export function findPostgresBinDir() {
  let versions;
  try {
    versions = fs.readdirSync(debianPostgresRoot);
  } catch {
    return undefined;
  }
  const candidates = versions
    .map((version) => path.join(debianPostgresRoot, version, "bin"))
    .filter((binDir) => ["initdb", "pg_ctl", "postgres"].every((tool) => fs.existsSync(path.join(binDir, tool))))
    .sort((a, b) => path.basename(path.dirname(a)).localeCompare(path.basename(path.dirname(b)), "en", { numeric: true }));
  return candidates.at(-1);
}

/**
 * True when PostgreSQL server binaries are installed (and, when running as root, the postgres user exists).
 * @returns {boolean}
 */
export function postgresAvailable() {
  if (!findPostgresBinDir()) return false;
  return !runningAsRoot() || postgresUserIds() !== undefined;
}

function runningAsRoot() {
  return process.getuid?.() === 0;
}

/** @returns {{ uid: number; gid: number } | undefined} */
function postgresUserIds() {
  try {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
    return { uid, gid };
  } catch {
    return undefined;
  }
}

/** @returns {Promise<number>} a TCP port on 127.0.0.1 that was free a moment ago */
function findFreePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Runs a PostgreSQL tool, as the postgres user when this process is root (the server refuses to run as root).
 * @param {string} binary absolute path of the tool
 * @param {string[]} args
 */
function runPostgresTool(binary, args) {
  const [command, commandArgs] = runningAsRoot() ? ["runuser", ["-u", "postgres", "--", binary, ...args]] : [binary, args];
  const result = spawnSync(command, commandArgs, { encoding: "utf8" });
  if (result.status !== 0) {
    const output = `${result.stdout ?? ""}${result.stderr ?? ""}`.trim();
    throw new Error(`${path.basename(binary)} ${args[0] ?? ""} failed (exit ${result.status}): ${output || result.error?.message}`);
  }
  return result.stdout;
}

/** @type {Set<() => void>} clusters to stop if the process exits without calling stop() */
const runningClusters = new Set();
process.once("exit", () => {
  for (const stopNow of runningClusters) stopNow();
});

/**
 * @typedef {object} PostgresCluster
 * @property {string} url postgresql://postgres@127.0.0.1:<port>/postgres (superuser, trust auth)
 * @property {number} port
 * @property {string} dataDir the cluster's temporary directory
 * @property {() => Promise<void>} stop stops the server and deletes its directory
 */

/**
 * Starts a throwaway cluster: initdb in a fresh temp dir, trust auth, fsync off, listening only on
 * 127.0.0.1 at a random free port. About 2–3 s.
 * @returns {Promise<PostgresCluster>}
 */
export async function startPostgres() {
  const binDir = findPostgresBinDir();
  if (!binDir) throw new Error(`No PostgreSQL server binaries under ${debianPostgresRoot}/*/bin (apt-get install postgresql)`);
  const owner = runningAsRoot() ? postgresUserIds() : undefined;
  if (runningAsRoot() && !owner) throw new Error("Running as root but there is no 'postgres' user to run the server as");

  const baseDir = fs.mkdtempSync(path.join(os.tmpdir(), "ica-postgres-"));
  const dataDir = path.join(baseDir, "data");
  const socketDir = path.join(baseDir, "socket");
  fs.mkdirSync(socketDir);
  if (owner) {
    for (const dir of [baseDir, socketDir]) fs.chownSync(dir, owner.uid, owner.gid);
  }
  const pgCtl = path.join(binDir, "pg_ctl");
  let started = false;
  const stopNow = () => {
    runningClusters.delete(stopNow);
    if (started) {
      started = false;
      spawnSync(...stopCommand(pgCtl, dataDir), { stdio: "ignore" });
    }
    fs.rmSync(baseDir, { recursive: true, force: true });
  };
  runningClusters.add(stopNow);

  try {
    runPostgresTool(path.join(binDir, "initdb"), [
      "--pgdata", dataDir,
      "--username", "postgres",
      "--auth", "trust",
      "--encoding", "UTF8",
      "--locale", "C",
      "--no-sync",
    ]);
    const port = await startServer(pgCtl, dataDir, socketDir);
    started = true;
    return {
      url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
      port,
      dataDir,
      stop: async () => stopNow(),
    };
  } catch (error) {
    stopNow();
    throw error;
  }
}

/**
 * Starts the server on a free port, retrying once if another process grabbed the port first.
 * @param {string} pgCtl @param {string} dataDir @param {string} socketDir
 * @returns {Promise<number>}
 */
async function startServer(pgCtl, dataDir, socketDir) {
  let lastError;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const port = await findFreePort();
    const serverOptions = [
      `-p ${port}`,
      "-c listen_addresses=127.0.0.1",
      `-c unix_socket_directories=${socketDir}`,
      "-c fsync=off",
      "-c synchronous_commit=off",
      "-c full_page_writes=off",
    ].join(" ");
    try {
      runPostgresTool(pgCtl, ["start", "--pgdata", dataDir, "--wait", "--log", path.join(dataDir, "server.log"), "-o", serverOptions]);
      return port;
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

/** @param {string} pgCtl @param {string} dataDir @returns {[string, string[]]} */
function stopCommand(pgCtl, dataDir) {
  const args = ["stop", "--pgdata", dataDir, "--mode", "immediate", "--wait"];
  return runningAsRoot() ? ["runuser", ["-u", "postgres", "--", pgCtl, ...args]] : [pgCtl, args];
}
