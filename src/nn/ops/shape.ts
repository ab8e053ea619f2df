/** Ops that move values without arithmetic: reshape, transpose, concat, row gather/slice. */
import { record, sizeOf, type Tensor } from "../tensor.js";

/** Same values, new shape (one dimension may be -1). Shares no memory with the input. */
export function reshape(a: Tensor, shape: readonly number[]): Tensor {
  const known = shape.filter((d) => d !== -1).reduce((x, y) => x * y, 1);
  const resolved = shape.map((d) => (d === -1 ? a.size / known : d));
  if (sizeOf(resolved) !== a.size) {
    throw new RangeError(`cannot reshape [${a.shape}] to [${shape}]`);
  }
  return record(a.data.slice(), resolved, [a], (g) => a.accumulateGrad(g));
}

/** Swaps the last two dimensions. */
export function transpose(a: Tensor): Tensor {
  if (a.ndim < 2) throw new RangeError(`transpose needs ≥2 dims, shape is [${a.shape}]`);
  const r = a.shape[a.ndim - 2];
  const c = a.shape[a.ndim - 1];
  const batch = a.size / (r * c);
  const out = new Float32Array(a.size);
  for (let b = 0; b < batch; b++) {
    const o = b * r * c;
    for (let i = 0; i < r; i++)
      for (let j = 0; j < c; j++) out[o + j * r + i] = a.data[o + i * c + j];
  }
  const shape = [...a.shape.slice(0, -2), c, r];
  return record(out, shape, [a], (g) => {
    const ga = a.gradBuffer();
    for (let b = 0; b < batch; b++) {
      const o = b * r * c;
      for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) ga[o + i * c + j] += g[o + j * r + i];
    }
  });
}

/** Concatenates along `axis`; all other dimensions must match. */
export function concat(parts: readonly Tensor[], axis = 0): Tensor {
  const first = parts[0];
  const ax = axis < 0 ? axis + first.ndim : axis;
  for (const p of parts) {
    if (p.ndim !== first.ndim || p.shape.some((d, i) => i !== ax && d !== first.shape[i])) {
      throw new RangeError(
        `concat: shape [${p.shape}] does not match [${first.shape}] off axis ${ax}`,
      );
    }
  }
  const outer = sizeOf(first.shape.slice(0, ax));
  const inner = sizeOf(first.shape.slice(ax + 1));
  const total = parts.reduce((s, p) => s + p.shape[ax], 0);
  const out = new Float32Array(outer * total * inner);
  let offset = 0;
  for (const p of parts) {
    const w = p.shape[ax] * inner;
    for (let o = 0; o < outer; o++)
      out.set(p.data.subarray(o * w, (o + 1) * w), o * total * inner + offset);
    offset += w;
  }
  const shape = first.shape.map((d, i) => (i === ax ? total : d));
  return record(out, shape, parts, (g) => {
    let off = 0;
    for (const p of parts) {
      const w = p.shape[ax] * inner;
      if (p.requiresGrad) {
        const gp = p.gradBuffer();
        for (let o = 0; o < outer; o++) {
          const src = o * total * inner + off;
          for (let i = 0; i < w; i++) gp[o * w + i] += g[src + i];
        }
      }
      off += w;
    }
  });
}

/** Rows `index` of `a` along its first dimension (like `a[index]`); rows may repeat. */
export function gather(a: Tensor, index: ArrayLike<number>): Tensor {
  const rows = a.shape[0];
  const w = a.size / rows;
  const out = new Float32Array(index.length * w);
  for (let i = 0; i < index.length; i++) {
    const r = index[i];
    if (r < 0 || r >= rows || !Number.isInteger(r))
      throw new RangeError(`row ${r} out of 0..${rows - 1}`);
    out.set(a.data.subarray(r * w, (r + 1) * w), i * w);
  }
  return record(out, [index.length, ...a.shape.slice(1)], [a], (g) => {
    const ga = a.gradBuffer();
    for (let i = 0; i < index.length; i++) {
      const o = index[i] * w;
      for (let j = 0; j < w; j++) ga[o + j] += g[i * w + j];
    }
  });
}
