/**
 * The code-only encoder an index embeds with. Its identity (a hash of the weights and spec) is
 * stored in the index, so a different model is noticed and everything re-embedded.
 */
import { resolve } from "node:path";
import { type Encoder, embedItems, loadEncoder, readModelFiles } from "../../models/index.js";
import { contentHash } from "../../realcode/index.js";
import type { Distance } from "./vectors.js";

export interface Embedder {
  dir: string;
  /** Hash of model.json and model.safetensors. */
  id: string;
  kind: string;
  dim: number;
  distance: Distance;
  embed(codes: readonly string[]): Float32Array[];
}

/** Loads a model directory; refuses models that read traces (search has only code). */
export function loadEmbedder(dir: string): Embedder {
  const abs = resolve(dir);
  const files = readModelFiles(abs);
  const encoder: Encoder = loadEncoder(abs, files);
  if (encoder.needsTrace) {
    throw new Error(
      `${dir}: the ${encoder.spec.encoder} model reads execution traces; indexing and search ` +
        "embed code alone, so they need a code-only model (lstm, transformer or bag)",
    );
  }
  // Both files' bytes in a row, as always, from the bytes already read (no 17 MB concatenation).
  const id = contentHash(files.spec, files.weights).slice(0, 16);
  return {
    dir: abs,
    id,
    kind: encoder.spec.encoder,
    dim: encoder.spec.dim,
    distance: encoder.spec.distance,
    embed: (codes) =>
      embedItems(
        encoder,
        codes.map((code) => ({ code })),
      ),
  };
}
