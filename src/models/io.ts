/**
 * Saving and loading a model directory: `model.safetensors` + `model.json` (its ModelSpec),
 * plus the portable `tokenizer.json` and `architecture.json` (see spec.ts) for loaders written
 * in other languages.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../data/index.js";
import {
  decodeSafetensors,
  Embedding,
  EmbeddingBag,
  Linear,
  LSTM,
  noGrad,
  SinusoidalPositionalEncoding,
  saveSafetensors,
  TransformerEncoder,
  withoutInit,
} from "../nn/index.js";
import { initPython } from "../synth/index.js";
import { Encoder, type EncoderItem, type Positions } from "./encoders.js";
import {
  ARCHITECTURE_FORMAT,
  type ArchitectureFile,
  type BodyArchitecture,
  type EmbeddingArchitecture,
  type LstmArchitecture,
  ModelSpec,
  tokenizerFile,
} from "./spec.js";

export function saveEncoder(dir: string, encoder: Encoder): void {
  saveSafetensors(join(dir, "model.safetensors"), encoder.namedParameters(), { format: "pt" });
  writeFileAtomic(join(dir, "model.json"), `${JSON.stringify(encoder.spec, null, 2)}\n`);
  writeSpecFiles(dir, encoder);
}

/** Writes `tokenizer.json` and `architecture.json` for `encoder` into `dir`. */
export function writeSpecFiles(dir: string, encoder: Encoder): void {
  const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
  writeFileAtomic(join(dir, "tokenizer.json"), json(tokenizerFile(encoder.spec)));
  writeFileAtomic(join(dir, "architecture.json"), json(architectureFile(encoder)));
}

/** A model directory's two files as read: the bytes of model.json and model.safetensors. */
export interface ModelFiles {
  spec: Buffer;
  weights: Buffer;
}

/** Reads a model directory's files once (a caller that also hashes them needs no second read). */
export function readModelFiles(dir: string): ModelFiles {
  const specPath = join(dir, "model.json");
  const weights = join(dir, "model.safetensors");
  for (const p of [specPath, weights]) {
    if (!existsSync(p)) throw new Error(`${dir} is not a model directory: ${p} is missing`);
  }
  return { spec: readFileSync(specPath), weights: readFileSync(weights) };
}

/**
 * Rebuilds the encoder saved in `dir` (a run directory or a model directory), in eval mode,
 * from `files` when the caller has read them already.
 */
export function loadEncoder(dir: string, files: ModelFiles = readModelFiles(dir)): Encoder {
  const specPath = join(dir, "model.json");
  let json: unknown;
  try {
    json = JSON.parse(files.spec.toString("utf8"));
  } catch (e) {
    throw new Error(`${specPath}: not valid JSON (${(e as Error).message})`);
  }
  const parsed = ModelSpec.safeParse(json);
  if (!parsed.success) throw new Error(`${specPath}: invalid model spec: ${parsed.error.message}`);
  // The strict load below overwrites every parameter, so none is drawn first.
  const encoder = withoutInit(() => new Encoder(parsed.data));
  const state = decodeSafetensors(files.weights, join(dir, "model.safetensors")).tensors;
  encoder.loadStateDict(state);
  encoder.eval();
  return encoder;
}

/** Loads what the encoder's features need before `embedItems` (the bag encoder parses code). */
export async function encoderReady(encoder: Encoder): Promise<void> {
  if (encoder.spec.encoder === "bag") await initPython();
}

/**
 * Embeddings of many items, in batches, without gradients; one Float32Array per item.
 * By default what embed, index and search need: real positions only, so an item gets the same
 * vector alone or in any batch, and for a cosine model unit vectors (cosine similarity is then a
 * dot product, and every consumer sees the same scale). Training's validation passes `paper`
 * and `raw` to measure the model exactly as the paper's protocol reads it.
 */
export function embedItems(
  encoder: Encoder,
  items: readonly EncoderItem[],
  batchSize = 64,
  { positions = "real", raw = false }: { positions?: Positions; raw?: boolean } = {},
): Float32Array[] {
  const out: Float32Array[] = [];
  const wasTraining = encoder.training;
  const normalise = !raw && encoder.spec.distance === "cosine";
  encoder.eval();
  try {
    noGrad(() => {
      for (let i = 0; i < items.length; i += batchSize) {
        const e = encoder.forward(items.slice(i, i + batchSize), positions);
        const dim = e.shape[1];
        for (let r = 0; r < e.shape[0]; r++) {
          const v = e.data.slice(r * dim, (r + 1) * dim);
          if (normalise) unitLength(v);
          out.push(v);
        }
      }
    });
  } finally {
    if (wasTraining) encoder.train();
  }
  return out;
}

/** Scales `v` to length 1 in place (a zero vector stays zero). */
function unitLength(v: Float32Array): void {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i] * v[i];
  const norm = Math.sqrt(sum);
  if (norm > 0) for (let i = 0; i < v.length; i++) v[i] /= norm;
}

// --- architecture.json, read off the built layers so that it cannot drift from them ---

/** `body[name]`, checked to be a `kind`: a changed encoder fails here instead of mis-describing. */
function part<T>(body: object, name: string, kind: abstract new (...args: never[]) => T): T {
  const value = (body as Record<string, unknown>)[name];
  if (!(value instanceof kind)) {
    throw new Error(
      `architecture.json: the ${body.constructor.name} has no ${kind.name} "${name}"`,
    );
  }
  return value;
}

