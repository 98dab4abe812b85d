// `time` in the lab shell reports simulated latency: bash's report format, timed pipelines anywhere in a script
// (loops, subshells) keep their exit status and output, and `sleep` counts in batch mode.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatTimeReport, ShellClock } from "@/shell/time";
import { applyHeredoc, realSeconds, startShellLab, type ShellLab } from "./support";

const DETAILS_DELAY_4S = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: details
spec:
  hosts:
  - details
  http:
  - fault:
      delay:
        percentage:
          value: 100
        fixedDelay: 4s
    route:
    - destination:
        host: details`;

describe("time report format", () => {
  it("prints bash's default and POSIX formats", () => {
    expect(formatTimeReport(6012.4, false)).toBe("\nreal\t0m6.012s\nuser\t0m0.000s\nsys\t0m0.000s\n");
    expect(formatTimeReport(61_500, false)).toBe("\nreal\t1m1.500s\nuser\t0m0.000s\nsys\t0m0.000s\n");
    expect(formatTimeReport(2500, true)).toBe("real 2.50\nuser 0.00\nsys 0.00\n");
  });

  it("adds simulated time and removes the real time spent waiting for it", () => {
    let real = 1000;
    const clock = new ShellClock(() => real);
    clock.start();
    real += 3000;
    clock.record(3000, 3000);
    clock.record(500, 0);
    expect(clock.stop()).toBe(3500);
  });
});

describe("time and sleep in the shell", () => {
  let lab: ShellLab;

  beforeAll(async () => {
    lab = await startShellLab();
  });
  afterAll(() => lab.close());

  it("keeps the timed pipeline's output and exit status", async () => {
    const result = await lab.run("time (echo out; exit 3); echo status=$?");
    expect(result.stdout).toBe("out\nstatus=3\n");
    expect(result.stderr).toMatch(/^\nreal\t0m0\.\d{3}s\nuser\t0m0\.000s\nsys\t0m0\.000s\n$/);
  });

  it("times every iteration of a loop and supports time -p", async () => {
    const loop = await lab.run("for i in 1 2; do time sleep 1.5; done");
    expect(loop.stderr.match(/real\t0m1\.5\d\ds/g)).toHaveLength(2);
    const posix = await lab.run("time -p sleep 2");
    expect(posix.stderr).toMatch(/^real 2\.0\d\nuser 0\.00\nsys 0\.00\n$/);
  });

  it("a timed curl reports the request's simulated latency, not the few milliseconds it took to compute", async () => {
    const result = await lab.run(`${applyHeredoc(DETAILS_DELAY_4S)}\nsleep 1\ntime curl -s -o /dev/null -w "%{http_code}\\n" http://details:9080/details/0`);
    expect(result.stdout).toBe("virtualservice.networking.istio.io/details created\n200\n");
    expect(realSeconds(result.stderr)).toBeGreaterThanOrEqual(4);
    expect(realSeconds(result.stderr)).toBeLessThan(4.5);
  });
});
