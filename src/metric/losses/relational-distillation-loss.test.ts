import { describe, expect, it } from "vitest";
import { BACKENDS, useBackend } from "../../../test/helpers/backends.js";
import { type Fixture, fixtureTensor, loadFixture } from "../../../test/helpers/fixtures.js";
import { expectClose, gradCheck } from "../../../test/helpers/numeric.js";
import { Tensor } from "../../nn/index.js";
import { Random } from "../../random/index.js";
import { RelationalDistillationLoss } from "./relational-distillation-loss.js";

const randomTensor = (rng: Random, shape: number[], requiresGrad = true, scale = 1) =>
  Tensor.from(
    Array.from({ length: shape[0] * shape[1] }, () => scale * rng.normal(0, 1)),
    shape,
    requiresGrad,
  );

describe("RelationalDistillationLoss", () => {
  it("is the mean smooth L1 between mean-normalised pair distances", () => {
    // Student on a line at 0, 1, 3: d = 1, 3, 2 (μ 2) → ψ = 0.5, 1.5, 1.
    // Teacher at 0, 2, 4 (in 1-D): d = 2, 4, 2 (μ 8/3) → ψ = 0.75, 1.5, 0.75.
    const s = Tensor.from([0, 1, 3], [3, 1]);
    const t = Tensor.from([0, 2, 4], [3, 1]);
    const loss = new RelationalDistillationLoss().forward(s, t).item();
    const x = [0.5 - 0.75, 0, 1 - 0.75];
    expect(loss).toBeCloseTo(x.reduce((a, v) => a + 0.5 * v * v, 0) / 3, 6);
  });

  it("is 0 when the student is the teacher rotated and scaled, whatever the widths", () => {
    const t = Tensor.from([0, 0, 3, 4, -1, 2, 5, 5], [4, 2]);
    // (x, y) → 2.5 · (−y, x, 0): a rotation, a scale and an extra dimension.
    const s = Tensor.from([0, 0, 0, -10, 7.5, 0, -5, -2.5, 0, -12.5, 12.5, 0], [4, 3]);
    expect(new RelationalDistillationLoss().forward(s, t).item()).toBeCloseTo(0, 6);
  });

  it("has central-difference gradients, in the quadratic and the linear part", () => {
    const rng = new Random(41);
    for (const beta of [1, 0.05]) {
      const loss = new RelationalDistillationLoss({ beta });
      const teacher = randomTensor(rng, [6, 3], false, 2);
      gradCheck((s) => loss.forward(s, teacher), [randomTensor(rng, [6, 4])], { eps: 1e-3 });
    }
  });

  it("passes nothing to the teacher and survives a repeated row (distance 0)", () => {
    const rng = new Random(42);
    const s = randomTensor(rng, [3, 2]);
    const twice = Tensor.from([...s.data, ...s.data.slice(0, 2)], [4, 2], true);
    const t = randomTensor(rng, [4, 3]);
    const out = new RelationalDistillationLoss().forward(twice, t);
    out.backward();
    expect(t.grad).toBeNull();
    expect([...(twice.grad as Float32Array)].every(Number.isFinite)).toBe(true);
  });

  it("names the mismatch when student and teacher embed different numbers of items", () => {
    const rng = new Random(43);
    expect(() =>
      new RelationalDistillationLoss().forward(
        randomTensor(rng, [3, 2]),
        randomTensor(rng, [4, 2]),
      ),
    ).toThrow(/student has 3 rows and teacher 4/);
    expect(() => new RelationalDistillationLoss({ beta: 0 })).toThrow(/beta must be > 0/);
  });
});

const input = (f: Fixture, key: string, grad = true) => {
  const t = fixtureTensor(f, key);
  return Tensor.from(t.data, t.shape, grad);
};

describe.each(BACKENDS)("%s kernels", (backend) => {
  useBackend(backend);
  for (const name of ["rkd_distance", "rkd_distance_beta"]) {
    it(`matches PyTorch's smooth_l1 over normalised pair distances (${name})`, () => {
      const f = loadFixture(name);
      const s = input(f, "student");
      const out = new RelationalDistillationLoss({ beta: f.beta as number }).forward(
        s,
        input(f, "teacher", false),
      );
      expectClose([out.item()], fixtureTensor(f, "loss").data, { atol: 1e-6, rtol: 1e-5 }, "loss");
      out.backward();
      expectClose(
        s.grad!,
        fixtureTensor(f, "grad_student").data,
        { atol: 1e-7, rtol: 1e-4 },
        "grad",
      );
    });
  }
});
