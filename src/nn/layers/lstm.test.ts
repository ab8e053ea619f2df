import { describe, expect, it } from "vitest";
import { BACKENDS, useBackend } from "../../../test/helpers/backends.js";
import { expectClose, gradCheck } from "../../../test/helpers/numeric.js";
import { Random } from "../../random/index.js";
import { dropout } from "../ops/dropout.js";
import { lstmLayer } from "../ops/lstm.js";
import { concat, reshape } from "../ops/shape.js";
import { noGrad, Tensor } from "../tensor.js";
import { LSTM } from "./lstm.js";

const flat = (...ts: Tensor[]) => concat(ts.map((t) => reshape(t, [-1])));

describe.each(BACKENDS)("%s kernels", (backend) => {
  useBackend(backend);
  // Same seed in every backend's block: both run on identical inputs.
  const rng = new Random(3);
  const randn = (shape: number[], requiresGrad = true) =>
    Tensor.from(
      Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()),
      shape,
      requiresGrad,
    );

  describe("LSTM", () => {
    it("has PyTorch's parameter names and shapes", () => {
      const lstm = new LSTM(3, 5, { numLayers: 2 });
      expect(lstm.namedParameters().map(([k, t]) => `${k}:${t.shape}`)).toEqual([
        "weight_ih_l0:20,3",
        "weight_hh_l0:20,5",
        "bias_ih_l0:20",
        "bias_hh_l0:20",
        "weight_ih_l1:20,5",
        "weight_hh_l1:20,5",
        "bias_ih_l1:20",
        "bias_hh_l1:20",
      ]);
      const bound = 1 / Math.sqrt(5);
      for (const t of lstm.parameters())
        for (const v of t.data) expect(Math.abs(v)).toBeLessThan(bound);
    });

    it("has correct gradients for inputs and all parameters (2 layers, padded lengths)", () => {
      const lstm = new LSTM(3, 4, { numLayers: 2, rng: new Random(1) });
      const x = randn([3, 5, 3]);
      const lengths = [5, 2, 4];
      gradCheck(
        () => {
          const { output, hN, cN } = lstm.forward(x, lengths);
          return flat(output, hN, cN);
        },
        [x, ...lstm.parameters()],
        { atol: 2e-3, rtol: 2e-2 },
      );
    });

    it("has correct gradients with inter-layer dropout under a fixed mask", () => {
      const lstm = new LSTM(2, 3, { numLayers: 2, rng: new Random(2) });
      const [l0, l1] = lstm.layers;
      const x = randn([2, 4, 2]);
      gradCheck(
        () => {
          const first = lstmLayer(x, [4, 3], l0).output;
          const { output, hN } = lstmLayer(dropout(first, 0.5, new Random(9)), [4, 3], l1);
          return flat(output, hN);
        },
        [x, ...lstm.parameters()],
        { atol: 2e-3, rtol: 2e-2 },
      );
    });

    it("runs padded batches as packed sequences", () => {
      const lstm = new LSTM(3, 4, { numLayers: 2, rng: new Random(4) });
      const x = randn([3, 6, 3], false);
      const lengths = [2, 6, 0];
      const { output, hN, cN } = lstm.forward(x, lengths);
      // Each sequence alone, cut to its length, gives the same outputs and final states.
      for (const b of [0, 1]) {
        const len = lengths[b];
        const alone = Tensor.from(x.data.subarray(b * 18, b * 18 + len * 3), [1, len, 3]);
        const ref = lstm.forward(alone);
        expectClose(output.data.subarray(b * 24, b * 24 + len * 4), ref.output.data, {}, "output");
        for (const l of [0, 1]) {
          const at = (l * 3 + b) * 4;
          expectClose(hN.data.subarray(at, at + 4), ref.hN.data.subarray(l * 4, l * 4 + 4));
          expectClose(cN.data.subarray(at, at + 4), ref.cN.data.subarray(l * 4, l * 4 + 4));
        }
      }
      // Padded positions are zero, and a sequence of length 0 keeps the zero state.
      expect(Array.from(output.data.subarray(2 * 4, 24)).every((v) => v === 0)).toBe(true);
      expect(Array.from(output.data.subarray(48)).every((v) => v === 0)).toBe(true);
      expect(hN.data.subarray(8, 12).every((v) => v === 0)).toBe(true);
      // Values at padded positions cannot leak into the result.
      const poisoned = Tensor.from(x.data, x.shape);
      poisoned.data.fill(1e3, 2 * 3, 18);
      expectClose(lstm.forward(poisoned, lengths).hN.data, hN.data, { atol: 0, rtol: 0 });
    });

    it("applies inter-layer dropout only in training", () => {
      const lstm = new LSTM(3, 4, { numLayers: 2, dropout: 0.5, rng: new Random(5) });
      const x = randn([2, 3, 3], false);
      const train = noGrad(() => lstm.forward(x).output.data);
      lstm.eval();
      const evalA = lstm.forward(x).output.data;
      const evalB = lstm.forward(x).output.data;
      expect(Array.from(evalA)).toEqual(Array.from(evalB));
      expect(Array.from(train)).not.toEqual(Array.from(evalA));
    });

    it("passes gradients from hN alone", () => {
      const lstm = new LSTM(2, 3, { rng: new Random(6) });
      const x = randn([2, 3, 2]);
      gradCheck(() => lstm.forward(x, [3, 1]).hN, [x, ...lstm.parameters()], {
        atol: 2e-3,
        rtol: 2e-2,
      });
    });
  });
});
