import type { LayerNormBackward, LayerNormForward } from "../types.js";
import { type Arena, type Exports, layout } from "./memory.js";

/** Layer normalisation: rows in, outputs and statistics out, one call per pass. */
export function makeLayerNorm(
  exports: Exports,
  arena: Arena,
): { layerNormForward: LayerNormForward; layerNormBackward: LayerNormBackward } {
  return {
    layerNormForward: ({ rows, n, x, weight, bias, eps }, out, stats) => {
      const kept = stats ? rows : 0;
      const { at, bytes } = layout([rows * n, n, n, rows * n, kept * n, kept]);
      arena.with(bytes, (base) => {
        const [xAt, wAt, bAt, outAt, xhatAt, rstdAt] = at.map((o) => base + o);
        arena.put(x, xAt, rows * n);
        arena.put(weight, wAt, n);
        arena.put(bias, bAt, n);
        exports.layerNormForward(rows, n, xAt, wAt, bAt, eps, outAt, stats ? xhatAt : 0, rstdAt);
        arena.get(outAt, out, rows * n);
        if (stats) {
          arena.get(xhatAt, stats.xhat, rows * n);
          arena.get(rstdAt, stats.rstd, rows);
        }
      });
    },
    layerNormBackward: ({ rows, n, weight }, xhat, rstd, g, gx, gWeight, gBias) => {
      const { at, bytes } = layout([n, rows * n, rows, rows * n, gx ? rows * n : 0, n, n]);
      arena.with(bytes, (base) => {
        const [wAt, xhatAt, rstdAt, gAt, gxAt, gwAt, gbAt] = at.map((o) => base + o);
        arena.put(weight, wAt, n);
        arena.put(xhat, xhatAt, rows * n);
        arena.put(rstd, rstdAt, rows);
        arena.put(g, gAt, rows * n);
        if (gx) arena.put(gx, gxAt, rows * n);
        arena.put(gWeight, gwAt, n);
        arena.put(gBias, gbAt, n);
        exports.layerNormBackward(rows, n, wAt, xhatAt, rstdAt, gAt, gx ? gxAt : 0, gwAt, gbAt);
        if (gx) arena.get(gxAt, gx, rows * n);
        arena.get(gwAt, gWeight, n);
        arena.get(gbAt, gBias, n);
      });
    },
  };
}
