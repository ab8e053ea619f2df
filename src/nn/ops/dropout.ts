/** Inverted dropout: zero each element with probability p, scale the rest by 1/(1 − p). */
import type { Random } from "../../random/index.js";
import { record, type Tensor } from "../tensor.js";

/** Draw buffer shared by every call: dropout draws once per element and keeps only the mask. */
let draws = new Uint32Array(0);

/** Applies dropout with a mask drawn from `rng` (one draw per element, in order). */
export function dropout(x: Tensor, p: number, rng: Random): Tensor {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`dropout probability ${p} is not in [0, 1]`);
  if (p === 0) return x;
  const keep = Math.fround(p === 1 ? 0 : 1 / (1 - p));
  // rng.float() < p, compared in integers: the same draws without the division.
  const threshold = p * 4294967296;
  const n = x.size;
  if (draws.length < n) draws = new Uint32Array(n);
  rng.uint32s(n, draws);
  const kept = new Uint8Array(n);
  const out = new Float32Array(n);
  const xd = x.data;
  // Branch-free: a kept/dropped branch mispredicts on a fraction p of the elements.
  for (let i = 0; i < n; i++) {
    const k = +(draws[i] >= threshold);
    kept[i] = k;
    out[i] = xd[i] * (k * keep);
  }
  return record(out, x.shape, [x], (g) => {
    const gx = x.gradBuffer();
    for (let i = 0; i < n; i++) gx[i] += g[i] * (kept[i] * keep);
  });
}
