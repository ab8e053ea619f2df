/** The reference dropout mask: the sfc32 stream of src/random, step for step. */
import type { DropoutMaskKernel } from "../types.js";

export const dropoutMaskTs: DropoutMaskKernel = ({ n, threshold, words, kept, apply }) => {
  let [a, b, c, d] = words;
  for (let i = 0; i < n; i++) {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    kept[i] = +(t >>> 0 >= threshold);
  }
  words.set([a, b, c, d]);
  if (!apply) return;
  const { x, out, keepScale } = apply;
  for (let i = 0; i < n; i++) out[i] = x[i] * (kept[i] * keepScale);
};
