/**
 * `tracecode run`: the main job on built-in defaults (what `npm start` runs) — the paper's data
 * generated and traced, a quick sweep of every preset, and the report. Each step is the
 * subcommand of the same name; everything lands in OUT.
 */
import { join } from "node:path";
import { type Command, Option } from "commander";
import { PRESET_NAMES } from "../experiments/index.js";
import { DEFAULT_MAX_STEPS, DEFAULT_RANGE, DEFAULT_TIMEOUT_MS } from "../python/index.js";
import { DEFAULT_GENERATE_OPTIONS as G } from "../synth/index.js";
import { runGenerate } from "./generate.js";
import { applySandboxFlags, intOption, processesOption } from "./options.js";
import { checkOutput } from "./output.js";
import { runReportCommand } from "./report.js";
import { checkPresets, runSweepCommand } from "./sweep.js";
import { term } from "./terminal.js";
import { runTrace } from "./trace.js";

export interface RunFlags {
  out: string;
  seed: number;
  functions: number;
  variants: number;
  presets: string[];
  seeds: number;
  jobs: number;
  full: boolean;
  epochsCap?: number;
  unsafeNoIsolation: boolean;
}

export async function runMainJob(flags: RunFlags): Promise<void> {
  // An unknown preset is a usage error now, not after the data is generated and traced.
  checkPresets(flags.presets);
  checkOutput("--out", flags.out, "dir");
  applySandboxFlags(flags);
  const t0 = performance.now();
  const data = join(flags.out, "data");
  const functions = join(data, "functions.jsonl");
  await runGenerate({
    out: data,
    functions: flags.functions,
    variants: flags.variants,
    family: [...G.families],
    mutants: G.mutants,
    valFraction: G.valFraction,
    seed: flags.seed,
    blockTransforms: false,
    verify: true,
  });
  await runTrace({
    in: functions,
    out: join(data, "traces.jsonl"),
    inputs: 100,
    range: DEFAULT_RANGE,
    seed: flags.seed,
    maxSteps: DEFAULT_MAX_STEPS,
    timeoutMs: DEFAULT_TIMEOUT_MS,
    unsafeNoIsolation: flags.unsafeNoIsolation,
    isolation: "row",
    workers: 2,
    level: "trace",
  });
  const sweep = join(flags.out, "sweep");
  await runSweepCommand(flags.presets, {
    data,
    out: sweep,
    seeds: flags.seeds,
    jobs: flags.jobs,
    quick: !flags.full,
    epochsCap: flags.epochsCap,
  });
  const report = join(flags.out, "report");
  await runReportCommand(sweep, { out: report });
  const minutes = ((performance.now() - t0) / 60_000).toFixed(1);
  process.stdout.write(
    term`run: done in ${minutes} min. Report: ${join(report, "REPORT.md")} and ${join(report, "index.html")}\n`,
  );
}

export function registerRun(program: Command): void {
  program
    .command("run")
    .description(
      "the main job on built-in defaults (what `npm start` runs): generate → trace → " +
        "quick sweep of every preset (1 seed, epochs × 0.3) → report, all into --out",
    )
    .option("--out <dir>", "output directory (data/, sweep/, report/)", "out")
    .option("--seed <n>", "seed of generation and inputs", intOption("--seed", 0, 2 ** 32 - 1), 0)
    .option("--functions <n>", "source functions", intOption("--functions", 2), G.functions)
    .option("--variants <n>", "snippets per function", intOption("--variants", 2), G.variants)
    .addOption(
      new Option("--presets <list>", `comma-separated presets (${PRESET_NAMES.join(", ")})`)
        .argParser((v: string) =>
          v
            .split(",")
            .map((s) => s.trim())
            .filter((s) => s !== ""),
        )
        // Shown as `all`, not as the array it is (`["all"]`).
        .default(["all"], "all"),
    )
    .option("--seeds <n>", "seeds per configuration", intOption("--seeds", 1, 100), 1)
    .option("--jobs <n>", "training runs in parallel", processesOption("--jobs", 1, 64), 2)
    .option("--full", "the paper's epoch budgets instead of the quick sweep", false)
    .option(
      "--epochs-cap <n>",
      "train at most N epochs per run (a smaller run on the same data)",
      intOption("--epochs-cap", 1),
    )
    .option(
      "--unsafe-no-isolation",
      "run the generated Python without the operating-system boundary (bubblewrap), where it " +
        "cannot be set up",
      false,
    )
    .action(runMainJob);
}
