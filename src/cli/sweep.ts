/** `tracecode sweep`: presets × seeds → runs in parallel worker processes → SWEEP_DIR. */
import type { Command } from "commander";
import { PRESET_NAMES, PRESETS, planSweep, runSweep } from "../experiments/index.js";
import { intOption } from "./options.js";
import { progressBar } from "./progress.js";

export interface SweepFlags {
  data: string;
  out: string;
  seeds: number;
  jobs: number;
  quick: boolean;
}

function listPresets(): string {
  return Object.entries(PRESETS)
    .map(([name, configs]) => `  ${name}: ${configs.map((c) => c.label).join(" · ")}`)
    .join("\n");
}

export async function runSweepCommand(presets: string[], flags: SweepFlags): Promise<void> {
  const command = `tracecode sweep ${presets.join(" ")} --data ${flags.data} --out ${flags.out} --seeds ${flags.seeds}${flags.quick ? " --quick" : ""}`;
  const base = {
    presets,
    data: flags.data,
    out: flags.out,
    seeds: flags.seeds,
    quick: flags.quick,
    command,
  };
  const plan = planSweep(base);
  const epochs = plan.runs.reduce((n, r) => n + r.config.epochs, 0);
  process.stdout.write(
    `sweep: ${plan.manifest.entries.length} (preset, configuration, seed) entries share ` +
      `${plan.runs.length} runs, ${epochs} epochs in all, ${flags.jobs} at a time → ${flags.out}\n`,
  );
  const bar = progressBar("sweep", epochs, " | runs {runs}");
  let done = 0;
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once("SIGINT", stop);
  let summary: Awaited<ReturnType<typeof runSweep>>;
  try {
    summary = await runSweep({
      ...base,
      jobs: flags.jobs,
      signal: controller.signal,
      onEpoch: () => bar.tick(1, { runs: `${done}/${plan.runs.length}` }),
      onRunEnd: (run, error) => {
        done++;
        if (error) process.stderr.write(`\nsweep: run ${run} failed: ${error}\n`);
      },
    });
  } finally {
    bar.stop();
    process.off("SIGINT", stop);
  }
  const minutes = (summary.seconds / 60).toFixed(1);
  process.stdout.write(
    `sweep: ${summary.trained} runs trained, ${summary.skipped} already done, ` +
      `${summary.failed.length} failed in ${minutes} min → ${flags.out}/sweep.json\n`,
  );
  if (controller.signal.aborted) throw new Error(`interrupted; rerun the same command to resume`);
  if (summary.failed.length > 0) {
    throw new Error(`${summary.failed.length} runs failed (see runs/*/ERROR in ${flags.out})`);
  }
}

export function registerSweep(program: Command): void {
  program
    .command("sweep")
    .description(
      `train every configuration of the given presets (${PRESET_NAMES.join(", ")}) over\n` +
        "several seeds in parallel processes; reruns skip finished runs and resume interrupted ones",
    )
    .argument("[presets...]", "presets to run", ["all"])
    .option("--data <dir>", "dataset directory (functions.jsonl + traces.jsonl)")
    .option("--out <dir>", "sweep directory to write")
    .option("--seeds <n>", "seeds per configuration (0..N-1)", intOption("--seeds", 1, 100), 3)
    .option("--jobs <n>", "runs in parallel", intOption("--jobs", 1, 64), 2)
    .option("--quick", "scale every epoch budget by 0.3 (E=10/30/50 → 3/9/15)", false)
    .option("--list", "print each preset's configurations and exit")
    .action(async (presets: string[], flags: SweepFlags & { list?: boolean }) => {
      if (flags.list) {
        process.stdout.write(`${listPresets()}\n`);
        return;
      }
      if (!flags.data || !flags.out) throw new Error("sweep needs --data DIR and --out SWEEP_DIR");
      await runSweepCommand(presets, flags);
    });
}
