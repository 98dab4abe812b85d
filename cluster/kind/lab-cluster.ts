// A LabCluster for a real cluster reached through a kubeconfig (a kind cluster, or any cluster running Istio):
// Envoy config and stats through `pilot-agent request` in istio-proxy, proxy sync status through istiod's
// /debug/syncz (`pilot-discovery request` in the discovery container), and probes run inside the mesh.
import { randomBytes } from "node:crypto";
import { CoreV1Api, KubeConfig, type V1Pod } from "@kubernetes/client-node";
import { z } from "zod";
import { ClusterUnavailableError, type DriverKind, type ExecResult, type LabCluster, type PodRef, type ProbeResult, type ProbeSpec, type ProxySyncStatus } from "../driver";
import { parseAccessLog, type AccessLogRecord } from "./access-log";
import { curlProbeScript, curlResponses, fortioProbeArgs, fortioResponses, parseCurlProbeOutput, parseFortioJson, probeRequestId, type PodByAddress } from "./probe";
import { kubeTransport, type PodTransport } from "./transport";

const syncStatusSchema = z.array(
  z.looseObject({
    proxy: z.string().optional(),
    istio_version: z.string().optional(),
    cluster_sent: z.string().optional(),
    cluster_acked: z.string().optional(),
    listener_sent: z.string().optional(),
    listener_acked: z.string().optional(),
    route_sent: z.string().optional(),
    route_acked: z.string().optional(),
    endpoint_sent: z.string().optional(),
    endpoint_acked: z.string().optional(),
  }),
);

/** One xDS type's column of `istioctl proxy-status`: nothing sent, the sent nonce acknowledged, or not yet. */
export function xdsSyncState(sent: string | undefined, acked: string | undefined): ProxySyncStatus["cds"] {
  if (!sent) return "NOT SENT";
  return sent === acked ? "SYNCED" : "STALE";
}

/** Rows of `istioctl proxy-status` from one istiod's /debug/syncz JSON. */
export function parseSyncz(text: string, istiod: string): ProxySyncStatus[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ClusterUnavailableError(`istiod's /debug/syncz is not JSON: ${(error as Error).message}`);
  }
  const parsed = syncStatusSchema.safeParse(value ?? []);
  if (!parsed.success) throw new ClusterUnavailableError(`istiod's /debug/syncz has an unexpected shape: ${parsed.error.issues[0]?.message}`);
  return parsed.data
    .filter((row) => row.proxy)
    .map((row) => {
      const id = row.proxy!;
      const dot = id.lastIndexOf(".");
      return {
        proxy: dot > 0 ? { name: id.slice(0, dot), namespace: id.slice(dot + 1) } : { name: id, namespace: "" },
        cds: xdsSyncState(row.cluster_sent, row.cluster_acked),
        lds: xdsSyncState(row.listener_sent, row.listener_acked),
        eds: xdsSyncState(row.endpoint_sent, row.endpoint_acked),
        rds: xdsSyncState(row.route_sent, row.route_acked),
        istiod,
        version: row.istio_version ?? "",
      };
    })
    .sort((a, b) => `${a.proxy.namespace}/${a.proxy.name}`.localeCompare(`${b.proxy.namespace}/${b.proxy.name}`));
}

const fortioImage = /(^|\/)fortio(\/|:|$)/;

export interface KubeLabClusterOptions {
  driver?: DriverKind;
  /** How commands reach pods; defaults to client-node Exec and pod logs. */
  transport?: PodTransport;
  /** Where istiod runs. */
  istioNamespace?: string;
  /** How long to wait for a probe's requests to show in the caller's access log (Envoy flushes it about once a second). */
  accessLogWaitMs?: number;
  /** Waits between access-log reads (tests pass an instant one). */
  sleep?: (ms: number) => Promise<void>;
  /** Run ids for probes (tests pass a fixed one). */
  newRunId?: () => string;
}

export class KubeLabCluster implements LabCluster {
  readonly driver: DriverKind;
  private readonly config = new KubeConfig();
  private readonly transport: PodTransport;
  private readonly istioNamespace: string;
  private readonly accessLogWaitMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly newRunId: () => string;

