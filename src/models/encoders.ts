/**
 * The encoders. Every model is one `Encoder`: one or two bodies, each turning a batch of items
 * (code, and the trace where needed) into pooled features, then one projection head `proj` from
 * their concatenation to the embedding. The kinds differ only in their bodies:
 *
 *   lstm         code  chars  → Embedding 32 → LSTM 64 × 2 (dropout 0.1) → pool   (the paper's)
 *   transformer  code  tokens → Embedding 64 + sinusoidal → TransformerEncoder 2 × (4 heads,
 *                                feed-forward 128, dropout 0.1), key-padding mask → pool
 *   trace        trace events → Embedding(block) 32 + Embedding(value bucket) 32 → LSTM 64 × 2 → pool
 *   joint        transformer body and trace body side by side (paper §3), fused by `proj`
 *   bag          code  hashed features (bag/features.ts) → EmbeddingBag(sum, TF-IDF weights);
 *                      `proj` starts as the identity when it is square; with an anchor the
 *                      embedding is [√(1−w)·unit(proj(bag)), √w·unit(anchor)], the anchor a
 *                      frozen projection of the character n-grams, so its cosine is
 *                      (1−w)·trained cosine + w·lexical cosine
 *
 * Pooling (`last` = the last position, padding included, as an unpacked LSTM over padded input
 * gives — the paper-literal reading; `last-valid` = each sequence's last real token; `mean` =
 * the mean over real tokens).
 */
import type { TraceRow } from "../data/index.js";
import {
  Embedding,
  Linear,
  LSTM,
  Module,
  ops,
  SinusoidalPositionalEncoding,
  type Tensor,
  TransformerEncoder,
} from "../nn/index.js";
import { Random } from "../random/index.js";
import { BagBody } from "./bag/index.js";
import { CharLstm } from "./char-lstm.js";
import type { ModelSpec, Pooling } from "./spec.js";
import {
  charTokens,
  type IdBatch,
  padBatch,
  pythonTokens,
  type TraceEncoding,
  traceEvents,
  Vocabulary,
} from "./tokenizers.js";

/** What an encoder reads: the code, and its trace row for encoders that need one. */
export interface EncoderItem {
  code: string;
  trace?: TraceRow;
}

const HIDDEN = 64;

/**
 * How a body reads its output: `paper` pools as the model was trained (`last` reads the padded
 * batch's last position, so the result depends on the batch); `real` reads real positions only
 * (`last` is each sequence's last real token), so a snippet gets the same vector alone or in any
 * batch — what embed, index and search use.
 */
export type Positions = "paper" | "real";

function pool(output: Tensor, batch: IdBatch, pooling: Pooling, positions: Positions): Tensor {
  if (pooling === "last" && positions === "paper") return ops.lastPool(output);
  if (pooling !== "mean") return ops.lastValidPool(output, batch.lengths);
  return ops.maskedMeanPool(output, batch.lengths);
}

/** A body turns a batch of items into pooled features [items, width]. */
interface Body extends Module {
  readonly width: number;
  features(items: readonly EncoderItem[], positions: Positions): Tensor;
}

/** The paper's char-LSTM. With `last` pooling the LSTM runs over the padding, unpacked. */
class CharLstmBody extends CharLstm implements Body {
  readonly width = HIDDEN;
  readonly vocab: Vocabulary;

  constructor(
    vocab: readonly string[],
    private readonly maxLength: number,
    private readonly pooling: Pooling,
    rng: Random,
  ) {
    super({ vocabSize: new Vocabulary(vocab).size, hiddenSize: HIDDEN }, rng);
    this.vocab = new Vocabulary(vocab);
  }

  features(items: readonly EncoderItem[], positions: Positions): Tensor {
    const seqs = items.map((it) => charTokens(it.code).map((c) => this.vocab.id(c)));
    const b = padBatch(seqs, this.maxLength);
    const { output } = this.run(
      b.ids,
      [b.batch, b.steps],
      this.pooling === "last" ? null : b.lengths,
    );
    return pool(output, b, this.pooling, positions);
  }
}

class TokenTransformerBody extends Module implements Body {
  readonly width = HIDDEN;
  readonly vocab: Vocabulary;
  readonly embedding: Embedding;
  readonly positions: SinusoidalPositionalEncoding;
  readonly encoder: TransformerEncoder;

  constructor(
    vocab: readonly string[],
    private readonly maxLength: number,
    private readonly pooling: Pooling,
    rng: Random,
  ) {
    super();
    this.vocab = new Vocabulary(vocab);
    this.embedding = this.child(
      "embedding",
      new Embedding(this.vocab.size, HIDDEN, { paddingIdx: 0, rng: rng.fork("embedding") }),
    );
    this.positions = new SinusoidalPositionalEncoding(HIDDEN, 4096);
    this.encoder = this.child(
      "encoder",
      new TransformerEncoder(
        { dModel: HIDDEN, nhead: 4, dimFeedforward: 128, dropout: 0.1, rng: rng.fork("encoder") },
        2,
        { independentInit: true },
      ),
    );
  }

