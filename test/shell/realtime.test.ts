// Real-time mode (the web terminal): a single curl waits its simulated latency for real, capped, and can be
// interrupted; `time` still reports the simulated latency whatever the cap.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyHeredoc, realSeconds, startShellLab, type ShellLab } from "./support";

const RATINGS_DELAY_5S = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: ratings
spec:
  hosts:
  - ratings
  http:
  - fault:
      delay:
        percentage:
          value: 100
        fixedDelay: 5s
    route:
    - destination:
        host: ratings`;

describe("real-time mode", () => {
  let lab: ShellLab;

  beforeAll(async () => {
    lab = await startShellLab({ realTime: true, realTimeCapMs: 30 });
    await lab.run(applyHeredoc(RATINGS_DELAY_5S));
    await lab.settle();
  });
  afterAll(() => lab.close());

  it("time reports the simulated 5 s even though the real wait is capped", async () => {
    const result = await lab.run(`time curl -s -o /dev/null -w "%{http_code}\\n" http://ratings:9080/ratings/0`);
    expect(result.stdout).toBe("200\n");
    expect(realSeconds(result.stderr)).toBeGreaterThanOrEqual(5);
    expect(realSeconds(result.stderr)).toBeLessThan(5.5);
  });

  it("an aborted run stops waiting and skips the rest of the script", async () => {
    const slow = await startShellLab({ realTime: true });
    try {
      await slow.run(applyHeredoc(RATINGS_DELAY_5S));
      await slow.settle();
      const controller = new AbortController();
      const running = slow.shell.run(`curl -s -o /dev/null http://ratings:9080/ratings/0; echo finished`, { signal: controller.signal });
      setTimeout(() => controller.abort(), 100);
      const result = await running;
      expect(result.stdout).not.toContain("finished");
    } finally {
      await slow.close();
    }
  });
});
