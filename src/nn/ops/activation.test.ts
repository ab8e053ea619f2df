import { describe, expect, it } from "vitest";
import { BACKENDS, useBackend } from "../../../test/helpers/backends.js";
import { fixtureTensor, loadFixture } from "../../../test/helpers/fixtures.js";
import { expectClose, gradCheck } from "../../../test/helpers/numeric.js";
import { Random } from "../../random/index.js";
import { Tensor } from "../tensor.js";
import { erf, gelu, logSoftmax, softmax } from "./activation.js";

const fixtureInput = (fixture: ReturnType<typeof loadFixture>, key: string) => {
  const t = fixtureTensor(fixture, key);
  return Tensor.from(t.data, t.shape, true);
};

describe.each(BACKENDS)("%s kernels", (backend) => {
  useBackend(backend);
  // Same seed in every backend's block: both run on identical inputs.
  const rng = new Random(1);
  const randn = (shape: number[], s = 1) =>
    Tensor.from(
      Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => s * rng.normal()),
      shape,
      true,
    );

  describe("erf", () => {
    it("matches reference values (Python math.erf) to float32 accuracy, relative near 0", () => {
      const reference: [number, number][] = [
        [1e-5, 1.1283791670578999e-5],
        [0.01, 0.011283415555849618],
        [0.124, 0.13920518102987042],
        [0.125, 0.1403162048013338],
        [0.5, 0.5204998778130465],
        [1, 0.8427007929497149],
        [2, 0.9953222650189527],
        [3, 0.9999779095030014],
        [5.9, 0.9999999999999999],
      ];
      for (const [x, y] of reference) {
        expectClose([erf(x), erf(-x)], [y, -y], { atol: 0, rtol: 2e-8 }, `erf(${x})`);
      }
      expect(erf(0)).toBe(0);
      expect(erf(40)).toBe(1);
    });
  });

  describe("softmax and logSoftmax", () => {
    it("are stable for large logits and sum to one", () => {
      const y = softmax(Tensor.from([1000, 1001, 1002], [1, 3]));
      expectClose(y.data, [0.09003057, 0.24472847, 0.66524096], { atol: 1e-7 });
      expect(Number.isFinite(logSoftmax(Tensor.from([-1e4, 0, 1e4], [3])).data[0])).toBe(true);
    });
    it("have correct gradients", () => {
      gradCheck(softmax, [randn([2, 3, 5])]);
      gradCheck(logSoftmax, [randn([4, 6])]);
    });
    it("match PyTorch", () => {
      const f = loadFixture("softmax");
      const upstream = fixtureTensor(f, "upstream").data;
      for (const [name, fn] of [
        ["softmax", softmax],
        ["log_softmax", logSoftmax],
      ] as const) {
        const x = fixtureInput(f, "x");
        const y = fn(x);
        expectClose(y.data, fixtureTensor(f, `${name}_out`).data, { atol: 1e-5, rtol: 1e-5 }, name);
        y.backward(Float32Array.from(upstream));
        expectClose(x.grad!, fixtureTensor(f, `${name}_grad`).data, { atol: 1e-5, rtol: 1e-4 });
      }
    });
  });

  describe("gelu", () => {
    it("has correct gradients", () => gradCheck(gelu, [randn([3, 7], 2)]));
    it("matches PyTorch's exact GELU over ±8", () => {
      const f = loadFixture("gelu");
      const x = fixtureInput(f, "x");
      const y = gelu(x);
      expectClose(y.data, fixtureTensor(f, "out").data, { atol: 1e-6, rtol: 1e-5 }, "gelu");
      y.backward(Float32Array.from(fixtureTensor(f, "upstream").data));
      expectClose(x.grad!, fixtureTensor(f, "x_grad").data, { atol: 1e-6, rtol: 1e-4 }, "grad");
    });
  });
});
