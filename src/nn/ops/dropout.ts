/** Inverted dropout: zero each element with probability p, scale the rest by 1/(1 − p). */
import type { Random } from "../../random/index.js";
import { kernels } from "../kernels/index.js";
import { record, type Tensor } from "../tensor.js";

/** What kept elements are multiplied by, 1/(1 − p) (0 when all drop); p must be in [0, 1]. */
export function dropoutScale(p: number): number {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`dropout probability ${p} is not in [0, 1]`);
  return Math.fround(p === 1 ? 0 : 1 / (1 - p));
}

/**
 * Keep bytes for n elements, 0 where rng.float() < p (one draw each, in order, i.e. a draw
 * below p·2³²); with `apply`, also out = x·kept·keepScale.
 */
export function keepMask(
  n: number,
  p: number,
  rng: Random,
  apply: { x: Float32Array; out: Float32Array; keepScale: number } | null = null,
): Uint8Array {
  const kept = new Uint8Array(n);
  rng.stream((words) =>
    kernels().dropoutMask({ n, threshold: p * 4294967296, words, kept, apply }),
  );
  return kept;
}

/** Applies dropout with a mask drawn from `rng` (one draw per element, in order). */
export function dropout(x: Tensor, p: number, rng: Random): Tensor {
  const keepScale = dropoutScale(p);
  if (p === 0) return x;
  const n = x.size;
  const out = new Float32Array(n);
  const kept = keepMask(n, p, rng, { x: x.data, out, keepScale });
  return record(out, x.shape, [x], (g) => {
    const gx = x.gradBuffer();
    for (let i = 0; i < n; i++) gx[i] += g[i] * (kept[i] * keepScale);
  });
}
