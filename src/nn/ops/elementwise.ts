/** Element-wise ops with broadcasting. Each op: forward loop, then its backward beside it. */
import { record, type Tensor } from "../tensor.js";
import { broadcastIndex, broadcastShape } from "./broadcast.js";

type Binary = {
  f: (x: number, y: number) => number;
  /** d out / d x and d out / d y at (x, y, out). */
  dx: (x: number, y: number, out: number) => number;
  dy: (x: number, y: number, out: number) => number;
};

function binary(a: Tensor, b: Tensor, op: Binary): Tensor {
  const shape = broadcastShape(a.shape, b.shape);
  const ia = broadcastIndex(shape, a.shape);
  const ib = broadcastIndex(shape, b.shape);
  const n = shape.reduce((x, y) => x * y, 1);
  const ad = a.data;
  const bd = b.data;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = op.f(ad[ia ? ia[i] : i], bd[ib ? ib[i] : i]);
  return record(out, shape, [a, b], (g) => {
    if (a.requiresGrad) {
      const ga = a.gradBuffer();
      for (let i = 0; i < n; i++) {
        const j = ia ? ia[i] : i;
        ga[j] += g[i] * op.dx(ad[j], bd[ib ? ib[i] : i], out[i]);
      }
    }
    if (b.requiresGrad) {
      const gb = b.gradBuffer();
      for (let i = 0; i < n; i++) {
        const j = ib ? ib[i] : i;
        gb[j] += g[i] * op.dy(ad[ia ? ia[i] : i], bd[j], out[i]);
      }
    }
  });
}

const one = () => 1;

export const add = (a: Tensor, b: Tensor) => binary(a, b, { f: (x, y) => x + y, dx: one, dy: one });
export const sub = (a: Tensor, b: Tensor) =>
  binary(a, b, { f: (x, y) => x - y, dx: one, dy: () => -1 });
export const mul = (a: Tensor, b: Tensor) =>
  binary(a, b, { f: (x, y) => x * y, dx: (_x, y) => y, dy: (x) => x });
export const div = (a: Tensor, b: Tensor) =>
  binary(a, b, { f: (x, y) => x / y, dx: (_x, y) => 1 / y, dy: (x, y) => -x / (y * y) });
/** max(a, b) element-wise; the gradient goes to `a` on ties (like torch.maximum's subgradient). */
export const maximum = (a: Tensor, b: Tensor) =>
  binary(a, b, {
    f: (x, y) => (x >= y ? x : y),
    dx: (x, y) => (x >= y ? 1 : 0),
    dy: (x, y) => (x >= y ? 0 : 1),
  });

type Unary = { f: (x: number) => number; df: (x: number, out: number) => number };

function unary(a: Tensor, op: Unary): Tensor {
  const n = a.size;
  const ad = a.data;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = op.f(ad[i]);
  return record(out, a.shape, [a], (g) => {
    const ga = a.gradBuffer();
    for (let i = 0; i < n; i++) ga[i] += g[i] * op.df(ad[i], out[i]);
  });
}

export const neg = (a: Tensor) => unary(a, { f: (x) => -x, df: () => -1 });
export const scale = (a: Tensor, s: number) => unary(a, { f: (x) => x * s, df: () => s });
export const addScalar = (a: Tensor, s: number) => unary(a, { f: (x) => x + s, df: one });
export const exp = (a: Tensor) => unary(a, { f: Math.exp, df: (_x, y) => y });
export const log = (a: Tensor) => unary(a, { f: Math.log, df: (x) => 1 / x });
export const sqrt = (a: Tensor) => unary(a, { f: Math.sqrt, df: (_x, y) => 0.5 / y });
export const square = (a: Tensor) => unary(a, { f: (x) => x * x, df: (x) => 2 * x });
export const tanh = (a: Tensor) => unary(a, { f: Math.tanh, df: (_x, y) => 1 - y * y });
export const sigmoid = (a: Tensor) =>
  unary(a, { f: (x) => 1 / (1 + Math.exp(-x)), df: (_x, y) => y * (1 - y) });
export const relu = (a: Tensor) =>
  unary(a, { f: (x) => (x > 0 ? x : 0), df: (x) => (x > 0 ? 1 : 0) });
/** clamp(x, min, max); zero gradient outside the range (PyTorch's clamp). */
export const clamp = (a: Tensor, min = -Infinity, max = Infinity) =>
  unary(a, {
    f: (x) => (x < min ? min : x > max ? max : x),
    df: (x) => (x < min || x > max ? 0 : 1),
  });
