/**
 * WebAssembly SIMD kernels (src/nn/wasm/assembly, compiled by `npm run build` to
 * dist/nn/wasm/kernels.wasm). Operands are copied into one growable arena of linear memory —
 * transposed on the way in, so the kernel sees only row-major A·B — and C is copied back.
 * The copies are O(mk + kn + mn) against the product's O(mnk).
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Gemm, Kernels } from "./types.js";

/** Beside the compiled backend in dist/, or — when running from src/ (tests) — the built one. */
const WASM_PATHS = ["../wasm/kernels.wasm", "../../../dist/nn/wasm/kernels.wasm"].map((p) =>
  fileURLToPath(new URL(p, import.meta.url)),
);

interface Exports {
  memory: WebAssembly.Memory;
  gemm(m: number, n: number, k: number, a: number, b: number, c: number, acc: number): void;
}

/** Byte size rounded up to 16 so every operand starts SIMD-aligned. */
const aligned = (floats: number) => (floats * 4 + 15) & ~15;

function makeGemm(exports: Exports): Gemm {
  const { memory } = exports;
  let f32 = new Float32Array(memory.buffer);
  const ensure = (bytes: number) => {
    const missing = bytes - memory.buffer.byteLength;
    if (missing > 0) memory.grow(Math.ceil(missing / 65536));
    if (f32.buffer !== memory.buffer) f32 = new Float32Array(memory.buffer);
  };
  return (transA, transB, m, n, k, a, b, c, accumulate) => {
    const aOff = 0;
    const bOff = aOff + aligned(m * k);
    const cOff = bOff + aligned(k * n);
    ensure(cOff + aligned(m * n));
    copyIn(f32, aOff >> 2, a, m, k, transA);
    copyIn(f32, bOff >> 2, b, k, n, transB);
    if (accumulate) f32.set(c.subarray(0, m * n), cOff >> 2);
    exports.gemm(m, n, k, aOff, bOff, cOff, accumulate ? 1 : 0);
    c.set(f32.subarray(cOff >> 2, (cOff >> 2) + m * n));
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
  return { name: "wasm", gemm: makeGemm(instance.exports as unknown as Exports) };
}
