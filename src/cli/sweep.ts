/** `tracecode sweep`: presets × seeds → runs in parallel worker processes → SWEEP_DIR. */
import { join } from "node:path";
import { Argument, type Command } from "commander";
import {
  describeOverrides,
  expandPresets,
  PRESET_NAMES,
  PRESETS,
  planSweep,
  QUICK_EPOCH_SCALE,
  runSweep,
  type SweepSummary,
  sweepStatus,
} from "../experiments/index.js";
import { UsageError } from "./errors.js";
import { intOption, processesOption } from "./options.js";
import { checkOutput } from "./output.js";
import { progressBar } from "./progress.js";
import { term } from "./terminal.js";

export interface SweepFlags {
  data: string;
  out: string;
  seeds: number;
  jobs: number;
  quick: boolean;
  epochsCap?: number;
}

/**
 * The presets named on a command line, expanded (`all`): an unknown name, or none, is a usage
 * error (exit 2), found before any work starts.
 */
export function checkPresets(names: readonly string[]): string[] {
  const choose = `choose from ${PRESET_NAMES.join(", ")}`;
  if (names.length === 0) throw new UsageError(`no preset given; ${choose}`);
  const unknown = names.filter((n) => !(PRESET_NAMES as readonly string[]).includes(n));
  if (unknown.length > 0) {
    const quoted = unknown.map((n) => `"${n}"`).join(", ");
    throw new UsageError(`unknown preset${unknown.length > 1 ? "s" : ""} ${quoted}; ${choose}`);
  }
  return expandPresets(names);
}

/** The named presets (default all) with their questions, and each configuration's label and overrides. */
export function listPresets(names: readonly string[] = ["all"]): string {
  const lines: string[] = [];
  for (const name of checkPresets(names)) {
    const preset = PRESETS[name];
    lines.push(`${name}: ${preset.question}`);
    const width = Math.max(...preset.configs.map((c) => c.label.length));
    for (const c of preset.configs) {
      lines.push(`  ${c.label.padEnd(width)}  ${describeOverrides(c.overrides)}`);
    }
  }
  if (names.includes("all"))
    lines.push("all: every preset above; configurations shared between presets train once");
  return lines.join("\n");
}

export async function runSweepCommand(presets: string[], flags: SweepFlags): Promise<void> {
  checkOutput("--out", flags.out, "dir");
  const command =
    `tracecode sweep ${presets.join(" ")} --data ${flags.data} --out ${flags.out} ` +
    `--seeds ${flags.seeds}${flags.quick ? " --quick" : ""}` +
    (flags.epochsCap !== undefined ? ` --epochs-cap ${flags.epochsCap}` : "");
  const base = { ...flags, presets, command };
  const plan = planSweep(base);
  const status = sweepStatus(plan, flags.out);
  const count = (state: string) => status.filter((s) => s.state === state).length;
  const todo = status.filter((s) => s.state === "new" || s.state === "resume");
  const epochs = todo.reduce((n, s) => n + s.config.epochs - s.epochsDone, 0);
  process.stdout.write(
    `sweep: ${plan.manifest.entries.length} (preset, configuration, seed) entries → ` +
      `${plan.runs.length} runs: ${count("done")} done, ${count("resume")} to resume, ` +
      `${count("new")} new; ${todo.length} runs and ${epochs} epochs to train, ` +
      term`${flags.jobs} at a time → ${flags.out}\n`,
  );

  let finished = 0;
  const controller = new AbortController();
  const runsPayload = () => ({
    runs: `${finished}/${todo.length}${controller.signal.aborted ? ", stopping after the current step" : ""}`,
  });
  const bar = progressBar("sweep epochs", epochs, " | runs {runs}", runsPayload());
  // Epochs reported per run, so a run that restarts from scratch does not count twice.
  const reached = new Map(todo.map((s) => [s.run, s.epochsDone]));
  const stop = () => {
    controller.abort();
    bar.tick(0, runsPayload());
  };
  process.once("SIGINT", stop);
  let summary: SweepSummary;
  try {
    summary = await runSweep({
      ...base,
      signal: controller.signal,
      onEpoch: (run, epoch) => {
        const before = reached.get(run) ?? 0;
        if (epoch > before) {
          reached.set(run, epoch);
          bar.tick(epoch - before, runsPayload());
        }
      },
      onRunEnd: (run, error) => {
        finished++;
        bar.tick(0, runsPayload());
        // On a terminal the bar holds the current line.
        const nl = process.stderr.isTTY ? "\n" : "";
        if (error) process.stderr.write(`${nl}${term`sweep: run ${run} failed: ${error}`}\n`);
      },
    });
  } finally {
    bar.stop();
    process.off("SIGINT", stop);
  }
  const minutes = (summary.seconds / 60).toFixed(1);
  process.stdout.write(
    `sweep: ${summary.trained} runs trained, ${summary.skipped} already done, ` +
      term`${summary.failed.length} failed in ${minutes} min → ${join(flags.out, "sweep.json")}\n`,
  );
  if (summary.interrupted) throw new Error("interrupted; rerun the same command to resume");
  if (summary.failed.length > 0) {
    const [first] = summary.failed;
    throw new Error(
      `${summary.failed.length} runs failed, e.g. ${first.run}: ${first.error} ` +
        `(each failed run's error is in ${join(flags.out, "runs", "<run>", "ERROR")})`,
    );
  }
}

export function registerSweep(program: Command): void {
  program
    .command("sweep")
    .description(
      `train every configuration of the given presets (${PRESET_NAMES.join(", ")}) over\n` +
        "several seeds in parallel processes; reruns skip finished runs and resume interrupted ones",
    )
    // The default shown as `all`, not as the array it is (`["all"]`).
    .addArgument(
      new Argument("[presets...]", "presets to run (with --list: to list)").default(["all"], "all"),
    )
    .option(
      "--data <dir>",
      "dataset directory (functions.jsonl + traces.jsonl); required but with --list",
    )
    .option("--out <dir>", "sweep directory to write (sweep.json, runs/); required but with --list")
    .option(
      "--seeds <n>",
      "seeds per configuration, 0..N-1 (default 3, 1 with --quick)",
      intOption("--seeds", 1, 100),
    )
    .option("--jobs <n>", "runs trained in parallel", processesOption("--jobs", 1, 64), 2)
    .option(
      "--quick",
      `scale every epoch budget by ${QUICK_EPOCH_SCALE} (E=10/30/50 → 3/9/15, others 50 → 15)`,
      false,
    )
    .option("--epochs-cap <n>", "train at most N epochs per run", intOption("--epochs-cap", 1))
    .option("--list", "print each preset's configurations (of the presets given) and exit")
    .action(
      async (
        presets: string[],
        flags: Omit<SweepFlags, "seeds"> & { seeds?: number; list?: boolean },
      ) => {
        if (flags.list) {
          process.stdout.write(`${listPresets(presets)}\n`);
          return;
        }
        if (!flags.data || !flags.out) {
          throw new UsageError("sweep needs --data DIR and --out SWEEP_DIR");
        }
        checkPresets(presets);
        const { list: _list, ...rest } = flags;
        await runSweepCommand(presets, { ...rest, seeds: flags.seeds ?? (flags.quick ? 1 : 3) });
      },
    );
}
