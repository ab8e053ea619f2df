/**
 * `tracecode generate`: flags → `generateDataset` → DIR/functions.jsonl or .parquet, or the
 * `.parquet`/`.jsonl` file named by --out (+ how it was made).
 */
import { join } from "node:path";
import { type Command, InvalidArgumentError, Option } from "commander";
import {
  type FunctionRow,
  formatOf,
  openRowWriter,
  ROW_FORMATS,
  type RowFormat,
  writeFileAtomic,
} from "../data/index.js";
import { traceFunctions } from "../python/index.js";
import {
  DEFAULT_GENERATE_OPTIONS as D,
  FAMILY_NAMES,
  type FamilyName,
  generateDataset,
  HARD_GENERATE_OPTIONS,
  type TraceFn,
  VERIFY_TRACE_OPTIONS,
  verifyDataset,
} from "../synth/index.js";
import {
  applySandboxFlags,
  checkFormatAgrees,
  choiceOption,
  floatOption,
  intOption,
} from "./options.js";
import { checkOutput } from "./output.js";
import { progressBar } from "./progress.js";
import { count, term } from "./terminal.js";

function familiesOption(text: string): FamilyName[] {
  if (text === "all") return [...FAMILY_NAMES];
  const names = text.split(",").map((s) => s.trim());
  for (const n of names) {
    if (!(FAMILY_NAMES as readonly string[]).includes(n))
      throw new InvalidArgumentError(
        `--family must be "all" or a comma-separated list of ${FAMILY_NAMES.join(", ")}; got "${n}"`,
      );
  }
  return names as FamilyName[];
}

export interface GenerateFlags {
  out: string;
  functions: number;
  variants: number;
  family: FamilyName[];
  mutants: number;
  valFraction: number;
  seed: number;
  blockTransforms: boolean;
  hard?: boolean;
  verify: boolean;
  format?: RowFormat;
  unsafeNoIsolation?: boolean;
}

/** Where the rows and the meta file go: DIR/functions.FORMAT, or the corpus file --out names. */
export function generateTargets(out: string, format?: RowFormat) {
  const file = /\.(jsonl|parquet)$/i.exec(out);
  if (file) {
    const stem = out.slice(0, -file[0].length);
    return { path: out, format: formatOf(out, format), meta: `${stem}.meta.json` };
  }
  const f = format ?? "jsonl";
  return {
    path: join(out, `functions.${f}`),
    format: f,
    meta: join(out, "functions.meta.json"),
  };
}

/**
 * Writes the rows as a stream of appends (a Parquet file is made from them in one streaming
 * pass), so the writer holds one row at a time beside the dataset.
 */
async function writeFunctions(path: string, format: RowFormat, rows: readonly FunctionRow[]) {
  const writer = openRowWriter(path, "functions", format);
  try {
    for (const r of rows) writer.writeLine(JSON.stringify(r));
  } catch (e) {
    writer.abort();
    throw e;
  }
  await writer.close();
}

/** Verification runs the rows in the sandboxed tracer on the `tracecode trace` default inputs. */
function sandboxTrace(total: number): TraceFn {
  return async (rows) => {
    const bar = progressBar("verify", total);
    try {
      return await traceFunctions(rows, { ...VERIFY_TRACE_OPTIONS, onProgress: () => bar.tick() });
    } finally {
      bar.stop();
    }
  };
}

