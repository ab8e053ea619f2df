/**
 * A model's full description, saved as `model.json` beside `model.safetensors`: with it a saved
 * model rebuilds itself and tokenizes new input exactly as in training.
 */
import { z } from "zod";
import { DEFAULT_TRACE_ENCODING } from "./tokenizers.js";

export const EncoderKind = z.enum(["lstm", "transformer", "trace", "joint"]);
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
  distance: z.enum(["euclidean", "cosine"]),
  /** Seed of the initial weights. */
  seed: z.number().int(),
});
export type ModelSpec = z.infer<typeof ModelSpec>;
