import { describe, expect, it } from "vitest";
import { BACKENDS, useBackend } from "../../../test/helpers/backends.js";
import { expectClose, gradCheck } from "../../../test/helpers/numeric.js";
import { Random } from "../../random/index.js";
import { Tensor } from "../tensor.js";
import {
  addPositions,
  LearnedPositionalEncoding,
  SinusoidalPositionalEncoding,
  sinusoidalTable,
} from "./positional.js";

describe.each(BACKENDS)("%s kernels", (backend) => {
  useBackend(backend);
  // Same seed in every backend's block: both run on identical inputs.
  const rng = new Random(6);
  const randn = (...shape: number[]) =>
    Tensor.from(
      Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()),
      shape,
      true,
    );

  describe("positional encodings", () => {
    it("sinusoids follow sin/cos(pos / 10000^(2i/D))", () => {
      const table = sinusoidalTable(3, 4);
      const row = (p: number) => [Math.sin(p), Math.cos(p), Math.sin(p / 100), Math.cos(p / 100)];
      expectClose(table.data, [...row(0), ...row(1), ...row(2)], { atol: 1e-6 });
      expect(sinusoidalTable(2, 3).data[5]).toBeCloseTo(Math.sin(1 / 10000 ** (2 / 3)), 6);
    });

    it("sinusoidal encoding adds the first T rows and has no parameters", () => {
      const pe = new SinusoidalPositionalEncoding(4, 10);
      expect(pe.parameters()).toEqual([]);
      const y = pe.forward(Tensor.zeros([2, 3, 4]));
      expect(Array.from(y.data.subarray(12))).toEqual(Array.from(pe.table.data.subarray(0, 12)));
      expect(() => pe.forward(Tensor.zeros([1, 11, 4]))).toThrow(/exceed/);
    });

    it("learned encoding is an embedding table named weight, trained through addition", () => {
      const pe = new LearnedPositionalEncoding(5, 2, new Random(1));
      expect(pe.namedParameters().map(([k, t]) => [k, t.shape])).toEqual([["weight", [5, 2]]]);
      gradCheck((x, w) => addPositions(x, w), [randn(2, 3, 2), pe.weight]);
    });
  });
});
