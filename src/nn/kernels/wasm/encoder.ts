/**
 * A TransformerEncoderLayer (ReLU) as one pass in linear memory: the input, weights and dropout
 * bytes go in once and the output comes out once; every product, the attention, the layer
 * norms and the element-wise steps between them run on resident blocks, and what the backward
 * pass needs stays there as the layer's tape. The order of steps is the reference's
 * (src/nn/kernels/ts/encoder.ts).
 */
import type {
  EncoderBackward,
  EncoderForward,
  EncoderLayer,
  EncoderTape,
  EncoderWeights,
} from "../types.js";
import { type Arena, type Exports, layout } from "./memory.js";
import type { Region, Tape, TapeStore } from "./tapes.js";

const WEIGHTS: (keyof EncoderWeights)[] = [
  "inProjWeight",
  "inProjBias",
  "outProjWeight",
  "outProjBias",
  "linear1Weight",
  "linear1Bias",
  "linear2Weight",
  "linear2Bias",
  "norm1Weight",
  "norm1Bias",
  "norm2Weight",
  "norm2Bias",
];

interface Dims {
  batch: number;
  steps: number;
  heads: number;
  e: number;
  ff: number;
  n: number;
  normFirst: boolean;
  dropout: boolean;
  keyPadding: boolean;
  keepScale: number;
}

const weightSizes = ({ e, ff }: Dims) => [
  3 * e * e,
  3 * e,
  e * e,
  e,
  ff * e,
  ff,
  e * ff,
  e,
  e,
  e,
  e,
  e,
];

/** Byte offsets in the tape: weights (in WEIGHTS order), then what the passes share. */
function tapeLayout(d: Dims, keep: boolean) {
  const { n, e, ff } = d;
  const probs = keep ? d.batch * d.heads * d.steps * d.steps : 0;
  const bytes = (count: number) => Math.ceil(count / 4);
  const kept = keep ? 1 : 0;
  const masks = d.dropout ? 1 : 0;
  const { at, bytes: total } = layout([
    ...weightSizes(d),
    n * e, // ua: the attention block's input
    n * 3 * e, // qkv
    probs,
    n * e, // heads
    n * e, // ub: the feed-forward block's input
    n * ff, // relu
    masks * n * ff, // hidden: relu after dropout (relu itself without dropout)
    kept * n * e, // xhat1
    kept * n, // rstd1
    kept * n * e, // xhat2
    kept * n, // rstd2
    bytes(n), // key padding
    masks * bytes(d.batch * d.heads * d.steps * d.steps),
    masks * bytes(n * e),
    masks * bytes(n * ff),
    masks * bytes(n * e),
  ]);
  const w = at.slice(0, WEIGHTS.length);
  const [ua, qkv, probsAt, heads, ub, relu, hidden, xhat1, rstd1, xhat2, rstd2, pad, ...keeps] =
    at.slice(WEIGHTS.length);
  return {
    w,
    ua,
    qkv,
    probs: probsAt,
    heads,
    ub,
    relu,
    hidden: d.dropout ? hidden : relu,
    xhat1,
    rstd1,
    xhat2,
    rstd2,
    pad,
    keeps,
    bytes: total,
  };
}

type Parts = ReturnType<typeof tapeLayout>;

class WasmEncoderTape implements EncoderTape, Tape {
  readonly backend = "wasm";
  released = false;
  constructor(
    readonly dims: Dims,
    readonly parts: Parts,
    readonly region: Region,
  ) {}
}

/** Scratch bytes for every product of both passes and the attention. */
function scratchBytes(exports: Exports, { n, e, ff, steps, heads }: Dims): number {
  const shapes = [
    [n, 3 * e, e],
    [n, e, e],
    [n, ff, e],
    [n, e, ff],
    [e, ff, n],
    [ff, e, n],
    [e, e, n],
    [3 * e, e, n],
    [n, e, 3 * e],
  ];
  return Math.max(
    exports.attentionScratch(steps, e / heads),
    ...shapes.map(([m, k, p]) => exports.gemmScratch(m, k, p)),
  );
}

function dimsOf(layer: EncoderLayer): Dims {
  return {
    batch: layer.batch,
    steps: layer.steps,
    heads: layer.heads,
    e: layer.dModel,
    ff: layer.ff,
    n: layer.batch * layer.steps,
    normFirst: layer.normFirst,
    dropout: layer.dropout !== null,
    keyPadding: layer.keyPadding !== null,
    keepScale: layer.dropout?.keepScale ?? 1,
  };
}

