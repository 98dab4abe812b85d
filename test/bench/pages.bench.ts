// Lesson pages under load: the built app (started as `npm start` does) answers GET /lessons/<id> for every lesson
// in bursts of 50 concurrent requests, as a plain client and as a browser asking for gzip; target p95 < 50 ms. Prints p50/p95/p99, throughput and the ratio p95/target,
// with the machine's load average (other processes compete for the same cores). `run()` is called by
// test/bench/run.ts (`npm run bench pages`).
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { allLessons } from "@/content/course";
import { startApp, type RunningApp } from "../support/app-server";

const concurrency = 50;
const rounds = 40;
const targetP95Ms = 50;

/** CPU time (user + system) a process has used, in ms. */
function cpuMs(pid: number): number {
  if (!existsSync(`/proc/${pid}/stat`)) return Number.NaN;
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** How a client asks: a plain HTTP client (no compression) or a browser (gzip, deflate, br, zstd). */
const clients = [
  { name: "plain client", acceptEncoding: undefined },
  { name: "browser (gzip)", acceptEncoding: "gzip, deflate, br, zstd" },
] as const;

/** One GET on a kept-alive connection; resolves with the latency in ms after the whole body arrived. */
function get(agent: Agent, base: URL, pathname: string, acceptEncoding: string | undefined, mustContain: string): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const headers = acceptEncoding ? { "accept-encoding": acceptEncoding } : {};
    const req = request({ agent, host: base.hostname, port: base.port, path: pathname, method: "GET", headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        const elapsed = performance.now() - started;
        const raw = Buffer.concat(chunks);
        const body = (res.headers["content-encoding"] === "gzip" ? gunzipSync(raw) : raw).toString("utf8");
        if (res.statusCode !== 200 || !body.includes(mustContain)) reject(new Error(`GET ${pathname}: ${res.statusCode}, expected the lesson "${mustContain}"`));
        else resolve(elapsed);
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

interface Figures {
  p50: number;
  p95: number;
  p99: number;
  ratio: number;
}

/** 5 warm-up and 40 measured bursts of 50 concurrent lesson requests from one kind of client; prints its figures. */
async function measure(app: RunningApp, client: (typeof clients)[number]): Promise<Figures> {
  const lessons = allLessons();
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const base = new URL(app.url);
  try {
    const pick = (i: number) => lessons[i % lessons.length]!;
    const burst = (offset: number) =>
      Promise.all(Array.from({ length: concurrency }, (_, i) => {
        const lesson = pick(offset + i);
        return get(agent, base, `/lessons/${lesson.id}`, client.acceptEncoding, lesson.title.replace(/"/g, "&quot;").split(":")[0]!);
      }));
    for (let r = 0; r < 5; r++) await burst(r);
    const latencies: number[] = [];
    const cpuBefore = cpuMs(app.pid);
    const started = performance.now();
    for (let r = 0; r < rounds; r++) latencies.push(...(await burst(r)));
    const seconds = (performance.now() - started) / 1000;
    const serverCpuPerRequest = (cpuMs(app.pid) - cpuBefore) / latencies.length;
    latencies.sort((a, b) => a - b);
    const p50 = percentile(latencies, 50);
    const p95 = percentile(latencies, 95);
    const p99 = percentile(latencies, 99);
    const ratio = p95 / targetP95Ms;
    console.log(
      `pages: ${client.name}: GET /lessons/<id> (${lessons.length} lessons), ${rounds} bursts of ${concurrency} concurrent requests: ` +
        `p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, ${(latencies.length / seconds).toFixed(0)} req/s ` +
        `(target p95 < ${targetP95Ms} ms, ratio ${ratio.toFixed(2)}${ratio < 1 ? ", met" : ", MISSED"}; load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores)`,
    );
    if (Number.isFinite(serverCpuPerRequest)) {
      console.log(`pages: ${client.name}: server CPU ${serverCpuPerRequest.toFixed(2)} ms per lesson request: one free core serves a burst of ${concurrency} in ${(serverCpuPerRequest * concurrency).toFixed(0)} ms`);
    }
    return { p50, p95, p99, ratio };
  } finally {
    agent.destroy();
  }
}

/** Both kinds of client against one started app; returns the slower one's figures. */
export async function run(): Promise<Figures> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "ica-bench-pages-"));
  const app = await startApp(dataDir);
  try {
    const figures: Figures[] = [];
    for (const client of clients) figures.push(await measure(app, client));
    return figures.reduce((worst, f) => (f.p95 > worst.p95 ? f : worst));
  } finally {
    await app.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
