// A LabCluster for any cluster reached through a kubeconfig file. The Kubernetes API works through client-node;
// Envoy config, proxy status and in-mesh traffic need the kind driver's exec/port-forward support and are reported
// as "cannot reach" until a driver provides them, so the grader says "could not grade" rather than "wrong".
import { readFileSync } from "node:fs";
import { KubeConfig } from "@kubernetes/client-node";
import { ClusterUnavailableError, type ExecResult, type LabCluster, type ProbeResult, type ProxySyncStatus } from "./driver";

export class RemoteLabCluster implements LabCluster {
  readonly driver = "kind" as const;
  private readonly config = new KubeConfig();

  constructor(
    readonly id: string,
    private readonly kubeconfigText: string,
  ) {
    this.config.loadFromString(kubeconfigText);
  }

  kubeConfig(): KubeConfig {
    return this.config;
  }

  kubeconfigYaml(): string {
    return this.kubeconfigText;
  }

  private unsupported(what: string): Promise<never> {
    return Promise.reject(new ClusterUnavailableError(`${what} on an external cluster needs the kind driver (exec and port-forward into the mesh)`));
  }

  configDump(): Promise<unknown> {
    return this.unsupported("reading Envoy config");
  }

  proxyStats(): Promise<string> {
    return this.unsupported("reading Envoy stats");
  }

  proxyStatus(): Promise<ProxySyncStatus[]> {
    return this.unsupported("reading proxy sync status");
  }

  probe(): Promise<ProbeResult> {
    return this.unsupported("sending traffic inside the mesh");
  }

  exec(): Promise<ExecResult> {
    return this.unsupported("running commands in pods");
  }
}

/** Loads a kubeconfig file into a LabCluster named after the file. */
export function clusterFromKubeconfigFile(file: string): RemoteLabCluster {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new Error(`cannot read kubeconfig ${file}: ${(error as Error).message}`);
  }
  return new RemoteLabCluster(file, text);
}
