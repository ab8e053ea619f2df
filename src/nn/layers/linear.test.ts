import { describe, expect, it } from "vitest";
import { BACKENDS, useBackend } from "../../../test/helpers/backends.js";
import { gradCheck } from "../../../test/helpers/numeric.js";
import { Random } from "../../random/index.js";
import { Tensor } from "../tensor.js";
import { Linear } from "./linear.js";

describe.each(BACKENDS)("%s kernels", (backend) => {
  useBackend(backend);

  describe("Linear", () => {
    it("computes x·Wᵀ + b with weight [out, in]", () => {
      const lin = new Linear(2, 3);
      lin.weight.data.set([1, 2, 3, 4, 5, 6]);
      lin.bias!.data.set([0.5, 0, -1]);
      const y = lin.forward(Tensor.from([1, 1, 2, 0], [2, 2]));
      expect(Array.from(y.data)).toEqual([3.5, 7, 10, 2.5, 6, 9]);
      expect(lin.namedParameters().map(([k]) => k)).toEqual(["weight", "bias"]);
      expect(new Linear(2, 3, { bias: false }).namedParameters().map(([k]) => k)).toEqual([
        "weight",
      ]);
    });

    it("initialises weight and bias within ±1/√fan_in", () => {
      const lin = new Linear(16, 200, { rng: new Random(1) });
      for (const t of lin.parameters()) {
        const max = t.data.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
        expect(max).toBeLessThanOrEqual(0.25);
        expect(max).toBeGreaterThan(0.24); // uses the whole range
      }
    });

    it("has correct gradients (with and without bias, leading dims folded)", () => {
      const rng = new Random(2);
      const x = Tensor.from(
        Array.from({ length: 24 }, () => rng.normal()),
        [2, 3, 4],
        true,
      );
      const lin = new Linear(4, 3, { rng });
      gradCheck(() => lin.forward(x), [x, ...lin.parameters()]);
      const noBias = new Linear(4, 2, { bias: false, rng });
      gradCheck(() => noBias.forward(x), [x, noBias.weight]);
    });
  });
});
