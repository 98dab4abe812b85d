// `fortio load` and `fortio curl` as the fortio 1.69 CLI runs them: threads (-c), pacing (-qps, 0 = max),
// exact call counts (-n) or durations (-t), per-request timeout (-timeout, default 3s), headers (-H), and
// fortio's summary on stderr (histogram, percentiles, "Sockets used", "Code 200 : N (x %)", "All done …") and its
// result as JSON with `-json -`.
// Runs in virtual time, so a load test finishes at once while keeping its concurrency and latencies.

import type { ExecResult } from "@/cluster/driver";
import { reasonPhrase } from "./http";
import type { ClientResult, ClientTools } from "./index";

export const FORTIO_VERSION = "1.69.5";
const USER_AGENT = `fortio.org/fortio-${FORTIO_VERSION}`;
const LOG_LEVELS = ["debug", "verbose", "info", "warning", "error", "critical", "fatal"];

/** Fortio's histogram bucket ends, in units of the resolution (default 1 ms). */
const BUCKETS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 16, 18, 20, 25, 30, 35, 40, 45, 50, 60, 70, 80, 90, 100, 120, 140, 160, 180, 200, 250, 300, 350, 400, 450, 500, 600, 700, 800, 900, 1000, 2000, 3000, 4000, 5000, 7500, 10000, 20000, 30000, 40000, 50000, 60000, 70000, 80000, 90000, 100000];

/** Hard cap on calls of one duration-based run at max qps (the simulation must stay fast). */
const MAX_CALLS = 100_000;

interface FortioFlags {
  threads: number;
  qps: number;
  calls: number;
  durationMs: number;
  timeoutMs: number;
  headers: Record<string, string>;
  logLevel: number;
  quiet: boolean;
  percentiles: number[];
  payload?: string;
  contentType?: string;
  method?: string;
  /** `-json FILE`: also write the result as JSON ("-" = stdout). */
  json?: string;
}

/** Go's %g with `digits` significant digits (exponent form below 1e-4, like Go). */
function formatG(value: number, digits: number): string {
  if (value === 0 || !Number.isFinite(value)) return String(value);
  const rounded = Number(value.toPrecision(digits));
  const exponent = Math.floor(Math.log10(Math.abs(rounded)));
  if (exponent < -4 || exponent >= digits) {
    const [mantissa = "0", power = "0"] = rounded.toExponential().split("e");
    const sign = power.startsWith("-") ? "-" : "+";
    const digitsOfPower = power.replace(/^[+-]/, "").padStart(2, "0");
    return `${mantissa}e${sign}${digitsOfPower}`;
  }
  return String(rounded);
}

/** Go's %v for float64 (shortest representation). */
function formatV(value: number): string {
  return formatG(value, 17).replace(/(\.\d*?)0+(e|$)/, "$1$2").replace(/\.(e|$)/, "$1");
}

/** Go's time.Duration String for milliseconds. */
function formatDuration(ms: number): string {
  if (ms < 1) return `${Number((ms * 1000).toFixed(3))}µs`;
  if (ms < 1000) return `${Number(ms.toFixed(6))}ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${Number(seconds.toFixed(9))}s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes}m${Number((seconds - minutes * 60).toFixed(9))}s`;
}

