/** The reference dropout mask: the draws of src/random's sfc32 stream, compared one by one. */
import { sfc32Draws } from "../../../random/index.js";
import type { DropoutMaskKernel } from "../types.js";

export const dropoutMaskTs: DropoutMaskKernel = ({ n, threshold, words, kept, apply }) => {
  const draws = sfc32Draws(words, n, new Uint32Array(n));
  for (let i = 0; i < n; i++) kept[i] = +(draws[i] >= threshold);
  if (!apply) return;
  const { x, out, keepScale } = apply;
  for (let i = 0; i < n; i++) out[i] = x[i] * (kept[i] * keepScale);
};
