/** `tracecode worker`: serve a farm's chunks (trace and index) with this machine's sandbox until stopped. */
import type { Command } from "commander";
import { startWorker } from "../farm/index.js";
import { applySandboxFlags, intOption, unsafeOption } from "./options.js";
import { term } from "./terminal.js";

export interface WorkerFlags {
  redis: string;
  concurrency: number;
  workers: number;
  lockMs: number;
  unsafeNoIsolation: boolean;
}

export async function runWorker(flags: WorkerFlags): Promise<void> {
  applySandboxFlags(flags);
  let chunks = 0;
  let rows = 0;
  const worker = startWorker({
    redis: flags.redis,
    concurrency: flags.concurrency,
    workers: flags.workers,
    lockMs: flags.lockMs,
    onChunk: (e) => {
      chunks++;
      rows += e.rows;
      if (chunks % 50 === 0) process.stdout.write(`worker: ${chunks} chunks, ${rows} rows\n`);
    },
    onFailure: (e) => process.stderr.write(term`worker: chunk ${e.chunk} failed: ${e.error}\n`),
  });
  process.stdout.write(
    term`worker ${worker.name} serving ${worker.queue} on ${flags.redis} (${flags.concurrency} chunks at a time, ${flags.workers} sandbox processes); Ctrl-C finishes the chunks in progress and stops\n`,
  );
  const stop = () => {
    process.stdout.write("worker: stopping after the chunks in progress\n");
    void worker.close();
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  try {
    await worker.done;
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
  }
  process.stdout.write(`worker: stopped after ${chunks} chunks, ${rows} rows\n`);
}

export function registerWorker(program: Command): void {
  const command = program
    .command("worker")
    .description(
      "serve a farm: take chunks from the Redis queue that `tracecode trace --redis` and " +
        "`tracecode index --redis` fill and run them in this machine's sandbox, until stopped " +
        "(Ctrl-C finishes the chunks in progress). Start any number, on any machines that reach " +
        "the Redis server.",
    )
    .requiredOption("--redis <url>", "the farm's Redis server (redis://HOST:PORT)")
    .option(
      "--concurrency <n>",
      "chunks in progress at once",
      intOption("--concurrency", 1, 256),
      2,
    )
    .option("--workers <n>", "sandbox processes", intOption("--workers", 1, 64), 2)
    .option(
      "--lock-ms <ms>",
      "a chunk whose worker stops renewing its lock (killed, cut off) goes back to the queue " +
        "after this long",
      intOption("--lock-ms", 1000, 3_600_000),
      30_000,
    );
  unsafeOption(command).action(async (flags: WorkerFlags) => {
    await runWorker(flags);
  });
}