/** "3s", "500ms", "1m", "2" (seconds) → ms. */
function parseGoDuration(text: string): number | undefined {
  let total = 0;
  let rest = text.trim();
  if (/^\d+(\.\d+)?$/.test(rest)) return Number(rest) * 1000;
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, "µs": 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  while (rest.length > 0) {
    const match = /^(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/.exec(rest);
    if (!match) return undefined;
    total += Number(match[1]) * (units[match[2] ?? "s"] ?? 1000);
    rest = rest.slice(match[0].length);
  }
  return total;
}

class Stats {
  readonly values: number[] = [];

  add(value: number): void {
    this.values.push(value);
  }

  get count(): number {
    return this.values.length;
  }

  summary(): { avg: number; stddev: number; min: number; max: number; sum: number } {
    const count = this.values.length;
    let sum = 0;
    let min = Infinity;
    let max = -Infinity;
    for (const value of this.values) {
      sum += value;
      if (value < min) min = value;
      if (value > max) max = value;
    }
    const avg = count ? sum / count : 0;
    let squares = 0;
    for (const value of this.values) squares += (value - avg) ** 2;
    return { avg, stddev: count ? Math.sqrt(squares / count) : 0, min: count ? min : 0, max: count ? max : 0, sum };
  }

  line(label: string): string {
    if (this.values.length === 0) return `${label} : no data`;
    const { avg, stddev, min, max, sum } = this.summary();
    return `${label} : count ${this.values.length} avg ${formatG(avg, 8)} +/- ${formatG(stddev, 4)} min ${formatV(min)} max ${formatV(max)} sum ${formatV(sum)}`;
  }
}

/** One histogram bucket with data: [start, end] in seconds, its count and the running total up to it. */
interface HistogramRow {
  start: number;
  end: number;
  count: number;
  cumulative: number;
}

/** Fortio's histogram of durations (seconds, resolution 1 ms): buckets with data and the requested percentiles. */
function histogramOf(seconds: number[], percentiles: number[]): { rows: HistogramRow[]; percentiles: { percentile: number; value: number }[] } {
  if (seconds.length === 0) return { rows: [], percentiles: [] };
  const resolution = 0.001;
  const counts = new Array<number>(BUCKETS.length + 1).fill(0);
  let min = Infinity;
  let max = -Infinity;
  for (const value of seconds) {
    min = Math.min(min, value);
    max = Math.max(max, value);
    const scaled = value / resolution;
    let index = BUCKETS.findIndex((end) => scaled <= end);
    if (index === -1) index = BUCKETS.length;
    counts[index] = (counts[index] ?? 0) + 1;
  }
  const total = seconds.length;
  const rows: HistogramRow[] = [];
  let cumulative = 0;
  for (let index = 0; index < counts.length; index++) {
    const count = counts[index] ?? 0;
    if (count === 0) continue;
    const start = index === 0 ? 0 : (BUCKETS[index - 1] ?? 0) * resolution;
    const end = index < BUCKETS.length ? (BUCKETS[index] ?? 0) * resolution : max;
    cumulative += count;
    rows.push({ start, end, count, cumulative });
  }
  const first = rows[0];
  const last = rows[rows.length - 1];
  if (first) first.start = Math.max(first.start, min);
  if (last) last.end = Math.min(last.end, max);
  return {
    rows,
    percentiles: percentiles.map((percentile) => {
      const target = (percentile / 100) * total;
      let previous = 0;
      for (const row of rows) {
        if (row.cumulative >= target) return { percentile, value: row.start + ((row.end - row.start) * (target - previous)) / row.count };
        previous = row.cumulative;
      }
      return { percentile, value: max };
    }),
  };
}

/** Histogram lines and percentiles exactly as fortio prints them. */
function histogram(seconds: number[], percentiles: number[]): string[] {
  if (seconds.length === 0) return [];
  const { rows, percentiles: values } = histogramOf(seconds, percentiles);
  const total = seconds.length;
  const lines = ["# range, mid point, percentile, count"];
  rows.forEach((row, index) => {
    const opener = index === 0 ? ">=" : ">";
    lines.push(`${opener} ${formatG(row.start, 6)} <= ${formatG(row.end, 6)} , ${formatG((row.start + row.end) / 2, 6)} , ${((100 * row.cumulative) / total).toFixed(2)}, ${row.count}`);
  });
  for (const { percentile, value } of values) lines.push(`# target ${formatV(percentile)}% ${formatG(value, 6)}`);
  return lines;
}

/** A histogram as fortio's `-json` result holds it (DurationHistogram, ErrorsDurationHistogram). */
function histogramJson(stats: Stats, percentiles: number[]): Record<string, unknown> {
  const { avg, stddev, min, max, sum } = stats.summary();
  const { rows, percentiles: values } = histogramOf(stats.values, percentiles);
  const total = stats.count;
  return {
    Count: total,
    Min: min,
    Max: max,
    Sum: sum,
    Avg: avg,
    StdDev: stddev,
    Data: rows.map((row) => ({ Start: row.start, End: row.end, Percent: (100 * row.cumulative) / total, Count: row.count })),
    Percentiles: values.map(({ percentile, value }) => ({ Percentile: percentile, Value: value })),
  };
}

type Parsed = { ok: true; flags: FortioFlags; url: string } | { ok: false; message: string };

function parseFlags(args: string[]): Parsed {
  const flags: FortioFlags = { threads: 4, qps: 8, calls: 0, durationMs: 5000, timeoutMs: 3000, headers: {}, logLevel: 2, quiet: false, percentiles: [50, 75, 90, 99, 99.9] };
  const booleans = new Set(["quiet", "uniform", "jitter", "nocatchup", "stdclient", "http1.0", "k", "allow-initial-errors", "a", "grpc", "h2", "sequential-warmup", "no-reresolve", "nc-dont-stop-on-eof", "compression", "keepalive", "log-errors"]);
  let url: string | undefined;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? "";
    if (!arg.startsWith("-") || arg === "-") {
      url = arg;
      continue;
    }
    const [rawName = "", inline] = arg.replace(/^--?/, "").split(/=(.*)/s);
    const name = rawName;
    if (booleans.has(name)) {
      if (name === "quiet") flags.quiet = inline !== "false";
      continue;
    }
    const value = inline ?? args[++index];
    if (value === undefined) return { ok: false, message: `flag needs an argument: -${name}` };
    switch (name) {
      case "c":
        flags.threads = Math.max(1, Number.parseInt(value, 10) || 1);
        break;
      case "qps":
        flags.qps = Number(value) || 0;
        break;
      case "n":
        flags.calls = Math.max(0, Number.parseInt(value, 10) || 0);
        break;
      case "t": {
        const ms = parseGoDuration(value);
        if (ms === undefined) return { ok: false, message: `invalid value "${value}" for flag -t: parse error` };
        flags.durationMs = ms;
        break;
      }
      case "timeout": {
        const ms = parseGoDuration(value);
        if (ms === undefined) return { ok: false, message: `invalid value "${value}" for flag -timeout: parse error` };
        flags.timeoutMs = ms;
        break;
      }
      case "H": {
        const colon = value.indexOf(":");
        if (colon > 0) flags.headers[value.slice(0, colon).trim()] = value.slice(colon + 1).trim();
        break;
      }
      case "loglevel": {
        const level = LOG_LEVELS.indexOf(value.toLowerCase());
        if (level === -1) return { ok: false, message: `invalid value "${value}" for flag -loglevel: invalid log level` };
        flags.logLevel = level;
        break;
      }
      case "p":
        flags.percentiles = value
          .split(",")
          .map((item) => Number(item.trim()))
          .filter((item) => Number.isFinite(item));
        break;
      case "payload":
        flags.payload = value;
        break;
      case "content-type":
        flags.contentType = value;
        break;
      case "json":
        flags.json = value;
        break;
      default:
        break;
    }
  }
  if (flags.quiet) flags.logLevel = Math.max(flags.logLevel, 4);
  if (!url) return { ok: false, message: "Error: fortio load needs a url or destination" };
  return { ok: true, flags, url };
}

