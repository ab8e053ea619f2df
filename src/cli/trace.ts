/** `tracecode trace`: run every row of a functions file in the sandbox and write its traces. */
import { type Command, InvalidArgumentError, Option } from "commander";
import {
  type EquivalenceLevel,
  type FunctionRow,
  formatOf,
  openRowWriter,
  ROW_FORMATS,
  type RowFormat,
  type RowWriter,
  type TraceRow,
  TraceStatus,
} from "../data/index.js";
// Imported when --redis asks for the farm: it loads BullMQ and Redis's client.
import type { FarmProgress } from "../farm/index.js";
import { DEFAULT_RANGE, type IntRange, traceFunctions } from "../python/index.js";
import { readFunctionsFile } from "./input.js";
import {
  applySandboxFlags,
  checkFormatAgrees,
  choiceOption,
  farmOnlyOptions,
  intOption,
  processesOption,
  type SandboxFlags,
  sandboxOptions,
} from "./options.js";
import { checkNotInput, checkOutput } from "./output.js";
import { progressBar } from "./progress.js";
import { count, term } from "./terminal.js";
// Light: the farm's modules are imported by its functions, when --redis asks for the farm.
import { farmStoppedMessage, reachRedis, redisAwayMessage, redisOption } from "./worker.js";

export const ISOLATION = ["row", "group"] as const;

export interface TraceFlags extends SandboxFlags {
  in: string;
  out: string;
  inputs: number;
  range: IntRange;
  seed: number;
  workers: number;
  level: EquivalenceLevel;
  /** Unit of trust: every row alone, or the rows of one group (a function and its variants). */
  isolation: (typeof ISOLATION)[number];
  /** Output format (default: by the extension of --out, `.parquet` or JSONL). */
  format?: RowFormat;
  /** Run on a farm: the Redis URL its workers serve (`tracecode worker`). */
  redis?: string;
  /** Rows per farm chunk (units of trust kept whole; default 64). */
  chunk?: number;
  /** Leave the farm's results in Redis after writing the output. */
  keep?: boolean;
  /** Try the farm's given-up chunks of this run again. */
  retryDead?: boolean;
}

function rangeOption(text: string): IntRange {
  const m = /^\s*(-?\d+)\s*,\s*(-?\d+)\s*$/.exec(text);
  const min = m ? Number(m[1]) : Number.NaN;
  const max = m ? Number(m[2]) : Number.NaN;
  if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || min > max) {
    throw new InvalidArgumentError(
      `--range must be MIN,MAX integers with MIN ≤ MAX, got "${text}"`,
    );
  }
  return { min, max };
}

