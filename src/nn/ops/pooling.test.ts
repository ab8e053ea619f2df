import { describe, expect, it } from "vitest";
import { BACKENDS, useBackend } from "../../../test/helpers/backends.js";
import { gradCheck } from "../../../test/helpers/numeric.js";
import { Random } from "../../random/index.js";
import { Tensor } from "../tensor.js";
import { lastPool, lastValidPool, maskedMeanPool, paddingMask } from "./pooling.js";

// x[b, t, j] = 100b + 10t + j
const ramp = Tensor.from(
  Array.from(
    { length: 2 * 3 * 2 },
    (_, i) => 100 * Math.floor(i / 6) + 10 * (Math.floor(i / 2) % 3) + (i % 2),
  ),
  [2, 3, 2],
);

describe.each(BACKENDS)("%s kernels", (backend) => {
  useBackend(backend);
  // Same seed in every backend's block: both run on identical inputs.
  const rng = new Random(3);
  const randn = (...shape: number[]) =>
    Tensor.from(
      Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()),
      shape,
      true,
    );

  describe("pooling", () => {
    it("averages valid steps, picks the last valid or last step", () => {
      expect(Array.from(maskedMeanPool(ramp, [2, 3]).data)).toEqual([5, 6, 110, 111]);
      expect(Array.from(maskedMeanPool(ramp, [0, 1]).data)).toEqual([0, 0, 100, 101]);
      expect(Array.from(lastValidPool(ramp, [1, 2]).data)).toEqual([0, 1, 110, 111]);
      expect(Array.from(lastPool(ramp).data)).toEqual([20, 21, 120, 121]);
      expect(() => lastValidPool(ramp, [0, 1])).toThrow(/length 0/);
      expect(() => maskedMeanPool(ramp, [4, 1])).toThrow(/out of 0..3/);
    });
    it("have correct gradients", () => {
      gradCheck((x) => maskedMeanPool(x, [3, 1, 0]), [randn(3, 3, 2)]);
      gradCheck((x) => lastValidPool(x, [2, 3]), [randn(2, 3, 2)]);
      gradCheck(lastPool, [randn(2, 3, 2)]);
    });
    it("builds key-padding masks from lengths", () => {
      expect(Array.from(paddingMask([3, 1], 3))).toEqual([0, 0, 0, 0, 1, 1]);
    });
  });
});
