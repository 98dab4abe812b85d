// The Envoy runtime on Istio-generated config: retries, per-try timeouts, outlier ejection, no healthy upstream,
// connection failures, the REGISTRY_ONLY black hole, and the stats and access-log lines that show them.
import { describe, expect, it } from "vitest";
import { bookinfoGateway } from "../../../../support/bookinfo-networking";
import { bookinfo, destinationRuleAll, reviewsAll, type TestMesh } from "./fixtures";

/** Two fortio echo-server pods behind Service `echo` (port 8080), so tests can ask for any status or delay. */
function withEchoService(test: TestMesh): void {
  test.apply(`apiVersion: v1
kind: Service
metadata:
  name: echo
  labels:
    app: echo
spec:
  selector:
    app: echo
  ports:
  - name: http
    port: 8080
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: echo
spec:
  replicas: 2
  selector:
    matchLabels:
      app: echo
  template:
    metadata:
      labels:
        app: echo
        version: v1
    spec:
      containers:
      - name: echo
        image: fortio/fortio:latest_release
        ports:
        - containerPort: 8080
`);
}

function echoVirtualService(http: string): string {
  return `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: echo
spec:
  hosts:
  - echo
  http:
  - route:
    - destination:
        host: echo
${http}`;
}

function countLines(text: string, needle: string): number {
  return text.split("\n").filter((line) => line.includes(needle)).length;
}