interface CallRecord {
  seconds: number;
  code: number;
  headerBytes: number;
  totalBytes: number;
  thread: number;
  at: number;
}

/** UTF-8 size of response bodies, remembering the last body (load runs mostly get the same one back). */
class BodySizes {
  private lastBody: string | undefined;
  private lastBytes = 0;

  /** Buffer.byteLength of the body, computed again only when the body changes. */
  bytes(body: string): number {
    if (body !== this.lastBody) {
      this.lastBody = body;
      this.lastBytes = Buffer.byteLength(body);
    }
    return this.lastBytes;
  }
}

/** Header and total byte counts of one response as fortio reports them (header sizes only for 200s). */
function recordSizes(result: ClientResult, bodySizes: BodySizes, record: CallRecord): void {
  // "HTTP/1.1 " + status (3 digits) + " " + reason + CRLF, and the blank line's CRLF.
  let headerBytes = 9 + String(result.status).length + 1 + reasonPhrase(result.status).length + 2 + 2;
  for (const name in result.headers) headerBytes += name.length + (result.headers[name] ?? "").length + 4;
  record.headerBytes = result.status === 200 ? headerBytes : 0;
  record.totalBytes = headerBytes + bodySizes.bytes(result.body);
}

function clockText(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(11, 23);
}

