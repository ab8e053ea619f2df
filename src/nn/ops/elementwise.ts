/**
 * Element-wise ops with broadcasting. Each op gives its forward loop and its backward loops
 * over whole arrays of equal length, side by side; `binary` and `unary` do the rest. A loop per
 * op (rather than a per-element callback shared by all ops) keeps every loop monomorphic, so
 * the JIT inlines its arithmetic.
 */
import { record, type Tensor } from "../tensor.js";
import { broadcastIndex, broadcastShape } from "./broadcast.js";

type F32 = Float32Array;

type Binary = {
  /** out[i] = f(x[i], y[i]) */
  f: (x: F32, y: F32, out: F32) => void;
  /** gx[i] += g[i] · ∂out/∂x and gy[i] += g[i] · ∂out/∂y at (x[i], y[i], out[i]). */
  dx: (x: F32, y: F32, out: F32, g: F32, gx: F32) => void;
  dy: (x: F32, y: F32, out: F32, g: F32, gy: F32) => void;
};

/** Broadcast inputs are expanded to the output's shape; their gradients are summed back. */
function binary(a: Tensor, b: Tensor, op: Binary): Tensor {
  const shape = broadcastShape(a.shape, b.shape);
  const ia = broadcastIndex(shape, a.shape);
  const ib = broadcastIndex(shape, b.shape);
  const n = shape.reduce((x, y) => x * y, 1);
  const x = ia ? expand(a.data, ia) : a.data;
  const y = ib ? expand(b.data, ib) : b.data;
  const out = new Float32Array(n);
  op.f(x, y, out);
  return record(out, shape, [a, b], (g) => {
    if (a.requiresGrad) addGrad(a, ia, n, (gx) => op.dx(x, y, out, g, gx));
    if (b.requiresGrad) addGrad(b, ib, n, (gy) => op.dy(x, y, out, g, gy));
  });
}

/** gx += g: the gradient of an input the output follows one for one. */
function addInto(g: F32, gx: F32): void {
  for (let i = 0; i < g.length; i++) gx[i] += g[i];
}

/** gx −= g: the gradient of an input the output follows negated. */
function subtractInto(g: F32, gx: F32): void {
  for (let i = 0; i < g.length; i++) gx[i] -= g[i];
}

function expand(data: F32, index: Int32Array): F32 {
  const out = new Float32Array(index.length);
  for (let i = 0; i < index.length; i++) out[i] = data[index[i]];
  return out;
}

/** Runs `backward` into t's gradient, through a full-size buffer summed back when broadcast. */
function addGrad(t: Tensor, index: Int32Array | null, n: number, backward: (g: F32) => void) {
  const gt = t.gradBuffer();
  if (!index) {
    backward(gt);
    return;
  }
  const full = new Float32Array(n);
  backward(full);
  for (let i = 0; i < n; i++) gt[index[i]] += full[i];
}

export const add = (a: Tensor, b: Tensor) =>
  binary(a, b, {
    f: (x, y, out) => {
      for (let i = 0; i < out.length; i++) out[i] = x[i] + y[i];
    },
    dx: (_x, _y, _out, g, gx) => addInto(g, gx),
    dy: (_x, _y, _out, g, gy) => addInto(g, gy),
  });
export const sub = (a: Tensor, b: Tensor) =>
  binary(a, b, {
    f: (x, y, out) => {
      for (let i = 0; i < out.length; i++) out[i] = x[i] - y[i];
    },
    dx: (_x, _y, _out, g, gx) => addInto(g, gx),
    dy: (_x, _y, _out, g, gy) => subtractInto(g, gy),
  });
export const mul = (a: Tensor, b: Tensor) =>
  binary(a, b, {
    f: (x, y, out) => {
      for (let i = 0; i < out.length; i++) out[i] = x[i] * y[i];
    },
    dx: (_x, y, _out, g, gx) => {
      for (let i = 0; i < g.length; i++) gx[i] += g[i] * y[i];
    },
    dy: (x, _y, _out, g, gy) => {
      for (let i = 0; i < g.length; i++) gy[i] += g[i] * x[i];
    },
  });
export const div = (a: Tensor, b: Tensor) =>
  binary(a, b, {
    f: (x, y, out) => {
      for (let i = 0; i < out.length; i++) out[i] = x[i] / y[i];
    },
    dx: (_x, y, _out, g, gx) => {
      for (let i = 0; i < g.length; i++) gx[i] += g[i] / y[i];
    },
    dy: (x, y, _out, g, gy) => {
      for (let i = 0; i < g.length; i++) gy[i] -= (g[i] * x[i]) / (y[i] * y[i]);
    },
  });
/** max(a, b) element-wise; the gradient goes to `a` on ties (like torch.maximum's subgradient). */
export const maximum = (a: Tensor, b: Tensor) =>
  binary(a, b, {
    f: (x, y, out) => {
      for (let i = 0; i < out.length; i++) out[i] = x[i] >= y[i] ? x[i] : y[i];
    },
    dx: (x, y, _out, g, gx) => {
      for (let i = 0; i < g.length; i++) if (x[i] >= y[i]) gx[i] += g[i];
    },
    dy: (x, y, _out, g, gy) => {
      for (let i = 0; i < g.length; i++) if (x[i] < y[i]) gy[i] += g[i];
    },
  });

