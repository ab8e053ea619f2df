/** `tracecode serve`: a local web app and JSON API over an index (src/serve). */
import type { Command } from "commander";
import { isLoopback, startServer } from "../serve/index.js";
import { UsageError } from "./errors.js";
import { applySandboxFlags, intOption, processesOption, unsafeOption } from "./options.js";
import { term } from "./terminal.js";

interface ServeFlags {
  port: number;
  host: string;
  report?: string;
  allowRemote: boolean;
  workers: number;
  queue: number;
  unsafeNoIsolation: boolean;
}

export async function runServe(dir: string, flags: ServeFlags): Promise<void> {
  if (!isLoopback(flags.host) && !flags.allowRemote)
    throw new UsageError(
      `--host ${flags.host} is not a loopback address: anyone who can reach it could run code in this machine's sandbox; add --allow-remote to serve it anyway`,
    );
  applySandboxFlags(flags);
  if (!isLoopback(flags.host))
    process.stderr.write(
      term`tracecode: WARNING: --allow-remote: serving on ${flags.host}; anyone who can reach it can search the index and run code in the sandbox\n`,
    );
  const server = await startServer(dir, {
    port: flags.port,
    host: flags.host,
    report: flags.report,
    allowRemote: flags.allowRemote,
    workers: flags.workers,
    queued: flags.queue,
  });
  process.stdout.write(
    term`tracecode serve: ${server.url} (index ${dir}, ${String(server.state.store.count("functions"))} functions); Ctrl-C stops\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await server.close();
}

export function registerServe(program: Command): void {
  const command = program
    .command("serve")
    .description(
      "a local web app over an index: search with behaviour diffs, functions with their runs, " +
        "the embedding map and the report, with the JSON API behind them",
    )
    .argument("<index>", "index directory made by tracecode index")
    .option("--port <n>", "port (0: any free one)", intOption("--port", 0, 65535), 7878)
    .option(
      "--host <address>",
      "address to listen on (loopback unless --allow-remote)",
      "127.0.0.1",
    )
    .option("--report <dir>", "a tracecode report folder to show on the report page")
    .option(
      "--allow-remote",
      "allow a non-loopback --host (anyone who can reach it can run code in the sandbox)",
      false,
    )
    .option(
      "--workers <n>",
      "sandbox processes of the warm pool",
      processesOption("--workers", 1, 16),
      2,
    )
    .option(
      "--queue <n>",
      "sandbox jobs that may wait before requests are refused with 503",
      intOption("--queue", 0, 10_000),
      64,
    );
  unsafeOption(command).action(runServe);
}
