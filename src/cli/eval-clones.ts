/** `tracecode eval-clones`: clone retrieval over `family` labels, for every mode in one run. */
import type { Command } from "commander";
import { FunctionRow, readJsonlLenient } from "../data/index.js";
import { resolveModelDir } from "../models/index.js";
import { evalClones, MODES } from "../search/index.js";
import { applySandboxFlags, intOption, unsafeOption } from "./options.js";
import { progressBar } from "./progress.js";
import { term } from "./terminal.js";

interface EvalClonesFlags {
  /** A directory, or false with --no-model. */
  model?: string | false;
  json: boolean;
  inputs: number;
  unsafeNoIsolation: boolean;
}

export async function runEvalClones(file: string, flags: EvalClonesFlags): Promise<void> {
  applySandboxFlags(flags);
  const { rows, errors } = readJsonlLenient(file, FunctionRow);
  for (const e of errors)
    process.stderr.write(term`tracecode eval-clones: skipping invalid row: ${e}\n`);
  if (rows.length < 2) throw new Error(`${file}: need at least 2 valid rows, got ${rows.length}`);
  const bar = progressBar("execute", rows.length);
  let result: Awaited<ReturnType<typeof evalClones>>;
  try {
    result = await evalClones(rows, {
      model: flags.model === false ? undefined : resolveModelDir(flags.model),
      inputs: flags.inputs,
      onProgress: () => bar.tick(),
    });
  } finally {
    bar.stop();
  }
  const overlap = result.trainingOverlap ?? [];
  if (overlap.length > 0) {
    const list = overlap
      .slice(0, 10)
      .map(
        (m) =>
          term`${m.holdout} ~ ${m.train}` +
          ` (${m.kind === "exact" ? "same code" : `similarity ${m.similarity.toFixed(2)}`})`,
      )
      .join(", ");
    process.stderr.write(
      `tracecode eval-clones: warning: ${overlap.length} of ${result.rows} functions overlap the training data of ${term`${result.model}`}: ${list}${overlap.length > 10 ? ", …" : ""}; embed and hybrid are not held out for them\n`,
    );
  }
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return;
  }
  const notRun = Object.entries(result.notRun)
    .map(([s, n]) => `${s} ${n}`)
    .join(", ");
  const lines = [
    `${result.rows} functions in ${result.families} families${notRun ? `; not run: ${notRun}` : ""}${result.model ? term`; model ${result.model}` : ""}`,
    "mode      top-1   MAP@R   MRR",
  ];
  for (const mode of MODES) {
    const m = result.modes[mode];
    lines.push(
      m
        ? `${mode.padEnd(9)} ${m.precisionAt1.toFixed(3)}   ${m.mapAtR.toFixed(3)}   ${m.mrr.toFixed(3)}`
        : `${mode.padEnd(9)} not measured: ${result.skipped[mode]}`,
    );
  }
  process.stdout.write(`${lines.join("\n")}\n`);
}

export function registerEvalClones(program: Command): void {
  const command = program
    .command("eval-clones")
    .description(
      "clone retrieval over the `family` labels of a functions file: precision@1, MAP@R and MRR\n" +
        "for exec (outputs on shared seeded inputs), embed and hybrid (with --model), and lexical",
    )
    .argument("<file>", "functions JSONL file with `family` labels (entry, args per row)")
    .option(
      "--model <dir>",
      "code-only model directory for embed and hybrid (default: the shipped models/default)",
    )
    .option("--no-model", "measure exec and lexical only")
    .option("--inputs <n>", "inputs per function for exec", intOption("--inputs", 1, 100_000), 200)
    .option("--json", "print the result as JSON", false);
  unsafeOption(command).action(runEvalClones);
}
