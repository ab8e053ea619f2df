/**
 * The child process of a sweep: `node run-worker.js RUN_DIR` trains (or resumes) the run whose
 * config.json is in RUN_DIR, reporting each epoch to the parent over IPC. SIGINT stops it
 * after the current step; the last finished epoch stays in the checkpoint.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { RunConfig } from "./schemas.js";
import { trainRun } from "./train.js";

const dir = process.argv[2];
const controller = new AbortController();
process.on("SIGINT", () => controller.abort());
try {
  const config = RunConfig.parse(JSON.parse(readFileSync(join(dir, "config.json"), "utf8")));
  await trainRun(config, dir, {
    resume: true,
    signal: controller.signal,
    onEpoch: (row) => process.send?.({ epoch: row.epoch }),
  });
  process.exitCode = 0;
} catch (e) {
  process.send?.({ error: (e as Error).message });
  process.exitCode = 1;
}
process.disconnect?.();
