/**
 * An untrained model directory (seeded random weights), for tests that need embeddings but not
 * good ones: written in milliseconds, no training run.
 */
import {
  DEFAULT_TRACE_ENCODING,
  Encoder,
  type EncoderKind,
  type ModelSpec,
  saveEncoder,
} from "../../src/models/index.js";

/** Printable ASCII and newline: every character of ordinary Python source. */
const CHARS = [..."\n", ...Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i))];

export function writeTinyModel(
  dir: string,
  encoder: EncoderKind = "lstm",
  distance: ModelSpec["distance"] = "cosine",
): string {
  const model = new Encoder({
    encoder,
    dim: 16,
    pooling: "mean",
    maxLength: 200,
    vocab: encoder === "lstm" ? CHARS : ["def", "return", "(", ")", ":", "+", "*", "<num>"],
    traceEncoding: DEFAULT_TRACE_ENCODING,
    distance,
    seed: 7,
  });
  saveEncoder(dir, model);
  return dir;
}
