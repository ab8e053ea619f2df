/**
 * WebAssembly SIMD kernels (src/nn/wasm/assembly, compiled by `npm run build` to
 * dist/nn/wasm/kernels.wasm). Operands are copied into blocks of linear memory, where the
 * kernels pack them into panels (transposing on the way) and write results that are copied
 * back. The copies are O(mk + kn + mn) against the product's O(mnk).
 *
 * An LSTM forward pass keeps its tape (packed inputs, weights, gate activations, states) in
 * linear memory until its backward pass, so the largest arrays of a training step never cross
 * into JavaScript. Resident tapes are capped: beyond the cap the oldest are spilled to the
 * JavaScript heap and copied back when their backward pass comes.
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type {
  Attention,
  AttentionBackward,
  AttentionForward,
  Gemm,
  Kernels,
  LayerNormBackward,
  LayerNormForward,
  LstmBackward,
  LstmForward,
  LstmTape,
} from "./types.js";

/** Beside the compiled backend in dist/, or — when running from src/ (tests) — the built one. */
const WASM_PATHS = ["../wasm/kernels.wasm", "../../../dist/nn/wasm/kernels.wasm"].map((p) =>
  fileURLToPath(new URL(p, import.meta.url)),
);

/** Default cap on the bytes of tapes kept in linear memory. */
const TAPE_BYTES = 512 * 1024 * 1024;

interface Exports {
  memory: WebAssembly.Memory;
  gemm(
    m: number,
    n: number,
    k: number,
    a: number,
    b: number,
    c: number,
    acc: number,
    transA: number,
    transB: number,
    scratch: number,
  ): void;
  /** Bytes of scratch a gemm of this shape needs. */
  gemmScratch(m: number, n: number, k: number): number;
  lstmScratch(rows: number, first: number, hid: number): number;
  attentionScratch(steps: number, headDim: number): number;
  attentionForward(...args: number[]): void;
  attentionBackward(...args: number[]): void;
  layerNormForward(...args: number[]): void;
  layerNormBackward(...args: number[]): void;
  lstmForward(...args: number[]): void;
  lstmBackward(...args: number[]): void;
  packRows(...args: number[]): void;
  unpackRows(...args: number[]): void;
  lastRows(...args: number[]): void;
  sortRows(...args: number[]): void;
  fillRows(...args: number[]): void;
  tokenRows(...args: number[]): void;
  sumTokenRows(...args: number[]): void;
}

/** Byte size rounded up to 16 so every operand starts SIMD-aligned. */
const aligned = (elements: number) => (elements * 4 + 15) & ~15;

/** Byte offsets of consecutive operands of `counts` 4-byte elements, and their total. */
function layout(counts: number[]): { at: number[]; bytes: number } {
  const at: number[] = [];
  let bytes = 0;
  for (const n of counts) {
    at.push(bytes);
    bytes += aligned(n);
  }
  return { at, bytes };
}

/**
 * Linear memory as a heap of 16-byte-aligned blocks, first fit, grown on demand. Views are
 * refreshed after growth, so take them after allocating.
 */
class Arena {
  f32: Float32Array;
  i32: Int32Array;
  u8: Uint8Array;
  /** Free blocks [at, bytes], sorted by address and coalesced. */
  private readonly holes: [number, number][] = [];
  private readonly sizes = new Map<number, number>();
  /** End of the managed space. */
  private top = 0;

  constructor(private readonly memory: WebAssembly.Memory) {
    this.f32 = new Float32Array(memory.buffer);
    this.i32 = new Int32Array(memory.buffer);
    this.u8 = new Uint8Array(memory.buffer);
  }

  alloc(size: number): number {
    const bytes = Math.max(16, (size + 15) & ~15);
    let at = -1;
    const fit = this.holes.findIndex(([, n]) => n >= bytes);
    if (fit >= 0) {
      const [from, n] = this.holes[fit];
      at = from;
      if (n === bytes) this.holes.splice(fit, 1);
      else this.holes[fit] = [from + bytes, n - bytes];
    } else {
      const last = this.holes[this.holes.length - 1];
      at =
        last && last[0] + last[1] === this.top
          ? (this.holes.pop() as [number, number])[0]
          : this.top;
      this.top = at + bytes;
      this.grow(this.top);
    }
    this.sizes.set(at, bytes);
    return at;
  }

  free(at: number): void {
    const bytes = this.sizes.get(at);
    if (bytes === undefined) throw new Error(`wasm arena: no block at ${at}`);
    this.sizes.delete(at);
    let i = this.holes.findIndex(([from]) => from > at);
    if (i < 0) i = this.holes.length;
    this.holes.splice(i, 0, [at, bytes]);
    const next = this.holes[i + 1];
    if (next && at + bytes === next[0]) {
      this.holes[i][1] += next[1];
      this.holes.splice(i + 1, 1);
    }
    const prev = this.holes[i - 1];
    if (prev && prev[0] + prev[1] === at) {
      prev[1] += this.holes[i][1];
      this.holes.splice(i, 1);
    }
  }

  /** Bytes in live blocks. */
  get used(): number {
    let n = 0;
    for (const bytes of this.sizes.values()) n += bytes;
    return n;
  }

