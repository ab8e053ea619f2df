import { describe, expect, it } from "vitest";
import { gradCheck } from "../../../test/helpers/numeric.js";
import { ops, Tensor } from "../../nn/index.js";
import { Random } from "../../random/index.js";
import { CosineSimilarity } from "../distances/cosine-similarity.js";
import { LpDistance } from "../distances/lp-distance.js";
import { tripletsFrom } from "../miners/triplets.js";
import { TripletMarginLoss } from "./triplet-margin-loss.js";

const randomTensor = (rng: Random, shape: number[]) =>
  Tensor.from(
    Array.from({ length: shape[0] * shape[1] }, () => rng.normal()),
    shape,
    true,
  );

describe("TripletMarginLoss", () => {
  it("is mean(max(d(a,p) − d(a,n) + margin, 0)) with the paper's margin 0.2", () => {
    const loss = new TripletMarginLoss({ distance: new LpDistance({ eps: 0 }) });
    expect(loss.margin).toBe(0.2);
    const a = Tensor.from([0, 0, 0, 0], [2, 2]);
    const p = Tensor.from([1, 0, 1, 0], [2, 2]);
    const n = Tensor.from([0, 2, 0, 1.1], [2, 2]);
    // Row 0: 1 − 2 + 0.2 < 0 → 0. Row 1: 1 − 1.1 + 0.2 = 0.1. Mean 0.05.
    expect(loss.forward(a, p, n).item()).toBeCloseTo(0.05, 6);
    const none = new TripletMarginLoss({ distance: new LpDistance({ eps: 0 }), reduction: "none" });
    const rows = none.forward(a, p, n).data;
    expect(rows[0]).toBe(0);
    expect(rows[1]).toBeCloseTo(0.1, 6);
    const sum = new TripletMarginLoss({ distance: new LpDistance({ eps: 0 }), reduction: "sum" });
    expect(sum.forward(a, p, n).item()).toBeCloseTo(0.1, 6);
  });

  it("swap uses the closer of d(a,n) and d(p,n)", () => {
    const loss = new TripletMarginLoss({ distance: new LpDistance({ eps: 0 }), swap: true });
    const a = Tensor.from([0, 0], [1, 2]);
    const p = Tensor.from([1, 0], [1, 2]);
    const n = Tensor.from([2, 0], [1, 2]);
    // d(a,p) = 1, d(a,n) = 2, d(p,n) = 1 → 1 − 1 + 0.2.
    expect(loss.forward(a, p, n).item()).toBeCloseTo(0.2, 6);
  });

  it("has central-difference gradients (Euclidean, swap, cosine)", () => {
    const rng = new Random(21);
    const args = () => [0, 1, 2].map(() => randomTensor(rng, [5, 3]));
    const margin = 1.5; // large enough that most rows are active
    for (const loss of [
      new TripletMarginLoss({ margin }),
      new TripletMarginLoss({ margin, swap: true }),
      new TripletMarginLoss({ margin: 0.5, distance: new CosineSimilarity() }),
    ]) {
      const inputs = args();
      expect(loss.forward(inputs[0], inputs[1], inputs[2]).item()).toBeGreaterThan(0);
      gradCheck((a, p, n) => loss.forward(a, p, n), inputs);
    }
  });

  it("with cosine similarity equals the Euclidean form on the distance 1 − cos", () => {
    const rng = new Random(22);
    const [a, p, n] = [0, 1, 2].map(() => randomTensor(rng, [6, 4]));
    const cos = new CosineSimilarity();
    const ours = new TripletMarginLoss({ margin: 0.3, distance: cos }).forward(a, p, n).item();
    const oneMinus = (x: Tensor, y: Tensor) => ops.addScalar(ops.neg(cos.paired(x, y)), 1);
    const manual = ops.mean(
      ops.clamp(ops.addScalar(ops.sub(oneMinus(a, p), oneMinus(a, n)), 0.3), 0),
    );
    expect(ours).toBeCloseTo(manual.item(), 6);
  });

  it("mined() gathers the triplets' rows; no triplets give 0", () => {
    const rng = new Random(23);
    const e = randomTensor(rng, [6, 3]);
    const loss = new TripletMarginLoss({ margin: 1 });
    const t = tripletsFrom([
      [0, 1, 2],
      [3, 4, 5],
      [1, 0, 5],
    ]);
    const rows = (i: Int32Array) => ops.gather(e, i);
    expect(loss.mined(e, t).item()).toBe(
      loss.forward(rows(t.anchors), rows(t.positives), rows(t.negatives)).item(),
    );
    expect(loss.mined(e, tripletsFrom([])).item()).toBe(0);
  });
});
