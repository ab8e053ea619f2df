/**
 * The child process of a sweep: `node run-worker.js RUN_DIR` trains (or resumes) the run whose
 * config.json is in RUN_DIR and reports each epoch to the parent over IPC (WorkerMessage).
 * SIGINT stops it after the current step and it exits with INTERRUPTED_EXIT; the last finished
 * epoch stays in the checkpoint, so a rerun resumes there.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { RunConfig } from "./schemas.js";
import { INTERRUPTED_EXIT, type WorkerMessage } from "./sweep.js";
import { trainRun } from "./train.js";

/** Messages in flight; the channel is closed only once they are all out. */
const sent: Promise<void>[] = [];
const send = (m: WorkerMessage) =>
  sent.push(
    new Promise((resolve) => (process.send ? process.send(m, () => resolve()) : resolve())),
  );

function readConfig(dir: string): RunConfig {
  const path = join(dir, "config.json");
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message}`);
  }
  const parsed = RunConfig.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new Error(`${path} is not a valid run config: ${issues.join("; ")}`);
  }
  return parsed.data;
}

const dir = process.argv[2];
const controller = new AbortController();
process.on("SIGINT", () => controller.abort());
// A parent that died leaves no one to report to: stop rather than train on as an orphan.
process.on("disconnect", () => controller.abort());
try {
  if (!dir) throw new Error("usage: run-worker.js RUN_DIR");
  await trainRun(readConfig(dir), dir, {
    resume: true,
    signal: controller.signal,
    onEpoch: (row) => send({ epoch: row.epoch }),
  });
  process.exitCode = 0;
} catch (e) {
  if (controller.signal.aborted) {
    process.exitCode = INTERRUPTED_EXIT;
  } else {
    const error = e instanceof Error ? e : new Error(String(e));
    send({ error: error.message, detail: error.stack ?? error.message });
    process.exitCode = 1;
  }
}
await Promise.all(sent);
process.disconnect?.();
