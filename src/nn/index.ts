/**
 * `nn`: a small, exact neural-network engine on Float32Array tensors with reverse-mode
 * autograd, following PyTorch's semantics so models and results can be exchanged with it.
 * It knows nothing of code: usable on its own.
 */

export {
  embeddingInit,
  linearInit,
  lstmInit,
  normal_,
  uniform_,
  uniformTensor,
  withoutInit,
} from "./init.js";
export type { Gemm, Kernels } from "./kernels/index.js";
export { kernels, loadWasmKernels, setKernels, tsKernels } from "./kernels/index.js";
export { MultiheadAttention, type MultiheadAttentionOptions } from "./layers/attention.js";
export { Dropout } from "./layers/dropout.js";
export { Embedding, type EmbeddingOptions } from "./layers/embedding.js";
export { EmbeddingBag, type EmbeddingBagOptions } from "./layers/embedding-bag.js";
export { LayerNorm } from "./layers/layer-norm.js";
export { Linear, type LinearOptions } from "./layers/linear.js";
export { LSTM, type LstmOptions, type LstmOutput } from "./layers/lstm.js";
export {
  addPositions,
  LearnedPositionalEncoding,
  SinusoidalPositionalEncoding,
  sinusoidalTable,
} from "./layers/positional.js";
export {
  type Activation,
  TransformerEncoder,
  TransformerEncoderLayer,
  type TransformerEncoderLayerOptions,
  type TransformerEncoderOptions,
} from "./layers/transformer.js";
export { Module } from "./module.js";
export * as ops from "./ops/index.js";
export type { Tokens } from "./ops/lstm.js";
export { Adam, type AdamOptions, clipGradNorm, zeroGrad } from "./optim/index.js";
export {
  decodeSafetensors,
  encodeSafetensors,
  loadConfig,
  loadSafetensors,
  loadStateDict,
  type NamedTensor,
  SafetensorsError,
  type SafetensorsFile,
  saveModel,
  saveSafetensors,
} from "./safetensors.js";
export { isGradEnabled, noGrad, record, sizeOf, Tensor } from "./tensor.js";
