/** Saving and loading a model directory: `model.safetensors` + `model.json` (its ModelSpec). */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../data/index.js";
import { loadStateDict, noGrad, saveSafetensors } from "../nn/index.js";
import { Encoder, type EncoderItem } from "./encoders.js";
import { ModelSpec } from "./spec.js";

export function saveEncoder(dir: string, encoder: Encoder): void {
  saveSafetensors(join(dir, "model.safetensors"), encoder.namedParameters(), { format: "pt" });
  writeFileAtomic(join(dir, "model.json"), `${JSON.stringify(encoder.spec, null, 2)}\n`);
}

/** Rebuilds the encoder saved in `dir` (a run directory or a model directory), in eval mode. */
export function loadEncoder(dir: string): Encoder {
  const specPath = join(dir, "model.json");
  const weights = join(dir, "model.safetensors");
  for (const p of [specPath, weights]) {
    if (!existsSync(p)) throw new Error(`${dir} is not a model directory: ${p} is missing`);
  }
  const parsed = ModelSpec.safeParse(JSON.parse(readFileSync(specPath, "utf8")));
  if (!parsed.success) throw new Error(`${specPath}: invalid model spec: ${parsed.error.message}`);
  const encoder = new Encoder(parsed.data);
  encoder.loadStateDict(loadStateDict(weights));
  encoder.eval();
  return encoder;
}

/** Embeddings of many items, in batches, without gradients; one Float32Array per item. */
export function embedItems(
  encoder: Encoder,
  items: readonly EncoderItem[],
  batchSize = 64,
): Float32Array[] {
  const out: Float32Array[] = [];
  const wasTraining = encoder.training;
  encoder.eval();
  try {
    noGrad(() => {
      for (let i = 0; i < items.length; i += batchSize) {
        const e = encoder.forward(items.slice(i, i + batchSize));
        const dim = e.shape[1];
        for (let r = 0; r < e.shape[0]; r++) out.push(e.data.slice(r * dim, (r + 1) * dim));
      }
    });
  } finally {
    if (wasTraining) encoder.train();
  }
  return out;
}
