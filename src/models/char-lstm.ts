/**
 * The char-LSTM, defined once: Embedding (padding id 0) → multi-layer LSTM. The `lstm` encoder's
 * body is one; with its projection head (`CharLstmEncoder`) it is the paper's training step in
 * the bench and the model of the PyTorch parity fixtures, as python/tracecode_torch.py's
 * `CharLstm` and `CharLstmEncoder` are on the PyTorch side (same child names, so state-dict
 * keys match).
 */
import { Embedding, Linear, LSTM, Module, ops, type Tensor } from "../nn/index.js";
import { Random } from "../random/index.js";

export interface CharLstmOptions {
  vocabSize: number;
  /** Default 32, the paper's. */
  embeddingDim?: number;
  /** Default 64. */
  hiddenSize?: number;
  /** Default 2. */
  numLayers?: number;
  /** Between LSTM layers, in training only (default 0.1). */
  dropout?: number;
}

export class CharLstm extends Module {
  readonly embedding: Embedding;
  readonly lstm: LSTM;

  constructor(o: CharLstmOptions, rng = new Random(0)) {
    super();
    const embeddingDim = o.embeddingDim ?? 32;
    this.embedding = this.child(
      "embedding",
      new Embedding(o.vocabSize, embeddingDim, { paddingIdx: 0, rng: rng.fork("embedding") }),
    );
    this.lstm = this.child(
      "lstm",
      new LSTM(embeddingDim, o.hiddenSize ?? 64, {
        numLayers: o.numLayers ?? 2,
        dropout: o.dropout ?? 0.1,
        rng: rng.fork("lstm"),
      }),
    );
  }

  /**
   * ids [B, T] (0 = padding) → the LSTM's outputs and final states. `lengths` packs the batch
   * (null runs over the padding); `lookup` feeds embedded rows instead of token ids (the two
   * paths compute the same).
   */
  run(
    ids: ArrayLike<number>,
    shape: readonly [number, number],
    lengths: ArrayLike<number> | null,
    lookup = false,
  ) {
    const input = lookup ? this.embedding.forward(ids, shape) : this.embedding.tokens(ids, shape);
    return this.lstm.forward(input, lengths);
  }
}

/** A char-LSTM with a projection head: the last layer's final state → Linear (keys `proj.*`). */
export class CharLstmEncoder extends CharLstm {
  readonly proj: Linear;

  constructor(o: CharLstmOptions & { outputDim: number }, rng = new Random(0)) {
    super(o, rng);
    this.proj = this.child(
      "proj",
      new Linear(this.lstm.hiddenSize, o.outputDim, { rng: rng.fork("proj") }),
    );
  }

  /** ids [B, T] → embeddings [B, outputDim]. */
  forward(
    ids: ArrayLike<number>,
    shape: readonly [number, number],
    lengths: ArrayLike<number>,
    lookup = false,
  ): Tensor {
    const { hN } = this.run(ids, shape, lengths, lookup);
    const last = ops.gather(hN, [this.lstm.numLayers - 1]);
    return this.proj.forward(ops.reshape(last, [shape[0], this.lstm.hiddenSize]));
  }
}
