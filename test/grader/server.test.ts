// The grader as an HTTP service: shared-secret auth, validated bodies, grading and analysis over HTTP.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EmbeddedLabCluster } from "@/cluster/embedded/driver";
import { EmbeddedDriver } from "@/cluster/embedded/driver";
import { startGraderServer } from "@/grader/server";
import { clusterWith } from "../support/embedded";
import { reviewsRoutedTo } from "../support/bookinfo-networking";

const secret = "test-secret-0123456789";
const driver = new EmbeddedDriver();
let cluster: EmbeddedLabCluster;
let service: Awaited<ReturnType<typeof startGraderServer>>;

const vs = reviewsRoutedTo("v7");

beforeAll(async () => {
  cluster = await clusterWith(driver, []);
  service = await startGraderServer(0, { secret, clusterFor: (kubeconfig) => (kubeconfig === cluster.kubeconfigYaml() ? cluster : (() => { throw new Error("unknown cluster"); })()) }, "127.0.0.1");
});
afterAll(async () => {
  await service.close();
  await driver.close();
});

function post(path: string, body: unknown, auth = secret): Promise<Response> {
  return fetch(`${service.url}${path}`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${auth}` }, body: JSON.stringify(body) });
}

describe("grader service", () => {
  it("answers health checks without a secret, and refuses everything else without it", async () => {
    expect((await fetch(`${service.url}/healthz`)).status).toBe(200);
    expect((await post("/grade", {}, "wrong-secret-0123456789")).status).toBe(401);
  });

  it("grades a check against the cluster a kubeconfig names", async () => {
    const response = await post("/grade", { check: "cleanup.lab-resources-removed", params: { virtualServiceHosts: ["reviews"] }, kubeconfig: cluster.kubeconfigYaml() });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ checkId: "cleanup.lab-resources-removed", status: "pass" });
  });

  it("refuses bad bodies with the field named, and oversized ones with 413", async () => {
    const bad = await post("/grade", { check: 42, kubeconfig: "x" });
    expect(bad.status).toBe(422);
    const { error } = (await bad.json()) as { error: { fields: { path: string }[] } };
    expect(error.fields.map((f) => f.path).sort()).toEqual(["check", "kubeconfig"]);
    expect((await post("/analyze", { manifests: "x".repeat(1_100_000) })).status).toBe(413);
    expect((await post("/nowhere", {})).status).toBe(404);
  });

  it("analyzes manifests offline like istioctl analyze -f", async () => {
    const response = await post("/analyze", { manifests: vs });
    const body = (await response.json()) as { text: string[] };
    // Offline there is no reviews Service either, exactly as istioctl reports for files alone.
    expect(body.text).toStrictEqual([
      'Error [IST0101] (VirtualService reviews request.yaml:8) Referenced host not found: "reviews"',
      'Error [IST0101] (VirtualService reviews request.yaml:8) Referenced host+subset in destinationrule not found: "reviews+v7"',
    ]);
  });
});
