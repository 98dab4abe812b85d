// Mesh: Istio's control plane (Pilot) and Envoy's data plane (DataPlane) for one embedded cluster, exposed as the
// LabCluster methods the grader and the lab shell use (configDump, proxyStats, proxyStatus, probe, exec) plus
// container logs.

import type { ExecResult, PodRef, ProbeResult, ProbeSpec, ProxySyncStatus } from "@/cluster/driver";
import { ClusterUnavailableError } from "@/cluster/driver";
import type { EmbeddedCluster } from "../cluster";
import { DataPlane, type ClientResult, type DataPlaneOptions, type ExecOptions, type SendOptions } from "./dataplane";
import { Pilot, type PilotOptions } from "./pilot";

export interface MeshOptions {
  pilot?: PilotOptions;
  dataPlane?: DataPlaneOptions;
}

export class Mesh {
  readonly pilot: Pilot;
  readonly dataPlane: DataPlane;

  constructor(
    readonly cluster: EmbeddedCluster,
    options: MeshOptions = {},
  ) {
    this.pilot = new Pilot(cluster.store, options.pilot);
    this.dataPlane = new DataPlane(cluster.store, this.pilot, options.dataPlane);
    // The API server's `pods/log` and `pods/exec` (real kubectl, client-node) reach the pods through this mesh.
    cluster.podRuntime = {
      logs: (pod, container, logOptions) => this.logs(pod, container, logOptions),
      exec: (pod, container, argv) => this.exec(pod, container, argv, { realTime: true }),
    };
  }

  /** Envoy's /config_dump of a proxy, as it currently holds its config. */
  async configDump(pod: PodRef, options: { includeEds?: boolean } = {}): Promise<unknown> {
    const dump = this.pilot.configDump(pod, options);
    if (dump === undefined) throw new ClusterUnavailableError(`no proxy config for pod ${pod.namespace}/${pod.name}`);
    return dump;
  }

  /** Envoy's /stats text of a proxy (what `pilot-agent request GET stats` prints). */
  async proxyStats(pod: PodRef): Promise<string> {
    try {
      return this.dataPlane.proxyStats(pod);
    } catch (error) {
      throw new ClusterUnavailableError(error instanceof Error ? error.message : String(error), error);
    }
  }

  async proxyStatus(): Promise<ProxySyncStatus[]> {
    return this.pilot.proxyStatus();
  }

  async probe(spec: ProbeSpec): Promise<ProbeResult> {
    return this.dataPlane.probe(spec);
  }

  /** `kubectl exec <pod> -c <container> -- argv…`: curl, sh -c, fortio, pilot-agent in workloads; pilot-discovery in istiod. */
  async exec(pod: PodRef, container: string | undefined, argv: string[], options: ExecOptions = {}): Promise<ExecResult> {
    if (argv[0] === "pilot-discovery" && container === "discovery" && this.isIstiod(pod)) return this.pilotDiscovery(argv.slice(1));
    return this.dataPlane.exec(pod, container, argv, options);
  }

  private isIstiod(pod: PodRef): boolean {
    return this.cluster.store.get("pods", pod.namespace, pod.name)?.metadata.labels?.app === "istiod";
  }

  /** `pilot-discovery request GET /debug/syncz` in istiod: the sync state `istioctl proxy-status` reads. */
  private pilotDiscovery(args: string[]): ExecResult {
    const [verb, method, path] = args;
    if (verb === "request" && method === "GET" && (path === "/debug/syncz" || path === "debug/syncz")) {
      return { stdout: JSON.stringify(this.pilot.syncz()), stderr: "", exitCode: 0 };
    }
    return { stdout: "", stderr: `Error: this istiod answers only "pilot-discovery request GET /debug/syncz" (got "pilot-discovery ${args.join(" ")}")\n`, exitCode: 1 };
  }

  /** `kubectl logs <pod> -c <container>`: Envoy access log for istio-proxy, application lines otherwise. */
  logs(pod: PodRef, container: string, options: { tail?: number } = {}): string {
    return this.dataPlane.logsOf(pod, container, options);
  }

  /** One request from a pod (outside the simulation: waits for its virtual completion). */
  request(from: PodRef, url: string, options: SendOptions = {}): Promise<ClientResult> {
    return this.dataPlane.request(from, url, options);
  }

  /** Lets `ms` of virtual time pass so background work (timed-out calls still running, mirrors) completes. */
  advance(ms: number): Promise<void> {
    return this.dataPlane.advance(ms);
  }

  /** Resolves once every proxy has acknowledged the latest push. */
  waitForSync(timeoutMs: number): Promise<void> {
    return this.pilot.waitForSync(timeoutMs);
  }

  dispose(): void {
    this.cluster.podRuntime = undefined;
    this.pilot.dispose();
  }
}
