import { describe, expect, it } from "vitest";
import { Tensor } from "../tensor.js";
import { Adam, clipGradNorm, zeroGrad } from "./adam.js";

const param = (values: number[], grad: number[] | null) => {
  const p = Tensor.from(values, [values.length], true);
  p.grad = grad ? Float32Array.from(grad) : null;
  return p;
};

describe("Adam", () => {
  it("moves by lr·sign(g) on the first step (bias correction) and follows the recurrence", () => {
    const p = param([1, -2, 3], [0.5, -4, 0]);
    const adam = new Adam([p], { lr: 0.1 });
    adam.step();
    expect(p.data[0]).toBeCloseTo(0.9, 6);
    expect(p.data[1]).toBeCloseTo(-1.9, 6);
    expect(p.data[2]).toBe(3);
    // Second step with gradient 1: m = 0.1·0.9·0.5 + 0.1 = 0.145, v = 0.999·0.001·0.25 + 0.001.
    p.grad = Float32Array.of(1, 1, 1);
    adam.step();
    const m = 0.9 * 0.05 + 0.1;
    const v = 0.999 * 0.00025 + 0.001;
    const expected =
      0.9 - ((0.1 / (1 - 0.81)) * m) / (Math.sqrt(v) / Math.sqrt(1 - 0.999 ** 2) + 1e-8);
    expect(p.data[0]).toBeCloseTo(expected, 6);
  });

  it("adds weight decay to the gradient (L2, not decoupled)", () => {
    const p = param([2], [0]);
    new Adam([p], { lr: 0.01, weightDecay: 0.5 }).step();
    // g = 0 + 0.5·2 = 1 → a full lr step against the weight.
    expect(p.data[0]).toBeCloseTo(1.99, 6);
  });

  it("skips parameters without gradients and counts steps per parameter", () => {
    const a = param([0], [1]);
    const b = param([0], null);
    const adam = new Adam([a, b], { lr: 1 });
    adam.step();
    b.grad = Float32Array.of(1);
    adam.step();
    // b's first step is a bias-corrected step: exactly −lr·sign(g).
    expect(b.data[0]).toBeCloseTo(-1, 6);
    expect(a.data[0]).toBeCloseTo(-2, 6);
    adam.zeroGrad();
    expect(a.grad).toBeNull();
  });
});

describe("clipGradNorm", () => {
  it("scales all gradients to maxNorm and returns the norm before clipping", () => {
    const a = param([0, 0], [3, 0]);
    const b = param([0], [4]);
    expect(clipGradNorm([a, b], 1)).toBeCloseTo(5, 6);
    expect(a.grad![0]).toBeCloseTo(3 / (5 + 1e-6), 6);
    expect(b.grad![0]).toBeCloseTo(4 / (5 + 1e-6), 6);
    expect(clipGradNorm([a, b], 10)).toBeCloseTo(1, 5);
    expect(b.grad![0]).toBeCloseTo(4 / (5 + 1e-6), 6);
    zeroGrad([a, b]);
    expect(clipGradNorm([a, b], 1)).toBe(0);
  });
});

describe("Adam checkpoints", () => {
  it("resumes exactly from saved moments", () => {
    const make = () => {
      const w = Tensor.from([0.5, -1, 2], [3]);
      w.requiresGrad = true;
      return w;
    };
    const grads = [
      [0.1, -0.2, 0.3],
      [0.4, 0.1, -0.5],
      [-0.3, 0.2, 0.1],
    ];
    const run = (w: Tensor, opt: Adam, from: number, to: number) => {
      for (let i = from; i < to; i++) {
        w.grad = Float32Array.from(grads[i]);
        opt.step();
      }
    };
    const a = make();
    const optA = new Adam([a], { lr: 0.1 });
    run(a, optA, 0, 3);
    const b = make();
    const optB = new Adam([b], { lr: 0.1 });
    run(b, optB, 0, 1);
    const c = Tensor.from(Array.from(b.data), [3]);
    c.requiresGrad = true;
    const optC = new Adam([c], { lr: 0.1 });
    optC.loadStateTensors(new Map(optB.stateTensors()));
    run(c, optC, 1, 3);
    expect(Array.from(c.data)).toEqual(Array.from(a.data));
  });
});
