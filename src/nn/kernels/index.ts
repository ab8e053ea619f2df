/**
 * The kernel backend behind every heavy op. `ts` is the plain TypeScript reference; `wasm`
 * (WebAssembly SIMD) implements the same interface, is tested against it, and is the default
 * whenever the compiled module is present. `TRACECODE_KERNELS=ts` forces the reference.
 */
import {
  attentionBackwardTs,
  attentionForwardTs,
  dropoutMaskTs,
  encoderBackwardTs,
  encoderForwardTs,
  gemmTs,
  layerNormBackwardTs,
  layerNormForwardTs,
  lstmBackwardTs,
  lstmForwardTs,
} from "./ts/index.js";
import type { Kernels } from "./types.js";
import { loadWasmKernels } from "./wasm/index.js";

export type {
  Attention,
  AttentionBackward,
  AttentionForward,
  DropoutMask,
  DropoutMaskKernel,
  EncoderBackward,
  EncoderDropout,
  EncoderForward,
  EncoderGradients,
  EncoderLayer,
  EncoderTape,
  EncoderWeights,
  Gemm,
  Kernels,
  LayerNormBackward,
  LayerNormForward,
  LayerNormRows,
  LstmBackward,
  LstmForward,
  LstmGradients,
  LstmLayer,
  LstmOutputs,
  LstmTape,
  LstmUpstream,
} from "./types.js";
export { loadWasmKernels, type WasmOptions } from "./wasm/index.js";

export const tsKernels: Kernels = {
  name: "ts",
  gemm: gemmTs,
  lstmForward: lstmForwardTs,
  lstmBackward: lstmBackwardTs,
  attentionForward: attentionForwardTs,
  attentionBackward: attentionBackwardTs,
  layerNormForward: layerNormForwardTs,
  layerNormBackward: layerNormBackwardTs,
  dropoutMask: dropoutMaskTs,
  encoderForward: encoderForwardTs,
  encoderBackward: encoderBackwardTs,
};

let active: Kernels =
  process.env.TRACECODE_KERNELS === "ts" ? tsKernels : (loadWasmKernels() ?? tsKernels);

export function kernels(): Kernels {
  return active;
}

export function setKernels(k: Kernels): void {
  active = k;
}
