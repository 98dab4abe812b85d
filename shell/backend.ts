// What the lab shell needs from a cluster, on top of the LabCluster interface: simulated durations of commands run
// in pods, container logs, port-forwarded requests and letting the mesh settle during `sleep`. The embedded cluster
// provides all of them; any other LabCluster gets exec and logs through its API (port-forward reports a clear error).
import { CoreV1Api } from "@kubernetes/client-node";
import type { ExecResult, LabCluster, PodRef } from "@/cluster/driver";
import { ClusterUnavailableError } from "@/cluster/driver";
import { EmbeddedLabCluster } from "@/cluster/embedded/driver";
import { embeddedBackend } from "./embedded";
import { KubeClient } from "./kube/client";

/** A command's output and how long it took in the cluster's (possibly virtual) time. */
export interface TimedExecResult extends ExecResult {
  /** Milliseconds the command took as the learner should perceive them (virtual time on the embedded mesh). */
  elapsedMs: number;
  /** Whether the command is a single interactive request the shell should wait for in real-time mode. */
  interactive: boolean;
}

/** Where a port-forward delivers: one pod's port. */
export interface ForwardTarget {
  pod: PodRef;
  port: number;
}

export interface ShellBackend {
  readonly cluster: LabCluster;
  readonly kube: KubeClient;
  /** Runs argv in a container (`kubectl exec`). */
  exec(pod: PodRef, container: string | undefined, argv: string[]): Promise<TimedExecResult>;
  /** `kubectl logs`: the container's log text (istio-proxy: the Envoy access log). */
  logs(pod: PodRef, container: string, options: { tail?: number }): Promise<string>;
  /** `curl` on the learner's machine to a port-forwarded pod port (curl's arguments, URL included). */
  forwardCurl(target: ForwardTarget, curlArgs: string[]): Promise<TimedExecResult>;
  /** Lets `ms` of simulated time pass (background requests finish, config propagates); used by `sleep` in batch mode. */
  settle(ms: number): Promise<void>;
}

/** A backend for any LabCluster: exec through the driver, logs through the API's pods/log, no port-forward. */
function genericBackend(cluster: LabCluster): ShellBackend {
  const kube = new KubeClient(cluster.kubeConfig());
  return {
    cluster,
    kube,
    async exec(pod, container, argv) {
      const result = await cluster.exec(pod, container, argv);
      return { ...result, elapsedMs: 0, interactive: false };
    },
    async logs(pod, container, options) {
      return cluster.kubeConfig().makeApiClient(CoreV1Api).readNamespacedPodLog({ namespace: pod.namespace, name: pod.name, container, tailLines: options.tail });
    },
    async forwardCurl() {
      throw new ClusterUnavailableError("curl through kubectl port-forward works only on the embedded cluster; on this cluster, curl from a pod with kubectl exec");
    },
    async settle() {},
  };
}

/** The backend the shell uses for a cluster. */
export function shellBackendFor(cluster: LabCluster): ShellBackend {
  if (cluster instanceof EmbeddedLabCluster) return embeddedBackend(cluster, new KubeClient(cluster.kubeConfig()));
  return genericBackend(cluster);
}
