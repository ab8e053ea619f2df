/**
 * A model's full description, saved as `model.json` beside `model.safetensors`: with it a saved
 * model rebuilds itself and tokenizes new input exactly as in training.
 */
import { z } from "zod";
import { DISTANCE_NAMES } from "../metric/index.js";
import type { Activation } from "../nn/index.js";
import { DEFAULT_TRACE_ENCODING, PYTHON_LEXER } from "./tokenizers.js";

export const EncoderKind = z.enum(["lstm", "transformer", "trace", "joint", "bag"]);
export type EncoderKind = z.infer<typeof EncoderKind>;
export const Pooling = z.enum(["last", "last-valid", "mean"]);
export type Pooling = z.infer<typeof Pooling>;

export const ModelSpec = z.object({
  encoder: EncoderKind,
  dim: z.number().int().positive(),
  pooling: Pooling,
  /** Code tokens kept (characters for `lstm`, Python tokens otherwise); 0 keeps all. */
  maxLength: z.number().int().nonnegative(),
  /** Code vocabulary (characters or tokens), ids 2…; 0 is padding and 1 unknown. */
  vocab: z.array(z.string()),
  traceEncoding: z
    .object({
      runs: z.number().int().positive(),
      blocks: z.number().int().positive(),
      buckets: z.number().int().positive(),
      maxEvents: z.number().int().positive(),
    })
    .default(DEFAULT_TRACE_ENCODING),
  /** Distance the model was trained with; retrieval with it ranks as in validation. */
  distance: z.enum(DISTANCE_NAMES),
  /** Seed of the initial weights. */
  seed: z.number().int(),
  /** The `bag` encoder's features (models/bag): table rows, per-group weights, IDF per row. */
  bag: z
    .object({
      buckets: z.number().int().positive(),
      width: z.number().int().positive(),
      groupWeights: z.object({ chars: z.number(), tokens: z.number(), tree: z.number() }),
      idf: z.array(z.number()),
      /** A frozen lexical projection beside the trained one (models/bag/body.ts). */
      anchor: z
        .object({ width: z.number().int().positive(), weight: z.number().gt(0).lt(1) })
        .optional(),
    })
    .optional(),
});
export type ModelSpec = z.infer<typeof ModelSpec>;

/**
 * The portable half of a model directory: `tokenizer.json` and `architecture.json`, written
 * beside `model.json` by `saveEncoder` so that a model can be rebuilt without this code (the
 * PyTorch loader in `python/tracecode_torch.py` reads them). `model.json` stays the source of
 * truth for this code; these two are derived from it and from the built encoder.
 */
export const TOKENIZER_FORMAT = "tracecode-tokenizer/1";
export const ARCHITECTURE_FORMAT = "tracecode-architecture/1";

/** A regular-expression lexer, precisely enough to re-implement in Python's `re`. */
export interface LexerFile {
  pattern: string;
  pattern_dialect: string;
  groups: { group: number; name: string; emits: string }[];
  indent_width: number;
}

/** `tokenizer.json`: how code and traces become id sequences, precisely enough to re-implement. */
export interface TokenizerFile {
  format: typeof TOKENIZER_FORMAT;
  /** How code is tokenized; null for models that read traces only. */
  code: null | {
    type: "characters" | "python_tokens";
    /** Token of each id: `id_to_token[i]` has id i; 0 is padding, 1 unknown. */
    id_to_token: string[];
    pad_id: 0;
    unk_id: 1;
    /** Ids kept per snippet (the first ones); 0 keeps all. */
    max_length: number;
    rules: string[];
    /** For `python_tokens`: the lexer. */
    lexer?: LexerFile;
  };
  /** How a trace row (a line of traces.jsonl) becomes events; null for code-only models. */
  trace: null | {
    runs: number;
    blocks: number;
    buckets: number;
    max_events: number;
    block_ids: string;
    value_ids: string;
    hash: string;
    rules: string[];
  };
  /** The `bag` encoder's features (models/bag/features.ts); absent for the other kinds. */
  bag_features?: {
    buckets: number;
    group_weights: Record<string, number>;
    /** `idf[row]`, fitted on the training snippets. */
    idf: number[];
    /** The lexer of the tokens group (as a `python_tokens` tokenizer's). */
    lexer: LexerFile;
    hash: string;
    rules: string[];
  };
  batching: string[];
}

