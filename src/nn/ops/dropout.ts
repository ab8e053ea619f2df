/** Inverted dropout: zero each element with probability p, scale the rest by 1/(1 − p). */
import type { Random } from "../../random/index.js";
import { record, type Tensor } from "../tensor.js";

/** Applies dropout with a mask drawn from `rng` (one draw per element, in order). */
export function dropout(x: Tensor, p: number, rng: Random): Tensor {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`dropout probability ${p} is not in [0, 1]`);
  if (p === 0) return x;
  const keep = p === 1 ? 0 : 1 / (1 - p);
  // rng.float() < p, compared in integers: the same draws without the division.
  const threshold = p * 4294967296;
  const mask = new Float32Array(x.size);
  const out = new Float32Array(x.size);
  const xd = x.data;
  const draws = rng.uint32s(x.size);
  for (let i = 0; i < mask.length; i++) {
    const m = draws[i] < threshold ? 0 : keep;
    mask[i] = m;
    out[i] = xd[i] * m;
  }
  return record(out, x.shape, [x], (g) => {
    const gx = x.gradBuffer();
    for (let i = 0; i < gx.length; i++) gx[i] += g[i] * mask[i];
  });
}
