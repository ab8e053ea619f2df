/**
 * Writes a bag-of-features encoder saved by our TypeScript code (`saveEncoder`), plus each
 * snippet's bag (rows and weights, as tokenizer.json's bag_features describes) and the
 * embeddings we compute, so tools/parity/parts/embedding_bag.py can check that PyTorch's
 * nn.EmbeddingBag + nn.Linear load it with strict=True and agree; and the same for an encoder with
 * a frozen lexical anchor (`--bag-anchor`) in DIR/anchored, with each snippet's anchor bag:
 *
 *   npx tsx tools/parity/export-bag.ts DIR
 *   /usr/bin/python3 tools/parity/parts/embedding_bag.py --check-export DIR
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  anchorBagOf,
  bagOf,
  Encoder,
  embedItems,
  fitIdf,
  rawFeatures,
  saveEncoder,
} from "../../src/models/index.js";
import { initPython } from "../../src/synth/index.js";

const dir = process.argv[2];
if (!dir) {
  process.stderr.write("usage: npx tsx tools/parity/export-bag.ts DIR\n");
  process.exit(1);
}
await initPython();
const codes = [
  "def f(a):\n    return a + 1\n",
  "def total(xs):\n    s = 0\n    for x in xs:\n        s += x\n    return s\n",
  "def maxSum(values):\n    return max(values)\n",
];
const buckets = 1024;
const groupWeights = { chars: 1, tokens: 1, tree: 2 };
const idf = fitIdf(
  codes.map((c) => rawFeatures(c, buckets)),
  buckets,
);
/** Saves a bag encoder (perturbed head) with its snippets' bags and our embeddings in `out`. */
function write(out: string, anchor?: { width: number; weight: number }) {
  const width = 24 - (anchor?.width ?? 0);
  const encoder = new Encoder({
    encoder: "bag",
    dim: 24,
    pooling: "mean",
    maxLength: 0,
    vocab: [],
    traceEncoding: { runs: 8, blocks: 30, buckets: 1024, maxEvents: 256 },
    distance: "cosine",
    seed: 5,
    bag: { buckets, width, groupWeights, idf, ...(anchor ? { anchor } : {}) },
  });
  // proj starts as the identity; perturb it so the check covers the head as a trained one is.
  for (let i = 0; i < encoder.proj.weight.size; i++) encoder.proj.weight.data[i] += 0.01 * (i % 7);
  saveEncoder(out, encoder);
  writeFileSync(
    join(out, "bags.json"),
    JSON.stringify({
      bags: codes.map((c) => bagOf(rawFeatures(c, buckets), idf, groupWeights)),
      ...(anchor
        ? { anchor_bags: codes.map((c) => anchorBagOf(rawFeatures(c, buckets), idf)) }
        : {}),
      embeddings: embedItems(
        encoder,
        codes.map((code) => ({ code })),
        64,
        { raw: true },
      ).map((e) => Array.from(e)),
    }),
  );
}

write(dir);
mkdirSync(join(dir, "anchored"), { recursive: true });
write(join(dir, "anchored"), { width: 8, weight: 0.3 });
process.stdout.write(
  `wrote ${dir}/model.safetensors, model.json, architecture.json, bags.json, and the same in ${dir}/anchored\n`,
);
