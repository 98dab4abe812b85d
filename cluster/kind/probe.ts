// Probes on a real cluster: the in-pod commands (a curl loop in sleep-like pods, `fortio load -json -` in fortio
// pods), parsing what they print, and joining each response with the caller sidecar's access-log record.
import { z } from "zod";
import type { ProbeResponse, ProbeSpec } from "../driver";
import type { AccessLogRecord } from "./access-log";

/** Single-quotes a word for sh. */
export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

const defaultTimeoutMs = 15_000;

/** The x-request-id of request `index` of a run: the key that finds it in the caller's access log. */
export function probeRequestId(runId: string, index: number): string {
  return `${runId}-${index}`;
}

/**
 * One `sh -c` script that sends the probe's requests with curl: `concurrency` background loops sharing the
 * requests round-robin, each request tagged with its own x-request-id, paced to `qps` when set. Every request
 * prints `@@ica-begin <i>`, the response (headers and body, `curl -i`) and `@@ica-end <code> <seconds>`.
 */
export function curlProbeScript(spec: ProbeSpec, runId: string): string {
  const concurrency = Math.max(1, Math.min(spec.concurrency ?? 1, spec.requests));
  const timeoutSeconds = ((spec.timeoutMs ?? defaultTimeoutMs) / 1000).toFixed(3);
  const headerArgs = Object.entries(spec.headers ?? {})
    .map(([name, value]) => `-H ${shellQuote(`${name}: ${value}`)}`)
    .join(" ");
  const pause = spec.qps && spec.qps > 0 ? `sleep ${(concurrency / spec.qps).toFixed(3)}; ` : "";
  const request = [
    "curl -s -i",
    `-X ${shellQuote((spec.method ?? "GET").toUpperCase())}`,
    `--max-time ${timeoutSeconds}`,
    `-H ${shellQuote("x-request-id: ")}"${runId}-$i"`,
    headerArgs,
    `-w ${shellQuote("\\n@@ica-end %{http_code} %{time_total}\\n")}`,
    shellQuote(spec.url),
  ]
    .filter(Boolean)
    .join(" ");
  const workers: string[] = [];
  for (let worker = 0; worker < concurrency; worker++) {
    workers.push(`(for i in $(seq ${worker} ${concurrency} ${spec.requests - 1}); do printf '@@ica-begin %s\\n' "$i"; ${request}; ${pause}done) > "$dir/${worker}" &`);
  }
  return [`dir=$(mktemp -d /tmp/ica-probe.XXXXXX) || exit 1`, ...workers, "wait", `cat "$dir"/*`, `rm -rf "$dir"`].join("\n");
}

/** One response as curl printed it. */
export interface CurlResponse {
  index: number;
  status: number;
  latencyMs: number;
  headers: Record<string, string>;
  body: string;
}

const responsePattern = /@@ica-begin (\d+)\n([\s\S]*?)\n@@ica-end (\d{3}) ([\d.]+)(?:\n|$)/g;

