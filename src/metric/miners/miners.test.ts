import { describe, expect, it } from "vitest";
import { Random } from "../../random/index.js";
import { CosineSimilarity } from "../distances/cosine-similarity.js";
import { LpDistance } from "../distances/lp-distance.js";
import type { Matrix } from "../matrix.js";
import { BatchHardMiner } from "./batch-hard-miner.js";
import { HardNegativeMiner } from "./hard-negative-miner.js";
import { type AnchorCandidates, BaseMiner, type Batch, type Miner } from "./miner.js";
import { RandomNegativeMiner } from "./random-negative-miner.js";
import { SemiHardMiner } from "./semi-hard-miner.js";
import type { Triplets } from "./triplets.js";

/** 16 points in 4 classes of 4, normal around per-class centres. */
function batch(seed: number): { e: Matrix; labels: number[] } {
  const rng = new Random(seed);
  const labels = Array.from({ length: 16 }, (_, i) => i % 4);
  const centres = Array.from({ length: 4 }, () => [rng.normal(), rng.normal(), rng.normal()]);
  const data = Float32Array.from(labels.flatMap((l) => centres[l].map((c) => c + rng.normal())));
  return { e: { data, shape: [16, 3] }, labels };
}

const list = (t: Triplets) => Array.from(t.anchors, (a, i) => [a, t.positives[i], t.negatives[i]]);

function expectValid(t: Triplets, labels: number[]): void {
  expect(t.anchors.length).toBeGreaterThan(0);
  for (const [a, p, n] of list(t)) {
    expect(a).not.toBe(p);
    expect(labels[p]).toBe(labels[a]);
    expect(labels[n]).not.toBe(labels[a]);
  }
}

/** Negatives of a, closest first (ties by index), computed independently. */
function negativesByDistance(e: Matrix, labels: number[], a: number): number[] {
  const d = e.shape[1];
  const dist = (j: number) =>
    Math.hypot(...Array.from({ length: d }, (_, k) => e.data[a * d + k] - e.data[j * d + k]));
  return labels
    .map((_, j) => j)
    .filter((j) => labels[j] !== labels[a])
    .sort((i, j) => dist(i) - dist(j) || i - j);
}

const pairCount = (labels: number[]) =>
  labels.reduce((s, l, a) => s + labels.filter((m, p) => m === l && p !== a).length, 0);

