// The real-cluster LabCluster (exec into istio-proxy and istiod, probes as in-pod scripts joined with the caller's
// access log) run against an embedded cluster through a transport double, so the grader can be run on it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CoreV1Api } from "@kubernetes/client-node";
import { applyObjects, parseManifests } from "@/cluster/apply";
import { ClusterUnavailableError, type PodRef } from "@/cluster/driver";
import { EmbeddedDriver, type EmbeddedLabCluster } from "@/cluster/embedded/driver";
import { KubeLabCluster, parseSyncz, xdsSyncState } from "@/cluster/kind/lab-cluster";
import { gradeObjective } from "@/grader/grade";
import { bookinfoGateway, reviewsRouteObjective, reviewsRoutedTo, reviewsSubsets } from "../../support/bookinfo-networking";
import { MeshTransport } from "./mesh-transport";

const driver = new EmbeddedDriver();
let embedded: EmbeddedLabCluster;
let transport: MeshTransport;
let real: KubeLabCluster;
let sleepPod: PodRef;
let productpagePod: PodRef;

async function podOf(app: string, namespace = "default", labelSelector = `app=${app}`): Promise<PodRef> {
  const pods = await embedded.kubeConfig().makeApiClient(CoreV1Api).listNamespacedPod({ namespace, labelSelector });
  return { namespace, name: pods.items[0]!.metadata!.name! };
}

beforeAll(async () => {
  embedded = await driver.create({ name: "ica-real" });
  transport = new MeshTransport(embedded);
  let run = 0;
  real = new KubeLabCluster("ica-real", embedded.kubeconfigYaml(), { transport, sleep: async () => undefined, accessLogWaitMs: 0, newRunId: () => `ica-probe-run${++run}` });
  sleepPod = await podOf("sleep");
  productpagePod = await podOf("productpage");
});
afterAll(() => driver.close());

describe("Envoy config and stats through pilot-agent", () => {
  it("reads the same config_dump (with EDS) the proxy holds, by exec in istio-proxy", async () => {
    const dump = await real.configDump(productpagePod, { includeEds: true });
    expect(dump).toEqual(await embedded.configDump(productpagePod, { includeEds: true }));
    expect(transport.execs.at(-1)).toEqual({ pod: productpagePod, container: "istio-proxy", argv: ["pilot-agent", "request", "GET", "config_dump?include_eds=true"] });
  });

  it("reads Envoy's stats text", async () => {
    expect(await real.proxyStats(sleepPod)).toBe(await embedded.proxyStats(sleepPod));
  });

  it("reports a pod without a sidecar as unreachable, not as wrong", async () => {
    const coredns = await podOf("coredns", "kube-system", "k8s-app=kube-dns");
    await expect(real.configDump(coredns)).rejects.toBeInstanceOf(ClusterUnavailableError);
    await expect(real.proxyStats({ namespace: "default", name: "no-such-pod" })).rejects.toThrow(/pilot-agent request GET stats in default\/no-such-pod failed: .*not found/);
  });
});

describe("proxy sync status through istiod's /debug/syncz", () => {
  it("lists every proxy with the istiod that serves it", async () => {
    const rows = await real.proxyStatus();
    const expected = await embedded.proxyStatus();
    expect(rows.map((r) => `${r.proxy.namespace}/${r.proxy.name}`).sort()).toEqual(expected.map((r) => `${r.proxy.namespace}/${r.proxy.name}`).sort());
    expect(rows.every((r) => /^istiod-.*\.istio-system$/.test(r.istiod) && r.version === expected[0]!.version)).toBe(true);
    const call = transport.execs.at(-1)!;
    expect(call).toMatchObject({ container: "discovery", argv: ["pilot-discovery", "request", "GET", "/debug/syncz"] });
    expect(call.pod.namespace).toBe("istio-system");
  });

  it("maps nonces the way istioctl proxy-status does", () => {
    expect(xdsSyncState(undefined, undefined)).toBe("NOT SENT");
    expect(xdsSyncState("a1", "a1")).toBe("SYNCED");
    expect(xdsSyncState("a2", "a1")).toBe("STALE");
    expect(xdsSyncState("a2", undefined)).toBe("STALE");
    const rows = parseSyncz(
      JSON.stringify([
        { proxy: "istio-egressgateway-5b8c9d-x2x4.istio-system", istio_version: "1.26.2", cluster_sent: "c", cluster_acked: "c", listener_sent: "l", listener_acked: "l", endpoint_sent: "e", endpoint_acked: "e" },
        { proxy: "sleep-7d9f-abcde.default", istio_version: "1.26.2", cluster_sent: "c2", cluster_acked: "c1", listener_sent: "l", listener_acked: "l", route_sent: "r", route_acked: "r", endpoint_sent: "e", endpoint_acked: "e" },
      ]),
      "istiod-1.istio-system",
    );
    expect(rows).toEqual([
      { proxy: { namespace: "default", name: "sleep-7d9f-abcde" }, cds: "STALE", lds: "SYNCED", eds: "SYNCED", rds: "SYNCED", istiod: "istiod-1.istio-system", version: "1.26.2" },
      { proxy: { namespace: "istio-system", name: "istio-egressgateway-5b8c9d-x2x4" }, cds: "SYNCED", lds: "SYNCED", eds: "SYNCED", rds: "NOT SENT", istiod: "istiod-1.istio-system", version: "1.26.2" },
    ]);
    expect(() => parseSyncz("<html>", "istiod")).toThrow(ClusterUnavailableError);
  });
});