/** "ok 310, syntax_error 2, …" in the schema's status order, zero counts left out. */
function statusCounts(rows: readonly Pick<TraceRow, "status">[]): string {
  const parts = TraceStatus.options
    .map((s) => [s, rows.filter((r) => r.status === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${s} ${n}`);
  return parts.length > 0 ? parts.join(", ") : "no rows";
}

export async function runTrace(flags: TraceFlags): Promise<void> {
  checkOutput("--out", flags.out, "file");
  checkNotInput("--out", flags.out, [["--in", flags.in]]);
  checkFormatAgrees(flags.out, flags.format);
  applySandboxFlags(flags);
  const { rows, skipped: invalid } = await readFunctionsFile(flags.in, "trace", "--in");
  const t0 = performance.now();
  const unitOf =
    flags.isolation === "group" ? (row: FunctionRow) => `group:${row.group}` : undefined;
  // Opened when the first row is ready, so a run stopped while it waits leaves no file behind.
  let opened: RowWriter | undefined;
  const writer = {
    writeLine: (line: string) => {
      opened ??= openRowWriter(flags.out, "traces", formatOf(flags.out, flags.format));
      opened.writeLine(line);
    },
    abort: () => opened?.abort(),
    close: async () => {
      opened ??= openRowWriter(flags.out, "traces", formatOf(flags.out, flags.format));
      await opened.close();
    },
  };
  const traced: Pick<TraceRow, "status" | "traceClass">[] = [];
  let farm = "";
  try {
    if (flags.redis) {
      // A server that does not answer is an error now, before anything is shown.
      await reachRedis(flags.redis, "trace");
      const bar = progressBar(
        "trace",
        rows.length,
        " | {workers} workers, {active} chunks running, {dead} given up",
      );
      let shown = 0;
      // Ctrl-C leaves the farm working: the chunks stay queued and their results in Redis.
      let redisAway = false;
      let started = false;
      const interrupted = () => {
        bar.stop();
        writer.abort();
        process.stderr.write(farmStoppedMessage("trace", redisAway, started));
        process.exit(130);
      };
      process.once("SIGINT", interrupted);
      try {
        const { traceOnFarm, displayRedisUrl } = await import("../farm/index.js");
        const redisShown = displayRedisUrl(flags.redis);
        const summary = await traceOnFarm(rows, {
          redis: flags.redis,
          settings: {
            inputs: flags.inputs,
            range: flags.range,
            seed: flags.seed,
            maxSteps: flags.maxSteps,
            timeoutMs: flags.timeoutMs,
            level: flags.level,
          },
          unitOf,
          chunkRows: flags.chunk,
          keep: flags.keep,
          retryDead: flags.retryDead,
          write: (line, row) => {
            writer.writeLine(line);
            traced.push({ status: row.status, traceClass: row.traceClass });
          },
          onNoWorkers: (queue) =>
            process.stderr.write(
              term`\ntracecode trace: no worker has served ${queue} on ${redisShown} for 15 s; start one with \`tracecode worker --redis ${redisShown}\` (of this same build: the queue's name carries it). Waiting; Ctrl-C and a rerun resume.\n`,
            ),
          onRedisAway: (away) => {
            redisAway = away;
            process.stderr.write(redisAwayMessage("trace", redisShown, away));
          },
          onProgress: (p: FarmProgress) => {
            started ||= p.started;
            bar.tick(p.done - shown, { workers: p.workers, active: p.active, dead: p.dead });
            shown = p.done;
          },
        });
        farm =
          ` on the farm (${count(summary.chunks, "chunk")}, ${summary.reused} finished before, ` +
          `${summary.dead} given up, ${summary.workers ? `up to ${count(summary.workers, "worker")}` : "no worker needed"}` +
          `${summary.oldQueues ? `; removed ${count(summary.oldQueues, "idle queue")} of older builds` : ""})`;
      } finally {
        process.off("SIGINT", interrupted);
        bar.stop();
      }
    } else {
      const bar = progressBar("trace", rows.length);
      let local: TraceRow[];
      const interrupted = () => {
        bar.stop();
        writer.abort();
        process.stderr.write(
          term`\ntracecode trace: stopped; nothing was written to ${flags.out} (a local run writes it when every row is traced)\n`,
        );
        process.exit(130);
      };
      process.once("SIGINT", interrupted);
      try {
        local = await traceFunctions(rows, {
          inputs: flags.inputs,
          range: flags.range,
          seed: flags.seed,
          maxSteps: flags.maxSteps,
          timeoutMs: flags.timeoutMs,
          unitOf,
          workers: flags.workers,
          level: flags.level,
          onProgress: () => bar.tick(),
        });
      } finally {
        process.off("SIGINT", interrupted);
        bar.stop();
      }
      for (const row of local) {
        writer.writeLine(JSON.stringify(row));
        traced.push({ status: row.status, traceClass: row.traceClass });
      }
    }
  } catch (e) {
    writer.abort();
    throw e;
  }
  await writer.close();
  const seconds = ((performance.now() - t0) / 1000).toFixed(1);
  const classes = new Set(traced.filter((r) => r.traceClass).map((r) => r.traceClass)).size;
  const skipped = invalid > 0 ? `, ${count(invalid, "invalid row")} skipped` : "";
  process.stdout.write(
    `traced ${count(traced.length, "snippet")} in ${seconds} s${farm}: ${statusCounts(traced)}; ` +
      term`${count(classes, `${flags.level} class`, `${flags.level} classes`)}${skipped} → ${flags.out}\n`,
  );
}

export function registerTrace(program: Command): void {
  const command = program
    .command("trace")
    .description(
      "run every row of a functions file in sandboxed CPython (Pyodide) on seeded inputs and " +
        "write its execution traces and behaviour classes (traces.jsonl)",
    )
    .requiredOption(
      "--in <file>",
      "functions file, JSONL or .parquet (id, code; optional entry, args)",
    )
    .requiredOption("--out <file>", "traces file to write (atomically): JSONL, or .parquet")
    .option("--inputs <n>", "inputs per snippet", intOption("--inputs", 1, 100_000), 100)
    .addOption(
      new Option("--range <min,max>", "range of int arguments")
        .argParser(rangeOption)
        .default(DEFAULT_RANGE, `${DEFAULT_RANGE.min},${DEFAULT_RANGE.max}`),
    )
    .option("--seed <n>", "input seed", intOption("--seed", 0, 2 ** 32 - 1), 0)
    .option("--workers <n>", "sandbox processes", processesOption("--workers", 1, 64), 2)
    .option(
      "--isolation <unit>",
      "unit of trust, run on a pristine interpreter: row (each row alone) or group (the rows " +
        "of one group together, in file order)",
      choiceOption("--isolation", ISOLATION),
      "row",
    )
    .option(
      "--level <level>",
      "equivalence level of traceClass: trace or io",
      choiceOption("--level", ["trace", "io"] as const),
      "trace",
    )
    .option(
      "--format <format>",
      "output format: jsonl or parquet (default: parquet for a .parquet --out, else jsonl)",
      choiceOption("--format", ROW_FORMATS),
    )
    .option(
      "--redis <url>",
      "run on a farm: enqueue the work in chunks on this Redis (redis://HOST:PORT), served by " +
        "`tracecode worker`s, and gather the results; a rerun resumes",
      redisOption,
    )
    .option(
      "--chunk <n>",
      "rows per farm chunk (units of trust are kept whole)",
      intOption("--chunk", 1, 100_000),
      64,
    )
    .option("--keep", "leave the farm's results in Redis after writing the output", false)
    .option(
      "--retry-dead",
      "try again the chunks of this run that the farm gave up on (dead letters)",
      false,
    );
  sandboxOptions(farmOnlyOptions(command)).action(async (flags: TraceFlags) => {
    await runTrace(flags);
  });
}