const GROUP_RULES: Record<string, string> = {
  comment: "nothing (comments are dropped)",
  string: "the token <str>",
  name: "the matched text (identifiers and keywords)",
  number: "the token <num>, then each character of the matched text as its own token",
  operator: "the matched text",
  newline:
    "<nl> unless nothing was emitted yet or the last emitted token is <nl>; then, with every tab of the matched text after its \\n replaced by indent_width spaces, one <indent> per whole indent_width spaces",
};

/** The tokenizer file of a model, from its spec alone. */
export function tokenizerFile(spec: ModelSpec): TokenizerFile {
  const readsCode = spec.encoder !== "trace" && spec.encoder !== "bag";
  const readsTrace = spec.encoder === "trace" || spec.encoder === "joint";
  const chars = spec.encoder === "lstm";
  const enc = spec.traceEncoding;
  return {
    format: TOKENIZER_FORMAT,
    code: readsCode
      ? {
          type: chars ? "characters" : "python_tokens",
          id_to_token: ["<pad>", "<unk>", ...spec.vocab],
          pad_id: 0,
          unk_id: 1,
          max_length: spec.maxLength,
          rules: [
            chars
              ? "tokens: every Unicode code point of the source, in order (a UTF-16 surrogate pair is one token); no normalisation, \\r and \\t included"
              : "tokens: scan the source with lexer.pattern (global search: at each position the leftmost match, alternatives tried in order, unmatched characters skipped); each match emits by the first capture group that took part, as lexer.groups says",
            "ids: the id of each token in id_to_token (entries 2 and up), unk_id for any other token",
            "truncation: when max_length > 0, only the first max_length ids are kept",
          ],
          ...(chars ? {} : { lexer: lexerFile() }),
        }
      : null,
    trace: readsTrace
      ? {
          runs: enc.runs,
          blocks: enc.blocks,
          buckets: enc.buckets,
          max_events: enc.maxEvents,
          block_ids:
            "0 padding, 1 end of a run (or the single event of a snippet without an ok trace), b + 2 the trace's block b, b capped at blocks - 1",
          value_ids: "0 padding, bucket(s) = 1 + (hash(s) mod buckets)",
          hash: "32-bit FNV-1a over the UTF-16 code units of s: h = 0x811c9dc5; per unit u: h = ((h xor u) * 0x01000193) mod 2^32",
          rules: [
            "a trace row whose status is not ok (or a missing row) is one event: block id 1, value bucket('status:' + status), or bucket('status:missing')",
            "otherwise for each of the row's first `runs` runs: one event per executed block i, (block id of blocks[i], bucket(values[i]), '' when values is shorter), then an end event (1, bucket('out:' + output))",
            "the events are cut after max_events; no other truncation",
          ],
        }
      : null,
    ...(spec.bag ? { bag_features: bagFeaturesFile(spec.bag) } : {}),
    batching: [
      "snippets are embedded in batches of 64, in input order; no embedding depends on its batch",
      "a batch is padded with id 0 to its longest sequence (at least 1 step); each sequence's length is its number of ids, at least 1: an empty sequence reads one padding step as a real one",
      "embedding reads real positions only: pooling 'last' and 'last-valid' read each sequence's last real position, 'mean' averages its real positions (training with 'last' read the batch's last padded position, the paper's protocol, and validation still does)",
      "a model whose distance is 'cosine' gives unit vectors",
    ],
  };
}

/** The Python lexer of the `python_tokens` tokenizer and of the bag's tokens group. */
function lexerFile(): LexerFile {
  return {
    pattern: PYTHON_LEXER.pattern,
    pattern_dialect: "the same in ECMAScript (flag g) and Python's re (a str pattern, no flags)",
    groups: PYTHON_LEXER.groups.map((name, i) => ({
      group: i + 1,
      name,
      emits: GROUP_RULES[name],
    })),
    indent_width: PYTHON_LEXER.indentWidth,
  };
}

