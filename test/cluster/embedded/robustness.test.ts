// Hostile and broken requests get Kubernetes Status errors, and never stop the host from serving other clusters.

import { request } from "node:https";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insecureFetch, startHarness, type Harness } from "./support";

interface Status {
  kind: string;
  status: string;
  reason: string;
  code: number;
  message: string;
}

describe("embedded API under malformed, oversized and hostile input", () => {
  let harness: Harness;
  let other: { id: string; token: string };

  beforeAll(async () => {
    harness = await startHarness();
    other = harness.host.create("learner-2");
  });

  afterAll(async () => {
    await harness.close();
  });

  const call = (path: string, init: { method?: string; headers?: Record<string, string>; body?: string | Buffer; token?: string; cluster?: string } = {}) =>
    insecureFetch(`${harness.baseUrl}/clusters/${init.cluster ?? harness.id}${path}`, {
      method: init.method,
      body: init.body,
      headers: { ...(init.token === "" ? {} : { authorization: `Bearer ${init.token ?? harness.token}` }), ...init.headers },
    });

  const vsPath = "/apis/networking.istio.io/v1/namespaces/default/virtualservices";

  it("answers malformed JSON with 400 BadRequest", async () => {
    const response = await call(vsPath, { method: "POST", headers: { "content-type": "application/json" }, body: '{"apiVersion": "networking.istio.io/v1", "kind": ' });
    expect(response.status).toBe(400);
    expect(response.json()).toMatchObject({ kind: "Status", status: "Failure", reason: "BadRequest", code: 400 });
  });

  it("answers malformed YAML with 400 BadRequest", async () => {
    const response = await call(vsPath, { method: "POST", headers: { "content-type": "application/yaml" }, body: "apiVersion: v1\nkind: [unclosed\n  metadata: {" });
    expect(response.status).toBe(400);
    expect((response.json() as Status).message).toContain("not valid YAML");
  });

  it("accepts a YAML body where kubectl might send one", async () => {
    const body = "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata:\n  name: details\nspec:\n  host: details\n";
    const response = await call("/apis/networking.istio.io/v1/namespaces/default/destinationrules", { method: "POST", headers: { "content-type": "application/yaml" }, body });
    expect(response.status).toBe(201);
    expect(response.json()).toMatchObject({ kind: "DestinationRule", metadata: { name: "details", namespace: "default", generation: 1 } });
  });

  it("answers a malformed protobuf body with 400 BadRequest", async () => {
    const truncated = Buffer.concat([Buffer.from("k8s\u0000", "latin1"), Buffer.from([0x0a, 0x7f, 0x0a])]);
    const response = await call("/api/v1/namespaces", { method: "POST", headers: { "content-type": "application/vnd.kubernetes.protobuf" }, body: truncated });
    expect(response.status).toBe(400);
    expect((response.json() as Status).message).toContain("protobuf");
  });

  it("refuses a YAML alias bomb with 400 instead of expanding it", async () => {
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x]"];
    for (let level = 1; level < 12; level++) {
      const previous = String.fromCharCode(96 + level);
      const current = String.fromCharCode(97 + level);
      levels.push(`${current}: &${current} [*${previous}, *${previous}, *${previous}, *${previous}, *${previous}, *${previous}, *${previous}, *${previous}, *${previous}]`);
    }
    const response = await call(vsPath, { method: "POST", headers: { "content-type": "application/yaml" }, body: `${levels.join("\n")}\n` });
    expect(response.status).toBe(400);
    expect((response.json() as Status).reason).toBe("BadRequest");
  });

  it("refuses deeply nested JSON with 400", async () => {
    const body = `${"[".repeat(5000)}${"]".repeat(5000)}`;
    const response = await call(vsPath, { method: "POST", headers: { "content-type": "application/json" }, body });
    expect(response.status).toBe(400);
  });

  it("refuses a body with an absurd number of values with 400", async () => {
    const containers = Array.from({ length: 60_000 }, (_, index) => ({ name: `c${index}` }));
    const response = await call("/apis/apps/v1/namespaces/default/deployments/reviews-v1", { method: "PATCH", headers: { "content-type": "application/strategic-merge-patch+json" }, body: JSON.stringify({ spec: { template: { spec: { containers } } } }) });
    expect(response.status).toBe(400);
    expect((response.json() as Status).message).toContain("more than 50000 values");
  });

  it("answers a malformed path with 400 and an unsupported method with 405", async () => {
    expect((await call("/api/v1/namespaces/%E0%A4%A/pods")).status).toBe(400);
    const method = await call("/api/v1/namespaces/default/pods", { method: "PUT", headers: { "content-type": "application/json" }, body: "{}" });
    expect(method.status).toBe(405);
    expect((method.json() as Status).reason).toBe("MethodNotAllowed");
  });

  it("answers unknown kinds and paths with 404 or 400 Status", async () => {
    const unknownGroup = await call("/apis/example.com/v1/namespaces/default/widgets", { method: "POST", headers: { "content-type": "application/json" }, body: '{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"}}' });
    expect(unknownGroup.status).toBe(404);
    expect((unknownGroup.json() as Status).reason).toBe("NotFound");
    const wrongKind = await call(vsPath, { method: "POST", headers: { "content-type": "application/json" }, body: '{"apiVersion":"networking.istio.io/v1","kind":"Widget","metadata":{"name":"w"}}' });
    expect(wrongKind.status).toBe(400);
    expect((wrongKind.json() as Status).message).toContain("does not match the expected kind");
    const kubectl = await harness.kubectl(["apply", "-f", "-"], "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n");
    expect(kubectl.code).toBe(1);
    expect(kubectl.stderr).toContain('no matches for kind "Widget" in version "example.com/v1"');
  });

  it("refuses a 10 MB body with 413", async () => {
    const body = Buffer.alloc(10 * 1024 * 1024, 0x20);
    const response = await call(vsPath, { method: "POST", headers: { "content-type": "application/json" }, body });
    expect(response.status).toBe(413);
    expect(response.json()).toMatchObject({ kind: "Status", reason: "RequestEntityTooLarge", code: 413 });
  });

  it("refuses patch types a resource does not support with 415", async () => {
    await call("/apis/networking.istio.io/v1/namespaces/default/virtualservices", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ apiVersion: "networking.istio.io/v1", kind: "VirtualService", metadata: { name: "details" }, spec: { hosts: ["details"], http: [{ route: [{ destination: { host: "details" } }] }] } }),
    });
    const strategic = await call(`${vsPath}/details`, { method: "PATCH", headers: { "content-type": "application/strategic-merge-patch+json" }, body: '{"spec":{"hosts":["details"]}}' });
    expect(strategic.status).toBe(415);
    expect((strategic.json() as Status).reason).toBe("UnsupportedMediaType");
    const text = await call(`${vsPath}/details`, { method: "PATCH", headers: { "content-type": "text/plain" }, body: "hosts=details" });
    expect(text.status).toBe(415);
  });

  it("answers another cluster while a slow 10 MB upload is in flight, and keeps serving afterwards", async () => {
    const order: string[] = [];
    const upload = new Promise<number>((resolve, reject) => {
      const req = request(
        `${harness.baseUrl}/clusters/${harness.id}${vsPath}`,
        { method: "POST", rejectUnauthorized: false, headers: { authorization: `Bearer ${harness.token}`, "content-type": "application/json" } },
        (res) => {
          res.resume();
          res.on("end", () => {
            order.push("upload answered");
            resolve(res.statusCode ?? 0);
          });
        },
      );
      req.on("error", reject);
      const chunk = Buffer.alloc(1024 * 1024, 0x20);
      let sent = 0;
      const pump = (): void => {
        if (sent === 10) {
          req.end();
          return;
        }
        sent++;
        req.write(chunk);
        setTimeout(pump, 30);
      };
      pump();
    });
    const response = await insecureFetch(`${harness.baseUrl}/clusters/${other.id}/api/v1/namespaces/default/pods`, { headers: { authorization: `Bearer ${other.token}` } });
    order.push("other cluster answered");
    expect(response.status).toBe(200);
    expect((response.json() as { items: unknown[] }).items.length).toBeGreaterThanOrEqual(8);
    expect(await upload).toBe(413);
    expect(order[0]).toBe("other cluster answered");
    const after = await call("/api/v1/namespaces/default/pods");
    expect(after.status).toBe(200);
  });

  it("isolates clusters by token: 401 without a valid token, 403 for another cluster's token", async () => {
    expect((await call("/api/v1/namespaces/default/pods", { token: "" })).status).toBe(401);
    expect((await call("/api/v1/namespaces/default/pods", { token: "not-a-token-of-any-cluster" })).status).toBe(401);
    const crossed = await call("/api/v1/namespaces/default/pods", { token: other.token });
    expect(crossed.status).toBe(403);
    expect((crossed.json() as Status).reason).toBe("Forbidden");
    const mine = await call("/api/v1/namespaces/default/pods", { token: other.token, cluster: other.id });
    expect(mine.status).toBe(200);
    const outside = await insecureFetch(`${harness.baseUrl}/api/v1/pods`, { headers: { authorization: `Bearer ${harness.token}` } });
    expect(outside.status).toBe(404);
  });

  it("ends a watch from a resourceVersion older than its history with a 410 Expired event", async () => {
    const response = await call("/api/v1/namespaces/default/pods?watch=true&resourceVersion=1");
    expect(response.status).toBe(200);
    const event = JSON.parse(response.text.trim()) as { type: string; object: Status };
    expect(event.type).toBe("ERROR");
    expect(event.object).toMatchObject({ kind: "Status", reason: "Expired", code: 410 });
  });

  it("caps open watches per cluster with 429 and frees the slots when clients leave", async () => {
    const open = await Promise.all(
      Array.from(
        { length: 100 },
        () =>
          new Promise<import("node:http").ClientRequest>((resolve, reject) => {
            const req = request(`${harness.baseUrl}/clusters/${other.id}/api/v1/namespaces/default/pods?watch=true`, { rejectUnauthorized: false, headers: { authorization: `Bearer ${other.token}` } }, (res) => {
              res.once("data", () => resolve(req));
            });
            req.on("error", reject);
            req.end();
          }),
      ),
    );
    const refused = await insecureFetch(`${harness.baseUrl}/clusters/${other.id}/api/v1/namespaces/default/pods?watch=true`, { headers: { authorization: `Bearer ${other.token}` } });
    expect(refused.status).toBe(429);
    expect((refused.json() as Status).reason).toBe("TooManyRequests");
    const elsewhere = await call("/api/v1/namespaces/default/services?watch=true&timeoutSeconds=1");
    expect(elsewhere.status).toBe(200);
    for (const req of open) req.destroy();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const again = await insecureFetch(`${harness.baseUrl}/clusters/${other.id}/api/v1/namespaces/default/pods?watch=true&timeoutSeconds=1`, { headers: { authorization: `Bearer ${other.token}` } });
    expect(again.status).toBe(200);
  });

  it("keeps each cluster's objects to itself", async () => {
    const created = await harness.kubectl(["apply", "-f", "-"], "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: only-in-learner-1\n");
    expect(created.stdout).toContain("namespace/only-in-learner-1 created");
    const response = await insecureFetch(`${harness.baseUrl}/clusters/${other.id}/api/v1/namespaces/only-in-learner-1`, { headers: { authorization: `Bearer ${other.token}` } });
    expect(response.status).toBe(404);
    expect((response.json() as Status).message).toBe('namespaces "only-in-learner-1" not found');
  });
});
