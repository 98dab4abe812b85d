// Discovery, /version and /openapi as kubectl 1.32 and client-node expect them from the embedded API.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insecureFetch, startHarness, type Harness } from "../support";

describe("embedded API discovery", () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness();
  });

  afterAll(async () => {
    await harness.close();
  });

  const get = (path: string, accept = "application/json") => insecureFetch(`${harness.baseUrl}/clusters/${harness.id}${path}`, { headers: { authorization: `Bearer ${harness.token}`, accept } });

  it("reports Kubernetes 1.32 at /version", async () => {
    const response = await get("/version?timeout=5s");
    expect(response.json()).toMatchObject({ major: "1", minor: "32", gitVersion: "v1.32.2" });
  });

  it("serves an empty openapi v2 document and no openapi v3", async () => {
    const v2 = await get("/openapi/v2", "application/com.github.proto-openapi.spec.v2@v1.0+protobuf");
    expect(v2.status).toBe(200);
    expect(v2.headers.get("content-type")).toBe("application/octet-stream");
    expect(v2.text).toBe("");
    expect((await get("/openapi/v3")).status).toBe(404);
  });

  it("answers aggregated discovery v2 when asked, and legacy documents otherwise", async () => {
    const aggregated = await get("/apis", "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json");
    expect(aggregated.headers.get("content-type")).toBe("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList");
    const groups = aggregated.json() as { kind: string; items: { metadata: { name: string }; versions: { version: string; resources: { resource: string; shortNames?: string[] }[] }[] }[] };
    expect(groups.kind).toBe("APIGroupDiscoveryList");
    const networking = groups.items.find((item) => item.metadata.name === "networking.istio.io");
    expect(networking?.versions.map((version) => version.version)).toEqual(["v1", "v1beta1", "v1alpha3"]);
    const short = Object.fromEntries((networking?.versions[0]?.resources ?? []).map((resource) => [resource.resource, resource.shortNames]));
    expect(short).toMatchObject({ virtualservices: ["vs"], destinationrules: ["dr"], gateways: ["gw"], serviceentries: ["se"] });

    const legacy = await get("/apis");
    expect(legacy.json()).toMatchObject({ kind: "APIGroupList" });
    expect((await get("/api")).json()).toMatchObject({ kind: "APIVersions", versions: ["v1"] });
    const core = (await get("/api/v1")).json() as { resources: { name: string; shortNames?: string[]; verbs: string[] }[] };
    const byName = Object.fromEntries(core.resources.map((resource) => [resource.name, resource]));
    expect(byName.pods?.shortNames).toEqual(["po"]);
    expect(byName.services?.shortNames).toEqual(["svc"]);
    expect(byName["pods/status"]?.verbs).toEqual(["get", "patch", "update"]);
    const apps = (await get("/apis/apps/v1")).json() as { resources: { name: string; kind: string; group?: string }[] };
    expect(apps.resources.find((resource) => resource.name === "deployments/scale")).toMatchObject({ kind: "Scale", group: "autoscaling" });
    expect((await get("/apis/networking.istio.io")).json()).toMatchObject({ kind: "APIGroup", preferredVersion: { version: "v1" } });
    expect((await get("/apis/example.com/v1")).status).toBe(404);
  });
});
