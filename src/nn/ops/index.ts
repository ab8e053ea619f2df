export { erf, gelu, logSoftmax, softmax } from "./activation.js";
export { affine } from "./affine.js";
export { type SelfAttentionOptions, selfAttention } from "./attention.js";
export { broadcastShape } from "./broadcast.js";
export { dropout } from "./dropout.js";
export * from "./elementwise.js";
export {
  type EncoderLayerOptions,
  type EncoderLayerParams,
  encoderLayer,
} from "./encoder-layer.js";
export { type LstmLayerResult, type LstmLayerWeights, lstmLayer, type Tokens } from "./lstm.js";
export { matmul } from "./matmul.js";
export { l2Normalize, layerNorm } from "./norm.js";
export { lastPool, lastValidPool, maskedMeanPool, paddingMask } from "./pooling.js";
export { mean, sum } from "./reduce.js";
export { concat, gather, reshape, transpose } from "./shape.js";
