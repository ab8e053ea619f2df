/**
 * gemm: operands are copied into a block of linear memory, where the kernel packs them into
 * panels (transposing on the way) and writes the result that is copied back. The copies are
 * O(mk + kn + mn) against the product's O(mnk).
 */
import type { Gemm } from "../types.js";
import { type Arena, type Exports, layout } from "./memory.js";

export function makeGemm(exports: Exports, arena: Arena): Gemm {
  return (transA, transB, m, n, k, a, b, c, accumulate) => {
    const { at, bytes } = layout([m * k, k * n, m * n]);
    arena.with(bytes + exports.gemmScratch(m, n, k), (base) => {
      const [aAt, bAt, cAt] = at.map((o) => base + o);
      arena.put(a, aAt, m * k);
      arena.put(b, bAt, k * n);
      if (accumulate) arena.put(c, cAt, m * n);
      exports.gemm(
        m,
        n,
        k,
        aAt,
        bAt,
        cAt,
        accumulate ? 1 : 0,
        transA ? 1 : 0,
        transB ? 1 : 0,
        base + bytes,
      );
      arena.get(cAt, c, m * n);
    });
  };
}