describe("probes from a curl pod", () => {
  it("sends every request with its own x-request-id and joins each with the caller's access-log record", async () => {
    const before = transport.requestIds.length;
    const result = await real.probe({ from: { namespace: "default", app: "sleep" }, url: "http://reviews:9080/reviews/0", requests: 6, concurrency: 2 });
    expect(transport.requestIds.slice(before).sort()).toEqual([0, 1, 2, 3, 4, 5].map((i) => `ica-probe-run1-${i}`).sort());
    expect(result.responses).toHaveLength(6);
    for (const response of result.responses) {
      expect(response.status).toBe(200);
      expect(response.flags).toBe("-");
      expect(response.upstreamCluster).toBe("outbound|9080||reviews.default.svc.cluster.local");
      expect(response.upstreamPod).toMatch(/^reviews-v[123]-[a-z0-9]+-[a-z0-9]+\.default$/);
      expect(response.body).toContain(`"podname": "${response.upstreamPod!.replace(/\.default$/, "")}"`);
      expect(response.headers["content-type"]).toContain("application/json");
    }
    const call = transport.execs.find((e) => e.argv[0] === "sh")!;
    expect(call).toMatchObject({ pod: sleepPod, container: "sleep" });
  });

  it("carries Envoy's response flags for injected faults", async () => {
    await applyObjects(
      embedded.kubeConfig(),
      parseManifests(`apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: ratings}
spec:
  hosts: [ratings]
  http:
  - fault: {abort: {httpStatus: 503, percentage: {value: 100}}}
    route:
    - destination: {host: ratings}
`),
    );
    await embedded.mesh.waitForSync(5000);
    const result = await real.probe({ from: { namespace: "default", pod: sleepPod.name }, url: "http://ratings:9080/ratings/0", requests: 3, headers: { "end-user": "jason" } });
    expect(result.responses.map((r) => `${r.status} ${r.flags}`)).toEqual(["503 FI", "503 FI", "503 FI"]);
    expect(result.responses[0]!.body).toBe("fault filter abort");
  });

  it("lets the grader grade the real-cluster implementation: pass and fail", async () => {
    await applyObjects(
      embedded.kubeConfig(),
      parseManifests(`${reviewsSubsets("v1", "v2")}---\n${reviewsRoutedTo("v2")}`),
    );
    const spec = (subset: string) => reviewsRouteObjective(subset, { servedBy: "upstream-pod", requests: 8 });
    const pass = await gradeObjective(real, spec("v2"));
    expect(pass.status, JSON.stringify(pass.findings)).toBe("pass");
    const fail = await gradeObjective(real, spec("v1"));
    expect(fail.status).toBe("fail");
  });
});

describe("the default transport (client-node Exec over WebSocket and pods/log, through the API server)", () => {
  it("grades against the embedded cluster's API exactly as against kind: pass, fail, and could-not-grade once the cluster is gone", async () => {
    const own = await driver.create();
    await applyObjects(
      own.kubeConfig(),
      parseManifests(`${reviewsSubsets("v1", "v3")}---\n${reviewsRoutedTo("v3")}`),
    );
    const direct = new KubeLabCluster(own.id, own.kubeconfigYaml());
    const spec = (subset: string) => reviewsRouteObjective(subset, { servedBy: "upstream-pod", requests: 6 });
    const pass = await gradeObjective(direct, spec("v3"));
    expect(pass.status, JSON.stringify(pass.findings)).toBe("pass");
    const fail = await gradeObjective(direct, spec("v1"));
    expect(fail.status).toBe("fail");
    await driver.delete(own.id);
    await expect(direct.configDump(productpagePod)).rejects.toBeInstanceOf(ClusterUnavailableError);
    expect((await gradeObjective(direct, spec("v3"))).status).toBe("error");
  });

  it("grades ingress from the gateway pod's istio-proxy container, the only one a gateway pod has", async () => {
    const own = await driver.create();
    await applyObjects(own.kubeConfig(), parseManifests(bookinfoGateway));
    const direct = new KubeLabCluster(own.id, own.kubeconfigYaml());
    const ingress = { check: "gateway.ingress-route", params: { host: "bookinfo.example.com", path: "/productpage", service: "productpage", namespace: "default", requests: 5 } };
    const result = await gradeObjective(direct, ingress);
    expect(result.status, JSON.stringify(result.findings)).toBe("pass");
    expect(result.findings.find((f) => f.code === "ICA0955")?.message).toContain("All 5 requests");
    const unrouted = await gradeObjective(direct, { ...ingress, params: { ...ingress.params, path: "/nothing" } });
    expect(unrouted.status).toBe("fail");
    await driver.delete(own.id);
  });

  it("runs fortio probes with -json - and joins them with the fortio pod's access log", async () => {
    const direct = new KubeLabCluster("ica-real", embedded.kubeconfigYaml());
    const result = await direct.probe({ from: { namespace: "default", app: "fortio" }, url: "http://details:9080/details/0", requests: 12, concurrency: 3 });
    expect(result.responses).toHaveLength(12);
    expect(result.responses.every((r) => r.status === 200 && r.upstreamCluster === "outbound|9080||details.default.svc.cluster.local" && /^details-v1-/.test(r.upstreamPod ?? ""))).toBe(true);
  });
});

describe("exec", () => {
  it("runs in the pod's default container when none is named, like kubectl exec", async () => {
    const result = await real.exec(sleepPod, undefined, ["curl", "-s", "http://details:9080/details/0"]);
    expect(result.exitCode).toBe(0);
    expect(transport.execs.at(-1)).toMatchObject({ container: "sleep" });
  });
});
