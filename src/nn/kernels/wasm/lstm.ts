/**
 * LSTM layers. A forward pass keeps its tape (packed inputs, weights, gate activations,
 * states) in linear memory until its backward pass, so the largest arrays of a training step
 * never cross into JavaScript. Resident tapes are capped: beyond the cap the oldest are
 * spilled to the JavaScript heap and copied back when their backward pass comes.
 */
import type { LstmBackward, LstmForward, LstmTape } from "../types.js";
import { type Arena, type Exports, layout } from "./memory.js";
import type { Region, Tape, TapeStore } from "./tapes.js";

/** Byte offsets within a tape's block; the input side is `xs` (dense) or `ids` + `table` (tokens). */
interface TapeParts {
  batchSizes: number;
  offsets: number;
  order: number;
  wih: number;
  whh: number;
  gates: number;
  hs: number;
  cs: number;
  tanhC: number;
  xs: number;
  ids: number;
  table: number;
}

interface TapeDims {
  batch: number;
  maxSteps: number;
  inDim: number;
  hid: number;
  steps: number;
  rows: number;
  /** Rows of step 0. */
  first: number;
  /** Table rows for token inputs, 0 for dense ones. */
  vocab: number;
  paddingIdx: number | null;
}

class WasmTape implements LstmTape, Tape {
  readonly backend = "wasm";
  released = false;
  constructor(
    readonly dims: TapeDims,
    readonly parts: TapeParts,
    readonly region: Region,
  ) {}
}

function tapeLayout({ batch, inDim, hid, steps, rows, vocab }: TapeDims): {
  parts: TapeParts;
  bytes: number;
} {
  const g4 = 4 * hid;
  const tokens = vocab > 0;
  const { at, bytes } = layout([
    steps,
    steps + 1,
    batch,
    g4 * inDim,
    g4 * hid,
    rows * g4,
    rows * hid,
    rows * hid,
    rows * hid,
    tokens ? 0 : rows * inDim,
    tokens ? rows : 0,
    tokens ? vocab * inDim : 0,
  ]);
  const [batchSizes, offs, order, wih, whh, gates, hs, cs, tanhC, xs, ids, table] = at;
  return {
    parts: { batchSizes, offsets: offs, order, wih, whh, gates, hs, cs, tanhC, xs, ids, table },
    bytes,
  };
}

function asWasmTape(tape: LstmTape): WasmTape {
  if (!(tape instanceof WasmTape)) {
    throw new Error(`lstm: a ${tape.backend} tape given to wasm kernels`);
  }
  if (tape.released) throw new Error("lstm: backward through the same graph a second time");
  return tape;
}

/** Scratch bytes for a layer's recurrence and the gemms on its input side. */
function lstmScratch(exports: Exports, { rows, first, hid, inDim, vocab }: TapeDims): number {
  const g4 = 4 * hid;
  const inputRows = vocab > 0 ? vocab : rows;
  return Math.max(
    exports.lstmScratch(rows, first, hid),
    exports.gemmScratch(inputRows, g4, inDim),
    exports.gemmScratch(g4, inDim, inputRows),
    exports.gemmScratch(inputRows, inDim, g4),
  );
}

/**
 * The whole layer runs in wasm: inputs and weights in once; output and final states out once.
 * The input side is bias + xs·W_ihᵀ for dense inputs, or bias + (table·W_ihᵀ)[id] for tokens.
 */
export function makeLstmForward(exports: Exports, arena: Arena, tapes: TapeStore): LstmForward {
  return (layer, out, keep) => {
    const { batch, maxSteps, inDim, hid, steps, offsets, batchSizes, input } = layer;
    const tokens = input instanceof Float32Array ? null : input;
    const g4 = 4 * hid;
    const dims: TapeDims = {
      batch,
      maxSteps,
      inDim,
      hid,
      steps,
      rows: offsets[steps],
      first: steps > 0 ? batchSizes[0] : 0,
      vocab: tokens ? tokens.vocab : 0,
      paddingIdx: tokens ? tokens.paddingIdx : null,
    };
    const { rows, vocab } = dims;
    const { parts, bytes } = tapeLayout(dims);
    const t0 = arena.alloc(bytes);
    const p = (o: number) => t0 + o;
    try {
      const work = layout([
        batch * maxSteps * (tokens ? 1 : inDim), // x or ids, batch first
        g4, // bias
        batch * maxSteps * hid, // output
        batch * hid, // hN
        batch * hid, // cN
        vocab * g4, // table·W_ihᵀ
      ]);
      arena.with(work.bytes + lstmScratch(exports, dims), (w0) => {
        const [x, bias, output, hN, cN, proj] = work.at.map((o) => w0 + o);
        const scratch = w0 + work.bytes;
        arena.put(layer.batchSizes, p(parts.batchSizes), steps);
        arena.put(layer.offsets, p(parts.offsets), steps + 1);
        arena.put(layer.order, p(parts.order), batch);
        arena.put(layer.weightIh, p(parts.wih), g4 * inDim);
        arena.put(layer.weightHh, p(parts.whh), g4 * hid);
        arena.put(layer.bias, bias, g4);
        const packing = [p(parts.order), p(parts.batchSizes), p(parts.offsets), steps];
        const gates = p(parts.gates);
        if (tokens) {
          arena.put(tokens.ids, x, batch * maxSteps);
          arena.put(tokens.table, p(parts.table), vocab * inDim);
          exports.packRows(x, p(parts.ids), ...packing, maxSteps, 1);
          exports.gemm(vocab, g4, inDim, p(parts.table), p(parts.wih), proj, 0, 0, 1, scratch);
          exports.tokenRows(p(parts.ids), proj, bias, gates, rows, g4);
        } else {
          arena.put(input as Float32Array, x, batch * maxSteps * inDim);
          exports.packRows(x, p(parts.xs), ...packing, maxSteps, inDim);
          exports.fillRows(gates, bias, rows, g4);
          exports.gemm(rows, g4, inDim, p(parts.xs), p(parts.wih), gates, 1, 0, 1, scratch);
        }
        exports.lstmForward(
          steps,
          hid,
          p(parts.batchSizes),
          p(parts.offsets),
          p(parts.whh),
          gates,
          p(parts.hs),
          p(parts.cs),
          p(parts.tanhC),
          scratch,
        );
        exports.unpackRows(p(parts.hs), output, ...packing, batch, maxSteps, hid);
        exports.lastRows(p(parts.hs), hN, ...packing, batch, hid);
        exports.lastRows(p(parts.cs), cN, ...packing, batch, hid);
        arena.get(output, out.output, batch * maxSteps * hid);
        arena.get(hN, out.hN, batch * hid);
        arena.get(cN, out.cN, batch * hid);
      });
    } catch (err) {
      arena.free(t0);
      throw err;
    }
    if (!keep) {
      arena.free(t0);
      return null;
    }
    const tape = new WasmTape(dims, parts, { at: t0, bytes, spill: null });
    tapes.add(tape);
    return tape;
  };
}

