#!/usr/bin/env node
/**
 * The `tracecode` command. Each subcommand lives in its own file and only parses flags and
 * calls a library function; this file wires them together.
 */
import { createRequire } from "node:module";
import { Command, CommanderError } from "commander";
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError } from "./errors.js";
import { message } from "./terminal.js";

const { version } = createRequire(import.meta.url)("../../package.json") as { version: string };

type Register = (program: Command) => void;

/**
 * The subcommands in the order `--help` lists them, each loaded only when it is used: loading
 * every command's libraries (SQLite, DuckDB, BullMQ, Vega, the web server…) took a second
 * before any command started, which a quick `search` feels.
 */
const COMMANDS: [string, () => Promise<Register>][] = [
  ["run", async () => (await import("./run.js")).registerRun],
  ["generate", async () => (await import("./generate.js")).registerGenerate],
  ["trace", async () => (await import("./trace.js")).registerTrace],
  ["corpus", async () => (await import("./corpus.js")).registerCorpus],
  ["train", async () => (await import("./train.js")).registerTrain],
  ["embed", async () => (await import("./embed.js")).registerEmbed],
  ["sweep", async () => (await import("./sweep.js")).registerSweep],
  ["report", async () => (await import("./report.js")).registerReport],
  ["eval-clones", async () => (await import("./eval-clones.js")).registerEvalClones],
  ["index", async () => (await import("./index-cmd.js")).registerIndex],
  ["search", async () => (await import("./search.js")).registerSearch],
  ["serve", async () => (await import("./serve.js")).registerServe],
  ["worker", async () => (await import("./worker.js")).registerWorker],
];

/** The program with the subcommand `argv` names, or all of them (help, an unknown name). */
export async function buildProgram(argv: readonly string[] = []): Promise<Command> {
  const program = new Command("tracecode")
    .description(
      "Learn code representations from execution: generate Python functions and variants, " +
        "run them in a sandbox, record traces, train and evaluate contrastive encoders.",
    )
    .version(version)
    .showHelpAfterError("(run with --help for usage)")
    // Commander's own errors ("error: unknown option …") carry the prefix ours do.
    .configureOutput({ outputError: (text, write) => write(`tracecode: ${text}`) })
    .exitOverride();
  const named = argv.slice(2).find((a) => !a.startsWith("-"));
  const one = COMMANDS.filter(([name]) => name === named);
  for (const [, load] of one.length > 0 ? one : COMMANDS) (await load())(program);
  return program;
}

/** Runs the command line; returns the exit code (src/cli/errors.ts: 0 ok, 1 failure, 2 usage). */
export async function main(argv: string[]): Promise<number> {
  try {
    await (await buildProgram(argv)).parseAsync(argv);
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
