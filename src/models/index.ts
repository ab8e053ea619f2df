/**
 * Encoders built from nn/ layers: the paper's char-LSTM, a token Transformer, a trace LSTM and
 * the joint model; tokenizers; saving and loading model directories. See README.md.
 */

export {
  anchorBagOf,
  BagBody,
  bagOf,
  charGrams,
  FEATURE_GROUPS,
  type FeatureGroup,
  featureGrams,
  fitIdf,
  nodeTypes,
  rawFeatures,
  typeGrams,
} from "./bag/index.js";
export { CharLstm, CharLstmEncoder, type CharLstmOptions } from "./char-lstm.js";
export { DEFAULT_MODEL_DIR, resolveModelDir } from "./default.js";
export { Encoder, type EncoderItem, type Positions } from "./encoders.js";
export {
  architectureFile,
  embedItems,
  encoderReady,
  loadEncoder,
  readModelFiles,
  saveEncoder,
  writeSpecFiles,
} from "./io.js";
export {
  type ArchitectureFile,
  EncoderKind,
  ModelSpec,
  Pooling,
  type TokenizerFile,
  tokenizerFile,
} from "./spec.js";
export {
  charTokens,
  DEFAULT_TRACE_ENCODING,
  type IdBatch,
  PAD,
  padBatch,
  pythonTokens,
  type TraceEncoding,
  traceEvents,
  UNK,
  Vocabulary,
} from "./tokenizers.js";
