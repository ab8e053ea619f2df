/**
 * `tracecode corpus`: training data at corpus scale from the standard library inside the
 * Pyodide package (and optionally Debian's pure-Python packages) → a dataset directory
 * `tracecode train --data DIR` reads (src/realcode/corpus).
 */
import type { Command } from "commander";
import { FunctionRow, readJsonl } from "../data/index.js";
import { recordedPath } from "../experiments/index.js";
import { TracerPool } from "../python/index.js";
import {
  buildStdlibCorpus,
  chooseDebianUnits,
  DEBIAN_DIR,
  DEFAULT_STDLIB_OPTIONS,
  readDebianModules,
  readDebianPackages,
  readStdlib,
  reusableStdlibCorpus,
  stdlibSha256,
  writeStdlibCorpus,
} from "../realcode/corpus/index.js";
import { sha256File } from "../realcode/index.js";
import {
  applySandboxFlags,
  floatOption,
  intOption,
  processesOption,
  unsafeOption,
} from "./options.js";
import { checkOutput } from "./output.js";
import { type Progress, progressBar } from "./progress.js";
import { count, term } from "./terminal.js";
import { DEFAULT_HOLDOUT } from "./train.js";

interface CorpusFlags {
  out: string;
  modules?: number;
  only?: string;
  variants: number;
  valFraction: number;
  inputs: number;
  seed: number;
  workers: number;
  holdout?: string[];
  functions?: string[];
  debian?: string | true;
  debianOnly?: string;
  debianModules?: number;
  unsafeNoIsolation: boolean;
}

const list = (text: string) => text.split(",").filter((m) => m !== "");

/** Debian's packages when asked for (`--debian-only`/`--debian-modules` imply `--debian`). */
function debianSource(flags: CorpusFlags) {
  if (flags.debian === undefined && !flags.debianOnly && flags.debianModules === undefined)
    return undefined;
  const packages = readDebianPackages(typeof flags.debian === "string" ? flags.debian : DEBIAN_DIR);
  const choice = {
    seed: flags.seed,
    ...(flags.debianOnly ? { only: list(flags.debianOnly) } : {}),
    ...(flags.debianModules !== undefined ? { maxUnits: flags.debianModules } : {}),
  };
  const units = chooseDebianUnits(packages, choice);
  const { modules, sha256 } = readDebianModules(packages, units);
  const { seed: _seed, ...how } = choice;
  return {
    build: { dir: packages.dir, modules, skipped: packages.skipped },
    recorded: { source: packages.dir, ...how, sha256 },
  };
}

