/** `tracecode index`: Python files and folders → an index directory for `tracecode search`. */
import { relative } from "node:path";
import type { Command } from "commander";
// The farm's constants alone: its public face loads BullMQ and Redis's client (≈ 0.3 s of every
// index and search command), so it is imported only when --redis asks for the farm.
import { DEFAULT_INDEX_CHUNK } from "../farm/chunks.js";
import type { FarmSummary } from "../farm/index.js";
import { ConfigError, MAX_INPUTS, readTypesConfig, type TypesConfig } from "../realcode/index.js";
import { exportIndex, type IndexSummary, indexPaths, type OutcomeCounts } from "../search/index.js";
import { UsageError } from "./errors.js";
import {
  applySandboxFlags,
  choiceOption,
  farmOnlyOptions,
  intOption,
  oneOfNegated,
  processesOption,
  type SandboxFlags,
  sandboxOptions,
} from "./options.js";
import { checkNotInput, checkOutput } from "./output.js";
import { type Progress, progressBar } from "./progress.js";
import { count, term } from "./terminal.js";
import { farmStoppedMessage, reachRedis, redisAwayMessage, redisOption } from "./worker.js";

interface IndexFlags extends SandboxFlags {
  out: string;
  /** A directory, or false for --no-model. */
  model?: string | false;
  inputs?: number;
  seed?: number;
  workers: number;
  isolation: "file" | "row";
  verbose: boolean;
  types?: string;
  json: boolean;
  /** Run the functions on a farm: the Redis URL its workers serve (`tracecode worker`). */
  redis?: string;
  /** Functions per farm chunk (files kept whole). */
  chunk?: number;
  keep: boolean;
  retryDead: boolean;
  /** Write the index's functions to this file after indexing (Parquet or JSONL by extension). */
  export?: string;
}

/** Problems listed before the summary unless --verbose asks for all of them. */
const SHOWN_PROBLEMS = 20;

export const displayPath = (p: string) => {
  const r = relative(process.cwd(), p);
  return r === "" || r.startsWith("..") ? p : r;
};

function summaryLine(s: IndexSummary): string {
  const failed = Object.entries(s.failed)
    .map(([status, n]) => `${status} ${n}`)
    .join(", ");
  const parts = [
    `indexed ${s.indexed} of ${count(s.files, "file")} (${s.unchanged} unchanged, skipped${s.unreadable ? `; ${s.unreadable} unreadable` : ""}${s.removed ? `; ${s.removed} removed` : ""})`,
    `${count(s.functions, "function")}: ${s.executed} run, ${s.noInputs} without inputs, ${
      failed
        ? `${Object.values(s.failed).reduce((a, n) => a + n, 0)} failed (${failed})`
        : "0 failed"
    }`,
    `index holds ${count(s.totalFunctions, "function")} in ${count(s.behaviours, "behaviour class", "behaviour classes")}`,
    s.model
      ? term`embeddings: ${s.model.kind} model ${displayPath(s.model.dir)}` +
        (s.reembedded ? ` (${s.reembedded} re-embedded)` : "")
      : "no model: no embeddings, search ranks lexically",
    term`${s.seconds.toFixed(1)} s → ${s.dir}`,
  ];
  return parts.join("; ");
}

/** Reasons of one outcome, most frequent first: `raises TypeError 12, signature mismatch 3`. */
function reasonsText(r: Record<string, number>, max = 6): string {
  const sorted = Object.entries(r).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const shown = sorted.slice(0, max).map(([k, n]) => term`${k} ${n}`);
  if (sorted.length > max) shown.push(`${sorted.length - max} other reasons`);
  return shown.join("; ");
}

function outcomeLines(what: string, c: OutcomeCounts): string[] {
  if (c.total === 0) return [];
  const pct = (n: number) => `${((100 * n) / c.total).toFixed(1)} %`;
  const lines = [
    `${what}: ${c.total}: behaviour class ${c.behaviour} (${pct(c.behaviour)}), always raises ${c.always_raises}, not run ${c.not_run}`,
  ];
  if (c.always_raises > 0) lines.push(`  always raises: ${reasonsText(c.reasons.always_raises)}`);
  if (c.not_run > 0) lines.push(`  not run: ${reasonsText(c.reasons.not_run)}`);
  return lines;
}

/** The summary as `--json` prints it. */
export function summaryJson(s: IndexSummary) {
  return {
    dir: s.dir,
    files: {
      found: s.files,
      indexed: s.indexed,
      unchanged: s.unchanged,
      unreadable: s.unreadable,
      removed: s.removed,
    },
    functions: s.report.functions,
    methods: s.report.methods,
    signatures: s.report.signatures,
    probed: s.report.probed,
    doctests: s.report.doctests,
    index: { functions: s.totalFunctions, behaviours: s.behaviours },
    model: s.model,
    reembedded: s.reembedded,
    problems: s.problems,
    errors: s.errors,
    warnings: s.warnings,
    seconds: s.seconds,
  };
}

