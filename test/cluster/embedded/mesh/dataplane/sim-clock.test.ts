// The virtual-time simulator: concurrency, ordering, timeouts and background work behave as in real time.
import { describe, expect, it } from "vitest";
import { SimClock } from "@/cluster/embedded/mesh/dataplane/sim-clock";

function clock(): SimClock {
  return new SimClock({ wallClock: () => 0, epochMs: 0 });
}

describe("SimClock", () => {
  it("runs concurrent delayed work in parallel virtual time", async () => {
    const sim = clock();
    const finished: [string, number][] = [];
    const duration = await sim.run(async () => {
      await sim.all(
        ["a", "b", "c"].map((name, index) => async () => {
          await sim.sleep(1000 * (index + 1));
          finished.push([name, sim.now()]);
        }),
      );
      return sim.now();
    });
    expect(duration).toBe(3000);
    expect(finished).toEqual([
      ["a", 1000],
      ["b", 2000],
      ["c", 3000],
    ]);
  });

  it("orders events at the same instant by scheduling order", async () => {
    const sim = clock();
    const order: number[] = [];
    await sim.run(() => sim.all([1, 2, 3].map((n) => async () => {
      await sim.sleep(5);
      order.push(n);
    })));
    expect(order).toEqual([1, 2, 3]);
  });

  it("times out a slow thread and leaves it running in the background", async () => {
    const sim = clock();
    let slowDoneAt = -1;
    const outcome = await sim.run(async () => {
      const slow = sim.spawn(async () => {
        await sim.sleep(7000);
        slowDoneAt = sim.now();
        return "late";
      });
      const raced = await sim.race(slow, 3000);
      return { raced, at: sim.now() };
    });
    expect(outcome).toEqual({ raced: { finished: false }, at: 3000 });
    expect(slowDoneAt).toBe(-1);
    // The next run starts after the leftover work that was due before it.
    const next = await sim.run(async () => {
      await sim.sleep(5000);
      return sim.now();
    });
    expect(slowDoneAt).toBe(7000);
    expect(next).toBe(8000);
  });

  it("keeps virtual time from falling behind the wall clock", async () => {
    let wall = 0;
    const sim = new SimClock({ wallClock: () => wall, epochMs: 0 });
    await sim.run(() => sim.sleep(10));
    wall = 30_000;
    expect(await sim.run(async () => sim.now())).toBe(30_000);
  });

  it("simulates a thousand sequential sleeps without real waiting", async () => {
    const sim = clock();
    const end = await sim.run(async () => {
      for (let i = 0; i < 1000; i++) await sim.sleep(1000);
      return sim.now();
    });
    expect(end).toBe(1_000_000);
  });
});
