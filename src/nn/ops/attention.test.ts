import { describe, expect, it } from "vitest";
import { BACKENDS, useBackend } from "../../../test/helpers/backends.js";
import { expectClose, gradCheck } from "../../../test/helpers/numeric.js";
import { Random } from "../../random/index.js";
import { Tensor } from "../tensor.js";
import { affine } from "./affine.js";
import { selfAttention } from "./attention.js";

/** Straightforward float64 attention, one query at a time, as the definition reads. */
function naiveAttention(qkv: Tensor, heads: number, mask: ArrayLike<number> | null): number[] {
  const [batch, steps, e3] = qkv.shape;
  const embed = e3 / 3;
  const d = embed / heads;
  const at = (b: number, t: number, c: number) => qkv.data[(b * steps + t) * e3 + c];
  const out = new Array<number>(batch * steps * embed).fill(0);
  for (let b = 0; b < batch; b++)
    for (let h = 0; h < heads; h++)
      for (let i = 0; i < steps; i++) {
        const scores: number[] = [];
        for (let j = 0; j < steps; j++) {
          let s = 0;
          for (let c = 0; c < d; c++) s += at(b, i, h * d + c) * at(b, j, embed + h * d + c);
          scores.push(mask?.[b * steps + j] ? -Infinity : s / Math.sqrt(d));
        }
        const max = Math.max(...scores);
        const w = scores.map((s) => Math.exp(s - max));
        const total = w.reduce((x, y) => x + y, 0);
        for (let j = 0; j < steps; j++)
          for (let c = 0; c < d; c++)
            out[(b * steps + i) * embed + h * d + c] +=
              (w[j] / total) * at(b, j, 2 * embed + h * d + c);
      }
  return out;
}

describe.each(BACKENDS)("%s kernels", (backend) => {
  useBackend(backend);
  // Same seed in every backend's block: both run on identical inputs.
  const rng = new Random(4);
  const randn = (...shape: number[]) =>
    Tensor.from(
      Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()),
      shape,
      true,
    );

  describe("affine", () => {
    it("computes x·Wᵀ + b with correct gradients", () => {
      const y = affine(
        Tensor.from([1, 2], [1, 2]),
        Tensor.from([1, 0, 0, 1, 1, 1], [3, 2]),
        Tensor.from([0, 1, 2], [3]),
      );
      expect(Array.from(y.data)).toEqual([1, 3, 5]);
      gradCheck((x, w, b) => affine(x, w, b), [randn(2, 3, 4), randn(5, 4), randn(5)]);
      gradCheck((x, w) => affine(x, w, null), [randn(3, 4), randn(2, 4)]);
    });
  });

  describe("selfAttention", () => {
    const mask = Uint8Array.from([0, 0, 0, 0, 0, 0, 1, 1]); // lengths 4 and 2

    it("matches the definition, with and without a key-padding mask", () => {
      const qkv = randn(2, 4, 12);
      expectClose(selfAttention(qkv, { heads: 2 }).data, naiveAttention(qkv, 2, null), {
        atol: 1e-6,
      });
      const wide = randn(2, 4, 18);
      expectClose(
        selfAttention(wide, { heads: 3, keyPaddingMask: mask }).data,
        naiveAttention(wide, 3, mask),
        {
          atol: 1e-6,
        },
      );
    });

    it("ignores padded keys entirely", () => {
      const qkv = randn(2, 4, 12);
      const before = selfAttention(qkv, { heads: 2, keyPaddingMask: mask }).data.slice();
      for (const t of [2, 3]) qkv.data.fill(50, (4 + t) * 12, (5 + t) * 12); // change padded keys
      const after = selfAttention(qkv, { heads: 2, keyPaddingMask: mask }).data;
      expectClose(after.subarray(16, 24), before.subarray(16, 24), { atol: 1e-6 });
    });

    it("returns zeros for a query with no unpadded key", () => {
      const qkv = randn(1, 2, 6);
      const y = selfAttention(qkv, { heads: 1, keyPaddingMask: [1, 1] });
      expect(Array.from(y.data)).toEqual([0, 0, 0, 0]);
      y.backward(Float32Array.of(1, 1, 1, 1));
      expect(Array.from(qkv.grad!)).toEqual(new Array(12).fill(0));
    });

    it("has correct gradients with a mask and with fixed dropout", () => {
      gradCheck((x) => selfAttention(x, { heads: 2, keyPaddingMask: mask }), [randn(2, 4, 12)]);
      gradCheck(
        (x) => selfAttention(x, { heads: 1, dropout: 0.3, rng: new Random(9) }),
        [randn(2, 3, 6)],
      );
    });

    it("drops attention weights only when given a generator, scaling survivors by 1/(1−p)", () => {
      const qkv = randn(1, 3, 6);
      const plain = selfAttention(qkv, { heads: 1, dropout: 0.5 }).data;
      expectClose(plain, naiveAttention(qkv, 1, null), { atol: 1e-6 });
      const dropped = selfAttention(qkv, { heads: 1, dropout: 1, rng: new Random(0) }).data;
      expect(Array.from(dropped)).toEqual(new Array(6).fill(0));
    });

    it("refuses a dropout probability outside [0, 1], with or without a generator", () => {
      const qkv = randn(1, 3, 6);
      expect(() => selfAttention(qkv, { heads: 1, dropout: 1.5 })).toThrow(
        /dropout probability 1.5 is not in \[0, 1\]/,
      );
      expect(() => selfAttention(qkv, { heads: 1, dropout: -0.1, rng: new Random(0) })).toThrow(
        /dropout probability -0.1/,
      );
    });
  });
});
