/**
 * The tiny models of the PyTorch-loader parity fixture (test/fixtures/loader/), one per encoder
 * kind and pooling, with weights set by a formula rather than drawn, so they do not change
 * when an initialiser does. tools/parity/parts/loader.py writes them with
 *
 *   npx tsx tools/parity/loader-models.ts DIR     # DIR/<name>/ for every model below
 *
 * embeds the fixture's inputs with the Python loader, and test/torch-loader.test.ts rebuilds
 * them to compare our embeddings.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Encoder, type ModelSpec, saveEncoder } from "../../src/models/index.js";
import { hashString } from "../../src/random/index.js";

const PRINTABLE = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i));
const CHARS = ["\n", "\t", ...PRINTABLE, "é", "😀"];
const TOKENS = [
  ..."def return if else for in range while f g x y s n".split(" "),
  ..."( ) : + - * = , . == <num> <str> <nl> <indent>".split(" "),
  ..."0123456789",
];
const SMALL_TRACES = { runs: 3, blocks: 6, buckets: 16, maxEvents: 40 };

const base = { dim: 16, distance: "cosine" as const, seed: 0, traceEncoding: SMALL_TRACES };

/** A bag's table: few rows, so the fixture's snippets collide in them as real ones do. */
const BAG_BUCKETS = 61;
const BAG_IDF = Array.from({ length: BAG_BUCKETS }, (_, i) => 1 + (i % 7) / 3);

/** A tiny bag over BAG_BUCKETS rows. */
function bagModel(
  width: number,
  groupWeights: NonNullable<ModelSpec["bag"]>["groupWeights"],
  anchor?: NonNullable<ModelSpec["bag"]>["anchor"],
): ModelSpec {
  const bag = { buckets: BAG_BUCKETS, width, groupWeights, idf: BAG_IDF, anchor };
  return { ...base, encoder: "bag", pooling: "mean", maxLength: 0, vocab: [], bag };
}

/** Name → spec of every tiny model. */
export const LOADER_MODELS: Record<string, ModelSpec> = {
  "lstm-last": { ...base, encoder: "lstm", pooling: "last", maxLength: 50, vocab: CHARS },
  "lstm-mean": { ...base, encoder: "lstm", pooling: "mean", maxLength: 0, vocab: CHARS },
  "transformer-last": {
    ...base,
    encoder: "transformer",
    pooling: "last",
    maxLength: 24,
    vocab: TOKENS,
  },
  "trace-mean": { ...base, encoder: "trace", pooling: "mean", maxLength: 0, vocab: [] },
  // The tree group is 0: the loader cannot compute tree-sitter node types (test/torch-loader).
  "bag-anchor": bagModel(10, { chars: 1, tokens: 2, tree: 0 }, { width: 6, weight: 0.3 }),
  "bag-euclidean": {
    ...bagModel(16, { chars: 0, tokens: 1, tree: 0 }),
    distance: "euclidean",
  },
  "joint-last-valid": {
    ...base,
    encoder: "joint",
    pooling: "last-valid",
    maxLength: 24,
    vocab: TOKENS,
  },
};

/**
 * The encoder with every weight w[j] = a·sin(0.7·(j + 1) + offset(name)): a = 1/√(last dim)
 * for matrices, 0.2 for vectors (around 1 for LayerNorm weights); padding rows stay zero.
 */
export function loaderModel(spec: ModelSpec): Encoder {
  const encoder = new Encoder(spec);
  for (const [name, p] of encoder.namedParameters()) {
    const offset = (hashString(name) % 1000) / 100;
    const amp = p.shape.length >= 2 ? 1 / Math.sqrt(p.shape[p.shape.length - 1]) : 0.2;
    const centre = /norm\d?\.weight$/.test(name) ? 1 : 0;
    for (let j = 0; j < p.size; j++) p.data[j] = centre + amp * Math.sin(0.7 * (j + 1) + offset);
    if (/embedding\.weight$/.test(name)) p.data.fill(0, 0, p.shape[1]);
  }
  return encoder.eval();
}

/** Saves every tiny model to dir/<name>/; returns name → directory. */
export function writeLoaderModels(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, spec] of Object.entries(LOADER_MODELS)) {
    out[name] = join(dir, name);
    mkdirSync(out[name], { recursive: true });
    saveEncoder(out[name], loaderModel(spec));
  }
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const dir = process.argv[2];
  if (!dir) {
    process.stderr.write("usage: npx tsx tools/parity/loader-models.ts DIR\n");
    process.exit(1);
  }
  const written = writeLoaderModels(dir);
  process.stdout.write(`wrote ${Object.keys(written).join(", ")} to ${dir}\n`);
}