export function registerGenerate(program: Command): void {
  program
    .command("generate")
    .description(
      "generate source functions and verified variants (renaming, temporaries, reordering, …) " +
        "into DIR/functions.jsonl",
    )
    .requiredOption(
      "--out <path>",
      "output directory (DIR/functions.jsonl, or .parquet with --format parquet), or a " +
        "corpus file ending in .jsonl or .parquet",
    )
    .option(
      "--format <format>",
      "jsonl or parquet (default: by --out's extension, else jsonl)",
      choiceOption("--format", ROW_FORMATS),
    )
    .option(
      "--functions <n>",
      "source functions (groups)",
      intOption("--functions", 1),
      D.functions,
    )
    .option(
      "--variants <n>",
      "snippets per group, the source included",
      intOption("--variants", 1),
      D.variants,
    )
    .addOption(
      new Option(
        "--family <names>",
        `families, comma-separated, or "all" (${FAMILY_NAMES.join(", ")})`,
      )
        .argParser(familiesOption)
        .default([...D.families], D.families.join(",")),
    )
    .option(
      "--mutants <n>",
      "near-miss mutants per source function, each its own group",
      intOption("--mutants", 0),
      D.mutants,
    )
    .option(
      "--val-fraction <f>",
      "fraction of source functions held out as val",
      floatOption("--val-fraction", 0, 1),
      D.valFraction,
    )
    .option("--seed <n>", "generator seed", intOption("--seed", 0, 2 ** 32 - 1), D.seed)
    .option(
      "--block-transforms",
      "also use transforms that change block structure (same outputs, different traces)",
      false,
    )
    .option(
      "--hard",
      "the harder preset: --family piecewise,loop --mutants 1 --block-transforms (trace it with --level io)",
      false,
    )
    .addOption(
      new Option("--no-verify", "skip checking every variant against its source by execution"),
    )
    .option(
      "--unsafe-no-isolation",
      "verify without the operating-system boundary (bubblewrap), where it cannot be set up",
      false,
    )
    .action(runGenerate);
}

export async function runGenerate(flags: GenerateFlags): Promise<void> {
  checkFormatAgrees(flags.out, flags.format);
  const target = generateTargets(flags.out, flags.format);
  checkOutput("--out", flags.out, target.path === flags.out ? "file" : "dir");
  applySandboxFlags(flags);
  if (flags.hard) {
    flags.family = [...HARD_GENERATE_OPTIONS.families];
    flags.mutants = Math.max(flags.mutants, HARD_GENERATE_OPTIONS.mutants);
    flags.blockTransforms = HARD_GENERATE_OPTIONS.blockTransforms;
  }
  const bar = progressBar("generate", flags.functions * (1 + flags.mutants));
  const rows = await generateDataset({
    functions: flags.functions,
    variants: flags.variants,
    families: flags.family,
    mutants: flags.mutants,
    valFraction: flags.valFraction,
    seed: flags.seed,
    blockTransforms: flags.blockTransforms,
    onProgress: () => bar.tick(),
  });
  bar.stop();
  let verified = "not verified (--no-verify)";
  if (flags.verify) {
    const report = await verifyDataset(rows, sandboxTrace(rows.length));
    verified = `verified ${report.variants} variants (${report.traceChecked} also by trace)`;
  }
  const path = target.path;
  await writeFunctions(path, target.format, rows);
  writeFileAtomic(target.meta, `${JSON.stringify(howMade(flags), null, 2)}\n`);
  const groups = new Set(rows.map((r) => r.group)).size;
  const val = rows.filter((r) => r.split === "val").length;
  // Written all the same (a test set, say), but train's default split would refuse it.
  const split = `--val-fraction ${flags.valFraction} of ${count(flags.functions, "function")}`;
  if (val === 0)
    process.stderr.write(
      `tracecode generate: warning: no function is in val (${split}): tracecode train holds out val functions unless given --hold-out variants\n`,
    );
  else if (val === rows.length)
    process.stderr.write(
      `tracecode generate: warning: every function is in val (${split}): tracecode train needs train functions\n`,
    );
  process.stdout.write(
    `generate: ${count(rows.length, "snippet")} in ${count(groups, "group")} (${count(flags.functions, "function")}, ` +
      `${count(groups - flags.functions, "mutant")}), train ${rows.length - val} / val ${val}, ${verified}` +
      term` → ${path}\n`,
  );
}

/** The command that regenerates the file exactly. */
function howMade(flags: GenerateFlags) {
  const command =
    `tracecode generate --out ${flags.out} --functions ${flags.functions} --variants ${flags.variants} ` +
    `--family ${flags.family.join(",")} --mutants ${flags.mutants} --val-fraction ${flags.valFraction} ` +
    `--seed ${flags.seed}${flags.blockTransforms ? " --block-transforms" : ""}` +
    (flags.format ? ` --format ${flags.format}` : "");
  return { command, seed: flags.seed };
}
