/**
 * WebAssembly SIMD kernels: the AssemblyScript in ./assembly, compiled by `npm run build` to
 * dist/nn/kernels/wasm/kernels.wasm, behind the same interface as the TypeScript reference.
 * Operands are copied into blocks of linear memory (./memory.ts) and results copied back; the
 * tapes of an LSTM layer (./lstm.ts) and of a Transformer encoder layer (./encoder.ts) stay
 * there between their passes (./tapes.ts).
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Kernels } from "../types.js";
import { makeAttention } from "./attention.js";
import { makeDropoutMask } from "./dropout.js";
import { makeEncoder } from "./encoder.js";
import { makeGemm } from "./gemm.js";
import { makeLayerNorm } from "./layernorm.js";
import { makeLstmBackward, makeLstmForward } from "./lstm.js";
import { Arena, type Exports } from "./memory.js";
import { TapeStore } from "./tapes.js";

/** Beside the compiled backend in dist/, or — when running from src/ (tests) — the built one. */
const WASM_PATHS = ["./kernels.wasm", "../../../../dist/nn/kernels/wasm/kernels.wasm"].map((p) =>
  fileURLToPath(new URL(p, import.meta.url)),
);

/** Default cap on the bytes of tapes kept in linear memory. */
const TAPE_BYTES = 512 * 1024 * 1024;

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
    dropoutMask: makeDropoutMask(exports, arena),
    ...makeEncoder(exports, arena, tapes),
    /** Bytes of linear memory in live blocks (tapes and running kernels). */
    arenaBytes: () => arena.used,
  };
}
