/**
 * The char-LSTM encoder of the parity fixtures, built from nn layers with the same child names
 * as tools/parity/parts/lstm.py's `CharLstm`, so state-dict keys match PyTorch's.
 */

import { Embedding, Linear, LSTM, Module, ops, type Tensor } from "../../src/nn/index.js";
import { Random } from "../../src/random/index.js";

export interface CharLstmConfig {
  vocab: number;
  embeddingDim: number;
  hiddenSize: number;
  outputDim: number;
  /** Feed the LSTM token ids (Embedding.tokens) instead of looked-up rows. */
  tokens?: boolean;
}

export class CharLstm extends Module {
  readonly embedding: Embedding;
  readonly lstm: LSTM;
  readonly proj: Linear;
  private readonly tokens: boolean;

  constructor(config: CharLstmConfig, rng = new Random(0)) {
    super();
    this.tokens = config.tokens ?? false;
    this.embedding = this.child(
      "embedding",
      new Embedding(config.vocab, config.embeddingDim, { paddingIdx: 0, rng: rng.fork("emb") }),
    );
    this.lstm = this.child(
      "lstm",
      new LSTM(config.embeddingDim, config.hiddenSize, { numLayers: 2, rng: rng.fork("lstm") }),
    );
    this.proj = this.child(
      "proj",
      new Linear(config.hiddenSize, config.outputDim, { rng: rng.fork("proj") }),
    );
  }

  /** ids [B, T] (0 = padding) → embeddings [B, outputDim] from the last layer's final state. */
  forward(
    ids: ArrayLike<number>,
    shape: readonly [number, number],
    lengths: ArrayLike<number>,
  ): Tensor {
    const input = this.tokens
      ? this.embedding.tokens(ids, shape)
      : this.embedding.forward(ids, shape);
    const { hN } = this.lstm.forward(input, lengths);
    const last = ops.gather(hN, [this.lstm.numLayers - 1]);
    return this.proj.forward(ops.reshape(last, [shape[0], this.lstm.hiddenSize]));
  }
}
