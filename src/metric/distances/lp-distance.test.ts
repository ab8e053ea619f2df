import { describe, expect, it } from "vitest";
import { gradCheck } from "../../../test/helpers/numeric.js";
import { noGrad, Tensor } from "../../nn/index.js";
import { Random } from "../../random/index.js";
import { LpDistance, lpPaired, lpPairwise } from "./lp-distance.js";

const randomTensor = (rng: Random, shape: number[]) =>
  Tensor.from(
    Array.from({ length: shape[0] * shape[1] }, () => rng.normal()),
    shape,
    true,
  );

describe("LpDistance", () => {
  it("computes ‖x − y + eps‖ for all pairs, Euclidean by default", () => {
    const x = Tensor.from([0, 0, 3, 4], [2, 2]);
    const y = Tensor.from([0, 0, 6, 8], [2, 2]);
    const exact = new LpDistance({ eps: 0 }).pairwise(x, y);
    expect(Array.from(exact.data)).toEqual([0, 10, 5, 5]);
    const withEps = new LpDistance().pairwise(x, y);
    // ‖(e, e)‖ = e√2; ‖(−6+e, −8+e)‖ ≈ 10 − 14e/10.
    expect(withEps.data[0]).toBeCloseTo(1e-6 * Math.SQRT2, 12);
    expect(withEps.data[1]).toBeCloseTo(10 - 1.4e-6, 5);
    expect(new LpDistance().isInverted).toBe(false);
  });

  it("supports other p", () => {
    const x = Tensor.from([1, -2], [1, 2]);
    const y = Tensor.from([0, 0], [1, 2]);
    expect(new LpDistance({ p: 1, eps: 0 }).pairwise(x, y).data[0]).toBeCloseTo(3, 6);
    expect(new LpDistance({ p: 3, eps: 0 }).pairwise(x, y).data[0]).toBeCloseTo(9 ** (1 / 3), 6);
    expect(() => new LpDistance({ p: 0.5 })).toThrow(RangeError);
  });

  it("paired(x, y) is the diagonal of pairwise(x, y)", () => {
    const rng = new Random(1);
    const x = randomTensor(rng, [4, 3]);
    const y = randomTensor(rng, [4, 3]);
    const d = new LpDistance();
    const all = d.pairwise(x, y).data;
    const diag = d.paired(x, y).data;
    for (let i = 0; i < 4; i++) expect(diag[i]).toBe(all[i * 4 + i]);
  });

  for (const p of [2, 1, 3]) {
    it(`has central-difference gradients, p = ${p}`, () => {
      const rng = new Random(2 + p);
      const x = randomTensor(rng, [4, 3]);
      const y = randomTensor(rng, [5, 3]);
      gradCheck((a, b) => lpPairwise(a, b, p), [x, y]);
      gradCheck((a, b) => lpPaired(a, b, p), [x, randomTensor(rng, [4, 3])]);
    });
  }

  it("has gradients with normalised embeddings and with y = x", () => {
    const rng = new Random(7);
    const d = new LpDistance({ normalizeEmbeddings: true });
    gradCheck((a, b) => d.pairwise(a, b), [randomTensor(rng, [3, 4]), randomTensor(rng, [2, 4])]);
    gradCheck((a) => new LpDistance().pairwise(a), [randomTensor(rng, [4, 3])]);
  });

  it("gives a finite gradient at zero distance thanks to eps, and 0 without it", () => {
    const a = Tensor.from([0.5, -1, 2, 0], [1, 4], true);
    const b = Tensor.from([0.5, -1, 2, 0], [1, 4], true);
    lpPaired(a, b).backward(Float32Array.of(1));
    // v = eps·1, so ∂d/∂a = v/‖v‖ = 1/√4 per coordinate.
    expect(Array.from(a.grad!)).toEqual([0.5, 0.5, 0.5, 0.5]);
    expect(Array.from(b.grad!)).toEqual([-0.5, -0.5, -0.5, -0.5]);
    a.grad = null;
    lpPaired(a, b, 2, 0).backward(Float32Array.of(1));
    expect(Array.from(a.grad!)).toEqual([0, 0, 0, 0]);
  });

  it("matrix() is the float64 distance without eps, optionally on normalised rows", () => {
    const x = { data: Float32Array.of(3, 4, 0, 0), shape: [2, 2] };
    expect(Array.from(new LpDistance().matrix(x))).toEqual([0, 5, 5, 0]);
    const unit = new LpDistance({ normalizeEmbeddings: true }).matrix(
      { data: [2, 0, 0, 5], shape: [2, 2] },
      { data: [-1, 0], shape: [1, 2] },
    );
    expect(unit[0]).toBeCloseTo(2, 12);
    expect(unit[1]).toBeCloseTo(Math.SQRT2, 12);
    const rng = new Random(3);
    const t = randomTensor(rng, [3, 5]);
    const viaOp = noGrad(() => new LpDistance({ eps: 0 }).pairwise(t).data);
    const viaMatrix = new LpDistance().matrix(t);
    for (let i = 0; i < 9; i++) expect(viaMatrix[i]).toBeCloseTo(viaOp[i], 5);
  });
});
