// Test helper: runs the built web app the way `npm start` does (migrate, bootstrap admin, server/main.ts) on a free port.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "../..");

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

export interface RunningApp {
  url: string;
  /** The server process, to read its CPU time. */
  pid: number;
  /** Output of the start-up step (migrations, admin credentials). */
  prepareOutput: string;
  stop(): Promise<void>;
}

/** Starts the app against a data folder; the same folder can be reused to test persistence across restarts. */
export async function startApp(dataDir: string, extraEnv: Record<string, string> = {}): Promise<RunningApp> {
  if (!existsSync(path.join(root, ".next", "BUILD_ID"))) {
    throw new Error("The web app is not built: run `npm test` (it builds first) or `npm run build`.");
  }
  const env: NodeJS.ProcessEnv = { ...process.env, ICA_DATA_DIR: dataDir, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production", ...extraEnv };
  delete env.DATABASE_URL;
  const prepare = spawnSync(process.execPath, [path.join(root, "node_modules/tsx/dist/cli.mjs"), "scripts/prepare-db.ts"], {
    cwd: root,
    env,
    encoding: "utf8",
  });
  if (prepare.status !== 0) throw new Error(`prepare-db failed: ${prepare.stderr}`);
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", "server/main.ts"], {
    cwd: root,
    env: { ...env, PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  // The server's output goes to test-results/app-server-<port>.log, so a failed run can be diagnosed afterwards.
  mkdirSync(path.join(root, "test-results"), { recursive: true });
  const log = createWriteStream(path.join(root, "test-results", `app-server-${port}.log`));
  let output = "";
  child.stdout?.on("data", (d) => ((output += d), log.write(d)));
  child.stderr?.on("data", (d) => ((output += d), log.write(d)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const response = await fetch(`${url}/api/health`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`The app did not start:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    pid: child.pid!,
    prepareOutput: prepare.stdout,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/** A cookie-keeping HTTP client for one browser session. */
export class Browser {
  private cookies = new Map<string, string>();
  /** `origin` is read on every request, so a browser survives an app restart on a new port. */
  constructor(private readonly origin: string | (() => string)) {}

  async request(pathname: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set("cookie", [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; "));
    const response = await fetch(`${typeof this.origin === "string" ? this.origin : this.origin()}${pathname}`, { ...init, headers, redirect: "manual" });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const [name, ...rest] = (pair ?? "").split("=");
      const value = rest.join("=");
      if (!name) continue;
      if (value === "" || /expires=Thu, 01 Jan 1970/i.test(line) || /max-age=0/i.test(line)) this.cookies.delete(name.trim());
      else this.cookies.set(name.trim(), value);
    }
    return response;
  }

  postJson(pathname: string, body: unknown): Promise<Response> {
    return this.request(pathname, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  }

  get signedIn(): boolean {
    return this.cookies.has("ica_session");
  }
}
