// What learners type inside pods: curl (output, -w, -I, exit codes), fortio load/curl output, pilot-agent and
// the proxy stats inclusion list.
import { describe, expect, it } from "vitest";
import { bookinfo } from "./fixtures";

describe("curl", () => {
  it("prints the page, and -w variables after the body", async () => {
    const test = bookinfo();
    const page = await test.mesh.exec(test.sleep, "sleep", ["curl", "-s", "http://productpage:9080/productpage"]);
    expect(page.exitCode).toBe(0);
    expect(page.stdout).toContain("<title>Simple Bookstore App</title>");
    const timing = await test.mesh.exec(test.sleep, "sleep", ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code} %{time_total}\\n", "http://productpage:9080/productpage"]);
    expect(timing.stdout).toMatch(/^200 0\.\d{6}\n$/);
  });

  it("shows response headers with -I and -i", async () => {
    const test = bookinfo();
    const head = await test.mesh.exec(test.sleep, "sleep", ["curl", "-sI", "http://productpage:9080/productpage"]);
    expect(head.stdout.startsWith("HTTP/1.1 200 OK\r\n")).toBe(true);
    expect(head.stdout).toContain("server: envoy\r\n");
    expect(head.stdout).toMatch(/x-envoy-upstream-service-time: \d+\r\n/);
    expect(head.stdout).not.toContain("<title>");
    const include = await test.mesh.exec(test.sleep, "sleep", ["curl", "-si", "http://details:9080/details/0"]);
    expect(include.stdout).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\n\{"id":0,"author":"William Shakespeare"/);
  });

  it("logs in with a form post and carries the session cookie", async () => {
    const test = bookinfo();
    const login = await test.mesh.exec(test.sleep, "sleep", ["curl", "-si", "-d", "username=jason&passwd=x", "http://productpage:9080/login"]);
    expect(login.stdout).toMatch(/^HTTP\/1\.1 302 Found\r\n/);
    const cookie = /set-cookie: (session=[^;]+)/.exec(login.stdout)?.[1];
    expect(cookie).toBeDefined();
    const page = await test.mesh.exec(test.sleep, "sleep", ["curl", "-s", "-b", cookie ?? "", "http://productpage:9080/productpage"]);
    expect(page.stdout).toContain(">jason</p>");
    expect(page.stdout).toContain("Sign out");
  });

  it("exits like curl: 6 unresolvable, 28 after --max-time, 22 with -f on errors", async () => {
    const test = bookinfo();
    const unknown = await test.mesh.exec(test.sleep, "sleep", ["curl", "http://nope:9080/"]);
    expect(unknown.exitCode).toBe(6);
    expect(unknown.stderr).toBe("curl: (6) Could not resolve host: nope\n");
    const slow = await test.mesh.exec(test.sleep, "sleep", ["curl", "--max-time", "1", "http://fortio:8080/echo?delay=3s"]);
    expect(slow.exitCode).toBe(28);
    expect(slow.stderr).toMatch(/^curl: \(28\) Operation timed out after 1000 milliseconds with 0 bytes received\n$/);
    const silent = await test.mesh.exec(test.sleep, "sleep", ["curl", "-s", "-m", "1", "http://fortio:8080/echo?delay=3s"]);
    expect(silent).toEqual({ stdout: "", stderr: "", exitCode: 28 });
    const failing = await test.mesh.exec(test.sleep, "sleep", ["curl", "-sSf", "http://fortio:8080/echo?status=503"]);
    expect(failing.exitCode).toBe(22);
    expect(failing.stderr).toBe("curl: (22) The requested URL returned error: 503\n");
  });

  it("runs sh -c scripts in images with a shell: loops, background jobs, mktemp, curl from the pod", async () => {
    const test = bookinfo();
    const loop = await test.mesh.exec(test.sleep, "sleep", ["sh", "-c", 'for i in $(seq 3); do curl -s -o /dev/null -w "%{http_code}\\n" http://productpage:9080/productpage; done']);
    expect(loop).toEqual({ stdout: "200\n200\n200\n", stderr: "", exitCode: 0 });
    const jobs = await test.mesh.exec(test.sleep, "sleep", ["sh", "-c", 'dir=$(mktemp -d /tmp/run.XXXXXX)\n(curl -s http://details:9080/details/0 > "$dir/a") &\n(curl -s -o /dev/null -w "%{http_code}" http://ratings:9080/nothing > "$dir/b") &\nwait\ncat "$dir"/a; echo; cat "$dir"/b']);
    expect(jobs.stdout).toMatch(/^\{"id":0,"author":"William Shakespeare".*\}\n404$/);
    const failing = await test.mesh.exec(test.sleep, "sleep", ["sh", "-c", "curl -sf http://ratings:9080/nothing; exit 7"]);
    expect(failing.exitCode).toBe(7);
    const noShell = await test.mesh.exec(test.fortio, "fortio", ["sh", "-c", "echo hi"]);
    expect(noShell.exitCode).toBe(126);
  });

  it("reaches the pod's own loopback: the app's port, Envoy's admin and its readiness endpoint, never through the sidecar", async () => {
    const test = bookinfo();
    const productpage = test.pod("productpage-v1");
    const health = await test.mesh.exec(productpage, "productpage", ["curl", "-s", "localhost:9080/health"]);
    expect(health).toMatchObject({ exitCode: 0, stdout: "Product page is healthy" });
    expect(test.mesh.logs(productpage, "istio-proxy")).not.toContain("/health");
    const gateway = test.pod("istio-ingressgateway", "istio-system");
    const ready = await test.mesh.exec(gateway, "istio-proxy", ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "http://localhost:15021/healthz/ready"]);
    expect(ready.stdout).toBe("200");
    expect((await test.mesh.exec(test.sleep, "sleep", ["curl", "-s", "127.0.0.1:15000/ready"])).stdout).toBe("LIVE\n");
    const closed = await test.mesh.exec(test.sleep, "sleep", ["curl", "-sS", "localhost:9999/"]);
    expect(closed.exitCode).toBe(7);
    expect(closed.stderr).toMatch(/^curl: \(7\) Failed to connect to localhost port 9999 after \d+ ms: Couldn't connect to server\n$/);
  });

  it("is missing where the image has no curl, and fortio only exists in the fortio image", async () => {
    const test = bookinfo();
    const inFortio = await test.mesh.exec(test.fortio, "fortio", ["curl", "http://details:9080/details/0"]);
    expect(inFortio.exitCode).toBe(126);
    expect(inFortio.stderr).toContain('exec: "curl": executable file not found in $PATH');
    const inSleep = await test.mesh.exec(test.sleep, "sleep", ["fortio", "load", "http://details:9080/details/0"]);
    expect(inSleep.exitCode).toBe(126);
  });
});