export async function runCorpus(flags: CorpusFlags): Promise<void> {
  applySandboxFlags({ unsafeNoIsolation: flags.unsafeNoIsolation });
  checkOutput("--out", flags.out, "dir");
  const stdlib = readStdlib();
  const holdoutFiles =
    flags.holdout && flags.holdout.length > 0 ? flags.holdout : [DEFAULT_HOLDOUT];
  const options = {
    ...DEFAULT_STDLIB_OPTIONS,
    seed: flags.seed,
    variants: flags.variants,
    valFraction: flags.valFraction,
    inputs: flags.inputs,
    ...(flags.only ? { only: list(flags.only) } : {}),
    ...(flags.modules !== undefined ? { maxModules: flags.modules } : {}),
  };
  const sha256 = stdlibSha256(stdlib);
  const extraFiles = flags.functions ?? [];
  const debian = debianSource(flags);
  const recorded = {
    ...options,
    // By content, so a changed evaluation file is leak-checked again rather than reused; the
    // shipped file's path recorded from the working folder, not the machine's root.
    holdout: holdoutFiles.map((file) => ({ file: recordedPath(file), sha256: sha256File(file) })),
    extra: extraFiles.map((file) => ({ file, sha256: sha256File(file) })),
    ...(debian ? { debian: debian.recorded } : {}),
  };
  const t0 = performance.now();
  let manifest = reusableStdlibCorpus(flags.out, sha256, recorded);
  if (manifest) process.stderr.write(term`corpus: reusing ${flags.out}\n`);
  else {
    const holdout = holdoutFiles.map((file) => ({ file, rows: readJsonl(file, FunctionRow) }));
    const pool = new TracerPool({ workers: flags.workers });
    let bar: Progress | null = null;
    let phase = "";
    try {
      const corpus = await buildStdlibCorpus(stdlib, {
        ...options,
        holdout,
        extra: extraFiles.map((file) => ({ file, rows: readJsonl(file, FunctionRow) })),
        ...(debian ? { debian: debian.build } : {}),
        pool,
        onProgress: (p, done, total) => {
          if (p !== phase) {
            bar?.stop();
            phase = p;
            bar = progressBar(`corpus ${p}`, total);
          }
          bar?.tick();
          if (done === total) bar?.stop();
        },
      });
      manifest = {
        kind: "stdlib",
        source: "pyodide/python_stdlib.zip",
        sha256,
        options: recorded,
        report: corpus.report,
      };
      writeStdlibCorpus(flags.out, corpus, manifest);
    } finally {
      (bar as Progress | null)?.stop();
      await pool.close();
    }
  }
  const r = manifest.report;
  const seconds = ((performance.now() - t0) / 1000).toFixed(0);
  process.stdout.write(
    `${count(r.modules.train.length + r.modules.val.length, "module")} (${r.modules.val.length} val): ` +
      `${r.functions.found} functions and methods, ${r.functions.withSignature} with a signature, ` +
      `${r.functions.ok} return on their inputs (${r.functions.informative} informative); ` +
      `variants kept ${r.variants.kept} of ${r.variants.tried} tried (${r.variants.unchanged} unchanged, ` +
      `${r.variants.droppedNotRunning + r.variants.droppedDifferentOutputs} failed verification); ` +
      `${r.sharedClasses} behaviour classes shared by ${r.functionsInSharedClasses} functions; ` +
      `${r.removed.length} near-duplicates removed; ${r.rows.train} train and ${r.rows.val} val snippets ` +
      term`in ${seconds} s → ${flags.out}\n`,
  );
  const bySource = Object.entries(r.sources ?? {}).map(
    ([s, c]) =>
      `${s} ${c.units} units, ${c.found} functions (${c.ok} return), ${c.rows.train} train and ${c.rows.val} val snippets`,
  );
  if (bySource.length > 1 || r.skipped) process.stdout.write(`by source: ${bySource.join("; ")}\n`);
  if (r.skipped && r.skipped.length > 0)
    process.stdout.write(
      term`debian: left out ${r.skipped.length} (compiled extensions, over 2 MB of source, no __init__.py; corpus.json gives each reason): ${r.skipped.map((s) => s.unit).join(", ")}\n`,
    );
  // The split is by module: too few modules for the share leaves val (or train) empty.
  if (r.rows.val < 2 || r.rows.train < 2)
    process.stderr.write(
      `tracecode corpus: warning: ${r.rows.train} train and ${r.rows.val} val snippets: tracecode train needs at least 2 of each; the split is by module (unit), so give more modules, or a --val-fraction that leaves each side one (here ${count(r.modules.train.length + r.modules.val.length, "module")} at --val-fraction ${flags.valFraction})\n`,
    );
}

export function registerCorpus(program: Command): void {
  const d = DEFAULT_STDLIB_OPTIONS;
  const command = program
    .command("corpus")
    .description(
      "training data from the standard library inside the Pyodide package (and, with --debian, " +
        "Debian's pure-Python packages): functions and methods run in the sandbox under inferred " +
        "signatures, verified variants, behaviour classes across the corpus, split by module, " +
        "leak-checked → a dataset directory",
    )
    .requiredOption("--out <dir>", "dataset directory to write (reused when built the same way)")
    .option(
      "--modules <n>",
      "a seeded sample of N stdlib modules (default: all; 0: none, only --functions files and --debian)",
      intOption("--modules", 0),
    )
    .option("--only <list>", "these modules, comma-separated")
    .option(
      "--debian [dir]",
      `also Debian's pure-Python packages in DIR (default ${DEBIAN_DIR}), each top-level module or package a unit of the split (ids debian:MODULE:FUNCTION)`,
    )
    .option(
      "--debian-only <list>",
      "these of Debian's top-level modules and packages, comma-separated (implies --debian)",
    )
    .option(
      "--debian-modules <n>",
      "a seeded sample of N of Debian's top-level modules and packages (implies --debian)",
      intOption("--debian-modules", 0),
    )
    .option(
      "--variants <n>",
      "transformed variants tried per function",
      intOption("--variants", 0, 100),
      d.variants,
    )
    .option(
      "--val-fraction <f>",
      "share of modules held out for validation",
      floatOption("--val-fraction", 0, 1),
      d.valFraction,
    )
    .option(
      "--inputs <n>",
      "seeded inputs per function",
      intOption("--inputs", 1, 10_000),
      d.inputs,
    )
    .option(
      "--seed <n>",
      "seed of the sample, split, variants and inputs",
      intOption("--seed", 0, 2 ** 32 - 1),
      d.seed,
    )
    .option("--workers <n>", "sandbox processes", processesOption("--workers", 1, 64), 2)
    .option(
      "--functions <file>",
      "also these functions files (rows with family, entry, args, code, like data/realcode-train.jsonl), each family a unit of the split (repeatable)",
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option(
      "--holdout <file>",
      "evaluation functions no training function may near-duplicate (repeatable; default: the shipped data/realcode-dev.jsonl)",
      (v: string, prev: string[] = []) => [...prev, v],
    );
  unsafeOption(command).action(runCorpus);
}
