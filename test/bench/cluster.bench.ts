// Benchmark of the embedded cluster: creating a fresh cluster (target < 10 ms), heap per idle cluster (target < 2 MB),
// and the HTTP round trip of a VirtualService apply as kubectl makes it (GET, then POST or PATCH; target p95 < 20 ms).
// Also reports one real `kubectl apply` process for information. `run()` prints medians, p95s and ratios to targets.

import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { Agent, request } from "node:https";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { EmbeddedCluster, sharedBaseline } from "@/cluster/embedded/cluster";
import { ClusterHost } from "@/cluster/embedded/host";

export interface ClusterBenchResult {
  name: string;
  median: number;
  p95: number;
  unit: "ms" | "MB";
  /** The figure compared with the target (median or p95). */
  compared: "median" | "p95";
  target: number;
  /** compared figure / target: below 1 meets the target. */
  ratio: number;
}

function percentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? 0;
}

/** `global.gc`, exposing it on the fly when node was started without --expose-gc. */
function collector(): () => void {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (existing) return existing;
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}

function createTimes(samples: number): number[] {
  sharedBaseline();
  const times: number[] = [];
  const keep: EmbeddedCluster[] = [];
  for (let index = 0; index < samples; index++) {
    const started = performance.now();
    keep.push(EmbeddedCluster.create());
    times.push(performance.now() - started);
  }
  return times;
}

function heapPerCluster(count: number, rounds: number): number[] {
  const gc = collector();
  const perCluster: number[] = [];
  sharedBaseline();
  for (let round = 0; round < rounds; round++) {
    const host = new ClusterHost();
    gc();
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let index = 0; index < count; index++) host.create(`idle-${index}`);
    gc();
    gc();
    const after = process.memoryUsage().heapUsed;
    perCluster.push((after - before) / count / (1024 * 1024));
    for (const id of host.ids()) host.delete(id);
  }
  return perCluster;
}

interface Reply {
  status: number;
  body: string;
}

function call(agent: Agent, url: string, method: string, token: string, body?: string, contentType = "application/json"): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent, rejectUnauthorized: false, headers: { authorization: `Bearer ${token}`, accept: "application/json", ...(body ? { "content-type": contentType } : {}) } }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

function virtualService(weight: number): Record<string, unknown> {
  return {
    apiVersion: "networking.istio.io/v1",
    kind: "VirtualService",
    metadata: { name: "reviews", namespace: "default" },
    spec: {
      hosts: ["reviews"],
      http: [
        {
          route: [
            { destination: { host: "reviews", subset: "v1" }, weight },
            { destination: { host: "reviews", subset: "v2" }, weight: 100 - weight },
          ],
        },
      ],
    },
  };
}

/** kubectl apply's requests for one VirtualService: GET it, then POST when missing or PATCH (merge) when present. */
async function applyRoundTrips(samples: number): Promise<{ times: number[]; kubectlMs: number[] }> {
  const host = new ClusterHost();
  const base = await host.listen(0);
  const { id, token } = host.create("bench");
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const collection = `${base}/clusters/${id}/apis/networking.istio.io/v1/namespaces/default/virtualservices`;
  const times: number[] = [];
  for (let index = 0; index < samples + 20; index++) {
    const desired = virtualService(index % 2 === 0 ? 80 : 70);
    const lastApplied = JSON.stringify(desired);
    const started = performance.now();
    const current = await call(agent, `${collection}/reviews?timeout=32s`, "GET", token);
    if (current.status === 404) {
      const body = { ...desired, metadata: { ...(desired.metadata as object), annotations: { "kubectl.kubernetes.io/last-applied-configuration": lastApplied } } };
      const created = await call(agent, `${collection}?fieldManager=kubectl-client-side-apply&fieldValidation=Strict`, "POST", token, JSON.stringify(body));
      if (created.status !== 201) throw new Error(`create failed: ${created.status} ${created.body}`);
    } else {
      const patch = { metadata: { annotations: { "kubectl.kubernetes.io/last-applied-configuration": lastApplied } }, spec: desired.spec };
      const patched = await call(agent, `${collection}/reviews?fieldManager=kubectl-client-side-apply&fieldValidation=Strict`, "PATCH", token, JSON.stringify(patch), "application/merge-patch+json");
      if (patched.status !== 200) throw new Error(`patch failed: ${patched.status} ${patched.body}`);
    }
    if (index >= 20) times.push(performance.now() - started);
  }
  agent.destroy();

  const dir = mkdtempSync(join(tmpdir(), "ica-bench-"));
  const kubeconfig = join(dir, "kubeconfig");
  writeFileSync(kubeconfig, host.kubeconfig(id));
  const kubectlMs: number[] = [];
  for (let index = 0; index < 6; index++) {
    const manifest = join(dir, "vs.json");
    writeFileSync(manifest, JSON.stringify(virtualService(index % 2 === 0 ? 60 : 40)));
    const started = performance.now();
    await promisify(execFile)("/usr/bin/kubectl", ["--kubeconfig", kubeconfig, "--cache-dir", join(dir, "cache"), "apply", "-f", manifest]);
    if (index > 0) kubectlMs.push(performance.now() - started);
  }
  rmSync(dir, { recursive: true, force: true });
  await host.close();
  return { times, kubectlMs };
}

function summarize(name: string, values: number[], unit: ClusterBenchResult["unit"], compared: ClusterBenchResult["compared"], target: number): ClusterBenchResult {
  const median = percentile(values, 0.5);
  const p95 = percentile(values, 0.95);
  return { name, median, p95, unit, compared, target, ratio: (compared === "median" ? median : p95) / target };
}

export async function run(): Promise<ClusterBenchResult[]> {
  const firstStarted = performance.now();
  EmbeddedCluster.create();
  const firstCreateMs = performance.now() - firstStarted;

  const results = [
    summarize("create a fresh cluster", createTimes(500), "ms", "median", 10),
    summarize("heap per idle cluster (200 clusters)", heapPerCluster(200, 3), "MB", "median", 2),
  ];
  const { times, kubectlMs } = await applyRoundTrips(200);
  results.push(summarize("kubectl-style apply round trip of one VirtualService (GET + POST/PATCH over HTTPS)", times, "ms", "p95", 20));

  const format = (value: number): string => (value < 0.1 ? value.toFixed(4) : value.toFixed(2));
  for (const result of results) {
    console.log(
      `cluster: ${result.name}: median ${format(result.median)} ${result.unit}, p95 ${format(result.p95)} ${result.unit} (target ${result.compared} < ${result.target} ${result.unit}, ratio ${result.ratio.toFixed(4)})`,
    );
  }
  console.log(`cluster: first create in this process, including building the shared baseline once: ${firstCreateMs.toFixed(1)} ms (information)`);
  console.log(`cluster: one real kubectl apply process, start to exit: median ${percentile(kubectlMs, 0.5).toFixed(0)} ms (information)`);
  console.log(`cluster: machine load average ${loadavg()[0]?.toFixed(1) ?? "?"} on ${availableParallelism()} CPUs while measuring (tail latencies grow with load)`);
  return results;
}
