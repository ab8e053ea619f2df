import { describe, expect, it } from "vitest";
import { EIGHTY, FAST, group, SLOW, SPIKY, series, sweepOf } from "../../test/helpers/report.js";
import type { MetricsRow } from "../experiments/index.js";
import {
  budgetsSharePrefix,
  type ClaimId,
  evaluateClaims,
  formatSpread,
  type Part,
  type Verdict,
  verdictOf,
} from "./claims.js";
import type { Group } from "./load.js";
import { protocolTable } from "./protocol.js";

const verdicts = (groups: Group[], quick = false): Record<ClaimId, Verdict> =>
  Object.fromEntries(
    evaluateClaims(sweepOf(groups, quick)).map((c) => [c.id, c.verdict]),
  ) as Record<ClaimId, Verdict>;

const claim = (groups: Group[], id: ClaimId) =>
  evaluateClaims(sweepOf(groups)).find((c) => c.id === id)!;

/** Top-1 that plateaus at `level` from epoch 3, smooth losses. */
const plateau = (level: number): MetricsRow[] =>
  series(
    [0.3, 0.2, 0.1, 0.1, 0.1, 0.1],
    [0.2, 0.15, 0.12, 0.1, 0.1, 0.1],
    [level / 2, level * 0.8, level, level, level, level],
  );

describe("verdicts", () => {
  const part = (status: Part["status"]): Part => ({
    test: "",
    paper: null,
    status,
    seeds: 1,
    seedsHolding: 0,
    value: null,
    measured: "",
  });
  it("combine measured parts; unmeasured parts do not count", () => {
    expect(verdictOf([part("holds"), part("holds"), part("not measured")])).toBe("holds");
    expect(verdictOf([part("holds"), part("fails")])).toBe("partly");
    expect(verdictOf([part("partly")])).toBe("partly");
    expect(verdictOf([part("fails"), part("not measured")])).toBe("does not hold");
    expect(verdictOf([part("not measured")])).toBe("not measured");
    expect(verdictOf([])).toBe("not measured");
  });
});