  constructor(
    readonly id: string,
    private readonly kubeconfigText: string,
    options: KubeLabClusterOptions = {},
  ) {
    this.config.loadFromString(kubeconfigText);
    this.driver = options.driver ?? "kind";
    this.transport = options.transport ?? kubeTransport(this.config);
    this.istioNamespace = options.istioNamespace ?? "istio-system";
    this.accessLogWaitMs = options.accessLogWaitMs ?? 12_000;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.newRunId = options.newRunId ?? (() => `ica-probe-${randomBytes(6).toString("hex")}`);
  }

  kubeConfig(): KubeConfig {
    return this.config;
  }

  kubeconfigYaml(): string {
    return this.kubeconfigText;
  }

  private core(): CoreV1Api {
    return this.config.makeApiClient(CoreV1Api);
  }

  /** `pilot-agent request GET <path>` in the pod's istio-proxy: Envoy's admin answer, or ClusterUnavailableError. */
  private async envoyAdmin(pod: PodRef, path: string): Promise<string> {
    const result = await this.transport.exec(pod, "istio-proxy", ["pilot-agent", "request", "GET", path], { timeoutMs: 60_000 });
    if (result.exitCode !== 0) {
      throw new ClusterUnavailableError(`pilot-agent request GET ${path} in ${pod.namespace}/${pod.name} failed: ${(result.stderr || result.stdout).trim() || `exit ${result.exitCode}`}`);
    }
    return result.stdout;
  }

