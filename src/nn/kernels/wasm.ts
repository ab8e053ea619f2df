/**
 * WebAssembly SIMD kernels (src/nn/wasm/assembly, compiled by `npm run build` to
 * dist/nn/wasm/kernels.wasm). Operands are copied into one growable arena of linear memory —
 * transposed on the way in, so the kernel sees only row-major A·B — and C is copied back.
 * The copies are O(mk + kn + mn) against the product's O(mnk).
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Gemm, Kernels, LstmBackward, LstmForward } from "./types.js";

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
  ): void;
  lstmForward(
    steps: number,
    hid: number,
    batchSizes: number,
    offsets: number,
    gates: number,
    whhT: number,
    hs: number,
    cs: number,
    tanhC: number,
  ): void;
  lstmBackward(
    steps: number,
    hid: number,
    batchSizes: number,
    offsets: number,
    gates: number,
    tanhC: number,
    cs: number,
    gOut: number,
    gh: number,
    gc: number,
    whh: number,
    dG: number,
    dh: number,
    dc: number,
  ): void;
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
    arena.ensure(cOff + aligned(m * n));
    const f32 = arena.f32;
    // A is read in place through strides when transposed; B is transposed on the way in.
    f32.set(a.subarray(0, m * k), aOff >> 2);
    copyIn(f32, bOff >> 2, b, k, n, transB);
    if (accumulate) f32.set(c.subarray(0, m * n), cOff >> 2);
    exports.gemm(m, n, k, aOff, bOff, cOff, accumulate ? 1 : 0, transA ? 1 : 0);
    c.set(f32.subarray(cOff >> 2, (cOff >> 2) + m * n));
  };
}

/** The whole recurrence runs in wasm: operands in once, states out once. */
function makeLstmForward(exports: Exports, arena: Arena): LstmForward {
  return (steps, hid, batchSizes, offsets, gates, weightHh, hs, cs, tanhC) => {
    const g4 = 4 * hid;
    const rows = gates.length / g4;
    const sizesOff = 0;
    const offsetsOff = sizesOff + aligned(steps);
    const gatesOff = offsetsOff + aligned(steps + 1);
    const whhOff = gatesOff + aligned(rows * g4);
    const hsOff = whhOff + aligned(g4 * hid);
    const csOff = hsOff + aligned(rows * hid);
    const tcOff = csOff + aligned(rows * hid);
    arena.ensure(tcOff + aligned(rows * hid));
    const { f32, i32 } = arena;
    i32.set(batchSizes.subarray(0, steps), sizesOff >> 2);
    i32.set(offsets.subarray(0, steps + 1), offsetsOff >> 2);
    f32.set(gates, gatesOff >> 2);
    copyIn(f32, whhOff >> 2, weightHh, hid, g4, true);
    exports.lstmForward(steps, hid, sizesOff, offsetsOff, gatesOff, whhOff, hsOff, csOff, tcOff);
    gates.set(f32.subarray(gatesOff >> 2, (gatesOff >> 2) + rows * g4));
    hs.set(f32.subarray(hsOff >> 2, (hsOff >> 2) + rows * hid));
    cs.set(f32.subarray(csOff >> 2, (csOff >> 2) + rows * hid));
    tanhC.set(f32.subarray(tcOff >> 2, (tcOff >> 2) + rows * hid));
  };
}

function makeLstmBackward(exports: Exports, arena: Arena): LstmBackward {
  return (
    steps,
    hid,
    batchSizes,
    offsets,
    gates,
    tanhC,
    cs,
    gOut,
    gh,
    gc,
    weightHh,
    dG,
    dh,
    dc,
  ) => {
    const g4 = 4 * hid;
    const rows = gates.length / g4;
    const batch = gh.length / hid;
    // Operands in order, each SIMD-aligned; the last three are outputs and scratch.
    const layout: [Float32Array | Int32Array, number][] = [
      [batchSizes, steps],
      [offsets, steps + 1],
      [gates, rows * g4],
      [tanhC, rows * hid],
      [cs, rows * hid],
      [gOut, rows * hid],
      [gh, batch * hid],
      [gc, batch * hid],
      [weightHh, g4 * hid],
      [dG, rows * g4],
      [dh, batch * hid],
      [dc, batch * hid],
    ];
    const at: number[] = [];
    let end = 0;
    for (const [, n] of layout) {
      at.push(end);
      end += aligned(n);
    }
    arena.ensure(end);
    for (let i = 0; i < 9; i++) {
      const [src, n] = layout[i];
      (src instanceof Int32Array ? arena.i32 : arena.f32).set(src.subarray(0, n), at[i] >> 2);
    }
    exports.lstmBackward(
      steps,
      hid,
      ...(at as [
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
      ]),
    );
    dG.set(arena.f32.subarray(at[9] >> 2, (at[9] >> 2) + rows * g4));
  };
}

/** Writes the rows×cols matrix op(src) row-major at `at`; `src` is cols×rows when transposed. */
function copyIn(
  dst: Float32Array,
  at: number,
  src: Float32Array,
  rows: number,
  cols: number,
  transposed: boolean,
): void {
  if (!transposed) {
    dst.set(src.subarray(0, rows * cols), at);
    return;
  }
  for (let r = 0; r < rows; r++) {
    const o = at + r * cols;
    for (let q = 0; q < cols; q++) dst[o + q] = src[q * rows + r];
  }
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
