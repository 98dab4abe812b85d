// Pod subresources that reach inside containers: `pods/log` (kubectl logs) and `pods/exec` over WebSocket (kubectl
// exec, client-node Exec; channel.k8s.io v5/v4: stdout on channel 1, stderr on 2, the outcome as a Status on 3).
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import type { ExecResult } from "../../driver";
import type { PodRuntime } from "../cluster";
import type { JsonObject, KubeObject } from "../objects";
import { ApiError } from "./errors";

/** Stream protocols this server speaks, most preferred first (kubectl 1.30+ offers v5 and v4). */
const streamProtocols = ["v5.channel.k8s.io", "v4.channel.k8s.io"];
const channel = { stdout: 1, stderr: 2, error: 3 } as const;

function containerNames(pod: KubeObject, field: "containers" | "initContainers"): string[] {
  const list = (pod.spec as JsonObject | undefined)?.[field];
  return Array.isArray(list) ? list.flatMap((item) => (item && typeof item === "object" && "name" in item && typeof item.name === "string" ? [item.name] : [])) : [];
}

/** The container a log or exec request addresses, refused with Kubernetes' messages when missing or unknown. */
export function chooseContainer(pod: KubeObject, requested: string | null): string {
  const containers = containerNames(pod, "containers");
  const init = containerNames(pod, "initContainers");
  if (!requested) {
    if (containers.length === 1) return containers[0]!;
    const initPart = init.length > 0 ? ` or one of the init containers: [${init.join(" ")}]` : "";
    throw new ApiError(400, "BadRequest", `a container name must be specified for pod ${pod.metadata.name}, choose one of: [${containers.join(" ")}]${initPart}`);
  }
  if (!containers.includes(requested) && !init.includes(requested)) throw new ApiError(400, "BadRequest", `container ${requested} is not valid for pod ${pod.metadata.name}`);
  return requested;
}

function requireRuntime(runtime: PodRuntime | undefined, pod: KubeObject): PodRuntime {
  if (!runtime) throw new ApiError(500, "InternalError", `Internal error occurred: no node runs pod ${pod.metadata.name} (the cluster's mesh is not attached)`);
  return runtime;
}

/** GET pods/<name>/log?container=&tailLines=: the container's log as plain text. */
export function podLog(runtime: PodRuntime | undefined, pod: KubeObject, query: URLSearchParams): string {
  const container = chooseContainer(pod, query.get("container"));
  const tailParam = query.get("tailLines");
  let tail: number | undefined;
  if (tailParam !== null) {
    tail = Number(tailParam);
    if (!Number.isInteger(tail) || tail < 0) throw new ApiError(400, "BadRequest", `tailLines: Invalid value: "${tailParam}": must be a non-negative integer`);
  }
  return requireRuntime(runtime, pod).logs({ namespace: pod.metadata.namespace ?? "default", name: pod.metadata.name }, container, { tail });
}

/** What a finished command sends: its output, and the Status the kubelet reports on the error channel. */
function execOutcome(argv: readonly string[], result: ExecResult): { stdout: string; stderr: string; status: JsonObject } {
  if (result.exitCode === 0) return { stdout: result.stdout, stderr: result.stderr, status: { metadata: {}, status: "Success" } };
  // A program missing from the image fails the exec itself: the container runtime's message is the Status, not output.
  const runtimeFailure = /^error: (Internal error occurred: .*)/s.exec(result.stderr);
  if (result.exitCode === 126 && runtimeFailure) {
    return { stdout: "", stderr: "", status: { metadata: {}, status: "Failure", message: runtimeFailure[1]!.trim(), reason: "InternalError", code: 500 } };
  }
  return {
    stdout: result.stdout,
    stderr: result.stderr,
    status: {
      metadata: {},
      status: "Failure",
      message: `command terminated with non-zero exit code: error executing command [${argv.join(" ")}], exit code ${result.exitCode}`,
      reason: "NonZeroExitCode",
      details: { causes: [{ reason: "ExitCode", message: String(result.exitCode) }] },
    },
  };
}

/** Frames from the client are only ignored stdin: 64 KiB caps what one may make this process buffer. */
const sockets = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024, handleProtocols: (offered) => streamProtocols.find((name) => offered.has(name)) ?? false });

function send(ws: WebSocket, stream: number, text: string): void {
  if (text && ws.readyState === ws.OPEN) ws.send(Buffer.concat([Buffer.from([stream]), Buffer.from(text)]));
}

/**
 * Upgrades `GET pods/<name>/exec?command=…&container=…` to a WebSocket, runs the command and streams its output;
 * throws ApiError (answered as plain HTTP) when the request cannot be served.
 */
export function execOverWebSocket(runtime: PodRuntime | undefined, pod: KubeObject, query: URLSearchParams, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  const argv = query.getAll("command");
  if (argv.length === 0) throw new ApiError(400, "BadRequest", "you must specify at least 1 command");
  const container = chooseContainer(pod, query.get("container"));
  const pods = requireRuntime(runtime, pod);
  // kubectl tries a WebSocket first and falls back to SPDY on any refusal, so the checks above come first: both
  // attempts then get the same answer, and only a client without WebSocket support reads this one.
  const offered = (req.headers["sec-websocket-protocol"] ?? "").split(",").map((name) => name.trim());
  if (!streamProtocols.some((name) => offered.includes(name))) {
    throw new ApiError(400, "BadRequest", `unable to upgrade: this server streams exec over WebSocket (${streamProtocols.join(" or ")}), not SPDY; use kubectl 1.30 or later`);
  }
  const ref = { namespace: pod.metadata.namespace ?? "default", name: pod.metadata.name };
  sockets.handleUpgrade(req, socket, head, (ws) => {
    // Nothing in these containers reads standard input: frames on channel 0 (and v5 close signals) are dropped.
    ws.on("message", () => undefined);
    // ws closes a misbehaving client's stream itself (1009 for an oversized frame); listening keeps the error
    // from being thrown, so it never ends the process.
    ws.on("error", () => undefined);
    pods
      .exec(ref, container, argv)
      .then((result) => {
        const outcome = execOutcome(argv, result);
        send(ws, channel.stdout, outcome.stdout);
        send(ws, channel.stderr, outcome.stderr);
        send(ws, channel.error, JSON.stringify(outcome.status));
      })
      .catch((error: unknown) => {
        const message = `Internal error occurred: ${error instanceof Error ? error.message : String(error)}`;
        send(ws, channel.error, JSON.stringify({ metadata: {}, status: "Failure", message, reason: "InternalError", code: 500 }));
      })
      .finally(() => ws.close(1000));
  });
}
