import { describe, expect, it } from "vitest";
import { BACKENDS, useBackend } from "../../../test/helpers/backends.js";
import { gradCheck } from "../../../test/helpers/numeric.js";
import { Random } from "../../random/index.js";
import { Embedding } from "./embedding.js";

describe.each(BACKENDS)("%s kernels", (backend) => {
  useBackend(backend);

  describe("Embedding", () => {
    it("looks rows up into [...shape, dim] and zeroes the padding row at init", () => {
      const emb = new Embedding(5, 3, { paddingIdx: 0, rng: new Random(1) });
      expect(Array.from(emb.weight.data.subarray(0, 3))).toEqual([0, 0, 0]);
      const out = emb.forward([4, 0, 4, 2], [2, 2]);
      expect(out.shape).toEqual([2, 2, 3]);
      expect(Array.from(out.data.subarray(0, 3))).toEqual(Array.from(emb.weight.data.subarray(12)));
      expect(() => emb.forward([5])).toThrow(/out of 0..4/);
      expect(() => emb.forward([1.5])).toThrow(/out of/);
      expect(() => emb.forward([1, 2], [3])).toThrow(/do not fit/);
    });

    it("has correct gradients, and none reach the padding row", () => {
      const emb = new Embedding(4, 3, { paddingIdx: 1, rng: new Random(2) });
      emb.weight.data.fill(0.5, 3, 6); // padding row made non-zero so its lookups matter
      const ids = [1, 3, 3, 0, 1];
      const out = emb.forward(ids, [5]);
      out.backward(Float32Array.from({ length: out.size }, () => 1));
      expect(Array.from(emb.weight.grad!.subarray(3, 6))).toEqual([0, 0, 0]);
      expect(Array.from(emb.weight.grad!.subarray(9, 12))).toEqual([2, 2, 2]);
      expect(Array.from(emb.weight.grad!.subarray(6, 9))).toEqual([0, 0, 0]); // row 2 unused
      // Away from the padding row, the analytic gradient matches finite differences.
      const noPad = new Embedding(4, 3, { rng: new Random(3) });
      gradCheck(() => noPad.forward([2, 0, 2, 3], [2, 2]), [noPad.weight]);
    });

    it("accepts a negative paddingIdx like PyTorch", () => {
      expect(new Embedding(6, 2, { paddingIdx: -1 }).paddingIdx).toBe(5);
      expect(() => new Embedding(6, 2, { paddingIdx: 6 })).toThrow(/paddingIdx/);
    });

    it("draws weights from N(0, 1)", () => {
      const w = new Embedding(200, 50, { rng: new Random(4) }).weight.data;
      const mean = w.reduce((s, v) => s + v, 0) / w.length;
      const variance = w.reduce((s, v) => s + (v - mean) ** 2, 0) / w.length;
      expect(Math.abs(mean)).toBeLessThan(0.03);
      expect(Math.abs(variance - 1)).toBeLessThan(0.05);
    });
  });
});
