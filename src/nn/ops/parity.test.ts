/**
 * PyTorch parity, one line per op (fixtures: tools/parity/parts/ops.py), on both kernel
 * backends. Every op exported by the element-wise, reduction, shape, matmul, affine and
 * pooling modules must have a line here: the last test fails for an op without one.
 */
import { describe, expect, it } from "vitest";
import { BACKENDS, useBackend } from "../../../test/helpers/backends.js";
import { expectParity, opCases } from "../../../test/helpers/parity.js";
import { kernels } from "../kernels/index.js";
import { Tensor } from "../tensor.js";
import * as affine from "./affine.js";
import * as elementwise from "./elementwise.js";
import * as ops from "./index.js";
import * as matmul from "./matmul.js";
import * as pooling from "./pooling.js";
import * as reduce from "./reduce.js";
import * as shape from "./shape.js";

const checks: Record<string, () => unknown> = {
  add: () => expectParity("add", ([a, b]) => ops.add(a, b)),
  sub: () => expectParity("sub", ([a, b]) => ops.sub(a, b)),
  mul: () => expectParity("mul", ([a, b]) => ops.mul(a, b)),
  div: () => expectParity("div", ([a, b]) => ops.div(a, b)),
  maximum: () => expectParity("maximum", ([a, b]) => ops.maximum(a, b)),
  neg: () => expectParity("neg", ([x]) => ops.neg(x)),
  scale: () => expectParity("scale", ([x], { s }) => ops.scale(x, s!)),
  addScalar: () => expectParity("addScalar", ([x], { s }) => ops.addScalar(x, s!)),
  exp: () => expectParity("exp", ([x]) => ops.exp(x)),
  log: () => expectParity("log", ([x]) => ops.log(x)),
  sqrt: () => expectParity("sqrt", ([x]) => ops.sqrt(x)),
  square: () => expectParity("square", ([x]) => ops.square(x)),
  tanh: () => expectParity("tanh", ([x]) => ops.tanh(x)),
  sigmoid: () => expectParity("sigmoid", ([x]) => ops.sigmoid(x)),
  relu: () => expectParity("relu", ([x]) => ops.relu(x)),
  clamp: () => expectParity("clamp", ([x], { min, max }) => ops.clamp(x, min, max)),
  sum: () => expectParity("sum", ([x], { axis, keepDim }) => ops.sum(x, axis, keepDim)),
  mean: () => expectParity("mean", ([x], { axis, keepDim }) => ops.mean(x, axis, keepDim)),
  reshape: () => expectParity("reshape", ([x], { shape }) => ops.reshape(x, shape!)),
  transpose: () => expectParity("transpose", ([x]) => ops.transpose(x)),
  concat: () => expectParity("concat", (xs, { axis }) => ops.concat(xs, axis)),
  gather: () => expectParity("gather", ([x], { index }) => ops.gather(x, index!)),
  matmul: () => expectParity("matmul", ([a, b]) => ops.matmul(a, b)),
  affine: () => expectParity("affine", ([x, w, b]) => ops.affine(x, w, b ?? null)),
  maskedMeanPool: () =>
    expectParity("maskedMeanPool", ([x], { lengths }) => ops.maskedMeanPool(x, lengths!)),
  lastValidPool: () =>
    expectParity("lastValidPool", ([x], { lengths }) => ops.lastValidPool(x, lengths!)),
  lastPool: () => expectParity("lastPool", ([x]) => ops.lastPool(x)),
  paddingMask: () =>
    expectParity("paddingMask", (_, { lengths, steps }) =>
      Tensor.from(ops.paddingMask(lengths!, steps!), [lengths!.length, steps!]),
    ),
  l2Normalize: () => expectParity("l2Normalize", ([x]) => ops.l2Normalize(x)),
};

describe.each(BACKENDS)("PyTorch parity of the ops, %s kernels", (backend) => {
  useBackend(backend);
  it("runs on the backend it names", () => expect(kernels().name).toBe(backend));
  for (const [name, check] of Object.entries(checks)) it(name, () => void check());

  // torch.maximum splits the gradient of equal inputs evenly; ours sends it all to `a`
  // (a valid subgradient, but not PyTorch's). Nothing uses maximum today. When it is made to
  // split, this test fails: make it an ordinary `it`.
  it.fails("maximum on ties (known divergence)", () => {
    expectParity("maximum_ties", ([a, b]) => ops.maximum(a, b));
  });
});

describe("parity coverage", () => {
  it("every element-wise, reduction, shape, matmul and pooling op has a fixture and a line", () => {
    const modules = [elementwise, reduce, shape, matmul, affine, pooling];
    const exported = modules.flatMap((m) => Object.keys(m)).sort();
    const fixtures = Object.keys(opCases()).filter((k) => k !== "maximum_ties");
    expect(exported.filter((op) => !(op in checks))).toEqual([]);
    expect(fixtures.filter((op) => !(op in checks))).toEqual([]);
    expect(Object.keys(checks).filter((op) => !fixtures.includes(op))).toEqual([]);
  });
});
