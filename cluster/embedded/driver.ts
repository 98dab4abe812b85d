// The embedded cluster driver: learner clusters hosted in this process (Kubernetes API over HTTPS on loopback,
// Istio control plane and Envoy data plane in memory), behind the same LabCluster interface as kind.
import { KubeConfig } from "@kubernetes/client-node";
import type { ClusterDriver, ExecResult, LabCluster, PodRef, ProbeResult, ProbeSpec, ProvisionProgress, ProxySyncStatus } from "../driver";
import { ClusterHost, type HostedClusterSnapshot } from "./host";
import { Mesh, type MeshOptions } from "./mesh";

/** One embedded learner cluster. */
export class EmbeddedLabCluster implements LabCluster {
  readonly driver = "embedded" as const;
  private cachedKubeConfig: KubeConfig | undefined;

  constructor(
    readonly id: string,
    readonly mesh: Mesh,
    private readonly kubeconfigText: string,
  ) {}

  kubeConfig(): KubeConfig {
    if (!this.cachedKubeConfig) {
      const config = new KubeConfig();
      config.loadFromString(this.kubeconfigText);
      this.cachedKubeConfig = config;
    }
    return this.cachedKubeConfig;
  }

  kubeconfigYaml(): string {
    return this.kubeconfigText;
  }

  configDump(pod: PodRef, options?: { includeEds?: boolean }): Promise<unknown> {
    return this.mesh.configDump(pod, options);
  }

  proxyStats(pod: PodRef): Promise<string> {
    return this.mesh.proxyStats(pod);
  }

  proxyStatus(): Promise<ProxySyncStatus[]> {
    return this.mesh.proxyStatus();
  }

  probe(spec: ProbeSpec): Promise<ProbeResult> {
    return this.mesh.probe(spec);
  }

  exec(pod: PodRef, container: string | undefined, argv: string[]): Promise<ExecResult> {
    return this.mesh.exec(pod, container, argv);
  }
}

/** Hosts embedded clusters; one instance per process is enough (each cluster has its own URL and token). */
export class EmbeddedDriver implements ClusterDriver {
  readonly kind = "embedded" as const;
  readonly host = new ClusterHost();
  private readonly clusters = new Map<string, EmbeddedLabCluster>();

  constructor(private readonly meshOptions: MeshOptions = {}) {}

  private async attach(id: string): Promise<EmbeddedLabCluster> {
    await this.host.listen();
    const mesh = new Mesh(this.host.get(id)!, this.meshOptions);
    mesh.pilot.syncNow();
    const cluster = new EmbeddedLabCluster(id, mesh, this.host.kubeconfig(id));
    this.clusters.set(id, cluster);
    return cluster;
  }

  async create(options: { name?: string; onProgress?: (progress: ProvisionProgress) => void } = {}): Promise<EmbeddedLabCluster> {
    options.onProgress?.({ step: "Creating the embedded cluster", percent: 0 });
    const { id } = this.host.create(options.name);
    const cluster = await this.attach(id);
    options.onProgress?.({ step: "Ready", percent: 100 });
    return cluster;
  }

  async get(id: string): Promise<EmbeddedLabCluster | undefined> {
    return this.clusters.get(id);
  }

  async delete(id: string): Promise<void> {
    this.clusters.get(id)?.mesh.dispose();
    this.clusters.delete(id);
    this.host.delete(id);
  }

  async list(): Promise<string[]> {
    return [...this.clusters.keys()];
  }

  /** The cluster's state as JSON, to keep it across restarts. */
  snapshot(id: string): HostedClusterSnapshot {
    return this.host.snapshot(id);
  }

  /** Brings a snapshotted cluster back (same id and token). */
  async restore(snapshot: unknown): Promise<EmbeddedLabCluster> {
    const { id } = this.host.restore(snapshot);
    return this.attach(id);
  }

  /** Stops serving and disposes every cluster. */
  async close(): Promise<void> {
    for (const cluster of this.clusters.values()) cluster.mesh.dispose();
    this.clusters.clear();
    await this.host.close();
  }
}
