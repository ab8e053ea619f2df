/**
 * WebAssembly SIMD kernels (src/nn/wasm/assembly, compiled by `npm run build` to
 * dist/nn/wasm/kernels.wasm). Operands are copied as they are into one growable arena of linear
 * memory, where the kernels pack them into panels (transposing on the way) and write results
 * that are copied back. The copies are O(mk + kn + mn) against the product's O(mnk).
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Gemm, Kernels, LstmBackward, LstmForward, LstmPacked } from "./types.js";

/** Beside the compiled backend in dist/, or — when running from src/ (tests) — the built one. */
const WASM_PATHS = ["../wasm/kernels.wasm", "../../../dist/nn/wasm/kernels.wasm"].map((p) =>
  fileURLToPath(new URL(p, import.meta.url)),
);

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
  lstmScratch(rows: number, first: number, batch: number, hid: number, inDim: number): number;
  lstmForward(...offsets: number[]): void;
  lstmBackward(...offsets: number[]): void;
}

/** Linear memory as a growable arena; views are refreshed after growth. */
class Arena {
  f32: Float32Array;
  i32: Int32Array;

  constructor(private readonly memory: WebAssembly.Memory) {
    this.f32 = new Float32Array(memory.buffer);
    this.i32 = new Int32Array(memory.buffer);
  }

  /** Makes the first `bytes` bytes addressable. */
  ensure(bytes: number): void {
    const missing = bytes - this.memory.buffer.byteLength;
    if (missing > 0) this.memory.grow(Math.ceil(missing / 65536));
    if (this.f32.buffer !== this.memory.buffer) {
      this.f32 = new Float32Array(this.memory.buffer);
      this.i32 = new Int32Array(this.memory.buffer);
    }
  }
}

/** Byte size rounded up to 16 so every operand starts SIMD-aligned. */
const aligned = (floats: number) => (floats * 4 + 15) & ~15;

function makeGemm(exports: Exports, arena: Arena): Gemm {
  return (transA, transB, m, n, k, a, b, c, accumulate) => {
    const aOff = 0;
    const bOff = aOff + aligned(m * k);
    const cOff = bOff + aligned(k * n);
    const scratch = cOff + aligned(m * n);
    arena.ensure(scratch + exports.gemmScratch(m, n, k));
    const f32 = arena.f32;
    f32.set(a.subarray(0, m * k), aOff >> 2);
    f32.set(b.subarray(0, k * n), bOff >> 2);
    if (accumulate) f32.set(c.subarray(0, m * n), cOff >> 2);
    exports.gemm(
      m,
      n,
      k,
      aOff,
      bOff,
      cOff,
      accumulate ? 1 : 0,
      transA ? 1 : 0,
      transB ? 1 : 0,
      scratch,
    );
    c.set(f32.subarray(cOff >> 2, (cOff >> 2) + m * n));
  };
}

type Operand = Float32Array | Int32Array;

/**
 * Places operands one after another in the arena (each SIMD-aligned), copies the `inputs` in,
 * and returns the byte offset of every operand and of the scratch space after them.
 */
function place(
  arena: Arena,
  inputs: [Operand, number][],
  outputs: number[],
  scratch: number,
): { at: number[]; scratch: number } {
  const at: number[] = [];
  let end = 0;
  for (const n of [...inputs.map(([, n]) => n), ...outputs]) {
    at.push(end);
    end += aligned(n);
  }
  arena.ensure(end + scratch);
  inputs.forEach(([src, n], i) => {
    (src instanceof Int32Array ? arena.i32 : arena.f32).set(src.subarray(0, n), at[i] >> 2);
  });
  return { at, scratch: end };
}

/** Copies `n` floats at byte offset `at` of the arena into `dst`. */
function copyOut(arena: Arena, at: number, dst: Float32Array, n: number): void {
  dst.set(arena.f32.subarray(at >> 2, (at >> 2) + n));
}

/** The LSTM operands every pass needs, as arena inputs. */
function layerInputs(layer: LstmPacked): [Operand, number][] {
  const { steps, hid, inDim, batchSizes, offsets, xs, weightIh, weightHh } = layer;
  const rows = offsets[steps];
  return [
    [batchSizes, steps],
    [offsets, steps + 1],
    [xs, rows * inDim],
    [weightIh, 4 * hid * inDim],
    [weightHh, 4 * hid * hid],
  ];
}

function lstmScratch(exports: Exports, layer: LstmPacked): number {
  const { steps, hid, inDim, batchSizes, offsets } = layer;
  const first = steps > 0 ? batchSizes[0] : 0;
  return exports.lstmScratch(offsets[steps], first, first, hid, inDim);
}

/** The whole layer runs in wasm: operands in once, activations and states out once. */
function makeLstmForward(exports: Exports, arena: Arena): LstmForward {
  return (layer, bias, saved) => {
    const { steps, hid, inDim, offsets } = layer;
    const rows = offsets[steps];
    const outputs: [Float32Array, number][] = [
      [saved.gates, rows * 4 * hid],
      [saved.hs, rows * hid],
      [saved.cs, rows * hid],
      [saved.tanhC, rows * hid],
    ];
    const { at, scratch } = place(
      arena,
      [...layerInputs(layer), [bias, 4 * hid]],
      outputs.map(([, n]) => n),
      lstmScratch(exports, layer),
    );
    exports.lstmForward(steps, hid, inDim, ...at, scratch);
    outputs.forEach(([dst, n], i) => {
      copyOut(arena, at[6 + i], dst, n);
    });
  };
}

/** The whole backward pass runs in wasm: the gate gradients never leave linear memory. */
function makeLstmBackward(exports: Exports, arena: Arena): LstmBackward {
  return (layer, saved, upstream, grads) => {
    const { steps, hid, inDim, offsets } = layer;
    const rows = offsets[steps];
    const g4 = 4 * hid;
    const batch = upstream.gh.length / hid;
    const outputs: [Float32Array, number][] = [
      [grads.dWih, g4 * inDim],
      [grads.dWhh, g4 * hid],
      [grads.dBias, g4],
      [grads.dxs, rows * inDim],
    ];
    const work = [rows * g4, batch * hid, batch * hid]; // dG, dh, dc
    const { at, scratch } = place(
      arena,
      [
        ...layerInputs(layer),
        [saved.gates, rows * g4],
        [saved.tanhC, rows * hid],
        [saved.cs, rows * hid],
        [saved.hs, rows * hid],
        [upstream.gOut, rows * hid],
        [upstream.gh, batch * hid],
        [upstream.gc, batch * hid],
      ],
      [...outputs.map(([, n]) => n), ...work],
      lstmScratch(exports, layer),
    );
    exports.lstmBackward(steps, hid, inDim, ...at, scratch);
    outputs.forEach(([dst, n], i) => {
      copyOut(arena, at[12 + i], dst, n);
    });
  };
}

/** The wasm backend, or null when the compiled module is missing (e.g. before a build). */
export function loadWasmKernels(): Kernels | null {
  const path = WASM_PATHS.find((p) => existsSync(p));
  if (path === undefined) return null;
  const module = new WebAssembly.Module(readFileSync(path));
  const instance = new WebAssembly.Instance(module, {});
  const exports = instance.exports as unknown as Exports;
  const arena = new Arena(exports.memory);
  return {
    name: "wasm",
    gemm: makeGemm(exports, arena),
    lstmForward: makeLstmForward(exports, arena),
    lstmBackward: makeLstmBackward(exports, arena),
  };
}
