import { describe, expect, it } from "vitest";
import { BACKENDS, useBackend } from "../../../test/helpers/backends.js";
import { fixtureTensor, loadFixture } from "../../../test/helpers/fixtures.js";
import { expectClose, gradCheck } from "../../../test/helpers/numeric.js";
import { Random } from "../../random/index.js";
import { Tensor } from "../tensor.js";
import { l2Normalize, layerNorm } from "./norm.js";

const fromFixture = (f: ReturnType<typeof loadFixture>, key: string) => {
  const t = fixtureTensor(f, key);
  return Tensor.from(t.data, t.shape, true);
};

describe.each(BACKENDS)("%s kernels", (backend) => {
  useBackend(backend);
  // Same seed in every backend's block: both run on identical inputs.
  const rng = new Random(2);
  const randn = (...shape: number[]) =>
    Tensor.from(
      Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()),
      shape,
      true,
    );

  describe("layerNorm", () => {
    it("normalises each row to mean 0, variance 1 before the affine map", () => {
      const y = layerNorm(
        Tensor.from([1, 2, 3, 4, 10, 10, 10, 10], [2, 4]),
        Tensor.full([4], 1),
        Tensor.zeros([4]),
      );
      expectClose(y.data.subarray(0, 4), [-1.3416355, -0.4472118, 0.4472118, 1.3416355], {
        atol: 1e-6,
      });
      expect(Array.from(y.data.subarray(4))).toEqual([0, 0, 0, 0]);
    });
    it("has correct gradients for input, weight and bias", () => {
      gradCheck((x, w, b) => layerNorm(x, w, b), [randn(2, 3, 5), randn(5), randn(5)]);
    });
    it("matches PyTorch", () => {
      const f = loadFixture("layer_norm");
      const [x, w, b] = ["x", "weight", "bias"].map((k) => fromFixture(f, k));
      const y = layerNorm(x, w, b);
      expectClose(y.data, fixtureTensor(f, "out").data, { atol: 1e-5, rtol: 1e-5 }, "out");
      y.backward(Float32Array.from(fixtureTensor(f, "upstream").data));
      const tol = { atol: 1e-5, rtol: 1e-4 };
      expectClose(x.grad!, fixtureTensor(f, "x_grad").data, tol, "x grad");
      expectClose(w.grad!, fixtureTensor(f, "weight_grad").data, tol, "weight grad");
      expectClose(b.grad!, fixtureTensor(f, "bias_grad").data, tol, "bias grad");
    });
  });

  describe("l2Normalize", () => {
    it("divides by the norm, and by eps for (near-)zero rows like F.normalize", () => {
      const y = l2Normalize(Tensor.from([3, 4, 0, 0], [2, 2]));
      expectClose(y.data, [0.6, 0.8, 0, 0], { atol: 1e-7 });
      const tiny = l2Normalize(Tensor.from([1e-13, 0], [1, 2]));
      expectClose(tiny.data, [0.1, 0], { atol: 1e-7 });
    });
    it("has correct gradients, including the clamped branch", () => {
      gradCheck((x) => l2Normalize(x), [randn(3, 4)]);
      const x = Tensor.from([1e-13, -2e-13], [1, 2], true);
      l2Normalize(x).backward(Float32Array.of(1, 1));
      expectClose(x.grad!, [1e12, 1e12], { rtol: 1e-6 });
    });
  });
});