function bagFeaturesFile(bag: NonNullable<ModelSpec["bag"]>): TokenizerFile["bag_features"] {
  return {
    buckets: bag.buckets,
    group_weights: bag.groupWeights,
    idf: bag.idf,
    lexer: lexerFile(),
    hash: "32-bit FNV-1a over the UTF-16 code units of s: h = 0x811c9dc5; per unit u: h = ((h xor u) * 0x01000193) mod 2^32",
    rules: [
      "chars: the source with every whitespace run replaced by one space; every substring of 3, 4 and 5 characters (UTF-16 units)",
      "tokens: scan the source with lexer.pattern (as a python_tokens tokenizer does; each match emits as lexer.groups says); every token, every adjacent pair 'a b', and for an identifier with more than one part (split at '_' and before a capital that follows a lower-case letter or digit, lower-cased, empty parts dropped) 'part p' for each part",
      "tree: tree-sitter-python node types (named and anonymous, 'comment' subtrees left out) in pre-order from the module node; every 1-, 2- and 3-gram joined by a space",
      "row of a gram g of group G: hash(G + ':' + g) mod buckets; rows of one group are merged, counting",
      "weight of a row r with count c in group G: (1 + ln c) * idf[r], then the group's weights scaled to unit Euclidean length and multiplied by sqrt(group_weights[G]) (a group without rows contributes nothing)",
      "the bag of a snippet: the rows of chars, then tokens, then tree (ascending within a group), with their weights: EmbeddingBag(mode='sum') input and per_sample_weights",
      ...(bag.anchor
        ? [
            "the anchor bag of a snippet (architecture.json, bag_of_features.anchor): the rows of chars alone, ascending, weights (1 + ln c) * idf[r] scaled to unit Euclidean length",
          ]
        : []),
    ],
  };
}

/** nn.Embedding's settings. */
export interface EmbeddingArchitecture {
  num_embeddings: number;
  embedding_dim: number;
  padding_idx: number | null;
}

/** nn.LSTM's settings (batch_first, unidirectional, bias on). */
export interface LstmArchitecture {
  input_size: number;
  hidden_size: number;
  num_layers: number;
  dropout: number;
  batch_first: true;
  bidirectional: false;
  /** Run as a packed sequence (pack_padded_sequence by length); false runs over the padding. */
  packed: boolean;
}

/** nn.TransformerEncoderLayer's settings, stacked num_layers times (nn.TransformerEncoder). */
export interface TransformerArchitecture {
  num_layers: number;
  d_model: number;
  nhead: number;
  dim_feedforward: number;
  dropout: number;
  activation: Activation;
  layer_norm_eps: number;
  norm_first: boolean;
  /** A LayerNorm after the last layer (key `norm.`). */
  final_norm: boolean;
  batch_first: true;
  /** Padded keys are masked (src_key_padding_mask = position >= length). */
  key_padding_mask: true;
}

export type BodyArchitecture =
  | {
      name: "code";
      type: "char_lstm";
      width: number;
      embedding: EmbeddingArchitecture;
      lstm: LstmArchitecture;
    }
  | {
      name: "code";
      type: "token_transformer";
      width: number;
      embedding: EmbeddingArchitecture;
      positions: { type: "sinusoidal"; max_len: number; formula: string };
      encoder: TransformerArchitecture;
    }
  | {
      name: "code";
      type: "bag_of_features";
      width: number;
      /** nn.EmbeddingBag(num_embeddings, embedding_dim, mode="sum"), key `code.bag.weight`. */
      bag: { num_embeddings: number; embedding_dim: number; mode: "sum" };
      /**
       * The frozen lexical table, key `code.anchor.weight` (nn.EmbeddingBag as `bag`), and its
       * share of the embedding's cosine; absent when the model has none.
       */
      anchor?: { num_embeddings: number; embedding_dim: number; mode: "sum"; weight: number };
    }
  | {
      name: "trace";
      type: "trace_lstm";
      width: number;
      block_embedding: EmbeddingArchitecture;
      value_embedding: EmbeddingArchitecture;
      lstm: LstmArchitecture;
    };

/** `architecture.json`: every setting of the network, those in the weights and those not. */
export interface ArchitectureFile {
  format: typeof ARCHITECTURE_FORMAT;
  kind: EncoderKind;
  /** Embedding width (proj's output). */
  dim: number;
  pooling: Pooling;
  /** Distance the model was trained with; the embeddings are not normalised. */
  distance: "euclidean" | "cosine";
  /** In concatenation order; each one's state_dict prefix is its name. */
  bodies: BodyArchitecture[];
  proj: { in_features: number; out_features: number; bias: boolean };
  /** The forward pass in words. */
  forward: string[];
  weights: { file: "model.safetensors"; dtype: "F32"; keys: string };
}
