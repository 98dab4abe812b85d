// Reaching into a real cluster's pods: `kubectl exec` (client-node Exec over the API server's websocket) and
// `kubectl logs`, behind one interface so the lab cluster can be tested with a recording fake.
import { Writable } from "node:stream";
import { CoreV1Api, Exec, type KubeConfig, type V1Status } from "@kubernetes/client-node";
import { ClusterUnavailableError, type ExecResult, type PodRef } from "../driver";

export interface PodTransport {
  /** Runs argv in a container; a non-zero exit is a result, not an error. */
  exec(pod: PodRef, container: string, argv: string[], options?: { timeoutMs?: number }): Promise<ExecResult>;
  /** A container's log from the last `sinceSeconds` seconds. */
  logs(pod: PodRef, container: string, options: { sinceSeconds: number }): Promise<string>;
}

/** The exit code an exec status reports: Success is 0; NonZeroExitCode carries the code in its causes. */
export function exitCodeOf(status: V1Status): number {
  if (status.status === "Success") return 0;
  const code = status.details?.causes?.find((cause) => cause.reason === "ExitCode")?.message;
  return code !== undefined && /^\d+$/.test(code) ? Number(code) : 1;
}

function collector(into: Buffer[]): Writable {
  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      into.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
      done();
    },
  });
}

/** The real transport: client-node Exec and pod logs through the cluster's API server. */
export function kubeTransport(kubeConfig: KubeConfig): PodTransport {
  const exec = new Exec(kubeConfig);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  return {
    exec(pod, container, argv, options = {}) {
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      const timeoutMs = options.timeoutMs ?? 120_000;
      return new Promise<ExecResult>((resolve, reject) => {
        let socket: { close(): void } | undefined;
        const timer = setTimeout(() => {
          socket?.close();
          reject(new ClusterUnavailableError(`exec in ${pod.namespace}/${pod.name} (${container}) did not finish within ${timeoutMs} ms`));
        }, timeoutMs);
        exec
          .exec(pod.namespace, pod.name, container, argv, collector(stdout), collector(stderr), null, false, (status) => {
            clearTimeout(timer);
            resolve({ stdout: Buffer.concat(stdout).toString("utf8"), stderr: Buffer.concat(stderr).toString("utf8"), exitCode: exitCodeOf(status) });
          })
          .then((ws) => {
            socket = ws;
          })
          .catch((error: unknown) => {
            clearTimeout(timer);
            reject(new ClusterUnavailableError(`cannot exec in ${pod.namespace}/${pod.name} (${container}): ${(error as Error).message}`, error));
          });
      });
    },
    async logs(pod, container, options) {
      return core.readNamespacedPodLog({ name: pod.name, namespace: pod.namespace, container, sinceSeconds: Math.max(1, Math.ceil(options.sinceSeconds)) });
    },
  };
}
