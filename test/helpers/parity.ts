/**
 * One-line PyTorch parity per op, as tinygrad's `helper_test_op`: `expectParity("sum", ...)`
 * runs our op on every case of `ops.json` (written by tools/parity/parts/ops.py) and compares
 * the output's shape and values, then the gradient of every input for the fixture's upstream
 * gradient. The fixture holds the inputs and the op's arguments, so a test line only says
 * how our op is called:
 *
 *   expectParity("sum", ([x], { axis, keepDim }) => ops.sum(x, axis, keepDim));
 */
import { Tensor } from "../../src/nn/index.js";
import { type FixtureTensor, loadFixture } from "./fixtures.js";
import { expectClose, type Tolerance } from "./numeric.js";

/** The arguments an op case may carry besides its tensors (named as our ops name them). */
export interface OpArgs {
  axis?: number;
  keepDim?: boolean;
  s?: number;
  min?: number;
  max?: number;
  shape?: number[];
  index?: number[];
  lengths?: number[];
  steps?: number;
}

export interface OpCase {
  args: OpArgs;
  inputs: FixtureTensor[];
  out: FixtureTensor;
  /** Absent for ops without a gradient (paddingMask). */
  upstream?: FixtureTensor;
  grads?: FixtureTensor[];
}

let cases: Record<string, OpCase[]> | null = null;

/** Every op case of ops.json, by op name. */
export function opCases(): Record<string, OpCase[]> {
  cases ??= loadFixture("ops") as unknown as Record<string, OpCase[]>;
  return cases;
}

/** Worst absolute differences from PyTorch over all cases of one op. */
export interface ParityError {
  forward: number;
  backward: number;
}

export const OP_TOLERANCE: Tolerance = { atol: 1e-6, rtol: 1e-5 };

/**
 * Checks `op` against PyTorch on every fixture case of `name`; throws naming the case, the
 * tensor and the worst element. Returns the worst absolute errors seen.
 */
export function expectParity(
  name: string,
  op: (inputs: Tensor[], args: OpArgs) => Tensor,
  tolerance: Tolerance = OP_TOLERANCE,
): ParityError {
  const list = opCases()[name];
  if (!list?.length) throw new Error(`ops.json has no cases for "${name}"`);
  const worst = { forward: 0, backward: 0 };
  list.forEach((c, i) => {
    const what = `${name} case ${i}`;
    const inputs = c.inputs.map((t) => Tensor.from(t.data, t.shape, true));
    const out = op(inputs, c.args);
    if (out.shape.join() !== c.out.shape.join()) {
      throw new Error(`${what}: shape [${out.shape}], PyTorch [${c.out.shape}]`);
    }
    expectClose(out.data, c.out.data, tolerance, `${what}, output`);
    worst.forward = Math.max(worst.forward, maxAbsDiff(out.data, c.out.data));
    if (!c.upstream) return;
    out.backward(Float32Array.from(c.upstream.data));
    c.grads?.forEach((g, k) => {
      const grad = inputs[k].grad ?? new Float32Array(inputs[k].size);
      expectClose(grad, g.data, tolerance, `${what}, gradient of input ${k}`);
      worst.backward = Math.max(worst.backward, maxAbsDiff(grad, g.data));
    });
  });
  return worst;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
