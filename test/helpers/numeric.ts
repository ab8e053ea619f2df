/**
 * Numerical proof helpers: closeness with a useful message, and gradient checks against
 * central finite differences. Used by the tests of every op, layer and loss.
 */
import { noGrad, type Tensor } from "../../src/nn/index.js";
import { Random } from "../../src/random/index.js";

export interface Tolerance {
  atol?: number;
  rtol?: number;
}

/** Throws, naming the worst element, unless |a−e| ≤ atol + rtol·|e| everywhere. */
export function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  { atol = 1e-5, rtol = 1e-5 }: Tolerance = {},
  what = "values",
): void {
  if (actual.length !== expected.length) {
    throw new Error(`${what}: length ${actual.length} ≠ expected ${expected.length}`);
  }
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const e = expected[i];
    const excess = Math.abs(a - e) - (atol + rtol * Math.abs(e));
    if (Number.isNaN(a) !== Number.isNaN(e) || excess > worstExcess) {
      worst = i;
      worstExcess = Number.isNaN(excess) ? Infinity : excess;
    }
  }
  if (worst >= 0) {
    throw new Error(
      `${what}: element ${worst} is ${actual[worst]}, expected ${expected[worst]} ` +
        `(atol ${atol}, rtol ${rtol})`,
    );
  }
}

/**
 * Checks the analytic gradients of `fn` with respect to each input against central finite
 * differences. `fn` may return any shape: it is reduced to a scalar with fixed random weights,
 * so every output element's gradient path is exercised.
 */
export function gradCheck(
  fn: (...inputs: Tensor[]) => Tensor,
  inputs: Tensor[],
  {
    eps = 1e-3,
    atol = 1e-3,
    rtol = 1e-2,
    seed = 0,
  }: Tolerance & { eps?: number; seed?: number } = {},
): void {
  const probe = fn(...inputs);
  const rng = new Random(seed);
  const weights = Float64Array.from({ length: probe.size }, () => rng.uniform(-1, 1));
  const scalar = (out: Tensor) => {
    let s = 0;
    for (let i = 0; i < out.size; i++) s += out.data[i] * weights[i];
    return s;
  };
  for (const t of inputs) t.grad = null;
  probe.backward(Float32Array.from(weights));
  inputs.forEach((t, which) => {
    if (!t.requiresGrad) return;
    const analytic = t.grad ?? new Float32Array(t.size);
    const numeric = new Float64Array(t.size);
    noGrad(() => {
      for (let i = 0; i < t.size; i++) {
        const keep = t.data[i];
        t.data[i] = keep + eps;
        const up = scalar(fn(...inputs));
        t.data[i] = keep - eps;
        const down = scalar(fn(...inputs));
        t.data[i] = keep;
        numeric[i] = (up - down) / (2 * eps);
      }
    });
    expectClose(analytic, numeric, { atol, rtol }, `gradient of input ${which}`);
  });
}
