// The one cluster-driver interface: the grader, the lab shell and the UI see only this, whether the cluster is the
// embedded mesh or a real kind cluster.
import type { KubeConfig } from "@kubernetes/client-node";

export type DriverKind = "embedded" | "kind";

/** A pod, addressed the way kubectl and istioctl address it. */
export interface PodRef {
  namespace: string;
  name: string;
}

/** One row of `istioctl proxy-status`: whether a proxy has acknowledged the control plane's latest config. */
export interface ProxySyncStatus {
  proxy: PodRef;
  /** SYNCED when every xDS type is acknowledged at the latest version; STALE while a push is in flight. */
  cds: "SYNCED" | "STALE" | "NOT SENT";
  lds: "SYNCED" | "STALE" | "NOT SENT";
  eds: "SYNCED" | "STALE" | "NOT SENT";
  rds: "SYNCED" | "STALE" | "NOT SENT";
  istiod: string;
  version: string;
}

/** Where a probe's traffic starts: a pod by name, or the first ready pod of a workload label `app=<app>`. */
export type ProbeSource = { namespace: string; pod: string } | { namespace: string; app: string };

/** A burst of HTTP requests sent from inside the mesh, like `curl` in a loop or `fortio load`. */
export interface ProbeSpec {
  from: ProbeSource;
  url: string;
  method?: string;
  headers?: Record<string, string>;
  /** Total requests (fortio -n). */
  requests: number;
  /** Parallel connections (fortio -c); 1 = sequential. */
  concurrency?: number;
  /** Requests per second across all connections; 0 = as fast as possible (fortio -qps 0). */
  qps?: number;
  /** Per-request client timeout in milliseconds. */
  timeoutMs?: number;
  /** Keep at most this many bytes of each response body (default 64 KiB). */
  bodyLimit?: number;
}

/** One response as the client saw it, with what the caller's Envoy recorded about it. */
export interface ProbeResponse {
  status: number;
  /** Envoy response flags from the caller's sidecar access log (e.g. "UO", "NC", "-" when none). */
  flags: string;
  latencyMs: number;
  body: string;
  headers: Record<string, string>;
  /** The upstream cluster the caller's Envoy picked, e.g. outbound|9080|v1|reviews.default.svc.cluster.local. */
  upstreamCluster?: string;
  /** The pod that finally served the request, when known. */
  upstreamPod?: string;
}

export interface ProbeResult {
  spec: ProbeSpec;
  responses: ProbeResponse[];
  /** Wall-clock (kind) or virtual (embedded) duration of the whole probe. */
  durationMs: number;
}

/** What `kubectl exec` printed. */
export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** A learner's cluster, reachable through the Kubernetes API and the Envoy admin of its proxies. */
export interface LabCluster {
  readonly id: string;
  readonly driver: DriverKind;
  /** A client-node configuration for this cluster (never sent to the browser). */
  kubeConfig(): KubeConfig;
  /** The kubeconfig YAML, for tools that need a file. */
  kubeconfigYaml(): string;
  /** Envoy's /config_dump of a proxy (with EDS when asked), as JSON. */
  configDump(pod: PodRef, options?: { includeEds?: boolean }): Promise<unknown>;
  /** Envoy's /stats of a proxy, as text lines `name: value`. */
  proxyStats(pod: PodRef): Promise<string>;
  /** `istioctl proxy-status` rows for every proxy in the mesh. */
  proxyStatus(): Promise<ProxySyncStatus[]>;
  /** Sends traffic from inside the mesh and reports every response. */
  probe(spec: ProbeSpec): Promise<ProbeResult>;
  /** Runs a command in a container, as `kubectl exec` would. */
  exec(pod: PodRef, container: string | undefined, argv: string[]): Promise<ExecResult>;
}

/** Progress of a cluster being prepared, for progress bars. */
export interface ProvisionProgress {
  step: string;
  percent: number;
}

/** Creates, finds and deletes learner clusters of one kind. */
export interface ClusterDriver {
  readonly kind: DriverKind;
  create(options?: { name?: string; onProgress?: (progress: ProvisionProgress) => void }): Promise<LabCluster>;
  get(id: string): Promise<LabCluster | undefined>;
  delete(id: string): Promise<void>;
  list(): Promise<string[]>;
}

/** Thrown when the cluster cannot be reached or answered nonsense: the grader reports `error`, never `fail`. */
export class ClusterUnavailableError extends Error {
  constructor(message: string, readonly cause?: unknown) {
    super(message);
    this.name = "ClusterUnavailableError";
  }
}