type Unary = {
  /** out[i] = f(x[i]) */
  f: (x: F32, out: F32) => void;
  /** gx[i] += g[i] · f'(x[i]), given x and out. */
  df: (x: F32, out: F32, g: F32, gx: F32) => void;
};

function unary(a: Tensor, op: Unary): Tensor {
  const out = new Float32Array(a.size);
  op.f(a.data, out);
  return record(out, a.shape, [a], (g) => op.df(a.data, out, g, a.gradBuffer()));
}

export const neg = (a: Tensor) =>
  unary(a, {
    f: (x, out) => {
      for (let i = 0; i < x.length; i++) out[i] = -x[i];
    },
    df: (_x, _out, g, gx) => subtractInto(g, gx),
  });
export const scale = (a: Tensor, s: number) =>
  unary(a, {
    f: (x, out) => {
      for (let i = 0; i < x.length; i++) out[i] = x[i] * s;
    },
    df: (_x, _out, g, gx) => {
      for (let i = 0; i < g.length; i++) gx[i] += g[i] * s;
    },
  });
export const addScalar = (a: Tensor, s: number) =>
  unary(a, {
    f: (x, out) => {
      for (let i = 0; i < x.length; i++) out[i] = x[i] + s;
    },
    df: (_x, _out, g, gx) => addInto(g, gx),
  });
export const exp = (a: Tensor) =>
  unary(a, {
    f: (x, out) => {
      for (let i = 0; i < x.length; i++) out[i] = Math.exp(x[i]);
    },
    df: (_x, out, g, gx) => {
      for (let i = 0; i < g.length; i++) gx[i] += g[i] * out[i];
    },
  });
export const log = (a: Tensor) =>
  unary(a, {
    f: (x, out) => {
      for (let i = 0; i < x.length; i++) out[i] = Math.log(x[i]);
    },
    df: (x, _out, g, gx) => {
      for (let i = 0; i < g.length; i++) gx[i] += g[i] / x[i];
    },
  });
export const sqrt = (a: Tensor) =>
  unary(a, {
    f: (x, out) => {
      for (let i = 0; i < x.length; i++) out[i] = Math.sqrt(x[i]);
    },
    df: (_x, out, g, gx) => {
      for (let i = 0; i < g.length; i++) gx[i] += (g[i] * 0.5) / out[i];
    },
  });
export const square = (a: Tensor) =>
  unary(a, {
    f: (x, out) => {
      for (let i = 0; i < x.length; i++) out[i] = x[i] * x[i];
    },
    df: (x, _out, g, gx) => {
      for (let i = 0; i < g.length; i++) gx[i] += g[i] * 2 * x[i];
    },
  });
export const tanh = (a: Tensor) =>
  unary(a, {
    f: (x, out) => {
      for (let i = 0; i < x.length; i++) out[i] = Math.tanh(x[i]);
    },
    df: (_x, out, g, gx) => {
      for (let i = 0; i < g.length; i++) gx[i] += g[i] * (1 - out[i] * out[i]);
    },
  });
export const sigmoid = (a: Tensor) =>
  unary(a, {
    f: (x, out) => {
      for (let i = 0; i < x.length; i++) out[i] = 1 / (1 + Math.exp(-x[i]));
    },
    df: (_x, out, g, gx) => {
      for (let i = 0; i < g.length; i++) gx[i] += g[i] * out[i] * (1 - out[i]);
    },
  });
const int32s = (a: F32) => new Int32Array(a.buffer, a.byteOffset, a.length);
/** One float's bits, to turn a masked integer back into a float without a branch. */
const bitsI = new Int32Array(1);
const bitsF = new Float32Array(bitsI.buffer);

/**
 * max(x, 0), gradient g where x > 0. Both passes select by bits (x > 0 as a float ⇔ its bits
 * > 0 as an int32): a branch on the sign mispredicts on half of typical activations and made
 * each loop 4× slower.
 */
export const relu = (a: Tensor) =>
  unary(a, {
    f: (x, out) => {
      const xi = int32s(x);
      const oi = int32s(out);
      for (let i = 0; i < xi.length; i++) oi[i] = xi[i] & ~(xi[i] >> 31);
    },
    df: (x, _out, g, gx) => {
      const xi = int32s(x);
      const gi = int32s(g);
      for (let i = 0; i < gi.length; i++) {
        bitsI[0] = gi[i] & -(xi[i] > 0);
        gx[i] += bitsF[0];
      }
    },
  });
/** clamp(x, min, max); zero gradient outside the range (PyTorch's clamp). */
export const clamp = (a: Tensor, min = -Infinity, max = Infinity) =>
  unary(a, {
    f: (x, out) => {
      for (let i = 0; i < x.length; i++) out[i] = x[i] < min ? min : x[i] > max ? max : x[i];
    },
    df: (x, _out, g, gx) => {
      for (let i = 0; i < g.length; i++) if (x[i] >= min && x[i] <= max) gx[i] += g[i];
    },
  });
