/** `tracecode trace`: run every row of a functions file in the sandbox and write its traces. */
import { type Command, InvalidArgumentError } from "commander";
import {
  type EquivalenceLevel,
  FunctionRow,
  readJsonlLenient,
  type TraceRow,
  writeJsonl,
} from "../data/index.js";
import { DEFAULT_RANGE, type IntRange, traceFunctions } from "../python/index.js";
import {
  applySandboxFlags,
  choiceOption,
  intOption,
  type SandboxFlags,
  sandboxOptions,
} from "./options.js";
import { checkOutput } from "./output.js";
import { progressBar } from "./progress.js";
import { term } from "./terminal.js";

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
function statusCounts(rows: readonly TraceRow[]): string {
  const order = ["ok", "syntax_error", "runtime_error", "timeout", "limit"] as const;
  const parts = order
    .map((s) => [s, rows.filter((r) => r.status === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${s} ${n}`);
  return parts.length > 0 ? parts.join(", ") : "no rows";
}

export async function runTrace(flags: TraceFlags): Promise<void> {
  checkOutput("--out", flags.out, "file");
  applySandboxFlags(flags);
  const { rows, errors } = readJsonlLenient(flags.in, FunctionRow);
  for (const e of errors) process.stderr.write(term`tracecode trace: skipping invalid row: ${e}\n`);
  const t0 = performance.now();
  const bar = progressBar("trace", rows.length);
  let traced: TraceRow[];
  try {
    traced = await traceFunctions(rows, {
      inputs: flags.inputs,
      range: flags.range,
      seed: flags.seed,
      maxSteps: flags.maxSteps,
      timeoutMs: flags.timeoutMs,
      unitOf: flags.isolation === "group" ? (row) => `group:${row.group}` : undefined,
      workers: flags.workers,
      level: flags.level,
      onProgress: () => bar.tick(),
    });
  } finally {
    bar.stop();
  }
  writeJsonl(flags.out, traced);
  const seconds = ((performance.now() - t0) / 1000).toFixed(1);
  const classes = new Set(traced.filter((r) => r.traceClass).map((r) => r.traceClass)).size;
  const skipped = errors.length > 0 ? `, ${errors.length} invalid rows skipped` : "";
  process.stdout.write(
    `traced ${traced.length} snippets in ${seconds} s: ${statusCounts(traced)}; ` +
      term`${classes} ${flags.level} classes${skipped} → ${flags.out}\n`,
  );
}

export function registerTrace(program: Command): void {
  const command = program
    .command("trace")
    .description(
      "run every row of a functions file in sandboxed CPython (Pyodide) on seeded inputs and\n" +
        "write its execution traces and behaviour classes (traces.jsonl)",
    )
    .requiredOption("--in <file>", "functions JSONL file (id, code; optional entry, args)")
    .requiredOption("--out <file>", "traces JSONL file to write (atomically)")
    .option("--inputs <n>", "inputs per snippet", intOption("--inputs", 1, 100_000), 100)
    .option("--range <min,max>", "range of int arguments", rangeOption, DEFAULT_RANGE)
    .option("--seed <n>", "input seed", intOption("--seed", 0, 2 ** 32 - 1), 0)
    .option("--workers <n>", "sandbox processes", intOption("--workers", 1, 64), 2)
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
    );
  sandboxOptions(command).action(async (flags: TraceFlags) => {
    await runTrace(flags);
  });
}
