#!/usr/bin/env node
/**
 * The `tracecode` command. Each subcommand lives in its own file and only parses flags and
 * calls a library function; this file wires them together.
 */
import { createRequire } from "node:module";
import { Command, CommanderError } from "commander";
import { registerEmbed } from "./embed.js";
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError } from "./errors.js";
import { registerEvalClones } from "./eval-clones.js";
import { registerGenerate } from "./generate.js";
import { registerIndex } from "./index-cmd.js";
import { registerReport } from "./report.js";
import { registerRun } from "./run.js";
import { registerSearch } from "./search.js";
import { registerServe } from "./serve.js";
import { registerSweep } from "./sweep.js";
import { message } from "./terminal.js";
import { registerTrace } from "./trace.js";
import { registerTrain } from "./train.js";
import { registerWorker } from "./worker.js";

const { version } = createRequire(import.meta.url)("../../package.json") as { version: string };

export function buildProgram(): Command {
  const program = new Command("tracecode")
    .description(
      "Learn code representations from execution: generate Python functions and variants,\n" +
        "run them in a sandbox, record traces, train and evaluate contrastive encoders.",
    )
    .version(version)
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride();
  registerRun(program);
  registerGenerate(program);
  registerTrace(program);
  registerTrain(program);
  registerEmbed(program);
  registerSweep(program);
  registerReport(program);
  registerEvalClones(program);
  registerIndex(program);
  registerSearch(program);
  registerServe(program);
  registerWorker(program);
  return program;
}

/** Runs the command line; returns the exit code (src/cli/errors.ts: 0 ok, 1 failure, 2 usage). */
export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return EXIT_OK;
  } catch (e) {
    // Commander has printed its message (or the help, or the version) already.
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    if (e instanceof UsageError) {
      process.stderr.write(`tracecode: error: ${message(e.message)} (run with --help for usage)\n`);
      return EXIT_USAGE;
    }
    process.stderr.write(`tracecode: error: ${message((e as Error).message)}\n`);
    return EXIT_FAILURE;
  }
}

process.exitCode = await main(process.argv);
