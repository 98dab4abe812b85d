// A tiny Kubernetes API on 127.0.0.1 that serves list endpoints from a fixed set of objects, plus its kubeconfig.
import { createServer, type Server } from "node:http";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { KubeObject } from "@/grader/analyze";

const PLURALS: Record<string, string> = {
  Service: "services",
  Pod: "pods",
  Namespace: "namespaces",
  Secret: "secrets",
  VirtualService: "virtualservices",
  DestinationRule: "destinationrules",
  Gateway: "gateways",
  ServiceEntry: "serviceentries",
  Sidecar: "sidecars",
};

export interface FakeApiServer {
  kubeconfigPath: string;
  /** Paths the server was asked for. */
  requests: string[];
  close(): Promise<void>;
}

/** Serves `GET /api/v1/<plural>` and `GET /apis/networking.istio.io/v1/<plural>`; everything else is 404. */
export async function startFakeApiServer(objects: readonly KubeObject[], contextNamespace?: string): Promise<FakeApiServer> {
  const requests: string[] = [];
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://localhost");
    requests.push(url.pathname);
    const match = /^\/(?:api\/v1|apis\/networking\.istio\.io\/v1)\/([a-z]+)$/.exec(url.pathname);
    const plural = match?.[1];
    const isCore = url.pathname.startsWith("/api/v1/");
    if (!plural) {
      response.writeHead(404, { "content-type": "application/json" });
      response.end(JSON.stringify({ kind: "Status", apiVersion: "v1", status: "Failure", reason: "NotFound", code: 404 }));
      return;
    }
    const items = objects
      .filter((object) => PLURALS[object.kind] === plural && (object.apiVersion === "v1") === isCore)
      .map(({ apiVersion: _apiVersion, kind: _kind, ...rest }) => rest);
    response.writeHead(200, { "content-type": "application/json" });
    response.end(JSON.stringify({ apiVersion: "v1", kind: "List", metadata: { resourceVersion: "1" }, items }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  const dir = mkdtempSync(path.join(tmpdir(), "ica-analyze-"));
  const kubeconfigPath = path.join(dir, "kubeconfig");
  writeFileSync(
    kubeconfigPath,
    `apiVersion: v1
kind: Config
clusters:
- name: fake
  cluster: { server: "http://127.0.0.1:${port}", insecure-skip-tls-verify: true }
users:
- name: learner
  user: { token: fake-token }
contexts:
- name: fake
  context: { cluster: fake, user: learner${contextNamespace ? `, namespace: ${contextNamespace}` : ""} }
current-context: fake
`,
  );
  return {
    kubeconfigPath,
    requests,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
