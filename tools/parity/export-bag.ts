/**
 * Writes a bag-of-features encoder saved by our TypeScript code (`saveEncoder`), plus each
 * snippet's bag (rows and weights, as tokenizer.json's bag_features describes) and the
 * embeddings we compute, so tools/parity/parts/embedding_bag.py can check that PyTorch's
 * nn.EmbeddingBag + nn.Linear load it with strict=True and agree:
 *
 *   npx tsx tools/parity/export-bag.ts DIR
 *   /usr/bin/python3 tools/parity/parts/embedding_bag.py --check-export DIR
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import {
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
const encoder = new Encoder({
  encoder: "bag",
  dim: 24,
  pooling: "mean",
  maxLength: 0,
  vocab: [],
  traceEncoding: { runs: 8, blocks: 30, buckets: 1024, maxEvents: 256 },
  distance: "cosine",
  seed: 5,
  bag: { buckets, width: 24, groupWeights, idf },
});
// proj starts as the identity; perturb it so the check covers the head as a trained one is.
for (let i = 0; i < encoder.proj.weight.size; i++) encoder.proj.weight.data[i] += 0.01 * (i % 7);
saveEncoder(dir, encoder);
writeFileSync(
  join(dir, "bags.json"),
  JSON.stringify({
    bags: codes.map((c) => bagOf(rawFeatures(c, buckets), idf, groupWeights)),
    embeddings: embedItems(
      encoder,
      codes.map((code) => ({ code })),
      64,
      { raw: true },
    ).map((e) => Array.from(e)),
  }),
);
process.stdout.write(`wrote ${dir}/model.safetensors, model.json, architecture.json, bags.json\n`);
