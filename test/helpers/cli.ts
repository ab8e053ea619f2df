/** Running the built `tracecode` CLI from tests, as a user would: a new process each time. */
import { type SpawnSyncReturns, spawnSync } from "node:child_process";
import { packagePath } from "../../src/python/pool.js";

/** A function that runs `tracecode ARGS…` (dist/cli/main.js) in `cwd`; the timeout is only a safety net. */
export function cliRunner(options: {
  cwd?: string;
  timeoutMs: number;
}): (...args: string[]) => SpawnSyncReturns<string> {
  return (...args) =>
    spawnSync(process.execPath, [packagePath("dist", "cli", "main.js"), ...args], {
      encoding: "utf8",
      timeout: options.timeoutMs,
      ...(options.cwd ? { cwd: options.cwd } : {}),
    });
}
