import { describe, expect, it } from "vitest";
import { BACKENDS, useBackend } from "../../../test/helpers/backends.js";
import { gradCheck } from "../../../test/helpers/numeric.js";
import { Random } from "../../random/index.js";
import { Tensor } from "../tensor.js";
import { Dropout } from "./dropout.js";

describe.each(BACKENDS)("%s kernels", (backend) => {
  useBackend(backend);

  describe("Dropout", () => {
    it("zeroes about p of the elements in training and scales the rest by 1/(1−p)", () => {
      const drop = new Dropout(0.25, new Random(1));
      const y = drop.forward(Tensor.full([10_000], 1));
      const zeros = y.data.filter((v) => v === 0).length;
      expect(Math.abs(zeros / 10_000 - 0.25)).toBeLessThan(0.02);
      expect(y.data.every((v) => v === 0 || Math.abs(v - 4 / 3) < 1e-6)).toBe(true);
    });

    it("is the identity in evaluation mode and with p = 0", () => {
      const x = Tensor.from([1, 2, 3]);
      expect(new Dropout(0.5).eval().forward(x)).toBe(x);
      expect(new Dropout(0).forward(x)).toBe(x);
      expect(Array.from(new Dropout(1).forward(x).data)).toEqual([0, 0, 0]);
      expect(() => new Dropout(1.5)).toThrow(/not in \[0, 1\]/);
    });

    it("has correct gradients in training mode under a fixed mask", () => {
      const rng = new Random(2);
      const x = Tensor.from(
        Array.from({ length: 12 }, () => rng.normal()),
        [3, 4],
        true,
      );
      // A fresh generator with the same seed per call draws the same mask every time.
      gradCheck(() => new Dropout(0.5, new Random(7)).forward(x), [x]);
    });
  });
});