export async function runFortio(args: string[], tools: ClientTools): Promise<ExecResult> {
  const [command, ...rest] = args;
  if (command === "version") return { stdout: `${FORTIO_VERSION} h1:h+42fJ1HF61Jj+WgPmC+C2wPtM5Ct8JLHSLDyEgGID4= go1.23.9 amd64 linux\n`, stderr: "", exitCode: 0 };
  if (command === "curl") return fortioCurl(rest, tools);
  if (command !== "load") {
    return { stdout: "", stderr: `Φορτίο ${FORTIO_VERSION} usage:\n    fortio command [flags] target\nwhere command is one of: load (load testing), server (starts ui, rest api,\n http-echo, redirect, proxies, tcp-echo, udp-echo and grpc ping servers),\n curl (single URL debug), version\n`, exitCode: 1 };
  }
  const parsed = parseFlags(rest);
  if (!parsed.ok) return { stdout: "", stderr: `${parsed.message}\n`, exitCode: 1 };
  const { flags, url } = parsed;
  const exact = flags.calls > 0;
  const threads = exact ? Math.min(flags.threads, flags.calls) : flags.threads;
  const durationMs = exact ? 0 : flags.durationMs > 0 ? flags.durationMs : 5000;
  const perThreadExact = exact ? Math.floor(flags.calls / threads) : 0;
  const remainder = exact ? flags.calls % threads : 0;
  const paced = flags.qps > 0;
  const perThreadPaced = !exact && paced ? Math.max(1, Math.floor((durationMs / 1000) * (flags.qps / threads))) : 0;
  const warmups = exact ? 0 : threads;
  // Like fortio, the summary and the log lines both go to stderr: stdout is kept for `-json -`.
  const stderr: string[] = [];
  const log = (level: number, tag: string, rid: number, text: string, epochMs: number): void => {
    if (level >= flags.logLevel) stderr.push(`${clockText(epochMs)} r${rid} [${tag}] ${text}\n`);
  };
  const qpsText = paced ? formatV(flags.qps) : "0";
  stderr.push(`Fortio ${FORTIO_VERSION} running at ${qpsText} queries per second, 2->2 procs, ${exact ? `for ${flags.calls} calls` : `for ${formatDuration(durationMs)}`}: ${url}\n`);
  if (exact && !paced) stderr.push(`Starting at max qps with ${threads} thread(s) [gomax 2] for exactly ${flags.calls} calls (${perThreadExact} per thread + ${remainder})\n`);
  else if (exact) stderr.push(`Starting at ${qpsText} qps with ${threads} thread(s) [gomax 2] : exactly ${flags.calls}, ${perThreadExact} calls each (total ${flags.calls} + ${remainder})\n`);
  else if (paced) stderr.push(`Starting at ${qpsText} qps with ${threads} thread(s) [gomax 2] for ${formatDuration(durationMs)} : ${perThreadPaced} calls each (total ${perThreadPaced * threads} + 0)\n`);
  else stderr.push(`Starting at max qps with ${threads} thread(s) [gomax 2] for ${formatDuration(durationMs)}\n`);

  const headers: Record<string, string> = { "User-Agent": USER_AGENT, ...flags.headers };
  const method = flags.payload !== undefined ? "POST" : "GET";
  if (flags.payload !== undefined) headers["Content-Type"] = flags.contentType ?? "application/octet-stream";
  const records: CallRecord[] = [];
  const bodySizes = new BodySizes();
  // fortio prints the address it connected to: the IP the URL resolved to, with the URL's port.
  const urlPort = /:(\d+)(?:\/|$)/.exec(url.replace(/^[a-z]+:\/\//i, ""))?.[1] ?? (url.startsWith("https") ? "443" : "80");
  let remoteIp: string | undefined;
  const socketsPerThread: number[] = new Array<number>(threads).fill(0);
  const connectTimes: Stats[] = Array.from({ length: threads }, () => new Stats());
  let remoteAddress = "";
  const started = { virtual: 0, epoch: 0 };
  let endedAt = 0;
  let requestCounter = 100;
  let capped = false;

  await tools.run(async () => {
    log(2, "INF", 1, `scli.go:122> Starting, command="Φορτίο", version="${FORTIO_VERSION} h1:h+42fJ1HF61Jj+WgPmC+C2wPtM5Ct8JLHSLDyEgGID4= go1.23.9 amd64 linux", go-max-procs=2`, tools.clock.epochNow());
    log(2, "INF", 1, `httprunner.go:121> Starting http test, run=0, url="${url}", threads=${threads}, qps="${paced ? flags.qps.toFixed(1) : "-1.0"}", warmup="parallel", conn-reuse=""`, tools.clock.epochNow());
    const send = (): Promise<ClientResult> => tools.send(url, { method, headers, body: flags.payload, timeoutMs: flags.timeoutMs });
    if (warmups > 0) await tools.clock.all(Array.from({ length: threads }, () => send));
    started.virtual = tools.clock.now();
    started.epoch = tools.clock.epochNow();
    const deadline = started.virtual + durationMs;
    const intervalMs = paced ? (1000 * threads) / flags.qps : 0;
    await tools.clock.all(
      Array.from({ length: threads }, (_, thread) => async () => {
        const budget = exact ? perThreadExact + (thread < remainder ? 1 : 0) : paced ? perThreadPaced : Math.floor(MAX_CALLS / threads);
        let socketOpen = false;
        const threadStart = tools.clock.now();
        for (let call = 0; call < budget; call++) {
          if (!exact && !paced && tools.clock.now() >= deadline) break;
          if (!exact && !paced && call === budget - 1) capped = true;
          if (paced) {
            const due = started.virtual + call * intervalMs;
            if (due > tools.clock.now()) await tools.clock.sleep(due - tools.clock.now());
          }
          if (!socketOpen) {
            const connectMs = 0.08 + (((thread * 7919 + call * 104729) % 97) / 97) * 0.06;
            await tools.clock.sleep(connectMs);
            connectTimes[thread]?.add(connectMs / 1000);
            socketsPerThread[thread] = (socketsPerThread[thread] ?? 0) + 1;
            socketOpen = true;
          }
          const callStart = tools.clock.now();
          const result = await send();
          const seconds = Math.round((tools.clock.now() - callStart) * 1000) / 1_000_000;
          if (result.remoteIp && result.remoteIp !== remoteIp) {
            remoteIp = result.remoteIp;
            remoteAddress = `${remoteIp}:${urlPort}`;
          }
          const code = result.error ? -1 : result.status;
          const record: CallRecord = { seconds, code, headerBytes: 0, totalBytes: 0, thread, at: tools.clock.epochNow() };
          if (!result.error) recordSizes(result, bodySizes, record);
          records.push(record);
          requestCounter += 1;
          if (result.error) {
            log(4, "ERR", requestCounter, `http_client.go:1012> Unable to read, err="${result.error.message}", thread=${thread}, run=0`, tools.clock.epochNow());
          } else if (code < 200 || code >= 300) {
            log(3, "WRN", requestCounter, `http_client.go:1151> Non ok http code, code=${code}, status="HTTP/1.1 ${code}", thread=${thread}, run=0`, tools.clock.epochNow());
          }
          // fortio drops the connection after an error or a non-2xx answer and reconnects for the next call.
          if (result.error || code < 200 || code >= 300) socketOpen = false;
        }
        const threadMs = tools.clock.now() - threadStart;
        const threadCalls = records.filter((record) => record.thread === thread).length;
        log(2, "INF", 1, `periodic.go:851> T${String(thread).padStart(3, "0")} ended after ${formatDuration(threadMs)} : ${threadCalls} calls. qps=${threadMs > 0 ? formatG((threadCalls * 1000) / threadMs, 5) : "0"}`, tools.clock.epochNow());
      }),
    );
    endedAt = tools.clock.now();
  });

  const elapsedMs = Math.max(endedAt - started.virtual, 0.001);
  const total = records.length;
  const achievedQps = (total * 1000) / elapsedMs;
  stderr.push(`Ended after ${formatDuration(elapsedMs)} : ${total} calls. qps=${formatG(achievedQps, 5)}\n`);
  const latency = new Stats();
  const errors = new Stats();
  const headerSizes = new Stats();
  const totalSizes = new Stats();
  const codes = new Map<number, number>();
  for (const record of records) {
    latency.add(record.seconds);
    if (record.code < 200 || record.code >= 300) errors.add(record.seconds);
    headerSizes.add(record.headerBytes);
    totalSizes.add(record.totalBytes);
    codes.set(record.code, (codes.get(record.code) ?? 0) + 1);
  }
  stderr.push(`${latency.line("Aggregated Function Time")}\n`);
  for (const line of histogram(latency.values, flags.percentiles)) stderr.push(`${line}\n`);
  stderr.push(`${errors.line("Error cases")}\n`);
  const sockets = socketsPerThread.reduce((sum, count) => sum + count, 0);
  stderr.push("# Socket and IP used for each connection:\n");
  socketsPerThread.forEach((count, thread) => {
    const timing = connectTimes[thread] ?? new Stats();
    const summary = timing.summary();
    stderr.push(`[${thread}] ${String(count).padStart(3, " ")} socket used, resolved to ${remoteAddress || url}, connection timing : count ${timing.count} avg ${formatG(summary.avg, 8)} +/- ${formatG(summary.stddev, 4)} min ${formatV(summary.min)} max ${formatV(summary.max)} sum ${formatV(summary.sum)}\n`);
  });
  stderr.push(`Sockets used: ${sockets} (for perfect keepalive, would be ${threads})\n`);
  stderr.push(`Uniform: false, Jitter: false, Catchup allowed: true\n`);
  stderr.push(`IP addresses distribution:\n${remoteAddress || url}: ${sockets}\n`);
  for (const [code, count] of [...codes.entries()].sort((a, b) => a[0] - b[0])) {
    stderr.push(`Code ${code} : ${count} (${((100 * count) / Math.max(1, total)).toFixed(1)} %)\n`);
  }
  stderr.push(`${headerSizes.line("Response Header Sizes")}\n`);
  stderr.push(`${totalSizes.line("Response Body/Total Sizes")}\n`);
  const avgMs = latency.count ? (latency.summary().avg * 1000).toFixed(3) : "0.000";
  stderr.push(`All done ${total} calls (plus ${warmups} warmup) ${avgMs} ms avg, ${achievedQps.toFixed(1)} qps\n`);
  if (capped) stderr.push(`${clockText(tools.clock.epochNow())} r1 [WRN] periodic.go:600> Run stopped after ${total} calls (simulation limit)\n`);
  let stdout = "";
  if (flags.json !== undefined) {
    const result = {
      RunType: "HTTP",
      Labels: `${url.replace(/^[a-z]+:\/\//i, "")} , ${tools.pod.name}`,
      StartTime: new Date(started.epoch).toISOString(),
      RequestedQPS: paced ? String(flags.qps) : "max",
      RequestedDuration: exact ? `exactly ${flags.calls} calls` : formatDuration(durationMs),
      ActualQPS: achievedQps,
      ActualDuration: Math.round(elapsedMs * 1e6),
      NumThreads: threads,
      Version: FORTIO_VERSION,
      DurationHistogram: histogramJson(latency, flags.percentiles),
      ErrorsDurationHistogram: histogramJson(errors, flags.percentiles),
      Exactly: flags.calls,
      RetCodes: Object.fromEntries([...codes.entries()].sort((a, b) => a[0] - b[0]).map(([code, count]) => [String(code), count])),
      IPCountMap: { [remoteAddress || url]: sockets },
      URL: url,
      HTTPReqTimeOut: Math.round(flags.timeoutMs * 1e6),
      Sockets: socketsPerThread,
      SocketCount: sockets,
      HeaderSizes: histogramJson(headerSizes, []),
      Sizes: histogramJson(totalSizes, []),
    };
    const json = `${JSON.stringify(result, null, 2)}\n`;
    // Only "-" (stdout) can be written here: a file path would land in a container filesystem nobody can read back.
    if (flags.json === "-") stdout = json;
    stderr.push(`Successfully wrote ${Buffer.byteLength(json)} bytes of Json data to ${flags.json === "-" ? "stdout" : flags.json}\n`);
  }
  return { stdout, stderr: stderr.join(""), exitCode: 0 };
}

async function fortioCurl(args: string[], tools: ClientTools): Promise<ExecResult> {
  const parsed = parseFlags(args);
  if (!parsed.ok) return { stdout: "", stderr: `${parsed.message}\n`, exitCode: 1 };
  const { flags, url } = parsed;
  const headers: Record<string, string> = { "User-Agent": USER_AGENT, ...flags.headers };
  const result = await tools.run(() => tools.send(url, { method: flags.payload !== undefined ? "POST" : "GET", headers, body: flags.payload, timeoutMs: flags.timeoutMs }));
  if (result.error) {
    return { stdout: "", stderr: `${clockText(tools.clock.epochNow())} r1 [ERR] http_client.go:1012> Unable to connect, err="${result.error.message}", destination="${url}"\n${clockText(tools.clock.epochNow())} r1 [ERR] curl.go:58> Error fetching ${url}: status -1\n`, exitCode: 1 };
  }
  const head = `HTTP/1.1 ${result.status} ${reasonPhrase(result.status)}\r\n${Object.entries(result.headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join("")}\r\n`;
  const stderr = result.status < 200 || result.status >= 300 ? `${clockText(tools.clock.epochNow())} r1 [WRN] http_client.go:1151> Non ok http code, code=${result.status}, status="HTTP/1.1 ${result.status}", thread=0, run=0\n` : "";
  return { stdout: head + result.body, stderr, exitCode: 0 };
}
