/** `tracecode worker`: serve a farm's chunks (trace and index) with this machine's sandbox until stopped. */
import type { Command } from "commander";
// The URL alone: `trace` and `index` parse their --redis with `redisOption` without loading
// BullMQ and Redis's client, which are imported when a farm is run.
import { displayRedisUrl, parseRedisUrl, RedisUrlError } from "../farm/url.js";
import { UsageError } from "./errors.js";
import { applySandboxFlags, intOption, processesOption, unsafeOption } from "./options.js";
import { count, term } from "./terminal.js";

export interface WorkerFlags {
  redis: string;
  concurrency: number;
  workers: number;
  lockMs: number;
  unsafeNoIsolation: boolean;
}

/**
 * The parser of `--redis <url>`, shared by worker, trace and index: anything but
 * `redis://HOST:PORT[/DB]` (or `rediss://`) is a usage error (exit 2), an empty value (an unset
 * variable in a script) too, where it would otherwise mean a local run.
 */
export function redisOption(text: string): string {
  try {
    parseRedisUrl(text);
  } catch (e) {
    if (e instanceof RedisUrlError) throw new UsageError(e.message);
    throw e;
  }
  return text;
}

/**
 * `--redis URL` of a worker or a coordinator (`command`, its URL parsed by `redisOption`),
 * checked before anything is announced: a server that does not answer in a few attempts, or
 * refuses the URL's database, is an error naming the URL and the cause (exit 1), not an endless
 * wait or another database. A password the server does not need is a warning.
 */
export async function reachRedis(url: string, command: string): Promise<void> {
  const { checkRedis } = await import("../farm/connect.js");
  const { passwordUnused } = await checkRedis(url);
  if (passwordUnused)
    process.stderr.write(
      term`tracecode ${command}: warning: Redis at ${displayRedisUrl(url)} does not require a password, but the URL carries one: it goes on without\n`,
    );
}

/** What a coordinator says when Ctrl-C stops it: whether its chunks are being run goes first. */
export function farmStoppedMessage(command: string, away: boolean, started: boolean): string {
  if (away)
    return `\ntracecode ${command}: stopped while Redis was away; once it is back, the same command again resumes\n`;
  if (!started)
    return `\ntracecode ${command}: stopped before any worker took a chunk, so nothing ran; the chunks stay queued for \`tracecode worker\`s to come, and the same command again resumes\n`;
  return `\ntracecode ${command}: stopped; the workers go on, and the same command again resumes\n`;
}

/** What a coordinator says when its connection to Redis is lost (`away`) and when it is back. */
export function redisAwayMessage(command: string, redisShown: string, away: boolean): string {
  return away
    ? term`\ntracecode ${command}: lost the connection to Redis at ${redisShown}; waiting for it to come back (a restart with AOF on loses nothing; Ctrl-C and the same command again resume)\n`
    : term`tracecode ${command}: Redis at ${redisShown} is back; going on\n`;
}

export async function runWorker(flags: WorkerFlags): Promise<void> {
  applySandboxFlags(flags);
  await reachRedis(flags.redis, "worker");
  const { startWorker } = await import("../farm/worker.js");
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
      if (chunks % 50 === 0)
        process.stdout.write(`worker: ${count(chunks, "chunk")}, ${count(rows, "row")}\n`);
    },
    onFailure: (e) => process.stderr.write(term`worker: chunk ${e.chunk} failed: ${e.error}\n`),
  });
  // The first Ctrl-C (or SIGTERM) stops: at once when idle, else after the chunks in progress.
  // The handlers go with it, so a second one ends the process the default way.
  const stop = () => {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
    const n = worker.inProgress();
    process.stdout.write(
      n > 0
        ? `worker: stopping after the ${n} chunk${n === 1 ? "" : "s"} in progress (Ctrl-C again to stop now)\n`
        : "worker: stopping\n",
    );
    void worker.close();
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  // Said only once the handlers are in place: a Ctrl-C right after it must find them.
  process.stdout.write(
    term`worker ${worker.name} serving ${worker.queue} on ${displayRedisUrl(flags.redis)} (${flags.concurrency} chunks at a time, ${flags.workers} sandbox processes); Ctrl-C finishes the chunks in progress and stops\n`,
  );
  try {
    await worker.done;
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
  }
  process.stdout.write(`worker: stopped after ${count(chunks, "chunk")}, ${count(rows, "row")}\n`);
  // Stopped: nothing is left to do. When Redis went away, BullMQ still holds a timer for its
  // last blocking read (which the missing server never answers) for up to 6 s; it need not hold
  // the process. The timer is unreferenced: a process that ends by itself ends sooner.
  setTimeout(() => process.exit(), 300).unref();
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
    .requiredOption(
      "--redis <url>",
      "the farm's Redis server (redis://HOST:PORT[/DB])",
      redisOption,
    )
    .option(
      "--concurrency <n>",
      "chunks in progress at once",
      intOption("--concurrency", 1, 256),
      2,
    )
    .option("--workers <n>", "sandbox processes", processesOption("--workers", 1, 64), 2)
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
