/**
 * Writes a char-LSTM encoder saved by our TypeScript code, plus the embeddings we compute for
 * fixed inputs, so tools/parity/parts/lstm.py can check that PyTorch loads it and agrees:
 *
 *   npx tsx tools/parity/export-model.ts DIR
 *   /usr/bin/python3 tools/parity/parts/lstm.py --check-export DIR
 *
 * DIR receives model.safetensors, config.json and embeddings.json.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { CharLstmEncoder } from "../../src/models/index.js";
import { noGrad, saveModel } from "../../src/nn/index.js";
import { Random } from "../../src/random/index.js";

const dir = process.argv[2];
if (!dir) {
  process.stderr.write("usage: npx tsx tools/parity/export-model.ts DIR\n");
  process.exit(1);
}
const config = { vocab: 100, embeddingDim: 32, hiddenSize: 64, outputDim: 64 };
const rng = new Random(2024);
const model = new CharLstmEncoder(
  { ...config, vocabSize: config.vocab, dropout: 0 },
  rng.fork("model"),
).eval();
const lengths = [16, 9, 3, 1, 12];
const steps = 16;
const ids = new Int32Array(lengths.length * steps);
lengths.forEach((n, b) => {
  for (let t = 0; t < n; t++) ids[b * steps + t] = rng.int(1, config.vocab - 1);
});
const embeddings = noGrad(() => model.forward(ids, [lengths.length, steps], lengths));
saveModel(dir, model, config);
writeFileSync(
  join(dir, "embeddings.json"),
  JSON.stringify({
    ids: Array.from(ids),
    shape: [lengths.length, steps],
    lengths,
    embeddings: Array.from(embeddings.data),
  }),
);
process.stdout.write(`wrote ${dir}/model.safetensors, config.json, embeddings.json\n`);
