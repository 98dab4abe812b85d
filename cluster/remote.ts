// A LabCluster for any cluster reached through a kubeconfig file (kind, or any cluster running Istio): the
// Kubernetes API through client-node, Envoy and istiod through exec into their pods (see cluster/kind/lab-cluster.ts).
import { readFileSync } from "node:fs";
import { KubeLabCluster, type KubeLabClusterOptions } from "./kind/lab-cluster";

export { KubeLabCluster } from "./kind/lab-cluster";

/** Loads a kubeconfig file into a LabCluster named after the file. */
export function clusterFromKubeconfigFile(file: string, options: KubeLabClusterOptions = {}): KubeLabCluster {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new Error(`cannot read kubeconfig ${file}: ${(error as Error).message}`);
  }
  return new KubeLabCluster(file, text, options);
}
