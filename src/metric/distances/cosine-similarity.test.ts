import { describe, expect, it } from "vitest";
import { expectClose, gradCheck } from "../../../test/helpers/numeric.js";
import { Tensor } from "../../nn/index.js";
import { Random } from "../../random/index.js";
import { CosineSimilarity } from "./cosine-similarity.js";
import { dissimilarity } from "./distance.js";

const randomTensor = (rng: Random, shape: number[]) =>
  Tensor.from(
    Array.from({ length: shape[0] * shape[1] }, () => rng.normal()),
    shape,
    true,
  );

describe("CosineSimilarity", () => {
  it("is x̂·ŷ, a similarity (inverted)", () => {
    const x = Tensor.from([1, 0, 1, 1], [2, 2]);
    const y = Tensor.from([0, 2, 2, 2, -3, 0], [3, 2]);
    const s = new CosineSimilarity().pairwise(x, y).data;
    const expected = [0, Math.SQRT1_2, -1, Math.SQRT1_2, 1, -Math.SQRT1_2];
    expectClose(s, expected, { atol: 1e-6, rtol: 0 });
    expect(new CosineSimilarity().isInverted).toBe(true);
  });

  it("has central-difference gradients, all-pairs and paired", () => {
    const rng = new Random(11);
    const c = new CosineSimilarity();
    gradCheck((a, b) => c.pairwise(a, b), [randomTensor(rng, [3, 4]), randomTensor(rng, [5, 4])]);
    gradCheck((a) => c.pairwise(a), [randomTensor(rng, [4, 3])]);
    gradCheck((a, b) => c.paired(a, b), [randomTensor(rng, [4, 3]), randomTensor(rng, [4, 3])]);
  });

  it("matrix() agrees with pairwise, and dissimilarity negates it", () => {
    const rng = new Random(12);
    const t = randomTensor(rng, [4, 3]);
    const c = new CosineSimilarity();
    const op = c.pairwise(t).data;
    const m = c.matrix(t);
    const dis = dissimilarity(c, t);
    for (let i = 0; i < 16; i++) {
      expect(m[i]).toBeCloseTo(op[i], 6);
      expect(dis[i]).toBe(-m[i]);
    }
  });
});