describe("Envoy runtime", () => {
  it("does not retry an application 503 under Istio's default retry policy", async () => {
    const test = bookinfo();
    withEchoService(test);
    const result = await test.mesh.request(test.sleep, "http://echo:8080/echo?status=503");
    expect(result.status).toBe(503);
    expect(result.flags).toBe("-");
    const log = test.mesh.logs(test.sleep, "istio-proxy");
    expect(countLines(log, `"GET /echo?status=503 HTTP/1.1" 503 - via_upstream`)).toBe(1);
    expect(test.mesh.dataPlane.stat(test.sleep, "cluster.outbound|8080||echo.default.svc.cluster.local.upstream_rq_retry")).toBe(0);
  });

  it("retries 5xx as configured, then gives up with URX", async () => {
    const test = bookinfo();
    withEchoService(test);
    test.apply(echoVirtualService("    retries:\n      attempts: 3\n      retryOn: 5xx\n"));
    const result = await test.mesh.request(test.sleep, "http://echo:8080/echo?status=503");
    expect(result.status).toBe(503);
    expect(result.flags).toBe("URX");
    const stat = (name: string): number => test.mesh.dataPlane.stat(test.sleep, `cluster.outbound|8080||echo.default.svc.cluster.local.${name}`);
    expect(stat("upstream_rq_retry")).toBe(3);
    expect(stat("upstream_rq_retry_limit_exceeded")).toBe(1);
    expect(stat("upstream_rq_503")).toBe(4);
    const echoPods = test.cluster.store.list("pods", "default").filter((pod) => pod.metadata.name.startsWith("echo-"));
    const inbound = echoPods.map((pod) => countLines(test.mesh.logs({ namespace: "default", name: pod.metadata.name }, "istio-proxy"), "inbound|8080||")).reduce((a, b) => a + b, 0);
    expect(inbound).toBe(4);
  });

  it("cuts slow tries at perTryTimeout and answers 504 UT when the retries run out", async () => {
    const test = bookinfo();
    withEchoService(test);
    test.apply(echoVirtualService("    retries:\n      attempts: 2\n      perTryTimeout: 500ms\n      retryOn: 5xx\n"));
    const result = await test.mesh.request(test.sleep, "http://echo:8080/echo?delay=2s");
    expect(result.status).toBe(504);
    expect(result.body).toBe("upstream request timeout");
    expect(result.flags).toBe("UT,URX");
    expect(result.latencyMs).toBeGreaterThanOrEqual(1500);
    expect(result.latencyMs).toBeLessThan(1500 + 250 + 50);
    expect(test.mesh.dataPlane.stat(test.sleep, "cluster.outbound|8080||echo.default.svc.cluster.local.upstream_rq_per_try_timeout")).toBe(3);
  });

  it("ejects hosts after consecutive 5xx and answers 503 UH once every host is ejected", async () => {
    const test = bookinfo();
    withEchoService(test);
    test.apply(`apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: echo
spec:
  host: echo
  trafficPolicy:
    outlierDetection:
      consecutive5xxErrors: 1
      interval: 1s
      baseEjectionTime: 30s
      maxEjectionPercent: 100
`);
    const first = await test.mesh.request(test.sleep, "http://echo:8080/echo?status=500");
    const second = await test.mesh.request(test.sleep, "http://echo:8080/echo?status=500");
    expect([first.status, second.status]).toEqual([500, 500]);
    expect(first.upstreamPod).not.toBe(second.upstreamPod);
    const third = await test.mesh.request(test.sleep, "http://echo:8080/echo");
    expect(third.status).toBe(503);
    expect(third.flags).toBe("UH");
    expect(third.body).toBe("no healthy upstream");
    const stats = test.mesh.dataPlane.proxyStats(test.sleep, { unfiltered: true });
    expect(stats).toContain("cluster.outbound|8080||echo.default.svc.cluster.local.outlier_detection.ejections_active: 2\n");
    expect(stats).toContain("cluster.outbound|8080||echo.default.svc.cluster.local.outlier_detection.ejections_enforced_consecutive_5xx: 2\n");
    const clusters = await test.mesh.exec(test.sleep, "istio-proxy", ["pilot-agent", "request", "GET", "clusters"]);
    expect(clusters.stdout).toMatch(/outbound\|8080\|\|echo\.default\.svc\.cluster\.local::[\d.]+:8080::health_flags::\/failed_outlier_check/);
    // After the ejection time the hosts return.
    await test.mesh.advance(31_000);
    const later = await test.mesh.request(test.sleep, "http://echo:8080/echo");
    expect(later.status).toBe(200);
  });

  it("keeps the default 10% max ejection: with two hosts nothing is ejected", async () => {
    const test = bookinfo();
    withEchoService(test);
    test.apply(`apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: echo
spec:
  host: echo
  trafficPolicy:
    outlierDetection:
      consecutive5xxErrors: 1
`);
    for (let index = 0; index < 3; index++) await test.mesh.request(test.sleep, "http://echo:8080/echo?status=500");
    expect(test.mesh.dataPlane.stat(test.sleep, "cluster.outbound|8080||echo.default.svc.cluster.local.outlier_detection.ejections_overflow")).toBeGreaterThan(0);
    expect((await test.mesh.request(test.sleep, "http://echo:8080/echo")).status).toBe(200);
  });

  it("answers 503 when the destination pod listens on nothing (the sleep Service)", async () => {
    const test = bookinfo();
    const result = await test.mesh.request(test.fortio, "http://sleep/");
    expect(result.status).toBe(503);
    expect(result.body).toContain("upstream connect error or disconnect/reset before headers");
    expect(result.body).toContain("Connection refused");
  });

  it("routes unknown hosts to PassthroughCluster by default and to the 502 block_all route under REGISTRY_ONLY", async () => {
    const open = bookinfo();
    const allowed = await open.mesh.request(open.sleep, "http://httpbin.org/get");
    expect(allowed.status).toBe(200);
    expect(allowed.upstreamCluster).toBe("PassthroughCluster");
    const closed = bookinfo(42, { outboundTrafficPolicy: "REGISTRY_ONLY" });
    const blocked = await closed.mesh.request(closed.sleep, "http://httpbin.org/get");
    expect(blocked.status).toBe(502);
    expect(closed.mesh.logs(closed.sleep, "istio-proxy")).toMatch(/"GET \/get HTTP\/1\.1" 502 - direct_response .* block_all$/m);
  });

  it("keeps routing with the config a proxy has until it acknowledges the next push", async () => {
    const test = bookinfo();
    test.apply(destinationRuleAll);
    test.apply(reviewsAll("v1"));
    test.apply(reviewsAll("v3"), { push: false });
    const stale = await test.mesh.request(test.sleep, "http://reviews:9080/reviews/0");
    expect(stale.upstreamCluster).toBe("outbound|9080|v1|reviews.default.svc.cluster.local");
    test.mesh.pilot.syncNow();
    const fresh = await test.mesh.request(test.sleep, "http://reviews:9080/reviews/0");
    expect(fresh.upstreamCluster).toBe("outbound|9080|v3|reviews.default.svc.cluster.local");
    expect(fresh.upstreamPod).toMatch(/^reviews-v3-/);
  });

  it("weights subsets with Envoy's random % total over the configured weights", async () => {
    const test = bookinfo(11);
    test.apply(`apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: reviews
spec:
  host: reviews
  subsets:
  - name: v1
    labels:
      version: v1
  - name: v3
    labels:
      version: v3
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
spec:
  hosts:
  - reviews
  http:
  - route:
    - destination:
        host: reviews
        subset: v1
      weight: 80
    - destination:
        host: reviews
        subset: v3
      weight: 30
`);
    const result = await test.mesh.probe({ from: { namespace: "default", app: "sleep" }, url: "http://reviews:9080/reviews/0", requests: 1100, concurrency: 8 });
    const v3 = result.responses.filter((response) => response.upstreamCluster === "outbound|9080|v3|reviews.default.svc.cluster.local").length;
    // 30 / (80 + 30) = 27.3%: 300 ± 3.29 × 14.8.
    expect(v3).toBeGreaterThan(251);
    expect(v3).toBeLessThan(349);
  });
});