  features(items: readonly EncoderItem[], positions: Positions): Tensor {
    const seqs = items.map((it) => pythonTokens(it.code).map((t) => this.vocab.id(t)));
    const b = padBatch(seqs, this.maxLength);
    const x = this.positions.forward(this.embedding.forward(b.ids, [b.batch, b.steps]));
    const out = this.encoder.forward(x, ops.paddingMask(b.lengths, b.steps));
    return pool(out, b, this.pooling, positions);
  }
}

class TraceLstmBody extends Module implements Body {
  readonly width = HIDDEN;
  readonly blockEmbedding: Embedding;
  readonly valueEmbedding: Embedding;
  readonly lstm: LSTM;

  constructor(
    private readonly encoding: TraceEncoding,
    private readonly pooling: Pooling,
    rng: Random,
  ) {
    super();
    this.blockEmbedding = this.child(
      "block_embedding",
      new Embedding(encoding.blocks + 2, 32, { paddingIdx: 0, rng: rng.fork("blocks") }),
    );
    this.valueEmbedding = this.child(
      "value_embedding",
      new Embedding(encoding.buckets + 1, 32, { paddingIdx: 0, rng: rng.fork("values") }),
    );
    this.lstm = this.child(
      "lstm",
      new LSTM(32, HIDDEN, { numLayers: 2, dropout: 0.1, rng: rng.fork("lstm") }),
    );
  }

  features(items: readonly EncoderItem[], positions: Positions): Tensor {
    const events = items.map((it) => traceEvents(it.trace, this.encoding));
    const blocks = padBatch(
      events.map((e) => e.blocks),
      0,
    );
    const values = padBatch(
      events.map((e) => e.values),
      0,
    );
    const shape = [blocks.batch, blocks.steps];
    const x = ops.add(
      this.blockEmbedding.forward(blocks.ids, shape),
      this.valueEmbedding.forward(values.ids, shape),
    );
    const { output } = this.lstm.forward(x, this.pooling === "last" ? null : blocks.lengths);
    return pool(output, blocks, this.pooling, positions);
  }
}

export class Encoder extends Module {
  readonly bodies: readonly Body[];
  readonly proj: Linear;
  /** The bag body whose frozen anchor sits beside the trained embedding, if any. */
  private readonly anchored: BagBody | null;

  constructor(readonly spec: ModelSpec) {
    super();
    const rng = new Random(spec.seed).fork("init");
    const { encoder, pooling, maxLength } = spec;
    const bodies: Body[] = [];
    if (encoder === "lstm") {
      bodies.push(
        this.child("code", new CharLstmBody(spec.vocab, maxLength, pooling, rng.fork("code"))),
      );
    }
    if (encoder === "transformer" || encoder === "joint") {
      bodies.push(
        this.child(
          "code",
          new TokenTransformerBody(spec.vocab, maxLength, pooling, rng.fork("code")),
        ),
      );
    }
    let bag: BagBody | null = null;
    if (encoder === "bag") {
      if (!spec.bag) throw new Error("a bag encoder's spec needs its `bag` settings");
      const anchor = spec.bag.anchor;
      // The anchor sits beside proj's output, so their widths must add up to the embedding's.
      if (anchor && spec.bag.width + anchor.width !== spec.dim) {
        throw new Error(
          `bag encoder: table width ${spec.bag.width} + anchor width ${anchor.width} is not dim ${spec.dim}`,
        );
      }
      bag = this.child("code", new BagBody(spec.bag, rng.fork("code")));
      bodies.push(bag);
    }
    if (encoder === "trace" || encoder === "joint") {
      bodies.push(
        this.child("trace", new TraceLstmBody(spec.traceEncoding, pooling, rng.fork("trace"))),
      );
    }
    this.bodies = bodies;
    this.anchored = bag?.anchor ? bag : null;
    const width = bodies.reduce((w, b) => w + b.width, 0);
    const projWidth = spec.dim - (spec.bag?.anchor?.width ?? 0);
    this.proj = this.child("proj", new Linear(width, projWidth, { rng: rng.fork("proj") }));
    // The bag body already is a projection of TF-IDF vectors: a square head starts by keeping it.
    if (encoder === "bag" && width === projWidth) {
      this.proj.weight.data.fill(0);
      for (let i = 0; i < width; i++) this.proj.weight.data[i * width + i] = 1;
      this.proj.bias?.data.fill(0);
    }
  }

  get needsTrace(): boolean {
    return this.spec.encoder === "trace" || this.spec.encoder === "joint";
  }

  /** items → embeddings [items.length, dim]; `positions` as in `Positions` (training: paper). */
  forward(items: readonly EncoderItem[], positions: Positions = "paper"): Tensor {
    const parts = this.bodies.map((b) => b.features(items, positions));
    const trained = this.proj.forward(parts.length === 1 ? parts[0] : ops.concat(parts, 1));
    if (!this.anchored) return trained;
    const w = this.spec.bag?.anchor?.weight ?? 0;
    const anchor = this.anchored.anchorFeatures(items);
    return ops.concat(
      [
        ops.scale(ops.l2Normalize(trained), Math.sqrt(1 - w)),
        ops.scale(ops.l2Normalize(anchor), Math.sqrt(w)),
      ],
      1,
    );
  }
}