/** Splits the script's output into responses, ordered by request index. */
export function parseCurlProbeOutput(stdout: string, bodyLimit = 64 * 1024): CurlResponse[] {
  const responses: CurlResponse[] = [];
  for (const match of stdout.matchAll(responsePattern)) {
    const raw = match[2] ?? "";
    const split = raw.indexOf("\r\n\r\n");
    const head = split >= 0 ? raw.slice(0, split) : "";
    const body = split >= 0 ? raw.slice(split + 4) : raw;
    const headers: Record<string, string> = {};
    for (const line of head.split("\r\n").slice(1)) {
      const colon = line.indexOf(":");
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    responses.push({ index: Number(match[1]), status: Number(match[3]), latencyMs: Number(match[4]) * 1000, headers, body: body.slice(0, bodyLimit) });
  }
  return responses.sort((a, b) => a.index - b.index);
}

/** `fortio load` arguments for the probe; the run id goes in the User-Agent so the access log can be matched. */
export function fortioProbeArgs(spec: ProbeSpec, runId: string): string[] {
  const args = ["fortio", "load", "-json", "-", "-loglevel", "Warning", "-c", String(Math.max(1, spec.concurrency ?? 1)), "-qps", String(spec.qps ?? 0), "-n", String(spec.requests)];
  args.push("-timeout", `${spec.timeoutMs ?? defaultTimeoutMs}ms`, "-H", `User-Agent: ${runId}`);
  for (const [name, value] of Object.entries(spec.headers ?? {})) args.push("-H", `${name}: ${value}`);
  if (spec.method && spec.method.toUpperCase() !== "GET") args.push("-X", spec.method.toUpperCase());
  args.push(spec.url);
  return args;
}

/** The parts of fortio's JSON result a probe needs (RetCodes keys are strings: `{"200": 19, "503": 11}`). */
export const fortioResultSchema = z.looseObject({
  RetCodes: z.record(z.string(), z.number()).default({}),
  ActualDuration: z.number().optional(),
  DurationHistogram: z
    .looseObject({
      Count: z.number(),
      Avg: z.number(),
      Data: z.array(z.looseObject({ Start: z.number(), End: z.number(), Count: z.number() })).nullable().default([]),
    })
    .optional(),
});

export type FortioResult = z.infer<typeof fortioResultSchema>;

/** Parses `fortio load -json -` stdout; throws with the reason when it is not fortio's result. */
export function parseFortioJson(stdout: string): FortioResult {
  let value: unknown;
  try {
    value = JSON.parse(stdout);
  } catch (error) {
    throw new Error(`fortio did not print JSON: ${(error as Error).message}`);
  }
  const parsed = fortioResultSchema.safeParse(value);
  if (!parsed.success) throw new Error(`fortio's JSON has an unexpected shape: ${parsed.error.issues[0]?.message ?? "invalid"}`);
  return parsed.data;
}

/** Per-call latencies (ms) spread over fortio's histogram buckets (each call at its bucket's middle). */
function latenciesFromHistogram(result: FortioResult): number[] {
  const latencies: number[] = [];
  for (const bucket of result.DurationHistogram?.Data ?? []) {
    for (let i = 0; i < bucket.Count; i++) latencies.push(((bucket.Start + bucket.End) / 2) * 1000);
  }
  return latencies;
}

/** Maps an upstream host (ip:port) to the pod serving it, as `name.namespace`. */
export type PodByAddress = (hostPort: string) => string | undefined;

function fromRecord(record: AccessLogRecord | undefined, podAt: PodByAddress): Pick<ProbeResponse, "flags" | "upstreamCluster" | "upstreamPod"> {
  if (!record) return { flags: "-" };
  return {
    flags: record.responseFlags,
    upstreamCluster: record.upstreamCluster,
    upstreamPod: record.upstreamHost ? podAt(record.upstreamHost) : undefined,
  };
}

/** Curl responses joined with their access-log records by x-request-id. */
export function curlResponses(responses: CurlResponse[], records: AccessLogRecord[], runId: string, podAt: PodByAddress): ProbeResponse[] {
  const byId = new Map(records.filter((r) => r.requestId).map((r) => [r.requestId!, r]));
  return responses.map((response) => ({
    status: response.status,
    latencyMs: response.latencyMs,
    body: response.body,
    headers: response.headers,
    ...fromRecord(byId.get(probeRequestId(runId, response.index)), podAt),
  }));
}

/**
 * Fortio's counts turned into one response per call: the caller sidecar's records for the run give each call
 * its flags, upstream and duration; calls the log has not shown yet keep fortio's status and histogram latency.
 */
export function fortioResponses(result: FortioResult, records: AccessLogRecord[], podAt: PodByAddress): ProbeResponse[] {
  const latencies = latenciesFromHistogram(result);
  const unmatched = [...records];
  const responses: ProbeResponse[] = [];
  const codes = Object.entries(result.RetCodes).sort(([a], [b]) => Number(a) - Number(b));
  for (const [code, count] of codes) {
    const status = Number(code) < 0 ? 0 : Number(code);
    for (let i = 0; i < count; i++) {
      const at = unmatched.findIndex((record) => record.responseCode === status);
      const record = at >= 0 ? unmatched.splice(at, 1)[0] : undefined;
      const latencyMs = record?.durationMs ?? latencies[responses.length] ?? (result.DurationHistogram?.Avg ?? 0) * 1000;
      responses.push({ status, latencyMs, body: "", headers: {}, ...fromRecord(record, podAt) });
    }
  }
  return responses;
}