function embedding(e: Embedding): EmbeddingArchitecture {
  return {
    num_embeddings: e.numEmbeddings,
    embedding_dim: e.embeddingDim,
    padding_idx: e.paddingIdx,
  };
}

function lstm(l: LSTM, packed: boolean): LstmArchitecture {
  return {
    input_size: l.inputSize,
    hidden_size: l.hiddenSize,
    num_layers: l.numLayers,
    dropout: l.dropout,
    batch_first: true,
    bidirectional: false,
    packed,
  };
}

const SINUSOID =
  "table[pos, i] = sin(pos * exp(-i * ln(10000) / d_model)) for even i, table[pos, i] = cos(pos * exp(-(i - 1) * ln(10000) / d_model)) for odd i; computed in float64, stored as float32, added to the token embeddings (not scaled)";

function bodyArchitecture(encoder: Encoder, index: number): BodyArchitecture {
  const body = encoder.bodies[index];
  const { encoder: kind, pooling } = encoder.spec;
  const packed = pooling !== "last";
  if (kind === "lstm") {
    return {
      name: "code",
      type: "char_lstm",
      width: body.width,
      embedding: embedding(part(body, "embedding", Embedding)),
      lstm: lstm(part(body, "lstm", LSTM), packed),
    };
  }
  if (kind === "bag") {
    const bag = part(body, "bag", EmbeddingBag);
    const anchor = encoder.spec.bag?.anchor;
    const table = anchor ? part(body, "anchor", EmbeddingBag) : null;
    return {
      name: "code",
      type: "bag_of_features",
      width: body.width,
      bag: { num_embeddings: bag.numEmbeddings, embedding_dim: bag.embeddingDim, mode: "sum" },
      ...(anchor && table
        ? {
            anchor: {
              num_embeddings: table.numEmbeddings,
              embedding_dim: table.embeddingDim,
              mode: "sum" as const,
              weight: anchor.weight,
            },
          }
        : {}),
    };
  }
  if (index === 0 && (kind === "transformer" || kind === "joint")) {
    const stack = part(body, "encoder", TransformerEncoder);
    const first = stack.layers[0];
    return {
      name: "code",
      type: "token_transformer",
      width: body.width,
      embedding: embedding(part(body, "embedding", Embedding)),
      positions: {
        type: "sinusoidal",
        max_len: part(body, "positions", SinusoidalPositionalEncoding).table.shape[0],
        formula: SINUSOID,
      },
      encoder: {
        num_layers: stack.layers.length,
        d_model: first.selfAttn.embedDim,
        nhead: first.selfAttn.numHeads,
        dim_feedforward: first.linear1.outFeatures,
        dropout: first.dropout.p,
        activation: first.activation,
        layer_norm_eps: first.norm1.eps,
        norm_first: first.normFirst,
        final_norm: stack.norm !== null,
        batch_first: true,
        key_padding_mask: true,
      },
    };
  }
  return {
    name: "trace",
    type: "trace_lstm",
    width: body.width,
    block_embedding: embedding(part(body, "blockEmbedding", Embedding)),
    value_embedding: embedding(part(body, "valueEmbedding", Embedding)),
    lstm: lstm(part(body, "lstm", LSTM), packed),
  };
}

const POOLING_RULES = {
  last: "pooling 'last': the output at the batch's last position (padding included; the LSTM runs over the padding unpacked) — PyTorch's output[:, -1]",
  "last-valid":
    "pooling 'last-valid': the output at each sequence's last valid position, output[b, length - 1] (packed LSTM)",
  mean: "pooling 'mean': the mean of the outputs over each sequence's valid positions, sum(output[b, :length]) / length (packed LSTM)",
} as const;

/** The architecture file of a built encoder. */
export function architectureFile(encoder: Encoder): ArchitectureFile {
  const { spec } = encoder;
  const proj = part(encoder, "proj", Linear);
  return {
    format: ARCHITECTURE_FORMAT,
    kind: spec.encoder,
    dim: spec.dim,
    pooling: spec.pooling,
    distance: spec.distance,
    bodies: encoder.bodies.map((_, i) => bodyArchitecture(encoder, i)),
    proj: {
      in_features: proj.inFeatures,
      out_features: proj.outFeatures,
      bias: proj.bias !== null,
    },
    forward: [
      "char_lstm: ids → embedding → lstm (packed by length unless lstm.packed is false) → pooling",
      "token_transformer: ids → embedding + positions table[:T] → encoder layers (key padding mask; padded query positions are computed like any other, PyTorch's standard path) → pooling",
      "trace_lstm: block ids → block_embedding, value ids → value_embedding, summed → lstm → pooling",
      "bag_of_features: the snippet's rows and weights (tokenizer.json, bag_features) → bag (EmbeddingBag, mode 'sum', per_sample_weights); no pooling",
      POOLING_RULES[spec.pooling],
      spec.bag?.anchor
        ? "embedding = concatenation of sqrt(1 - w) * F.normalize(proj(bag features)) and sqrt(w) * F.normalize(anchor(anchor bag)), w = the anchor's weight (F.normalize's eps 1e-12); eval mode"
        : "embedding = proj(concatenation of the bodies' pooled features, in bodies order); eval mode, no dropout; not normalised",
    ],
    weights: {
      file: "model.safetensors",
      dtype: "F32",
      keys: "PyTorch state_dict names (body name + '.' + layer path, 'proj.weight', 'proj.bias'); loads with load_state_dict(strict=True)",
    },
  };
}
