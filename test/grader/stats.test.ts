// Statistics behind traffic verdicts: Wilson intervals and percentiles.
import { describe, expect, it } from "vitest";
import { normalQuantile, shareIsConsistent, wilsonInterval } from "@/grader/stats/binomial";
import { latencySummary, percentile } from "@/grader/stats/percentiles";

describe("Wilson interval", () => {
  it("matches known values", () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.95996, 4);
    expect(normalQuantile(0.9995)).toBeCloseTo(3.29053, 4);
    const { low, high } = wilsonInterval(80, 100, 0.95);
    expect(low).toBeCloseTo(0.7112, 3);
    expect(high).toBeCloseTo(0.8666, 3);
  });

  it("accepts a fair 80/20 sample and rejects 50/50 at 99.9% over 1,000 requests", () => {
    expect(shareIsConsistent(790, 1000, 0.8, 0.999)).toBe(true);
    expect(shareIsConsistent(500, 1000, 0.8, 0.999)).toBe(false);
  });

  it("is wide for small samples, so 20 requests cannot condemn a correct split", () => {
    expect(shareIsConsistent(12, 20, 0.8, 0.999)).toBe(true);
  });
});

describe("percentiles", () => {
  it("uses nearest rank", () => {
    const values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(percentile(values, 50)).toBe(5);
    expect(percentile(values, 90)).toBe(9);
    expect(percentile(values, 99)).toBe(10);
    expect(latencySummary(values)).toMatchObject({ count: 10, min: 1, max: 10 });
    expect(percentile([], 50)).toBeNaN();
  });
});