  async configDump(pod: PodRef, options: { includeEds?: boolean } = {}): Promise<unknown> {
    const text = await this.envoyAdmin(pod, options.includeEds ? "config_dump?include_eds=true" : "config_dump");
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw new ClusterUnavailableError(`Envoy's config_dump from ${pod.namespace}/${pod.name} is not JSON: ${(error as Error).message}`);
    }
  }

  proxyStats(pod: PodRef): Promise<string> {
    return this.envoyAdmin(pod, "stats");
  }

  async proxyStatus(): Promise<ProxySyncStatus[]> {
    const pods = await this.core().listNamespacedPod({ namespace: this.istioNamespace, labelSelector: "app=istiod" });
    const running = pods.items.filter((pod) => pod.status?.phase === "Running" && !pod.metadata?.deletionTimestamp && pod.metadata?.name);
    if (running.length === 0) throw new ClusterUnavailableError(`no running istiod pod in ${this.istioNamespace}`);
    const rows: ProxySyncStatus[] = [];
    for (const istiod of running) {
      const name = istiod.metadata!.name!;
      const result = await this.transport.exec({ namespace: this.istioNamespace, name }, "discovery", ["pilot-discovery", "request", "GET", "/debug/syncz"], { timeoutMs: 30_000 });
      if (result.exitCode !== 0) throw new ClusterUnavailableError(`istiod ${name} did not answer /debug/syncz: ${(result.stderr || result.stdout).trim()}`);
      rows.push(...parseSyncz(result.stdout, `${name}.${this.istioNamespace}`));
    }
    return rows;
  }

  /** The pod a probe starts from, read from the API. */
  private async sourcePod(from: ProbeSpec["from"]): Promise<V1Pod> {
    if ("pod" in from) return this.core().readNamespacedPod({ namespace: from.namespace, name: from.pod });
    const pods = await this.core().listNamespacedPod({ namespace: from.namespace, labelSelector: `app=${from.app}` });
    const pod = pods.items
      .filter((p) => p.status?.phase === "Running" && !p.metadata?.deletionTimestamp)
      .sort((a, b) => (a.metadata?.name ?? "").localeCompare(b.metadata?.name ?? ""))[0];
    if (!pod) throw new ClusterUnavailableError(`no running pod with app=${from.app} in ${from.namespace} to send traffic from`);
    return pod;
  }

  /** Maps pod IPs to `name.namespace`, read once per probe. */
  private async podsByAddress(): Promise<PodByAddress> {
    const pods = await this.core().listPodForAllNamespaces();
    const byIp = new Map<string, string>();
    for (const pod of pods.items) {
      if (pod.status?.podIP && pod.metadata?.name && pod.spec?.hostNetwork !== true) byIp.set(pod.status.podIP, `${pod.metadata.name}.${pod.metadata.namespace}`);
    }
    return (hostPort) => byIp.get(hostPort.replace(/:\d+$/, "").replace(/^\[|\]$/g, ""));
  }

  /** The caller sidecar's access-log records for a run, read until `wanted` of them show or the wait runs out. */
  private async accessLogRecords(pod: PodRef, started: number, wanted: number, matches: (record: AccessLogRecord) => boolean): Promise<AccessLogRecord[]> {
    const deadline = Date.now() + this.accessLogWaitMs;
    for (;;) {
      const text = await this.transport.logs(pod, "istio-proxy", { sinceSeconds: (Date.now() - started) / 1000 + 5 });
      const records = parseAccessLog(text).filter(matches);
      if (records.length >= wanted || Date.now() >= deadline) return records;
      await this.sleep(1000);
    }
  }

  async probe(spec: ProbeSpec): Promise<ProbeResult> {
    const source = await this.sourcePod(spec.from);
    const ref: PodRef = { namespace: source.metadata!.namespace ?? spec.from.namespace, name: source.metadata!.name! };
    const containers = source.spec?.containers ?? [];
    const hasSidecar = containers.some((c) => c.name === "istio-proxy") || (source.spec?.initContainers ?? []).some((c) => c.name === "istio-proxy");
    const fortio = containers.find((c) => fortioImage.test(c.image ?? ""));
    // A gateway pod has only istio-proxy; Istio's default proxy image ships sh and curl, so probes start there.
    const app = containers.find((c) => c.name !== "istio-proxy") ?? containers.find((c) => c.name === "istio-proxy");
    if (!app) throw new ClusterUnavailableError(`pod ${ref.namespace}/${ref.name} has no container to send traffic from`);
    const runId = this.newRunId();
    const started = Date.now();
    const execTimeoutMs = Math.min(30 * 60_000, 60_000 + (spec.requests * (spec.timeoutMs ?? 15_000)) / Math.max(1, spec.concurrency ?? 1));
    const run = async (container: string, argv: string[]): Promise<ExecResult> => {
      const result = await this.transport.exec(ref, container, argv, { timeoutMs: execTimeoutMs });
      if (result.exitCode !== 0 && !result.stdout.trim()) {
        throw new ClusterUnavailableError(`probe from ${ref.namespace}/${ref.name} failed: ${(result.stderr || `exit ${result.exitCode}`).trim()}`);
      }
      return result;
    };

    if (fortio) {
      const result = await run(fortio.name, fortioProbeArgs(spec, runId));
      let parsed;
      try {
        parsed = parseFortioJson(result.stdout);
      } catch (error) {
        throw new ClusterUnavailableError(`probe from ${ref.namespace}/${ref.name}: ${(error as Error).message}`);
      }
      const until = Date.now();
      const inWindow = (record: AccessLogRecord): boolean => {
        if (record.userAgent === runId) return true;
        const at = Date.parse(record.startTime);
        return Boolean(record.userAgent?.startsWith("fortio.org/")) && at >= started - 1000 && at <= until + 1000;
      };
      const total = Object.values(parsed.RetCodes).reduce((sum, count) => sum + count, 0);
      const records = hasSidecar ? await this.accessLogRecords(ref, started, total, inWindow) : [];
      const podAt = records.some((r) => r.upstreamHost) ? await this.podsByAddress() : () => undefined;
      return { spec, responses: fortioResponses(parsed, records, podAt), durationMs: Date.now() - started };
    }

    const result = await run(app.name, ["sh", "-c", curlProbeScript(spec, runId)]);
    const responses = parseCurlProbeOutput(result.stdout, spec.bodyLimit);
    if (responses.length === 0) throw new ClusterUnavailableError(`probe from ${ref.namespace}/${ref.name} printed no responses: ${(result.stderr || result.stdout).trim().slice(0, 300)}`);
    const ids = new Set(responses.map((r) => probeRequestId(runId, r.index)));
    const records = hasSidecar ? await this.accessLogRecords(ref, started, responses.length, (record) => ids.has(record.requestId ?? "")) : [];
    const podAt = records.some((r) => r.upstreamHost) ? await this.podsByAddress() : () => undefined;
    return { spec, responses: curlResponses(responses, records, runId, podAt), durationMs: Date.now() - started };
  }

  async exec(pod: PodRef, container: string | undefined, argv: string[]): Promise<ExecResult> {
    let target = container;
    if (!target) {
      const found = await this.core().readNamespacedPod({ namespace: pod.namespace, name: pod.name });
      target = found.metadata?.annotations?.["kubectl.kubernetes.io/default-container"] ?? found.spec?.containers[0]?.name;
      if (!target) return { stdout: "", stderr: `error: pod ${pod.name} has no containers\n`, exitCode: 1 };
    }
    return this.transport.exec(pod, target, argv);
  }
}
