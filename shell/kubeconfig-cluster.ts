// A LabCluster for an existing cluster reached only through a kubeconfig (client-node): enough for kubectl and
// `istioctl analyze` in the lab shell. Reading Envoy config, stats, sending traffic and exec need the kind driver.
import { readFileSync } from "node:fs";
import { KubeConfig } from "@kubernetes/client-node";
import { ClusterUnavailableError, type ExecResult, type LabCluster, type ProbeResult, type ProxySyncStatus } from "@/cluster/driver";

function notSupported(what: string): ClusterUnavailableError {
  return new ClusterUnavailableError(`${what} is not supported without the kind driver (this shell only has a kubeconfig)`);
}

export class KubeconfigLabCluster implements LabCluster {
  readonly driver = "kind" as const;
  readonly id: string;

  private constructor(
    private readonly config: KubeConfig,
    private readonly yaml: string,
  ) {
    this.id = config.getCurrentContext();
  }

  /** Loads a kubeconfig file; throws with the reason when it cannot be read or has no current context. */
  static fromFile(path: string): KubeconfigLabCluster {
    const yaml = readFileSync(path, "utf8");
    const config = new KubeConfig();
    config.loadFromString(yaml);
    if (!config.getCurrentCluster()) throw new Error(`kubeconfig ${path} has no current context with a cluster`);
    return new KubeconfigLabCluster(config, yaml);
  }

  kubeConfig(): KubeConfig {
    return this.config;
  }

  kubeconfigYaml(): string {
    return this.yaml;
  }

  async configDump(): Promise<unknown> {
    throw notSupported("reading Envoy config (istioctl proxy-config)");
  }

  async proxyStats(): Promise<string> {
    throw notSupported("reading Envoy stats");
  }

  async proxyStatus(): Promise<ProxySyncStatus[]> {
    throw notSupported("istioctl proxy-status");
  }

  async probe(): Promise<ProbeResult> {
    throw notSupported("sending traffic from inside the mesh");
  }

  async exec(): Promise<ExecResult> {
    throw notSupported("running commands in pods (kubectl exec, curl, fortio)");
  }
}
