import type { Attention, AttentionBackward, AttentionForward } from "../types.js";
import { type Arena, type Exports, layout } from "./memory.js";

/**
 * Attention runs group by group inside wasm; qkv, the masks and P cross once per pass (P is
 * kept by the op in JavaScript between the passes).
 */
export function makeAttention(
  exports: Exports,
  arena: Arena,
): { attentionForward: AttentionForward; attentionBackward: AttentionBackward } {
  const sizes = ({ batch, steps, heads, headDim }: Attention) => {
    const tokens = batch * steps;
    return {
      qkv: tokens * 3 * heads * headDim,
      out: tokens * heads * headDim,
      probs: batch * heads * steps * steps,
      tokens,
      scratch: exports.attentionScratch(steps, headDim),
    };
  };
  return {
    attentionForward: (att, out, probs) => {
      const n = sizes(att);
      const { at, bytes } = layout([n.qkv, n.out, probs ? n.probs : 0, n.tokens / 4, n.probs / 4]);
      arena.with(bytes + n.scratch, (base) => {
        const [qkv, o, p, pad, keep] = at.map((x) => base + x);
        arena.put(att.qkv, qkv, n.qkv);
        if (att.keyPadding) arena.put(att.keyPadding, pad, n.tokens);
        if (att.keep) arena.put(att.keep, keep, n.probs);
        exports.attentionForward(
          att.batch,
          att.steps,
          att.heads,
          att.headDim,
          qkv,
          att.keyPadding ? pad : 0,
          att.keep ? keep : 0,
          att.keepScale,
          o,
          p,
          probs ? 1 : 0,
          base + bytes,
        );
        arena.get(o, out, n.out);
        if (probs) arena.get(p, probs, n.probs);
      });
    },
    attentionBackward: (att, probs, gOut, gQkv) => {
      const n = sizes(att);
      const { at, bytes } = layout([n.qkv, n.probs, n.out, n.qkv, n.probs / 4, n.tokens / 4]);
      arena.with(bytes + n.scratch, (base) => {
        const [qkv, p, g, gq, keep, pad] = at.map((x) => base + x);
        arena.put(att.qkv, qkv, n.qkv);
        if (att.keyPadding) arena.put(att.keyPadding, pad, n.tokens);
        arena.put(probs, p, n.probs);
        arena.put(gOut, g, n.out);
        arena.put(gQkv, gq, n.qkv);
        if (att.keep) arena.put(att.keep, keep, n.probs);
        exports.attentionBackward(
          att.batch,
          att.steps,
          att.heads,
          att.headDim,
          qkv,
          att.keyPadding ? pad : 0,
          att.keep ? keep : 0,
          att.keepScale,
          p,
          g,
          gq,
          base + bytes,
        );
        arena.get(gq, gQkv, n.qkv);
      });
    },
  };
}
