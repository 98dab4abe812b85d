// Probe plumbing for real clusters: the curl script (run in a real sh), parsing curl and fortio output, and
// joining fortio's counts with the caller sidecar's access log (Istio's default text format).
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseAccessLog, parseAccessLogLine } from "@/cluster/kind/access-log";
import { curlProbeScript, fortioProbeArgs, fortioResponses, parseCurlProbeOutput, parseFortioJson } from "@/cluster/kind/probe";

const shimDir = mkdtempSync(path.join(tmpdir(), "ica-curl-shim-"));
afterAll(() => rmSync(shimDir, { recursive: true, force: true }));

/** A `curl` that answers without a network: echoes its x-request-id and the URL, like `curl -i -w …` prints. */
function installCurlShim(): void {
  const shim = `#!/bin/sh
id=""; url=""; fmt=""; method=GET
while [ $# -gt 0 ]; do
  case "$1" in
    -H) case "$2" in x-request-id:*) id="\${2#x-request-id: }";; esac; shift 2;;
    -w) fmt="$2"; shift 2;;
    -X) method="$2"; shift 2;;
    --max-time) shift 2;;
    -*) shift;;
    *) url="$1"; shift;;
  esac
done
printf 'HTTP/1.1 200 OK\\r\\ncontent-type: text/plain\\r\\nx-seen-id: %s\\r\\n\\r\\n%s %s %s' "$id" "$method" "$url" "$id"
out=$(printf '%s' "$fmt" | sed -e 's/%{http_code}/200/' -e 's/%{time_total}/0.012500/')
printf "$out"
`;
  writeFileSync(path.join(shimDir, "curl"), shim);
  chmodSync(path.join(shimDir, "curl"), 0o755);
}
installCurlShim();

