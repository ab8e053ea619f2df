import { describe, expect, it } from "vitest";
import { FAST, SLOW } from "../../test/helpers/report.js";
import { band, finalValue, firstEpoch, spearman, speed, spikes, spread } from "./aggregate.js";

describe("series statistics", () => {
  it("first epoch, final value and speed", () => {
    expect(firstEpoch([0.5, 0.99, 1], (v) => v >= 0.99)).toBe(2);
    expect(firstEpoch([0.5], (v) => v >= 0.99)).toBeNull();
    expect(finalValue([0, 0, 0.3, 0.6, 0.9])).toBeCloseTo(0.6); // last 3 epochs
    expect(finalValue([])).toBeNaN();
    expect(speed([0, 0.5, 1])).toBeCloseTo(0.5);
  });

  it("count a spike once per rise above the running minimum, ignoring small or relative-only rises", () => {
    expect(spikes([0.2, 0.1, 0.05, 0.2, 0.21, 0.05, 0.3])).toBe(2);
    expect(spikes([0.2, 0.19, 0.195, 0.18])).toBe(0); // +0.005: below the absolute threshold
    expect(spikes([0.001, 0.0005, 0.009])).toBe(0); // ×18, but only +0.0085
    expect(spikes([0, 0, 0.02])).toBe(1); // from 0, any rise above 0.01 counts
  });

  it("rank-correlate with ties", () => {
    expect(spearman([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1);
    expect(spearman([1, 2, 3, 4], [1, 1, 2, 2])).toBeCloseTo(0.894, 3);
    expect(spearman([1, 2, 3], [5, 5, 5])).toBe(0);
  });
});

describe("aggregation over seeds", () => {
  it("bands: mean and min–max per epoch, over the epochs every seed has", () => {
    const b = band([FAST, SLOW, FAST.slice(0, 4)], "valTop1");
    expect(b).toHaveLength(4);
    expect(b[2].epoch).toBe(3);
    expect(b[2].mean).toBeCloseTo((1 + 0.4 + 1) / 3);
    expect(b[2]).toMatchObject({ min: 0.4, max: 1 });
    expect(band([], "trainLoss")).toEqual([]);
  });

  it("spreads leave out seeds where the statistic is undefined and say so", () => {
    expect(spread([3, null, 5, Number.NaN])).toEqual({ mean: 4, min: 3, max: 5, n: 2, of: 4 });
    expect(spread([null])).toBeNull();
    const firstZero = [FAST, SLOW].map((rows) =>
      firstEpoch(
        rows.map((r) => r.trainLoss),
        (v) => v <= 0.02,
      ),
    );
    expect(spread(firstZero)).toEqual({ mean: 3, min: 3, max: 3, n: 1, of: 2 });
  });
});