/** The whole backward pass runs in wasm: the gate gradients never leave linear memory. */
export function makeLstmBackward(exports: Exports, arena: Arena, tapes: TapeStore): LstmBackward {
  return (handle, upstream, grads) => {
    const tape = asWasmTape(handle);
    tape.released = true;
    try {
      const { dims, parts } = tape;
      const { batch, maxSteps, inDim, hid, steps, rows, vocab, paddingIdx } = dims;
      const g4 = 4 * hid;
      const t0 = tapes.load(tape.region);
      const p = (o: number) => t0 + o;
      const work = layout([
        batch * maxSteps * hid, // gOut
        rows * hid, // gOut, packed
        batch * hid, // gh
        batch * hid, // gc
        batch * hid, // gh, sorted
        batch * hid, // gc, sorted
        g4 * inDim, // dWih
        g4 * hid, // dWhh
        g4, // dBias
        rows * g4, // dG
        batch * hid, // dh
        batch * hid, // dc
        vocab > 0 ? vocab * g4 : rows * inDim, // dG summed per token, or dxs
        vocab > 0 ? vocab * inDim : batch * maxSteps * inDim, // dTable or dx
      ]);
      arena.with(work.bytes + lstmScratch(exports, dims), (w0) => {
        const [
          gOut,
          gOutPacked,
          gh,
          gc,
          ghSorted,
          gcSorted,
          dWih,
          dWhh,
          dBias,
          dG,
          dh,
          dc,
          side,
          dInput,
        ] = work.at.map((o) => w0 + o);
        const scratch = w0 + work.bytes;
        arena.put(upstream.gOut, gOut, batch * maxSteps * hid);
        for (const [g, at] of [
          [upstream.gh, gh],
          [upstream.gc, gc],
        ] as const) {
          if (g) arena.put(g, at, batch * hid);
          else arena.f32.fill(0, at >> 2, (at >> 2) + batch * hid);
        }
        const packing = [p(parts.order), p(parts.batchSizes), p(parts.offsets), steps];
        exports.packRows(gOut, gOutPacked, ...packing, maxSteps, hid);
        exports.sortRows(gh, ghSorted, p(parts.order), batch, hid);
        exports.sortRows(gc, gcSorted, p(parts.order), batch, hid);
        exports.lstmBackward(
          steps,
          hid,
          p(parts.batchSizes),
          p(parts.offsets),
          p(parts.whh),
          p(parts.gates),
          p(parts.tanhC),
          p(parts.cs),
          p(parts.hs),
          gOutPacked,
          ghSorted,
          gcSorted,
          dWhh,
          dBias,
          dG,
          dh,
          dc,
          scratch,
        );
        if (vocab > 0) {
          // dW_ih = Σ_r dG_r ⊗ table[id_r] = sumsᵀ·table; d table = sums·W_ih, none for padding.
          exports.sumTokenRows(dG, p(parts.ids), side, rows, vocab, g4);
          exports.gemm(g4, inDim, vocab, side, p(parts.table), dWih, 0, 1, 0, scratch);
          if (paddingIdx !== null) {
            const from = (side >> 2) + paddingIdx * g4;
            arena.f32.fill(0, from, from + g4);
          }
          exports.gemm(vocab, inDim, g4, side, p(parts.wih), dInput, 0, 0, 0, scratch);
          arena.get(dInput, grads.dInput, vocab * inDim);
        } else {
          exports.gemm(g4, inDim, rows, dG, p(parts.xs), dWih, 0, 1, 0, scratch);
          exports.gemm(rows, inDim, g4, dG, p(parts.wih), side, 0, 0, 0, scratch);
          exports.unpackRows(side, dInput, ...packing, batch, maxSteps, inDim);
          arena.get(dInput, grads.dInput, batch * maxSteps * inDim);
        }
        arena.get(dWih, grads.dWih, g4 * inDim);
        arena.get(dWhh, grads.dWhh, g4 * hid);
        arena.get(dBias, grads.dBias, g4);
      });
    } finally {
      tapes.release(tape);
    }
  };
}