function loadTypes(path: string | undefined): TypesConfig | undefined {
  if (path === undefined) return undefined;
  try {
    return readTypesConfig(path);
  } catch (e) {
    // The file's content is input: unreadable or invalid input is a failure (1), not usage (2).
    if (e instanceof ConfigError) throw new Error(`--types: ${e.message}`);
    throw e;
  }
}

/** `--export` alone: the index as it is, written to the file; nothing runs. */
async function exportOnly(flags: IndexFlags & { export: string }): Promise<void> {
  const { rows } = await exportIndex(flags.out, flags.export);
  if (flags.json)
    process.stdout.write(`${JSON.stringify({ export: { path: flags.export, rows } }, null, 2)}\n`);
  else process.stdout.write(term`exported ${count(rows, "function")} → ${flags.export}\n`);
}

export async function runIndex(paths: string[], flags: IndexFlags): Promise<void> {
  checkOutput("--out", flags.out, "dir");
  if (flags.export !== undefined) {
    if (!/\.(parquet|jsonl)$/i.test(flags.export))
      throw new UsageError(`--export ${flags.export}: name a .parquet or .jsonl file`);
    checkOutput("--export", flags.export, "file");
    checkNotInput(
      "--export",
      flags.export,
      paths.map((p) => ["", p] as const),
    );
    if (paths.length === 0) return exportOnly({ ...flags, export: flags.export });
  } else if (paths.length === 0)
    throw new UsageError("name the .py files, folders or functions files to index");
  applySandboxFlags(flags);
  const types = loadTypes(flags.types);
  let bar: Progress | undefined;
  let summary: IndexSummary;
  let farm: FarmSummary | undefined;
  let farmDone = 0;
  const redis = flags.redis;
  // A server that does not answer is an error now, before any work.
  if (redis) await reachRedis(redis, "index");
  const farmLib = redis ? await import("../farm/index.js") : undefined;
  const redisShown = redis ? farmLib!.displayRedisUrl(redis) : "";
  // Ctrl-C keeps what is written: the index holds whole files only (one transaction per batch),
  // and on the farm the chunks stay queued and their results in Redis.
  let redisAway = false;
  let started = false;
  const interrupted = () => {
    bar?.stop();
    process.stderr.write(
      redis
        ? farmStoppedMessage("index", redisAway, started)
        : "\ntracecode index: stopped; the files of every finished batch stay indexed, and the same command again indexes the rest\n",
    );
    process.exit(130);
  };
  process.once("SIGINT", interrupted);
  try {
    summary = await indexPaths(paths, flags.out, {
      model: flags.model === false ? null : flags.model,
      inputs: flags.inputs,
      seed: flags.seed,
      maxSteps: flags.maxSteps,
      timeoutMs: flags.timeoutMs,
      isolation: flags.isolation,
      workers: flags.workers,
      types,
      ...(redis
        ? {
            execute: farmLib!.farmExecutor({
              redis,
              chunkRows: flags.chunk,
              keep: flags.keep,
              retryDead: flags.retryDead,
              onProgress: (p) => {
                started ||= p.started;
                bar?.tick(p.done - farmDone, {
                  workers: p.workers,
                  active: p.active,
                  dead: p.dead,
                });
                farmDone = p.done;
              },
              onRedisAway: (away) => {
                redisAway = away;
                process.stderr.write(redisAwayMessage("index", redisShown, away));
              },
              onNoWorkers: (queue) =>
                process.stderr.write(
                  term`\ntracecode index: no worker has served ${queue} on ${redisShown} for 15 s; start one with \`tracecode worker --redis ${redisShown}\` (of this same build: the queue's name carries it). Waiting; Ctrl-C and a rerun resume.\n`,
                ),
              onFarmDone: (s) => {
                farm = s;
              },
            }),
          }
        : {}),
      onStart: (total) => {
        if (total > 0 && !flags.json)
          bar = progressBar(
            "index",
            total,
            redis ? " | {workers} workers, {active} chunks running, {dead} given up" : "",
          );
      },
      // On the farm the bar follows the workers; the index's own ticks come at the end.
      onProgress: () => {
        if (!redis) bar?.tick();
      },
    });
  } catch (e) {
    if (e instanceof ConfigError) throw new Error(e.message);
    throw e;
  } finally {
    process.off("SIGINT", interrupted);
    bar?.stop();
  }
  const farmLine = farm
    ? `on the farm: ${count(farm.chunks, "chunk")} of ${count(farm.rows, "function")}, ${farm.reused} finished before, ${farm.split} narrowed, ${farm.dead} given up, ${farm.workers ? `up to ${count(farm.workers, "worker")}` : "no worker needed"}${farm.oldQueues ? `; removed ${count(farm.oldQueues, "idle queue")} of older builds` : ""}`
    : undefined;
  const exported = flags.export
    ? { path: flags.export, rows: (await exportIndex(summary.dir, flags.export)).rows }
    : undefined;
  if (flags.json) {
    process.stdout.write(
      `${JSON.stringify({ ...summaryJson(summary), ...(farm ? { farm } : {}), ...(exported ? { export: exported } : {}) }, null, 2)}\n`,
    );
    failIfUnreadable(summary);
    return;
  }
  for (const e of summary.errors) process.stderr.write(term`tracecode index: skipped: ${e}\n`);
  for (const w of summary.warnings) process.stderr.write(term`tracecode index: warning: ${w}\n`);
  const shown = flags.verbose ? summary.problems : summary.problems.slice(0, SHOWN_PROBLEMS);
  const lines = shown.map(
    (p) => term`  ${displayPath(p.file)}:${p.line} ${p.name}: ${p.status}: ${p.reason}`,
  );
  if (shown.length < summary.problems.length)
    lines.push(`  … and ${summary.problems.length - shown.length} more (--verbose lists all)`);
  if (lines.length > 0) lines.unshift("indexed without a behaviour:");
  lines.push(...outcomeLines("functions", summary.report.functions));
  lines.push(...outcomeLines("methods", summary.report.methods));
  const sig = Object.entries(summary.report.signatures)
    .map(([k, n]) => `${k} ${n}`)
    .join(", ");
  if (sig)
    lines.push(
      `signatures of those with a behaviour: ${sig}${summary.report.probed ? ` (${summary.report.probed} chosen by probing)` : ""}`,
    );
  const d = summary.report.doctests;
  if (d.examples > 0)
    lines.push(
      `doctests: ${d.agree} of ${count(d.examples, "example")} in ${count(d.functions, "function")} agree`,
    );
  if (farmLine) lines.push(farmLine);
  lines.push(summaryLine(summary));
  if (exported) lines.push(term`exported ${count(exported.rows, "function")} → ${exported.path}`);
  process.stdout.write(`${lines.join("\n")}\n`);
  failIfUnreadable(summary);
}

