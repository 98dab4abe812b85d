// Test double for exec/logs on a real cluster, backed by an embedded cluster: pilot-agent and istiod's
// pilot-discovery answer from the embedded mesh, and probe scripts run in a real local `sh` with real `curl`,
// whose requests an HTTP proxy hands to the embedded mesh.
import { spawn } from "node:child_process";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { ExecResult, PodRef } from "@/cluster/driver";
import type { EmbeddedLabCluster } from "@/cluster/embedded/driver";
import type { PodTransport } from "@/cluster/kind/transport";

export interface RecordedExec {
  pod: PodRef;
  container: string;
  argv: string[];
}

export class MeshTransport implements PodTransport {
  readonly execs: RecordedExec[] = [];
  /** x-request-id of every request the probe proxy forwarded. */
  readonly requestIds: string[] = [];

  constructor(readonly cluster: EmbeddedLabCluster) {}

  async exec(pod: PodRef, container: string, argv: string[]): Promise<ExecResult> {
    this.execs.push({ pod, container, argv });
    const [program] = argv;
    if (program === "sh" && argv[1] === "-c") return this.runScript(pod, argv[2] ?? "");
    return this.cluster.exec(pod, container, argv);
  }

  async logs(pod: PodRef, container: string): Promise<string> {
    return this.cluster.mesh.logs(pod, container);
  }

  /** Runs the script with http_proxy pointing at a loopback proxy that sends each request from `pod` in the mesh. */
  private async runScript(pod: PodRef, script: string): Promise<ExecResult> {
    const proxy = createServer((req: IncomingMessage, res: ServerResponse) => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (typeof value === "string" && !["proxy-connection", "host", "accept", "user-agent"].includes(name)) headers[name] = value;
      }
      if (headers["x-request-id"]) this.requestIds.push(headers["x-request-id"]);
      this.cluster.mesh
        .request(pod, req.url ?? "/", { method: req.method, headers })
        .then((result) => {
          if (result.error) {
            req.socket.destroy();
            return;
          }
          res.writeHead(result.status, result.headers);
          res.end(result.body);
        })
        .catch(() => req.socket.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    const { port } = proxy.address() as AddressInfo;
    try {
      return await new Promise<ExecResult>((resolve, reject) => {
        const child = spawn("sh", ["-c", script], { env: { ...process.env, http_proxy: `http://127.0.0.1:${port}`, no_proxy: "", NO_PROXY: "" } });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
        child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
        child.on("error", reject);
        child.on("close", (code) => resolve({ stdout, stderr, exitCode: code ?? 1 }));
      });
    } finally {
      await new Promise((resolve) => proxy.close(resolve));
    }
  }
}
