/**
 * `tracecode run`: the main job on built-in defaults (what `npm start` runs) — the paper's data
 * generated and traced into OUT. Each step is the subcommand of the same name with its defaults.
 */
import { join } from "node:path";
import type { Command } from "commander";
import { DEFAULT_RANGE } from "../python/index.js";
import { DEFAULT_GENERATE_OPTIONS as G } from "../synth/index.js";
import { runGenerate } from "./generate.js";
import { intOption } from "./options.js";
import { runTrace } from "./trace.js";

export interface RunFlags {
  out: string;
  seed: number;
}

export async function runMainJob(flags: RunFlags): Promise<void> {
  const t0 = performance.now();
  const functions = join(flags.out, "functions.jsonl");
  const traces = join(flags.out, "traces.jsonl");
  await runGenerate({
    out: flags.out,
    functions: G.functions,
    variants: G.variants,
    family: [...G.families],
    mutants: G.mutants,
    valFraction: G.valFraction,
    seed: flags.seed,
    blockTransforms: false,
    verify: true,
  });
  await runTrace({
    in: functions,
    out: traces,
    inputs: 100,
    range: DEFAULT_RANGE,
    seed: flags.seed,
    timeoutMs: 1000,
    workers: 2,
    level: "trace",
  });
  const minutes = ((performance.now() - t0) / 60_000).toFixed(1);
  process.stdout.write(`run: done in ${minutes} min → ${functions}, ${traces}\n`);
}

export function registerRun(program: Command): void {
  program
    .command("run")
    .description("the main job on built-in defaults (what `npm start` runs): generate → trace")
    .option("--out <dir>", "output directory", "out")
    .option("--seed <n>", "seed for generation and inputs", intOption("--seed", 0, 2 ** 32 - 1), 0)
    .action(runMainJob);
}
