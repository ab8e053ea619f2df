/** `tracecode index`: Python files and folders → an index directory for `tracecode search`. */
import { relative } from "node:path";
import type { Command } from "commander";
import { type IndexSummary, indexPaths } from "../search/index.js";
import {
  applySandboxFlags,
  choiceOption,
  intOption,
  type SandboxFlags,
  sandboxOptions,
} from "./options.js";
import { checkOutput } from "./output.js";
import { type Progress, progressBar } from "./progress.js";
import { term } from "./terminal.js";

interface IndexFlags extends SandboxFlags {
  out: string;
  /** A directory, or false for --no-model. */
  model?: string | false;
  inputs?: number;
  seed?: number;
  workers: number;
  isolation: "file" | "row";
  verbose: boolean;
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
    `indexed ${s.indexed} of ${s.files} files (${s.unchanged} unchanged, skipped${s.removed ? `; ${s.removed} removed` : ""})`,
    `${s.functions} functions: ${s.executed} run, ${s.noInputs} without inputs, ${
      failed ? `failed ${failed}` : "0 failed"
    }`,
    `index holds ${s.totalFunctions} functions in ${s.behaviours} behaviour classes`,
    s.model
      ? term`embeddings: ${s.model.kind} model ${displayPath(s.model.dir)}` +
        (s.reembedded ? ` (${s.reembedded} re-embedded)` : "")
      : "no model: no embeddings, search ranks lexically",
    term`${s.seconds.toFixed(1)} s → ${s.dir}`,
  ];
  return parts.join("; ");
}

export async function runIndex(paths: string[], flags: IndexFlags): Promise<void> {
  checkOutput("--out", flags.out, "dir");
  applySandboxFlags(flags);
  let bar: Progress | undefined;
  let summary: IndexSummary;
  try {
    summary = await indexPaths(paths, flags.out, {
      model: flags.model === false ? null : flags.model,
      inputs: flags.inputs,
      seed: flags.seed,
      maxSteps: flags.maxSteps,
      timeoutMs: flags.timeoutMs,
      isolation: flags.isolation,
      workers: flags.workers,
      onStart: (total) => {
        if (total > 0) bar = progressBar("index", total);
      },
      onProgress: () => bar?.tick(),
    });
  } finally {
    bar?.stop();
  }
  for (const e of summary.errors) process.stderr.write(term`tracecode index: skipped: ${e}\n`);
  const shown = flags.verbose ? summary.problems : summary.problems.slice(0, SHOWN_PROBLEMS);
  const lines = shown.map(
    (p) => term`  ${displayPath(p.file)}:${p.line} ${p.name}: ${p.status}: ${p.reason}`,
  );
  if (shown.length < summary.problems.length)
    lines.push(`  … and ${summary.problems.length - shown.length} more (--verbose lists all)`);
  if (lines.length > 0) lines.unshift("indexed without a behaviour:");
  lines.push(summaryLine(summary));
  process.stdout.write(`${lines.join("\n")}\n`);
}

export function registerIndex(program: Command): void {
  const command = program
    .command("index")
    .description(
      "index Python functions for `tracecode search`: run each in the sandbox on seeded inputs, " +
        "group them by behaviour, embed them with a code-only model, store them in INDEX_DIR",
    )
    .argument("<paths...>", ".py files, folders (their .py files) and functions .jsonl files")
    .requiredOption("--out <dir>", "index directory (created, or updated in place)")
    .option(
      "--model <dir>",
      "code-only model directory (default: the index's, else models/default)",
    )
    .option("--no-model", "index without embeddings (search then ranks lexically)")
    .option(
      "--inputs <n>",
      "inputs per function, fixed at creation (default 200)",
      intOption("--inputs", 1, 100_000),
    )
    .option("--seed <n>", "input seed, fixed at creation (default 0)", intOption("--seed", 0))
    .option("--workers <n>", "sandbox processes", intOption("--workers", 1, 64), 2)
    .option(
      "--isolation <unit>",
      "unit of trust, run on a pristine interpreter: file (the functions of one file together) " +
        "or row (each function alone)",
      choiceOption("--isolation", ["file", "row"] as const),
      "file",
    )
    .option("--verbose", "list every function indexed without a behaviour", false);
  sandboxOptions(command).action(runIndex);
}
