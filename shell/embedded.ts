// The lab shell's backend on the embedded mesh: commands in pods run in the data plane's virtual time (the shell
// reads how long they took), `kubectl logs` reads container logs, and curl on the learner's machine reaches a
// port-forwarded pod port from outside the mesh, as kubectl port-forward delivers it (no client sidecar).
import type { ExecResult, PodRef } from "@/cluster/driver";
import type { EmbeddedLabCluster } from "@/cluster/embedded/driver";
import type { ClientResult, ClientTools, SendOptions } from "@/cluster/embedded/mesh/dataplane";
import { runCurl } from "@/cluster/embedded/mesh/dataplane/curl";
import { ConnectionReset, type PeerInfo } from "@/cluster/embedded/mesh/dataplane/envoy";
import { lowerCaseHeaders, parseUrl, Stream, type HttpRequest } from "@/cluster/embedded/mesh/dataplane/http";
import type { ForwardTarget, ShellBackend, TimedExecResult } from "./backend";
import type { KubeClient } from "./kube/client";

/** Longest real wait `sleep` spends for config to reach the proxies in batch mode. */
const SETTLE_SYNC_CAP_MS = 5_000;

function failure(latencyMs: number, kind: NonNullable<ClientResult["error"]>["kind"], message: string): ClientResult {
  return { status: 0, body: "", headers: {}, flags: "-", latencyMs, error: { kind, message } };
}

export function embeddedBackend(cluster: EmbeddedLabCluster, kube: KubeClient): ShellBackend {
  const mesh = cluster.mesh;
  const dataPlane = mesh.dataPlane;
  const clock = dataPlane.clock;

  /** Runs `body` (which runs the simulation) and measures the virtual time it took. */
  async function timed(body: () => Promise<ExecResult>): Promise<{ result: ExecResult; elapsedMs: number }> {
    // Catch virtual time up with the wall clock first, so the measurement holds only the command's own time.
    await mesh.advance(0);
    const before = clock.now();
    const result = await body();
    return { result, elapsedMs: Math.max(0, clock.now() - before) };
  }

  /** One request arriving at a pod's port from outside the mesh, inside the simulation. */
  async function sendToPod(target: ForwardTarget, url: string, options: SendOptions): Promise<ClientResult> {
    const started = clock.now();
    const parsed = parseUrl(url);
    if (!parsed) return failure(0, "resolve", "URL rejected: Malformed input to a URL function");
    const pod = dataPlane.workloads.pod(target.pod.namespace, target.pod.name);
    if (!pod || !pod.running) return failure(0, "refused", `Failed to connect to ${parsed.host} port ${parsed.port}: Connection refused`);
    const headers = lowerCaseHeaders(options.headers);
    const request: HttpRequest = { method: options.method ?? "GET", path: parsed.path, authority: headers.host ?? parsed.authority, scheme: "http", headers, body: options.body ?? "" };
    delete request.headers.host;
    const stream = new Stream();
    const task = clock.spawn(async (): Promise<ClientResult> => {
      const { behaviour, latencyMs } = dataPlane.connect(pod.ip, target.port);
      if (behaviour !== "accept") return failure(0, "refused", `Failed to connect to ${parsed.host} port ${parsed.port}: Connection refused`);
      await clock.sleep(latencyMs);
      const peer: PeerInfo = { address: `127.0.0.1:${40000 + Math.floor(clock.now() % 20000)}` };
      try {
        if (pod.hasSidecar || pod.isRouter) {
          const exchange = await dataPlane.proxyFor(pod).inbound(request, target.port, stream, peer);
          return { status: exchange.response.status, body: exchange.response.body, headers: exchange.response.headers, flags: exchange.flags.join(",") || "-", latencyMs: clock.now() - started, remoteIp: "127.0.0.1" };
        }
        const reply = await dataPlane.callApp(pod, target.port, request);
        if (reply === "refused") return failure(clock.now() - started, "reset", "Recv failure: Connection reset by peer");
        return { status: reply.status, body: reply.body, headers: reply.headers, flags: "-", latencyMs: clock.now() - started, remoteIp: "127.0.0.1" };
      } catch (error) {
        if (error instanceof ConnectionReset) return failure(clock.now() - started, "reset", "Recv failure: Connection reset by peer");
        throw error;
      }
    });
    const raced = await clock.race(task, options.timeoutMs);
    if (!raced.finished) {
      stream.abort(clock.now());
      const elapsed = clock.now() - started;
      return failure(elapsed, "timeout", `Operation timed out after ${Math.round(elapsed)} milliseconds with 0 bytes received`);
    }
    return raced.value;
  }

  return {
    cluster,
    kube,
    async exec(pod: PodRef, container: string | undefined, argv: string[]): Promise<TimedExecResult> {
      const { result, elapsedMs } = await timed(() => mesh.exec(pod, container, argv));
      const program = argv[0]?.split("/").pop();
      return { ...result, elapsedMs, interactive: program === "curl" };
    },
    async logs(pod, container, options) {
      return mesh.logs(pod, container, options);
    },
    async forwardCurl(target, curlArgs) {
      const workload = dataPlane.workloads.pod(target.pod.namespace, target.pod.name);
      if (!workload) return { stdout: "", stderr: "curl: (7) Failed to connect to localhost: Connection refused\n", exitCode: 7, elapsedMs: 0, interactive: true };
      const tools: ClientTools = {
        pod: workload,
        clock,
        run: (body) => clock.run(body),
        send: (url, options) => sendToPod(target, url, options),
      };
      let virtualMs = 0;
      const { result } = await timed(async () => {
        const outcome = await runCurl(curlArgs, tools, undefined);
        virtualMs = outcome.virtualMs;
        return outcome.result;
      });
      return { ...result, elapsedMs: virtualMs, interactive: true };
    },
    async settle(ms) {
      await mesh.advance(ms);
      await mesh.waitForSync(Math.min(Math.max(ms, 1), SETTLE_SYNC_CAP_MS)).catch(() => undefined);
    },
  };
}