export function makeEncoder(
  exports: Exports,
  arena: Arena,
  tapes: TapeStore,
): { encoderForward: EncoderForward; encoderBackward: EncoderBackward } {
  const copy = (from: number, to: number, floats: number) =>
    arena.u8.copyWithin(to, from, from + floats * 4);

  const encoderForward: EncoderForward = (layer, out, keep) => {
    const d = dimsOf(layer);
    const { n, e, ff, batch, steps, heads } = d;
    const t = tapeLayout(d, keep);
    const t0 = arena.alloc(t.bytes);
    const work = layout([n * e, n * e, n * e, n * e, 4]);
    try {
      arena.with(work.bytes + scratchBytes(exports, d), (w0) => {
        const [x, s, r1, r2, rng] = work.at.map((o) => w0 + o);
        const pad = t0 + t.pad;
        const scratch = w0 + work.bytes;
        const p = (o: number) => t0 + o;
        const w = t.w.map(p);
        const [inW, inB, outW, outB, w1, b1, w2, b2, n1w, n1b, n2w, n2b] = w;
        WEIGHTS.forEach((name, i) => {
          arena.put(layer.weights[name], w[i]);
        });
        const drop = layer.dropout;
        const [kAttn, k1, kH, k2] = drop ? t.keeps.map(p) : [0, 0, 0, 0];
        if (drop) {
          const { attention, attentionOut, hidden, ffOut } = drop.words;
          const draw = (count: number, words: Int32Array, kept: number) => {
            arena.put(words, rng);
            exports.dropoutMask(count, drop.threshold, rng, kept, 0, 0, 0);
            arena.get(rng, words);
          };
          draw(batch * heads * steps * steps, attention, kAttn);
          draw(n * e, attentionOut, k1);
          draw(n * ff, hidden, kH);
          draw(n * e, ffOut, k2);
        }
        if (layer.keyPadding) arena.put(layer.keyPadding, pad);
        const stats = (xhat: number, rstd: number) => (keep ? [p(xhat), p(rstd)] : [0, 0]);
        const [xhat1, rstd1] = stats(t.xhat1, t.rstd1);
        const [xhat2, rstd2] = stats(t.xhat2, t.rstd2);
        const ua = p(t.ua);
        const ub = p(t.ub);
        arena.put(layer.x, d.normFirst ? x : ua, n * e);
        if (d.normFirst) exports.layerNormForward(n, e, x, n1w, n1b, layer.eps, ua, xhat1, rstd1);
        const input = d.normFirst ? x : ua;

        // Attention block: s = drop1(heads·outProjᵀ + outBias), r1 = input + s.
        exports.fillRows(p(t.qkv), inB, n, 3 * e);
        exports.gemm(n, 3 * e, e, ua, inW, p(t.qkv), 1, 0, 1, scratch);
        exports.attentionForward(
          batch,
          steps,
          heads,
          e / heads,
          p(t.qkv),
          layer.keyPadding ? pad : 0,
          kAttn,
          d.keepScale,
          p(t.heads),
          p(t.probs),
          keep ? 1 : 0,
          scratch,
        );
        exports.fillRows(s, outB, n, e);
        exports.gemm(n, e, e, p(t.heads), outW, s, 1, 0, 1, scratch);
        exports.addKept(n * e, input, s, k1, d.keepScale, r1);

        // Feed-forward block on ub: f = drop2(drop(relu(ub·linear1ᵀ + bias1))·linear2ᵀ + bias2).
        const [gw, gb, xh, rs] = d.normFirst ? [n2w, n2b, xhat2, rstd2] : [n1w, n1b, xhat1, rstd1];
        exports.layerNormForward(n, e, r1, gw, gb, layer.eps, ub, xh, rs);
        exports.fillRows(p(t.relu), b1, n, ff);
        exports.gemm(n, ff, e, ub, w1, p(t.relu), 1, 0, 1, scratch);
        exports.reluKept(n * ff, p(t.relu), kH, d.keepScale, p(t.hidden));
        exports.fillRows(s, b2, n, e);
        exports.gemm(n, e, ff, p(t.hidden), w2, s, 1, 0, 1, scratch);
        exports.addKept(n * e, d.normFirst ? r1 : ub, s, k2, d.keepScale, r2);
        if (d.normFirst) arena.get(r2, out, n * e);
        else {
          exports.layerNormForward(n, e, r2, n2w, n2b, layer.eps, r1, xhat2, rstd2);
          arena.get(r1, out, n * e);
        }
      });
    } catch (err) {
      arena.free(t0);
      throw err;
    }
    if (!keep) {
      arena.free(t0);
      return null;
    }
    const tape = new WasmEncoderTape(d, t, { at: t0, bytes: t.bytes, spill: null });
    tapes.add(tape);
    return tape;
  };

  const encoderBackward: EncoderBackward = (handle, gOut, grads) => {
    if (!(handle instanceof WasmEncoderTape)) {
      throw new Error(`encoder layer: a ${handle.backend} tape given to wasm kernels`);
    }
    if (handle.released) throw new Error("encoder layer: backward through the same graph twice");
    handle.released = true;
    try {
      const { dims: d, parts: t } = handle;
      const { n, e, ff, batch, steps, heads, keepScale } = d;
      const t0 = tapes.load(handle.region);
      const p = (o: number) => t0 + o;
      const [inW, , outW, , w1, , w2, , n1w, , n2w] = t.w.map(p);
      const [kAttn, k1, kH, k2] = d.dropout ? t.keeps.map(p) : [0, 0, 0, 0];
      const work = layout([
        n * e, // gOut
        n * e, // a
        n * e, // b
        n * e, // c
        n * Math.max(ff, e), // gh, then the heads' gradient
        n * 3 * e, // gQkv
        ...weightSizes(d),
      ]);
      arena.with(work.bytes + scratchBytes(exports, d), (w0) => {
        const [g, a, b, c, gh, gQkv, ...gw] = work.at.map((o) => w0 + o);
        const [gInW, gInB, gOutW, gOutB, gW1, gB1, gW2, gB2, gN1w, gN1b, gN2w, gN2b] = gw;
        const scratch = w0 + work.bytes;
        arena.put(gOut, g, n * e);
        const zero = (at: number, floats: number) => arena.f32.fill(0, at >> 2, (at >> 2) + floats);
        const normBack = (gy: number, gx: number, which: 1 | 2) => {
          const [weight, gWeight, gBias] = which === 1 ? [n1w, gN1w, gN1b] : [n2w, gN2w, gN2b];
          const [xhat, rstd] = which === 1 ? [t.xhat1, t.rstd1] : [t.xhat2, t.rstd2];
          zero(gWeight, e);
          zero(gBias, e);
          exports.layerNormBackward(n, e, weight, p(xhat), p(rstd), gy, gx, gWeight, gBias);
        };
        // Gradient `from` of the feed-forward block's output → its weights, added into gub.
        const ffBack = (from: number, gub: number) => {
          if (k2) exports.keepScaled(n * e, from, k2, keepScale, c);
          const gf = k2 ? c : from;
          exports.gemm(e, ff, n, gf, p(t.hidden), gW2, 0, 1, 0, scratch);
          exports.columnSums(n, e, gf, gB2);
          exports.gemm(n, ff, e, gf, w2, gh, 0, 0, 0, scratch);
          exports.reluKeptGrad(n * ff, gh, kH, keepScale, p(t.relu), gh);
          exports.gemm(ff, e, n, gh, p(t.ub), gW1, 0, 1, 0, scratch);
          exports.columnSums(n, ff, gh, gB1);
          exports.gemm(n, e, ff, gh, w1, gub, 1, 0, 0, scratch);
        };
        // Gradient `from` of the attention block's output → its weights, added into gua.
        const attentionBack = (from: number, gua: number) => {
          if (k1) exports.keepScaled(n * e, from, k1, keepScale, c);
          const gs = k1 ? c : from;
          exports.gemm(e, e, n, gs, p(t.heads), gOutW, 0, 1, 0, scratch);
          exports.columnSums(n, e, gs, gOutB);
          exports.gemm(n, e, e, gs, outW, gh, 0, 0, 0, scratch);
          zero(gQkv, n * 3 * e);
          exports.attentionBackward(
            batch,
            steps,
            heads,
            e / heads,
            p(t.qkv),
            d.keyPadding ? p(t.pad) : 0,
            kAttn,
            keepScale,
            p(t.probs),
            gh,
            gQkv,
            scratch,
          );
          exports.gemm(3 * e, e, n, gQkv, p(t.ua), gInW, 0, 1, 0, scratch);
          exports.columnSums(n, 3 * e, gQkv, gInB);
          exports.gemm(n, e, 3 * e, gQkv, inW, gua, 1, 0, 0, scratch);
        };
        if (d.normFirst) {
          // out = x1 + f(norm2(x1)), x1 = x + s(norm1(x)): a = gx1, b = gz2, then gz1.
          copy(g, a, n * e);
          zero(b, n * e);
          ffBack(g, b);
          normBack(b, a, 2);
          copy(a, g, n * e);
          zero(b, n * e);
          attentionBack(a, b);
          normBack(b, g, 1);
          arena.get(g, grads.x, n * e);
        } else {
          // out = norm2(y1 + f(y1)), y1 = norm1(x + s(x)): a = gr2, b = gy1, then gr1 in a.
          zero(a, n * e);
          normBack(g, a, 2);
          copy(a, b, n * e);
          ffBack(a, b);
          zero(a, n * e);
          normBack(b, a, 1);
          attentionBack(a, a);
          arena.get(a, grads.x, n * e);
        }
        WEIGHTS.forEach((name, i) => {
          arena.get(gw[i], grads[name]);
        });
      });
    } finally {
      tapes.release(handle);
    }
  };
  return { encoderForward, encoderBackward };
}