describe("miners", () => {
  const makers: [string, (seed: number) => Miner][] = [
    ["RandomNegativeMiner", (s) => new RandomNegativeMiner({ random: new Random(s) })],
    ["HardNegativeMiner", (s) => new HardNegativeMiner({ random: new Random(s) })],
    ["SemiHardMiner", (s) => new SemiHardMiner({ random: new Random(s), margin: 1 })],
    ["BatchHardMiner", () => new BatchHardMiner()],
  ];
  for (const [name, make] of makers) {
    it(`${name} returns valid triplets, the same for the same seed`, () => {
      const { e, labels } = batch(1);
      const first = make(5).mine(e, labels);
      expectValid(first, labels);
      expect(list(make(5).mine(e, labels))).toEqual(list(first));
    });
  }

  it("RandomNegativeMiner: one triplet per ordered positive pair; seeds differ", () => {
    const { e, labels } = batch(2);
    const t = new RandomNegativeMiner({ random: new Random(1) }).mine(e, labels);
    expect(t.anchors.length).toBe(pairCount(labels));
    const other = new RandomNegativeMiner({ random: new Random(2) }).mine(e, labels);
    expect(list(other)).not.toEqual(list(t));
  });

  it("HardNegativeMiner draws among the k closest negatives, and uses more than one", () => {
    const { e, labels } = batch(3);
    const miner = new HardNegativeMiner({ random: new Random(4) });
    expect(miner.k).toBe(5);
    const used = new Set<string>();
    for (let round = 0; round < 5; round++) {
      for (const [a, , n] of list(miner.mine(e, labels))) {
        expect(negativesByDistance(e, labels, a).slice(0, 5)).toContain(n);
        used.add(`${a}:${n}`);
      }
    }
    // 16 anchors; sampling among 5 must reach well beyond one negative per anchor.
    expect(used.size).toBeGreaterThan(40);
    const k1 = new HardNegativeMiner({ random: new Random(4), k: 1 }).mine(e, labels);
    for (const [a, , n] of list(k1)) expect(n).toBe(negativesByDistance(e, labels, a)[0]);
  });

  it("HardNegativeMiner with cosine picks the most similar negatives", () => {
    // Anchor 0 = (1, 0); negatives at angles 10°, 80°, 170°; positive 1.
    const deg = Math.PI / 180;
    const pts = [0, 40, 10, 80, 170].map((a) => [Math.cos(a * deg), Math.sin(a * deg)]);
    const e = { data: pts.flat(), shape: [5, 2] };
    const t = new HardNegativeMiner({
      random: new Random(0),
      k: 1,
      distance: new CosineSimilarity(),
    });
    const mined = list(t.mine(e, [0, 0, 1, 2, 3]));
    expect(mined[0]).toEqual([0, 1, 2]);
  });

  it("SemiHardMiner keeps d(a,p) < d(a,n) < d(a,p) + margin, else falls back as told", () => {
    // 1-D: anchor 0 at 0, positive 1 at 1; negatives at 0.5 (hard), 1.1 (semi-hard), 3 (easy).
    const e = { data: [0, 1, 0.5, 1.1, 3], shape: [5, 1] };
    const labels = [0, 0, 1, 2, 3];
    const miner = new SemiHardMiner({
      random: new Random(0),
      margin: 0.2,
      distance: new LpDistance(),
    });
    const mined = list(miner.mine(e, labels));
    // Anchor 0: d_ap = 1 → only 1.1. Anchor 1 (at 1): d_ap = 1; negatives at 0.5, 0.1, 2 → none.
    expect(mined[0]).toEqual([0, 1, 3]);
    expect(miner.lastFallbacks).toBe(1);
    expect(mined.length).toBe(2);
    const skip = new SemiHardMiner({ random: new Random(0), margin: 0.2, fallback: "skip" });
    expect(list(skip.mine(e, labels))).toEqual([[0, 1, 3]]);
    const { e: big, labels: bigLabels } = batch(6);
    const d = new LpDistance().matrix(big);
    const strict = new SemiHardMiner({ random: new Random(1), margin: 1, fallback: "skip" });
    for (const [a, p, n] of list(strict.mine(big, bigLabels))) {
      expect(d[a * 16 + n]).toBeGreaterThan(d[a * 16 + p]);
      expect(d[a * 16 + n]).toBeLessThan(d[a * 16 + p] + 1);
    }
  });

  it("BatchHardMiner takes each anchor's farthest positive and closest negative", () => {
    const e = { data: [0, 1, 3, 2, 10], shape: [5, 1] };
    const labels = [0, 0, 0, 1, 1];
    expect(list(new BatchHardMiner().mine(e, labels))).toEqual([
      [0, 2, 3], // positives at 1, 3; negatives at 2, 10
      [1, 2, 3], // positives at 1, 2; negatives at 1, 9
      [2, 0, 3], // positives at 3, 2; negatives at 1, 7
      [3, 4, 1], // negatives 0, 1, 2 at 2, 1, 1: the tie goes to the lower index
      [4, 3, 2], // negatives at 10, 9, 7
    ]);
  });

  it("lastStats flags collapsed embeddings: zero distances, every negative 'hard'", () => {
    const e = { data: new Float32Array(8 * 2).fill(0.3), shape: [8, 2] };
    const labels = [0, 0, 1, 1, 2, 2, 3, 3];
    const miner = new HardNegativeMiner({ random: new Random(0) });
    miner.mine(e, labels);
    expect(miner.lastStats).toEqual({
      triplets: 8,
      meanAnchorPositive: 0,
      meanAnchorNegative: 0,
      hardFraction: 1,
    });
  });

  it("BaseMiner: anchors in index order, only those with a positive and a negative", () => {
    // Records what the base loop hands over; adds (first positive, last negative).
    class Recorder extends BaseMiner {
      seen: AnchorCandidates[] = [];
      protected selectTriplets(
        _batch: Batch,
        candidates: AnchorCandidates,
        add: (positive: number, negative: number) => void,
      ): void {
        this.seen.push(candidates);
        add(candidates.positives[0], candidates.negatives.at(-1)!);
      }
    }
    const e = { data: [0, 1, 2, 3, 4, 5], shape: [6, 1] };
    const miner = new Recorder();
    // Label 1 (item 2) has no positive, label 3 (item 5) neither: both are skipped.
    const mined = list(miner.mine(e, [0, 0, 1, 2, 2, 3]));
    expect(miner.seen).toEqual([
      { anchor: 0, positives: [1], negatives: [2, 3, 4, 5] },
      { anchor: 1, positives: [0], negatives: [2, 3, 4, 5] },
      { anchor: 3, positives: [4], negatives: [0, 1, 2, 5] },
      { anchor: 4, positives: [3], negatives: [0, 1, 2, 5] },
    ]);
    expect(mined).toEqual([
      [0, 1, 5],
      [1, 0, 5],
      [3, 4, 5],
      [4, 3, 5],
    ]);
    expect(miner.lastStats?.triplets).toBe(4);
    // d(a,p) = 1 for every triplet; d(a,n) = 5, 4, 2, 1.
    expect(miner.lastStats?.meanAnchorPositive).toBeCloseTo(1);
    expect(miner.lastStats?.meanAnchorNegative).toBeCloseTo(3);
    expect(miner.lastStats?.hardFraction).toBe(0.25);
    // One label only: no anchor has a negative, so the rule is never called.
    const lone = new Recorder();
    expect(lone.mine(e, [7, 7, 7, 7, 7, 7]).anchors.length).toBe(0);
    expect(lone.seen).toEqual([]);
    expect(lone.lastStats?.triplets).toBe(0);
  });
});
