import type { Command } from "commander";

export function registerRun(program: Command): void {
  program
    .command("run")
    .description("the main job on built-in defaults (what `npm start` runs)")
    .action(() => {
      throw new Error("run is not implemented yet");
    });
}
