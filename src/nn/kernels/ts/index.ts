/** Reference kernels in plain TypeScript: the ground truth other backends are tested against. */
export { attentionBackwardTs, attentionForwardTs, softmaxRow } from "./attention.js";
export { dropoutMaskTs } from "./dropout.js";
export { encoderBackwardTs, encoderForwardTs } from "./encoder.js";
export { gemmTs } from "./gemm.js";
export { layerNormBackwardTs, layerNormForwardTs } from "./layernorm.js";
export { lstmBackwardTs, lstmForwardTs } from "./lstm.js";
