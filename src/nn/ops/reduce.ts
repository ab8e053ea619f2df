/** Reductions: over everything, or over one axis (kept or dropped). */
import { record, type Tensor } from "../tensor.js";

function normaliseAxis(axis: number, ndim: number): number {
  const a = axis < 0 ? axis + ndim : axis;
  if (a < 0 || a >= ndim) throw new RangeError(`axis ${axis} out of range for ${ndim} dims`);
  return a;
}

/** Sum of all elements (shape []), or along `axis`. */
export function sum(a: Tensor, axis?: number, keepDim = false): Tensor {
  if (axis === undefined) {
    let s = 0;
    for (let i = 0; i < a.size; i++) s += a.data[i];
    return record(Float32Array.of(s), [], [a], (g) => {
      const ga = a.gradBuffer();
      for (let i = 0; i < ga.length; i++) ga[i] += g[0];
    });
  }
  const ax = normaliseAxis(axis, a.ndim);
  const outer = a.shape.slice(0, ax).reduce((x, y) => x * y, 1);
  const len = a.shape[ax];
  const inner = a.shape.slice(ax + 1).reduce((x, y) => x * y, 1);
  const out = new Float32Array(outer * inner);
  for (let o = 0; o < outer; o++)
    for (let l = 0; l < len; l++) {
      const src = (o * len + l) * inner;
      const dst = o * inner;
      for (let i = 0; i < inner; i++) out[dst + i] += a.data[src + i];
    }
  const shape = keepDim
    ? a.shape.map((d, i) => (i === ax ? 1 : d))
    : a.shape.filter((_, i) => i !== ax);
  return record(out, shape, [a], (g) => {
    const ga = a.gradBuffer();
    for (let o = 0; o < outer; o++)
      for (let l = 0; l < len; l++) {
        const dst = (o * len + l) * inner;
        const src = o * inner;
        for (let i = 0; i < inner; i++) ga[dst + i] += g[src + i];
      }
  });
}

export function mean(a: Tensor, axis?: number, keepDim = false): Tensor {
  const n = axis === undefined ? a.size : a.shape[normaliseAxis(axis, a.ndim)];
  const s = sum(a, axis, keepDim);
  const out = s.data.map((x) => x / n);
  return record(out, s.shape, [s], (g) => {
    const gs = s.gradBuffer();
    for (let i = 0; i < gs.length; i++) gs[i] += g[i] / n;
  });
}
