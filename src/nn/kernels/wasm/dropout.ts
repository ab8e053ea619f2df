import type { DropoutMaskKernel } from "../types.js";
import { type Arena, type Exports, layout } from "./memory.js";

/** The generator's words and the mask (and values) cross once per call. */
export function makeDropoutMask(exports: Exports, arena: Arena): DropoutMaskKernel {
  return ({ n, threshold, words, kept, apply }) => {
    const { at, bytes } = layout([4, n / 4, apply ? n : 0, apply ? n : 0]);
    arena.with(bytes, (base) => {
      const [wAt, keptAt, xAt, outAt] = at.map((o) => base + o);
      arena.put(words, wAt);
      if (apply) arena.put(apply.x, xAt, n);
      exports.dropoutMask(
        n,
        threshold,
        wAt,
        keptAt,
        apply ? xAt : 0,
        outAt,
        apply ? apply.keepScale : 0,
      );
      arena.get(wAt, words);
      arena.get(keptAt, kept, n);
      if (apply) arena.get(outAt, apply.out, n);
    });
  };
}
