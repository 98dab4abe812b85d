// Grading end to end on the embedded mesh: propagation-aware, and honest about what it could not grade.
import { afterAll, describe, expect, it } from "vitest";
import { applyObjects, parseManifests } from "@/cluster/apply";
import { EmbeddedDriver } from "@/cluster/embedded/driver";
import { gradeObjective, type ObjectiveSpec } from "@/grader/grade";
import { reviewsRoutedTo, reviewsSubsets } from "@/test/support/bookinfo-networking";

const driver = new EmbeddedDriver();
afterAll(() => driver.close());

const subsets = reviewsSubsets("v1", "v2");
const allV1 = reviewsRoutedTo("v1");
const baselineV1: ObjectiveSpec = {
  check: "virtualservice.route-to-subset",
  params: {
    host: "reviews",
    subset: "v1",
    caller: { namespace: "default", app: "productpage" },
    probe: { from: { namespace: "default", app: "sleep" }, url: "http://productpage:9080/productpage", requests: 20 },
    servedBy: "productpage-reviews",
  },
};

describe("gradeObjective", () => {
  it("passes a correct answer applied a moment before grading (waits for the proxies to sync)", async () => {
    const cluster = await driver.create();
    await applyObjects(cluster.kubeConfig(), parseManifests(subsets + "---\n" + allV1));
    // No waiting here: the config is still on its way to the proxies.
    expect((await cluster.proxyStatus()).some((row) => row.rds === "STALE")).toBe(true);
    const result = await gradeObjective(cluster, baselineV1);
    expect(result.status).toBe("pass");
    expect(result.findings.map((f) => f.code)).toEqual(["ICA0308", "ICA0905", "ICA0955"]);
  });

  it("fails a wrong answer with the reason and the evidence", async () => {
    const cluster = await driver.create();
    await applyObjects(cluster.kubeConfig(), parseManifests(subsets + "---\n" + allV1.replace("subset: v1", "subset: v2")));
    const result = await gradeObjective(cluster, baselineV1);
    expect(result.status).toBe("fail");
    const route = result.findings.find((f) => f.code === "ICA0302")!;
    expect(route).toMatchObject({ path: "spec.http[0].route[0].destination.subset", expected: { subset: "v1" }, actual: { subset: "v2" } });
    const envoy = result.findings.find((f) => f.code === "ICA0901")!;
    expect(envoy.envoy?.excerpt).toMatchObject({ route: { cluster: "outbound|9080|v2|reviews.default.svc.cluster.local" } });
    const traffic = result.findings.find((f) => f.code === "ICA0951")!;
    expect(traffic.probe?.histogram).toEqual({ v2: 20 });
  });

  it("reports error, not fail, when the cluster cannot be reached", async () => {
    const stopped = new EmbeddedDriver();
    const cluster = await stopped.create();
    await stopped.close();
    const result = await gradeObjective(cluster, baselineV1);
    expect(result.status).toBe("error");
    expect(result.findings[0]?.code).toBe("ICA0002");
    expect(result.reason).toMatch(/could not be reached/);
  });

  it("reports error, not fail, when a needed workload is missing", async () => {
    const cluster = await driver.create();
    const result = await gradeObjective(cluster, { ...baselineV1, params: { ...(baselineV1.params as object), caller: { namespace: "default", app: "no-such-app" } } });
    expect(result).toMatchObject({ status: "error", findings: [{ code: "ICA0004" }] });
  });

  it("reports an authoring error for unknown checks and bad parameters", async () => {
    const cluster = await driver.create();
    expect(await gradeObjective(cluster, { check: "virtualservice.nope", params: {} })).toMatchObject({ status: "error", findings: [{ code: "ICA0005" }] });
    const bad = await gradeObjective(cluster, { check: "virtualservice.weighted-split", params: { host: "reviews", weights: { v1: -1 } } });
    expect(bad.status).toBe("error");
    expect(bad.reason).toMatch(/weights/);
  });
});