  private grow(bytes: number): void {
    const missing = bytes - this.memory.buffer.byteLength;
    if (missing > 0) this.memory.grow(Math.ceil(missing / 65536));
    if (this.f32.buffer !== this.memory.buffer) {
      this.f32 = new Float32Array(this.memory.buffer);
      this.i32 = new Int32Array(this.memory.buffer);
      this.u8 = new Uint8Array(this.memory.buffer);
    }
  }

  put(src: Float32Array | Int32Array | Uint8Array, at: number, n = src.length): void {
    if (src instanceof Uint8Array) this.u8.set(src.subarray(0, n), at);
    else (src instanceof Int32Array ? this.i32 : this.f32).set(src.subarray(0, n), at >> 2);
  }

  get(at: number, dst: Float32Array, n = dst.length): void {
    dst.set(this.f32.subarray(at >> 2, (at >> 2) + n));
  }

  /** Runs `fn` on a block of `bytes`, freed afterwards whatever happens. */
  with<T>(bytes: number, fn: (at: number) => T): T {
    const at = this.alloc(bytes);
    try {
      return fn(at);
    } finally {
      this.free(at);
    }
  }
}

function makeGemm(exports: Exports, arena: Arena): Gemm {
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

/** A tape's block: resident at `at`, or spilled to `spill` on the JavaScript heap. */
interface Region {
  at: number | null;
  bytes: number;
  spill: Float32Array | null;
}

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

class WasmTape implements LstmTape {
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

/** Resident tapes, oldest first, within a byte cap; tapes dropped unused are freed by GC. */
class TapeStore {
  private readonly resident = new Set<Region>();
  private residentBytes = 0;
  private readonly dropped = new FinalizationRegistry<Region>((region) => this.drop(region));

  constructor(
    private readonly arena: Arena,
    private readonly cap: number,
  ) {}

  add(tape: WasmTape): void {
    this.resident.add(tape.region);
    this.residentBytes += tape.region.bytes;
    this.dropped.register(tape, tape.region, tape);
    for (const old of this.resident) {
      if (this.residentBytes <= this.cap || old === tape.region) break;
      this.spill(old);
    }
  }

  /** The tape's block address, copied back into linear memory if it was spilled. */
  load(region: Region): number {
    if (region.at !== null) return region.at;
    const at = this.arena.alloc(region.bytes);
    this.arena.f32.set(region.spill as Float32Array, at >> 2);
    region.at = at;
    region.spill = null;
    return at;
  }

  release(tape: WasmTape): void {
    this.dropped.unregister(tape);
    this.drop(tape.region);
  }

  private spill(region: Region): void {
    const at = region.at as number;
    region.spill = this.arena.f32.slice(at >> 2, (at + region.bytes) >> 2);
    this.arena.free(at);
    region.at = null;
    this.resident.delete(region);
    this.residentBytes -= region.bytes;
  }

  private drop(region: Region): void {
    if (region.at !== null) {
      this.arena.free(region.at);
      this.resident.delete(region);
      this.residentBytes -= region.bytes;
    }
    region.at = null;
    region.spill = null;
  }
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
function makeLstmForward(exports: Exports, arena: Arena, tapes: TapeStore): LstmForward {
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
function makeLstmBackward(exports: Exports, arena: Arena, tapes: TapeStore): LstmBackward {
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

/**
 * Attention runs group by group inside wasm; qkv, the masks and P cross once per pass (P is
 * kept by the op in JavaScript between the passes).
 */
function makeAttention(
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
      const kept = probs ? n.probs : att.steps * att.steps;
      const { at, bytes } = layout([n.qkv, n.out, kept, n.tokens / 4, n.probs / 4]);
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
      const { at, bytes } = layout([n.qkv, n.probs, n.out, n.qkv, n.probs / 4]);
      arena.with(bytes + n.scratch, (base) => {
        const [qkv, p, g, gq, keep] = at.map((x) => base + x);
        arena.put(att.qkv, qkv, n.qkv);
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

/** Layer normalisation: rows in, outputs and statistics out, one call per pass. */
function makeLayerNorm(
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

export interface WasmOptions {
  /** Cap on the bytes of LSTM tapes kept in linear memory (default 512 MiB). */
  tapeBytes?: number;
}

/** The wasm backend, or null when the compiled module is missing (e.g. before a build). */
export function loadWasmKernels({
  tapeBytes = TAPE_BYTES,
}: WasmOptions = {}): (Kernels & { arenaBytes(): number }) | null {
  const path = WASM_PATHS.find((p) => existsSync(p));
  if (path === undefined) return null;
  const module = new WebAssembly.Module(readFileSync(path));
  const instance = new WebAssembly.Instance(module, {});
  const exports = instance.exports as unknown as Exports;
  const arena = new Arena(exports.memory);
  const tapes = new TapeStore(arena, tapeBytes);
  return {
    name: "wasm",
    gemm: makeGemm(exports, arena),
    lstmForward: makeLstmForward(exports, arena, tapes),
    lstmBackward: makeLstmBackward(exports, arena, tapes),
    ...makeAttention(exports, arena),
    ...makeLayerNorm(exports, arena),
    /** Bytes of linear memory in live blocks (tapes and running kernels). */
    arenaBytes: () => arena.used,
  };
}