describe("the ingress gateway called from a pod in the mesh", () => {
  const curlStatus = (test: TestMesh, url: string, host?: string) =>
    test.mesh.exec(test.sleep, "sleep", ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", ...(host ? ["-H", `Host: ${host}`] : []), url]);

  it("is reached through its Service with any Host: unknown hosts pass through the sidecar and kube-proxy picks the gateway pod", async () => {
    const test = bookinfo();
    test.apply(bookinfoGateway);
    expect((await curlStatus(test, "http://istio-ingressgateway.istio-system/productpage")).stdout).toBe("200");
    expect((await curlStatus(test, "http://istio-ingressgateway.istio-system/productpage", "bookinfo.example.com")).stdout).toBe("200");
    expect((await curlStatus(test, "http://istio-ingressgateway.istio-system/nothing", "bookinfo.example.com")).stdout).toBe("404");
    expect(test.mesh.logs(test.sleep, "istio-proxy")).toMatch(/"GET \/productpage HTTP\/1\.1" 200 - via_upstream .* "bookinfo\.example\.com" "10\.96\.\d+\.\d+:80" PassthroughCluster .* allow_any$/m);
    const gatewayLog = test.mesh.logs(test.pod("istio-ingressgateway", "istio-system"), "istio-proxy");
    expect(gatewayLog).toMatch(/"GET \/productpage HTTP\/1\.1" 200 - via_upstream .* "bookinfo\.example\.com" "10\.244\.\d+\.\d+:9080" outbound\|9080\|\|productpage\.default\.svc\.cluster\.local /m);
    expect(gatewayLog).toMatch(/"GET \/nothing HTTP\/1\.1" 404 NR route_not_found /);
  });

  it("refuses connections while no Gateway opens a listener on its port: 503 UF from the caller's sidecar", async () => {
    const test = bookinfo();
    const refused = await test.mesh.exec(test.sleep, "sleep", ["curl", "-s", "-H", "Host: bookinfo.example.com", "http://istio-ingressgateway.istio-system/productpage"]);
    expect(refused.stdout).toContain("delayed connect error: Connection refused");
    expect(test.mesh.logs(test.sleep, "istio-proxy")).toMatch(/"GET \/productpage HTTP\/1\.1" 503 UF .* PassthroughCluster /);
  });
});
