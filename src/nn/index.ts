/**
 * `nn`: a small, exact neural-network engine on Float32Array tensors with reverse-mode
 * autograd, following PyTorch's semantics so models and results can be exchanged with it.
 * It knows nothing of code: usable on its own.
 */

export type { Gemm, Kernels } from "./kernels/index.js";
export { kernels, setKernels, tsKernels } from "./kernels/index.js";
export { Module } from "./module.js";
export * as ops from "./ops/index.js";
export { isGradEnabled, noGrad, record, sizeOf, Tensor } from "./tensor.js";
export { expectClose, gradCheck } from "./testing.js";
