import type { Command } from "commander";

export function registerTrace(program: Command): void {
  program
    .command("trace")
    .description("(not yet available)")
    .action(() => {
      throw new Error("trace is not implemented yet");
    });
}
