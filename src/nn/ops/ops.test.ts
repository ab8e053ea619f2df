import { describe, expect, it } from "vitest";
import { BACKENDS, useBackend } from "../../../test/helpers/backends.js";
import { gradCheck } from "../../../test/helpers/numeric.js";
import { Random } from "../../random/index.js";
import { noGrad, Tensor } from "../tensor.js";
import * as ops from "./index.js";

describe.each(BACKENDS)("%s kernels", (backend) => {
  useBackend(backend);
  // Same seed in every backend's block: both run on identical inputs.
  const rng = new Random(0);
  const randn = (...shape: number[]) => {
    const n = shape.reduce((a, b) => a * b, 1);
    return Tensor.from(
      Array.from({ length: n }, () => rng.normal()),
      shape,
      true,
    );
  };
  const positive = (...shape: number[]) => {
    const t = randn(...shape);
    t.data.forEach((x, i) => {
      t.data[i] = 0.5 + Math.abs(x);
    });
    return t;
  };

  describe("element-wise ops", () => {
    it("broadcast like NumPy", () => {
      const a = Tensor.from([1, 2, 3, 4, 5, 6], [2, 3]);
      const b = Tensor.from([10, 20, 30], [3]);
      expect(Array.from(ops.add(a, b).data)).toEqual([11, 22, 33, 14, 25, 36]);
      const col = Tensor.from([1, 2], [2, 1]);
      expect(Array.from(ops.mul(a, col).data)).toEqual([1, 2, 3, 8, 10, 12]);
      expect(() => ops.add(a, Tensor.from([1, 2], [2]))).toThrow(/do not broadcast/);
    });

    const binaries = {
      add: ops.add,
      sub: ops.sub,
      mul: ops.mul,
      div: ops.div,
      maximum: ops.maximum,
    };
    for (const [name, f] of Object.entries(binaries)) {
      it(`${name} has correct gradients under broadcasting`, () => {
        gradCheck(f, [randn(3, 4), name === "div" ? positive(4) : randn(4)]);
        gradCheck(f, [randn(2, 1, 3), name === "div" ? positive(1, 4, 1) : randn(1, 4, 1)]);
      });
    }

    const unaries = {
      neg: ops.neg,
      exp: ops.exp,
      tanh: ops.tanh,
      sigmoid: ops.sigmoid,
      relu: ops.relu,
      square: ops.square,
      scale: (t: Tensor) => ops.scale(t, -2.5),
      addScalar: (t: Tensor) => ops.addScalar(t, 3),
      clamp: (t: Tensor) => ops.clamp(t, -0.5, 0.5),
    };
    for (const [name, f] of Object.entries(unaries)) {
      it(`${name} has correct gradients`, () => gradCheck(f, [randn(5, 3)]));
    }
    it("relu selects by sign bits: zeros, infinities, subnormals and views at an offset", () => {
      const values = [-2, -0, 0, 1.5, -Infinity, Infinity, 1e-45, -1e-45];
      const backing = new Float32Array(values.length + 3);
      backing.set(values, 3);
      const x = new Tensor(backing.subarray(3), [values.length], { requiresGrad: true });
      const y = ops.relu(x);
      expect(Array.from(y.data)).toEqual([0, 0, 0, 1.5, 0, Infinity, Math.fround(1e-45), 0]);
      y.backward(Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]));
      expect(Array.from(x.grad ?? [])).toEqual([0, 0, 0, 4, 0, 6, 7, 0]);
    });

    it("log and sqrt have correct gradients", () => {
      gradCheck(ops.log, [positive(6)]);
      gradCheck(ops.sqrt, [positive(6)]);
    });
  });

  describe("reductions and shape ops", () => {
    it("sum and mean over all and over an axis", () => {
      const a = Tensor.from([1, 2, 3, 4, 5, 6], [2, 3]);
      expect(ops.sum(a).item()).toBe(21);
      expect(Array.from(ops.sum(a, 0).data)).toEqual([5, 7, 9]);
      expect(ops.mean(a, 1, true).shape).toEqual([2, 1]);
      expect(Array.from(ops.mean(a, -1).data)).toEqual([2, 5]);
      gradCheck((t) => ops.sum(t, 1), [randn(2, 3, 4)]);
      gradCheck((t) => ops.mean(t, 0, true), [randn(3, 2)]);
      gradCheck((t) => ops.mean(t), [randn(3, 2)]);
    });

    it("transpose, reshape, concat and gather", () => {
      const a = Tensor.from([1, 2, 3, 4, 5, 6], [2, 3]);
      expect(Array.from(ops.transpose(a).data)).toEqual([1, 4, 2, 5, 3, 6]);
      expect(ops.reshape(a, [3, -1]).shape).toEqual([3, 2]);
      expect(() => ops.reshape(a, [4, 2])).toThrow(/cannot reshape/);
      const c = ops.concat([a, Tensor.from([7, 8], [2, 1])], 1);
      expect(Array.from(c.data)).toEqual([1, 2, 3, 7, 4, 5, 6, 8]);
      expect(Array.from(ops.gather(a, [1, 1, 0]).data)).toEqual([4, 5, 6, 4, 5, 6, 1, 2, 3]);
      gradCheck(ops.transpose, [randn(2, 3, 4)]);
      gradCheck((x, y) => ops.concat([x, y], 1), [randn(2, 3), randn(2, 2)]);
      gradCheck((x) => ops.gather(x, [2, 0, 2]), [randn(3, 4)]);
    });
  });

  describe("matmul", () => {
    it("multiplies matrices and folds leading dims", () => {
      const a = Tensor.from([1, 2, 3, 4], [2, 2]);
      const b = Tensor.from([5, 6, 7, 8], [2, 2]);
      expect(Array.from(ops.matmul(a, b).data)).toEqual([19, 22, 43, 50]);
      expect(ops.matmul(randn(2, 3, 4), randn(4, 5)).shape).toEqual([2, 3, 5]);
    });
    it("has correct gradients (2-D, folded and batched)", () => {
      gradCheck(ops.matmul, [randn(3, 4), randn(4, 2)]);
      gradCheck(ops.matmul, [randn(2, 3, 4), randn(4, 2)]);
      gradCheck(ops.matmul, [randn(2, 3, 4), randn(2, 4, 5)]);
    });
  });

  describe("autograd", () => {
    it("accumulates through shared subexpressions and records nothing under noGrad", () => {
      const x = Tensor.from([3], [1], true);
      const y = ops.mul(x, x); // x² used twice below
      ops.sum(ops.add(y, y)).backward();
      expect(x.grad?.[0]).toBeCloseTo(12);
      const z = noGrad(() => ops.mul(x, x));
      expect(z.requiresGrad).toBe(false);
    });
    it("gradCheck catches a wrong gradient", () => {
      const wrong = (t: Tensor) => {
        const out = ops.square(t);
        return new Tensor(out.data, out.shape, {
          requiresGrad: true,
          parents: [t],
          backward: (g) => t.accumulateGrad(g), // should be 2x·g
        });
      };
      expect(() => gradCheck(wrong, [randn(4)])).toThrow(/gradient of input 0/);
    });
  });
});