/** Exit 1 once all else is done and kept: some input could not be indexed at all. */
function failIfUnreadable(s: IndexSummary): void {
  if (s.unreadable > 0)
    throw new Error(
      `${count(s.unreadable, "file")} could not be indexed (above: unreadable, or no valid row); everything else is`,
    );
}

export function registerIndex(program: Command): void {
  const command = program
    .command("index")
    .description(
      "index Python functions for `tracecode search`: run each in the sandbox on seeded inputs, " +
        "group them by behaviour, embed them with a code-only model, store them in INDEX_DIR",
    )
    .argument(
      "[paths...]",
      ".py files, folders (their .py files) and functions .jsonl or .parquet files " +
        "(none with --export: export the index as it is)",
    )
    .requiredOption("--out <dir>", "index directory (created, or updated in place)")
    .option(
      "--model <dir>",
      "code-only model directory (default: the index's, else models/default)",
    )
    .option("--no-model", "index without embeddings (search then ranks lexically)")
    .option(
      "--inputs <n>",
      "inputs per function, fixed at creation (default 200)",
      intOption("--inputs", 1, MAX_INPUTS),
    )
    .option("--seed <n>", "input seed, fixed at creation (default 0)", intOption("--seed", 0))
    .option("--workers <n>", "sandbox processes", processesOption("--workers", 1, 64), 2)
    .option(
      "--isolation <unit>",
      "unit of trust, run on a pristine interpreter: file (the functions of one file together) " +
        "or row (each function alone)",
      choiceOption("--isolation", ["file", "row"] as const),
      "file",
    )
    .option(
      "--types <file>",
      "argument types, input count, int range and step budget per function or for all " +
        "(TOML or JSON; see README). A tracecode.toml beside the code is read too",
    )
    .option(
      "--export <file>",
      "then write one row per indexed function to FILE.parquet or FILE.jsonl (file, line, " +
        "name, status, reasons, signature, behaviour class, outputs, embedding)",
    )
    .option("--json", "print the summary as JSON (counts per status and reason)", false)
    .option("--verbose", "list every function indexed without a behaviour", false)
    .option(
      "--redis <url>",
      "run the functions on a farm: enqueue them in chunks on this Redis (redis://HOST:PORT), " +
        "served by `tracecode worker`s; the index is the one a local run writes",
      redisOption,
    )
    .option(
      "--chunk <n>",
      `functions per farm chunk, files kept whole (default ${DEFAULT_INDEX_CHUNK})`,
      intOption("--chunk", 1, 100_000),
    )
    .option("--keep", "leave the farm's results in Redis after writing the index", false)
    .option(
      "--retry-dead",
      "try again the chunks of this run that the farm gave up on (dead letters)",
      false,
    );
  oneOfNegated(command, "model");
  sandboxOptions(farmOnlyOptions(command)).action(runIndex);
}