describe("claims from synthetic metric series", () => {
  it("every verdict is reachable, and none is measured without runs", () => {
    expect(Object.values(verdicts([]))).toEqual(Array(9).fill("not measured"));
    const v = verdicts([
      group("epochs", "E=6", [FAST, FAST]),
      group("negatives", "random", [FAST], { negatives: "random" }),
      group("negatives", "hard", [SLOW], { negatives: "hard" }),
    ]);
    expect(v.C1).toBe("holds"); // train loss 0 by epoch 3 in both seeds
    expect(v.C3).toBe("holds");
    expect(v.C4).toBe("partly"); // random fine; hard ends at 0.5, not ≈ 0.8
    expect(verdicts([group("epochs", "E=6", [SLOW])]).C1).toBe("does not hold");
    expect(verdicts([group("epochs", "E=6", [FAST, SLOW])]).C1).toBe("partly"); // 1 of 2 seeds
  });

  it("find configurations by their config values, not labels", () => {
    const v = verdicts([
      group("negatives", "a", [FAST], { negatives: "random" }),
      group("negatives", "b", [EIGHTY], { negatives: "hard" }),
      group("architecture", "x", [FAST], { encoder: "joint" }),
      group("architecture", "y", [SLOW], { encoder: "transformer" }),
      group("architecture", "z", [EIGHTY], { encoder: "lstm" }),
      group("architecture", "w", [SLOW], { encoder: "trace" }),
    ]);
    expect(v.C4).toBe("holds"); // random ≈ 1.0 with a spike, hard ≈ 0.8 and slower
    expect(v.C7).toBe("holds");
  });

  it("C2: val-loss spikes in the longest budget", () => {
    expect(verdicts([group("epochs", "E=6", [SPIKY, FAST])]).C2).toBe("holds");
    expect(
      verdicts([
        group("epochs", "short", [FAST.slice(0, 3)], { epochs: 3 }),
        group("epochs", "long", [SLOW], { epochs: 6 }),
      ]).C2,
    ).toBe("does not hold"); // the 6-epoch budget is smooth
  });

  it("C3 shows the paper's jump epoch for the budget, unscaling quick sweeps", () => {
    const c3 = evaluateClaims(
      sweepOf([group("epochs", "E=15", [FAST], { epochs: 15 })], true),
    ).find((c) => c.id === "C3")!;
    expect(c3.parts[0].paper).toBe("epoch 12"); // 15 / 0.3 = the paper's E = 50
    expect(c3.parts[0].value).toMatchObject({ mean: 3 });
  });

  it("C5: euclidean faster and less spiky than cosine", () => {
    const e = (rows: MetricsRow[][]) => group("distance", "e", rows, { distance: "euclidean" });
    const c = (rows: MetricsRow[][]) => group("distance", "c", rows, { distance: "cosine" });
    expect(verdicts([e([FAST]), c([SPIKY])]).C5).toBe("holds");
    expect(verdicts([e([FAST]), c([SLOW])]).C5).toBe("partly"); // faster, but cosine has no spike
    expect(verdicts([e([SPIKY]), c([FAST])]).C5).toBe("does not hold");
  });

  it("C6: dim 16 plateaus at 0.5, dims ≥ 64 converge within 5 epochs", () => {
    const d = (dim: number, rows: MetricsRow[]) => group("dim", `d${dim}`, [rows], { dim });
    expect(verdicts([d(16, SLOW), d(32, SLOW), d(64, FAST), d(256, FAST)]).C6).toBe("holds");
    expect(verdicts([d(16, SLOW), d(64, FAST), d(128, SLOW)]).C6).toBe("partly");
    expect(verdicts([d(16, FAST), d(64, SLOW)]).C6).toBe("does not hold");
  });

  it("C7 pairs seeds: joint better in one seed and worse in the other is partly", () => {
    const c7 = claim(
      [
        group("architecture", "j", [FAST, SLOW], { encoder: "joint" }),
        group("architecture", "t", [SLOW, FAST], { encoder: "transformer" }),
        group("architecture", "l", [SLOW, SLOW], { encoder: "lstm" }),
      ],
      "C7",
    );
    expect(c7.parts.map((p) => p.status)).toEqual(["partly", "partly"]);
    expect(c7.parts[0].value).toMatchObject({ mean: 0, min: -0.5, max: 0.5 });
    expect(c7.parts[0].measured).toContain("holds in 1/2 seeds");
    expect(c7.verdict).toBe("partly");
  });

  it("C8: rank correlation between margin and accuracy", () => {
    const m = (levels: number[]) =>
      [0.05, 0.1, 0.2, 0.5, 1].map((margin, i) =>
        group("margin", `m${i}`, [plateau(levels[i])], { margin }),
      );
    expect(verdicts(m([1, 0.95, 0.9, 0.7, 0.5])).C8).toBe("holds");
    expect(verdicts(m([0.5, 0.7, 0.9, 0.95, 1])).C8).toBe("does not hold");
    expect(verdicts(m([1, 0.9, 0.7, 0.5, 0.5]).slice(0, 2)).C8).toBe("not measured"); // 2 margins
  });

  it("C9: both renaming splits near-perfect", () => {
    const r = (
      renaming: "train-plain-test-renamed" | "train-renamed-test-plain",
      rows: MetricsRow[],
    ) => group("renaming", renaming.slice(0, 11), [rows], { renaming });
    expect(
      verdicts([r("train-plain-test-renamed", FAST), r("train-renamed-test-plain", FAST)]).C9,
    ).toBe("holds");
    const c9 = claim([r("train-plain-test-renamed", FAST)], "C9");
    expect(c9.verdict).toBe("holds");
    expect(c9.parts[1].status).toBe("not measured");
    expect(c9.parts[1].measured).toBe("no finished run of renaming train-renamed-test-plain");
  });

  it("budgets that are prefixes of the longest are recognised", () => {
    const b = (rows: MetricsRow[]) =>
      group("epochs", `E${rows.length}`, [rows], { epochs: rows.length });
    expect(budgetsSharePrefix([b(FAST.slice(0, 3)), b(FAST)])).toBe(true);
    expect(budgetsSharePrefix([b(SLOW.slice(0, 3)), b(FAST)])).toBe(false);
  });

  it("formats mean [min, max] over seeds", () => {
    expect(formatSpread({ mean: 0.5, min: 0.4, max: 0.6, n: 2, of: 2 }, "top1")).toBe(
      "0.50 [0.40, 0.60]",
    );
    expect(formatSpread({ mean: 9, min: 9, max: 9, n: 3, of: 3 }, "epoch")).toBe("9");
    expect(formatSpread({ mean: -0.2, min: -0.3, max: 0.1, n: 2, of: 2 }, "delta")).toBe(
      "−0.20 [−0.30, +0.10]",
    );
    expect(formatSpread(null, "top1")).toBe("—");
  });
});

describe("protocol table", () => {
  it("compares each option with its reference and names the claims whose answer changes", () => {
    const rows = protocolTable(
      sweepOf([
        group("protocol", "p", [FAST]),
        group("protocol", "q", [SLOW], { pooling: "mean" }),
        group("protocol", "r", [FAST], { holdOut: "variants" }),
        group("protocol", "s", [EIGHTY], { negatives: "hard", miningScope: "batch" }),
        group("protocol", "t", [SLOW], { negatives: "hard", miningScope: "epoch" }),
      ]),
    );
    const row = (label: string, choice: string) =>
      rows.find((r) => r.label === label && r.choice === choice)!;
    expect(rows.map((r) => `${r.choice}:${r.option}`)).toEqual([
      "holdOut:functions",
      "holdOut:variants",
      "pooling:last",
      "pooling:mean",
      "miningScope:batch",
      "miningScope:epoch",
    ]);
    expect(row("p", "pooling")).toMatchObject({ reference: null, changes: [] });
    expect(row("q", "pooling")).toMatchObject({
      reference: "p",
      changes: ["C1", "C2", "C3"],
      reached: 0,
    });
    expect(row("q", "pooling").deltaFinal).toBeCloseTo(-0.5);
    expect(row("r", "holdOut")).toMatchObject({ changes: [], reached: 1 });
    expect(row("r", "holdOut").convergedAt).toMatchObject({ mean: 3 });
    // hard mined per epoch ends at 0.5, not ≈ 0.8: C4 goes from holds to partly (random = p)
    expect(row("s", "miningScope").verdicts.C4).toBe("holds");
    expect(row("t", "miningScope")).toMatchObject({ reference: "s" });
    expect(row("t", "miningScope").verdicts.C4).toBe("partly");
    expect(row("t", "miningScope").changes).toContain("C4");
  });
});