describe("the curl probe script", () => {
  it("sends each request once, tagged with its own id, across the requested concurrency", () => {
    const script = curlProbeScript({ from: { namespace: "default", app: "sleep" }, url: "http://reviews:9080/reviews/0?x='quoted'", requests: 7, concurrency: 3, headers: { "end-user": "jason's" } }, "ica-probe-abc");
    const run = spawnSync("sh", ["-c", script], { env: { ...process.env, PATH: `${shimDir}:${process.env.PATH}` }, encoding: "utf8" });
    expect(run.status).toBe(0);
    const responses = parseCurlProbeOutput(run.stdout);
    expect(responses.map((r) => r.index)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    for (const r of responses) {
      expect(r).toMatchObject({ status: 200, latencyMs: 12.5, headers: { "content-type": "text/plain", "x-seen-id": `ica-probe-abc-${r.index}` } });
      expect(r.body).toBe(`GET http://reviews:9080/reviews/0?x='quoted' ica-probe-abc-${r.index}`);
    }
  });

  it("paces requests when qps is set and caps bodies at bodyLimit", () => {
    const script = curlProbeScript({ from: { namespace: "default", app: "sleep" }, url: "http://a/", requests: 2, qps: 20, method: "post" }, "r");
    expect(script).toContain("sleep 0.050");
    expect(script).toContain("-X 'POST'");
    const run = spawnSync("sh", ["-c", script], { env: { ...process.env, PATH: `${shimDir}:${process.env.PATH}` }, encoding: "utf8" });
    expect(parseCurlProbeOutput(run.stdout, 4).map((r) => r.body)).toEqual(["POST", "POST"]);
  });

  it("reads a failed connection as status 0", () => {
    const out = "@@ica-begin 0\n\n@@ica-end 000 3.001000\n";
    expect(parseCurlProbeOutput(out)).toEqual([{ index: 0, status: 0, latencyMs: 3001, headers: {}, body: "" }]);
  });
});

const logLines = (runId: string) =>
  [
    `2026-03-02T09:00:00.000000Z\tinfo\tEnvoy proxy is ready`,
    `[2026-03-02T09:00:01.010Z] "GET /get HTTP/1.1" 200 - via_upstream - "-" 0 594 4 3 "-" "${runId}" "6c1f…" "httpbin:8000" "10.244.0.31:8080" outbound|8000||httpbin.default.svc.cluster.local 10.244.0.40:51234 10.96.12.7:8000 10.244.0.40:40012 - default`,
    `[2026-03-02T09:00:01.011Z] "GET /get HTTP/1.1" 503 UO upstream_reset_before_response_started{overflow} - "-" 0 81 0 - "-" "${runId}" "8a2e…" "httpbin:8000" "-" outbound|8000||httpbin.default.svc.cluster.local - 10.96.12.7:8000 10.244.0.40:40014 - default`,
    `[2026-03-02T09:00:01.012Z] "GET /get HTTP/1.1" 200 - via_upstream - "-" 0 594 5 5 "-" "${runId}" "9f00…" "httpbin:8000" "10.244.0.31:8080" outbound|8000||httpbin.default.svc.cluster.local 10.244.0.40:51236 10.96.12.7:8000 10.244.0.40:40016 - default`,
    `[2026-03-02T09:00:01.012Z] "GET /get HTTP/1.1" 503 UO upstream_reset_before_response_started{overflow} - "-" 0 81 1 - "-" "${runId}" "aa01…" "httpbin:8000" "-" outbound|8000||httpbin.default.svc.cluster.local - 10.96.12.7:8000 10.244.0.40:40018 - default`,
  ].join("\n");

describe("Istio access-log lines", () => {
  it("parses the default text format and skips Envoy's own log lines", () => {
    const records = parseAccessLog(logLines("ica-probe-1"));
    expect(records).toHaveLength(4);
    expect(records[1]).toEqual({
      startTime: "2026-03-02T09:00:01.011Z",
      method: "GET",
      path: "/get",
      responseCode: 503,
      responseFlags: "UO",
      durationMs: 0,
      userAgent: "ica-probe-1",
      requestId: "8a2e…",
      authority: "httpbin:8000",
      upstreamHost: undefined,
      upstreamCluster: "outbound|8000||httpbin.default.svc.cluster.local",
    });
    expect(parseAccessLogLine("[not a request line]")).toBeUndefined();
  });
});

describe("fortio probes", () => {
  const fortioJson = JSON.stringify({
    RunType: "HTTP",
    RequestedQPS: "max",
    NumThreads: 2,
    ActualDuration: 12_000_000,
    DurationHistogram: { Count: 4, Min: 0.0001, Max: 0.005, Sum: 0.01, Avg: 0.0025, StdDev: 0.002, Data: [{ Start: 0.0001, End: 0.001, Percent: 50, Count: 2 }, { Start: 0.004, End: 0.005, Percent: 100, Count: 2 }], Percentiles: [{ Percentile: 50, Value: 0.001 }] },
    RetCodes: { "200": 2, "503": 2 },
    URL: "http://httpbin:8000/get",
  });

  it("builds `fortio load -json -` with the run id as User-Agent", () => {
    expect(fortioProbeArgs({ from: { namespace: "default", app: "fortio" }, url: "http://httpbin:8000/get", requests: 30, concurrency: 3, headers: { "x-a": "1" } }, "ica-probe-9")).toEqual([
      "fortio", "load", "-json", "-", "-loglevel", "Warning", "-c", "3", "-qps", "0", "-n", "30", "-timeout", "15000ms", "-H", "User-Agent: ica-probe-9", "-H", "x-a: 1", "http://httpbin:8000/get",
    ]);
  });

  it("gives each call its status, flags and duration from the caller's access log", () => {
    const responses = fortioResponses(parseFortioJson(fortioJson), parseAccessLog(logLines("ica-probe-9")), (host) => (host === "10.244.0.31:8080" ? "httpbin-6f7d-k2x9q.default" : undefined));
    expect(responses.map((r) => `${r.status} ${r.flags} ${r.latencyMs}`)).toEqual(["200 - 4", "200 - 5", "503 UO 0", "503 UO 1"]);
    expect(responses[0]).toMatchObject({ upstreamPod: "httpbin-6f7d-k2x9q.default", upstreamCluster: "outbound|8000||httpbin.default.svc.cluster.local" });
  });

  it("falls back to fortio's own counts and histogram when the log has not shown the calls", () => {
    const responses = fortioResponses(parseFortioJson(fortioJson), [], () => undefined);
    expect(responses.map((r) => `${r.status} ${r.flags}`)).toEqual(["200 -", "200 -", "503 -", "503 -"]);
    expect(responses.map((r) => Math.round(r.latencyMs * 100) / 100)).toEqual([0.55, 0.55, 4.5, 4.5]);
  });

  it("rejects output that is not fortio's JSON", () => {
    expect(() => parseFortioJson("All done 30 calls")).toThrow(/fortio did not print JSON/);
    expect(() => parseFortioJson('{"RetCodes": {"200": "many"}}')).toThrow(/unexpected shape/);
  });
});
