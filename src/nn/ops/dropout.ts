/** Inverted dropout: zero each element with probability p, scale the rest by 1/(1 − p). */
import type { Random } from "../../random/index.js";
import { kernels } from "../kernels/index.js";
import { record, type Tensor } from "../tensor.js";

/** Applies dropout with a mask drawn from `rng` (one draw per element, in order). */
export function dropout(x: Tensor, p: number, rng: Random): Tensor {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`dropout probability ${p} is not in [0, 1]`);
  if (p === 0) return x;
  const keepScale = Math.fround(p === 1 ? 0 : 1 / (1 - p));
  const n = x.size;
  const kept = new Uint8Array(n);
  const out = new Float32Array(n);
  // An element is dropped when rng.float() < p, i.e. when its draw is below p·2³².
  rng.stream((words) =>
    kernels().dropoutMask({
      n,
      threshold: p * 4294967296,
      words,
      kept,
      apply: { x: x.data, out, keepScale },
    }),
  );
  return record(out, x.shape, [x], (g) => {
    const gx = x.gradBuffer();
    for (let i = 0; i < n; i++) gx[i] += g[i] * (kept[i] * keepScale);
  });
}
