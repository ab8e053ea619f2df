/** `tracecode eval-clones`: clone retrieval over `family` labels, for every mode in one run. */
import type { Command } from "commander";
import type { FunctionRow } from "../data/index.js";
import { resolveModelDir } from "../models/index.js";
import { NEAR_DUPLICATE } from "../realcode/index.js";
import {
  type EvalClonesResult,
  evalClones,
  type InferredArgs,
  inferRowArgs,
  loadEmbedder,
  type Measured,
  MODES,
  THRESHOLD_MODES,
  writeThreshold,
} from "../search/index.js";
import { UsageError } from "./errors.js";
import { readFunctionsFile } from "./input.js";
import { applySandboxFlags, intOption, oneOfNegated, unsafeOption } from "./options.js";
import { progressBar } from "./progress.js";
import { count, term } from "./terminal.js";

interface EvalClonesFlags {
  /** A directory, or false with --no-model. */
  model?: string | false;
  json: boolean;
  inputs: number;
  nameFree: boolean;
  saveThreshold: boolean;
  unsafeNoIsolation: boolean;
}

export async function runEvalClones(file: string, flags: EvalClonesFlags): Promise<void> {
  applySandboxFlags(flags);
  const { rows, withoutArgs } = await readFunctionsFile(file, "eval-clones", undefined, {
    findWithoutArgs: true,
  });
  if (rows.length < 2) throw new Error(`${file}: need at least 2 valid rows, got ${rows.length}`);
  const inferred = await inferMissingArgs(rows, withoutArgs);
  const alone = withoutFamily(rows);
  if (alone) process.stderr.write(`tracecode eval-clones: warning: ${alone}\n`);
  const model = flags.model === false ? undefined : resolveModelDir(flags.model);
  if (flags.saveThreshold && !model)
    throw new UsageError("--save-threshold: no model to save a threshold for (drop --no-model)");
  if (flags.saveThreshold && new Set(rows.map((r) => r.family ?? r.group)).size < 2)
    throw new Error(`--save-threshold: ${file} has one family; a threshold needs at least two`);
  const bar = progressBar("execute", rows.length * (flags.nameFree ? 2 : 1));
  let result: EvalClonesResult;
  try {
    result = await evalClones(rows, {
      model,
      inputs: flags.inputs,
      nameFree: flags.nameFree,
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
          ` (${m.kind === "exact" ? "same code" : `estimated similarity ${m.similarity.toFixed(2)}`})`,
      )
      .join(", ");
    process.stderr.write(
      `tracecode eval-clones: warning: ${overlap.length} of ${result.rows} functions overlap the training data of ${term`${result.model}`}: ${list}${overlap.length > 10 ? ", …" : ""}; embed and hybrid are not held out for them (a similarity is the fingerprint's MinHash estimate of the 5-gram Jaccard, standard error up to 0.03, 0.06 in a fingerprint saved before 2026-12-02: near the ${NEAR_DUPLICATE} threshold it can be a false alarm)\n`,
    );
  }
  if (flags.saveThreshold && model) {
    const t = result.thresholds.embed;
    if (!t) throw new Error(`--save-threshold: embed was not measured (${result.skipped.embed})`);
    const path = writeThreshold(model, {
      model: loadEmbedder(model).id,
      similarity: t.similarity,
      threshold: t.threshold,
      reached: t.reached,
      target: t.target,
      heldOut: { ...t.heldOut },
      calibratedOn: `${file} (${result.rows} functions, ${result.families} families)`,
      command: `tracecode eval-clones ${file} --save-threshold`,
    });
    process.stderr.write(term`tracecode eval-clones: wrote ${path}\n`);
  }
  if (flags.json) {
    const out = inferred.length > 0 ? { ...result, inferredArgs: inferred } : result;
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return;
  }
  process.stdout.write(`${clonesTable(result).join("\n")}\n`);
}

/** A row without `family` (nor `group`) is a family of its own: said, as it is likely a slip. */
export function withoutFamily(rows: readonly FunctionRow[]): string | undefined {
  const alone = rows.filter((r) => r.family === undefined && r.group === r.id).map((r) => r.id);
  if (alone.length === 0) return undefined;
  return term`${count(alone.length, "row")} without "family" (${alone.slice(0, 5).join(", ")}${alone.length > 5 ? ", …" : ""}): each counts as a family of its own`;
}

/**
 * Rows without `args` get the types their code implies (`inferRowArgs`), said on stderr; a row
 * whose types cannot be inferred keeps the default and is named (it will most likely not run).
 */
async function inferMissingArgs(rows: FunctionRow[], withoutArgs: ReadonlySet<string>) {
  const todo = rows.filter((r) => withoutArgs.has(r.id));
  if (todo.length === 0) return [];
  const found: InferredArgs[] = await inferRowArgs(todo);
  found.forEach((r, i) => {
    if ("args" in r) todo[i].args = r.args;
  });
  const ok = found.filter((r) => "args" in r);
  const failed = found.filter((r) => "problem" in r);
  if (ok.length > 0) {
    const shown = ok.slice(0, 5).map((r) => term`${r.id} (${r.signature})`);
    process.stderr.write(
      `tracecode eval-clones: argument types inferred from the code for ${count(ok.length, "row")} without "args": ${shown.join(", ")}${ok.length > 5 ? ", …" : ""} (--json lists all)\n`,
    );
  }
  for (const r of failed)
    process.stderr.write(
      term`tracecode eval-clones: warning: ${r.id} has no "args" and none could be inferred (${r.problem}); it is called with one int\n`,
    );
  return found;
}

const fixed = (v: number) => v.toFixed(3);

/** The tables eval-clones prints: retrieval per mode and form, then the thresholds. */
export function clonesTable(result: EvalClonesResult): string[] {
  // Which functions, so a user can look at them: the first three of each status, the first
  // with its reason.
  const why = (id: string) => {
    const e = result.notRunErrors?.[id];
    return e ? `${id}: ${e.length > 80 ? `${e.slice(0, 79)}…` : e}` : id;
  };
  const notRun = Object.entries(result.notRunIds)
    .map(
      ([s, ids]) =>
        term`${s} ${ids.length} (${[why(ids[0]), ...ids.slice(1, 3)].join(", ")}${ids.length > 3 ? ", …" : ""})`,
    )
    .join(", ");
  const lines = [
    `${count(result.rows, "function")} in ${count(result.families, "family", "families")}${notRun ? `; not run: ${notRun}` : ""}${result.model ? term`; model ${result.model}` : ""}`,
  ];
  const nf = result.nameFree;
  const forms: [string, Measured][] = [["plain", result]];
  if (nf) {
    forms.push(["name-free", nf]);
    lines.push(
      `name-free: ${nf.transformed} of ${result.rows} functions renamed and verified by execution` +
        (nf.original.length ? `; ${nf.original.length} measured as they are:` : ""),
      ...nf.original.map((o) => term`  ${o.id}: ${o.reason}`),
    );
  }
  const cell = (m: Measured, mode: (typeof MODES)[number]) => {
    const r = m.modes[mode];
    return r ? `${fixed(r.mapAtR)}   ${fixed(r.precisionAt1)}   ${fixed(r.mrr)}` : "not measured";
  };
  lines.push(
    `${"".padEnd(10)}${forms.map(([f]) => f.padEnd(25)).join("")}`.trimEnd(),
    `${"mode".padEnd(10)}${forms.map(() => "MAP@R   P@1     MRR      ").join("")}`.trimEnd(),
  );
  for (const mode of MODES)
    lines.push(
      `${mode.padEnd(10)}${forms.map(([, m]) => cell(m, mode).padEnd(25)).join("")}`.trimEnd(),
    );
  for (const mode of MODES)
    if (result.skipped[mode]) lines.push(`${mode}: not measured: ${result.skipped[mode]}`);
  if (!THRESHOLD_MODES.some((mode) => result.thresholds[mode])) return lines;
  lines.push(
    "",
    `"has an equivalent" when the top-1 similarity ≥ τ; τ for precision ≥ ${result.thresholds.lexical?.target ?? 0.9} on all families;`,
    "precision and recall held out (τ chosen without the query's family, leave-one-family-out)",
    `${"mode".padEnd(10)}${"form".padEnd(11)}τ        held-out precision  recall`,
  );
  for (const mode of THRESHOLD_MODES)
    for (const [form, m] of forms) {
      const t = m.thresholds[mode];
      if (!t) continue;
      const h = t.heldOut;
      lines.push(
        `${mode.padEnd(10)}${form.padEnd(11)}${fixed(t.threshold)}${t.reached ? " " : "*"}   ` +
          `${fixed(h.precision)} (${h.truePositives}/${h.truePositives + h.falsePositives})`.padEnd(
            20,
          ) +
          `${fixed(h.recall)} (${h.truePositives}/${h.truePositives + h.falseNegatives})`,
      );
    }
  if (THRESHOLD_MODES.some((mode) => forms.some(([, m]) => m.thresholds[mode]?.reached === false)))
    lines.push("* the precision target is not reached on all families: τ is the most precise one");
  return lines;
}

export function registerEvalClones(program: Command): void {
  const command = program
    .command("eval-clones")
    .description(
      "clone retrieval over the `family` labels of a functions file: MAP@R, precision@1 and MRR " +
        "for exec (outputs on shared seeded inputs), embed and hybrid (with --model), lexical and " +
        'structure, and the calibrated "no equivalent" threshold of the similarity modes',
    )
    .argument("<file>", "functions JSONL file with `family` labels (entry, args per row)")
    .option(
      "--model <dir>",
      "code-only model directory for embed and hybrid (default: the shipped models/default)",
    )
    .option("--no-model", "measure exec, lexical and structure only")
    .option("--inputs <n>", "inputs per function for exec", intOption("--inputs", 1, 100_000), 200)
    .option(
      "--name-free",
      "also measure every mode with docstrings and comments removed and every defined name " +
        "renamed (each function verified by execution), both tables in one run",
      false,
    )
    .option(
      "--save-threshold",
      "write the embed threshold to MODEL_DIR/threshold.json, where tracecode search reads it",
      false,
    )
    .option("--json", "print the result as JSON", false);
  oneOfNegated(command, "model");
  unsafeOption(command).action(runEvalClones);
}
