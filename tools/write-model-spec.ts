/**
 * Writes tokenizer.json and architecture.json into model directories saved before those files
 * existed, from their model.json (the weights are only read, to check that they load):
 *
 *   npx tsx tools/write-model-spec.ts MODEL_DIR...
 *
 * The shipped models/default got its files this way. New models get them from saveEncoder.
 */
import { loadEncoder, writeSpecFiles } from "../src/models/index.js";

const dirs = process.argv.slice(2);
if (dirs.length === 0) {
  process.stderr.write("usage: npx tsx tools/write-model-spec.ts MODEL_DIR...\n");
  process.exit(1);
}
for (const dir of dirs) {
  writeSpecFiles(dir, loadEncoder(dir));
  process.stdout.write(`wrote ${dir}/tokenizer.json and ${dir}/architecture.json\n`);
}