describe("fortio", () => {
  it("paces -qps across threads and reports fortio's summary", async () => {
    const test = bookinfo();
    const run = await test.mesh.exec(test.fortio, "fortio", ["fortio", "load", "-qps", "10", "-c", "2", "-n", "20", "http://details:9080/details/0"]);
    expect(run.stderr).toContain("Fortio 1.69.5 running at 10 queries per second, 2->2 procs, for 20 calls: http://details:9080/details/0\n");
    expect(run.stderr).toContain("Starting at 10 qps with 2 thread(s) [gomax 2] : exactly 20, 10 calls each (total 20 + 0)\n");
    const ended = /^Ended after ([\d.]+)(ms|s) : 20 calls\. qps=([\d.]+)$/m.exec(run.stderr);
    expect(ended?.[2]).toBe("s");
    expect(Number(ended?.[1])).toBeGreaterThanOrEqual(1.8);
    expect(Number(ended?.[3])).toBeLessThan(12);
    expect(run.stderr).toContain("Code 200 : 20 (100.0 %)\n");
    expect(run.stderr).toContain("Sockets used: 2 (for perfect keepalive, would be 2)\n");
    const histogram = run.stderr.split("\n").filter((line) => /^>=? /.test(line));
    expect(histogram.at(-1)).toMatch(/, 100\.00, \d+$/);
    expect(histogram.map((line) => Number(line.split(", ").at(-1))).reduce((a, b) => a + b, 0)).toBe(20);
    for (const percentile of ["50%", "75%", "90%", "99%", "99.9%"]) expect(run.stderr).toMatch(new RegExp(`^# target ${percentile.replace(".", "\\.")} [\\d.e-]+$`, "m"));
    expect(run.stderr).toMatch(/^All done 20 calls \(plus 0 warmup\) [\d.]+ ms avg, [\d.]+ qps$/m);
  });

  it("counts requests that exceed fortio's 3 s default timeout as code -1", async () => {
    const test = bookinfo();
    const run = await test.mesh.exec(test.fortio, "fortio", ["fortio", "load", "-c", "1", "-n", "3", "http://fortio:8080/echo?delay=5s"]);
    expect(run.stderr).toContain("Code -1 : 3 (100.0 %)\n");
    expect(run.stderr).toContain("[ERR]");
    expect(run.stdout).toBe("");
  });

  it("writes its result as JSON to stdout with -json -, the summary staying on stderr", async () => {
    const test = bookinfo();
    const run = await test.mesh.exec(test.fortio, "fortio", ["fortio", "load", "-json", "-", "-c", "2", "-qps", "0", "-n", "10", "http://details:9080/details/0"]);
    expect(run.exitCode).toBe(0);
    const result = JSON.parse(run.stdout) as { RetCodes: Record<string, number>; NumThreads: number; RequestedQPS: string; DurationHistogram: { Count: number; Data: { Count: number }[]; Percentiles: { Percentile: number }[] } };
    expect(result).toMatchObject({ RetCodes: { "200": 10 }, NumThreads: 2, RequestedQPS: "max", DurationHistogram: { Count: 10 } });
    expect(result.DurationHistogram.Data.reduce((sum, bucket) => sum + bucket.Count, 0)).toBe(10);
    expect(result.DurationHistogram.Percentiles.map((p) => p.Percentile)).toEqual([50, 75, 90, 99, 99.9]);
    expect(run.stderr).toContain("Code 200 : 10 (100.0 %)\n");
    expect(run.stderr).toMatch(/Successfully wrote \d+ bytes of Json data to stdout\n$/);
  });

  it("fortio curl prints the status line, headers and body", async () => {
    const test = bookinfo();
    const run = await test.mesh.exec(test.fortio, "fortio", ["fortio", "curl", "-quiet", "http://details:9080/details/0"]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\n\{"id":0/);
  });
});

describe("proxy admin", () => {
  it("shows only Istio's default stats unless the pod's proxyStatsMatcher includes more", async () => {
    const test = bookinfo();
    await test.mesh.request(test.sleep, "http://productpage:9080/productpage");
    await test.mesh.request(test.fortio, "http://reviews:9080/reviews/0");
    const sleepStats = await test.mesh.proxyStats(test.sleep);
    expect(sleepStats).toContain("server.live: 1\n");
    expect(sleepStats).toMatch(/^istiocustom\.istio_requests_total\.reporter\.source\.source_workload\.sleep\..*response_code\.200\..*response_flags\.-\..*: 1$/m);
    expect(sleepStats).not.toContain("cluster.outbound|9080||productpage");
    const fortioStats = await test.mesh.exec(test.fortio, "istio-proxy", ["pilot-agent", "request", "GET", "stats"]);
    expect(fortioStats.stdout).toContain("cluster.outbound|9080||reviews.default.svc.cluster.local.upstream_rq_200: 1\n");
    expect(fortioStats.stdout).toContain("cluster.outbound|9080||reviews.default.svc.cluster.local.upstream_rq_pending_overflow: 0\n");
    const everything = test.mesh.dataPlane.proxyStats(test.sleep, { unfiltered: true });
    expect(everything).toContain("http.outbound_0.0.0.0_9080.fault.delays_injected: 0\n");
  });

  it("serves config_dump from pilot-agent and from curl localhost:15000", async () => {
    const test = bookinfo();
    const dump = await test.mesh.exec(test.sleep, "istio-proxy", ["pilot-agent", "request", "GET", "config_dump"]);
    const parsed = JSON.parse(dump.stdout) as { configs: { "@type": string }[] };
    expect(parsed.configs.map((config) => config["@type"])).toContain("type.googleapis.com/envoy.admin.v3.RoutesConfigDump");
    const viaCurl = await test.mesh.exec(test.sleep, "istio-proxy", ["curl", "-s", "localhost:15000/stats?filter=server.live"]);
    expect(viaCurl.stdout).toBe("server.live: 1\n");
  });
});
