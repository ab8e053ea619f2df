import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { Command } from "commander";
import { afterAll, describe, expect, it, vi } from "vitest";
import { writeTinyDataset } from "../../test/helpers/tiny-dataset.js";
import { PRESETS } from "../experiments/index.js";
import { UsageError } from "./errors.js";
import { checkPresets, registerSweep } from "./sweep.js";

const data = writeTinyDataset(6, 4, "tracecode-cli-sweep-");
afterAll(() => rmSync(data, { recursive: true, force: true }));

/** Runs `tracecode sweep ...args` in-process; resolves to its stdout or rejects with its error. */
async function sweep(...args: string[]): Promise<string> {
  const program = new Command("tracecode").exitOverride();
  registerSweep(program);
  let out = "";
  const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    out += String(chunk);
    return true;
  });
  try {
    await program.parseAsync(["node", "tracecode", "sweep", ...args]);
  } finally {
    spy.mockRestore();
  }
  return out;
}

describe("tracecode sweep", () => {
  it("--list prints every preset with its configurations and overrides", async () => {
    const out = await sweep("--list");
    for (const name of Object.keys(PRESETS)) expect(out).toMatch(new RegExp(`^${name}: `, "m"));
    expect(out).toMatch(/^ {2}E=10 {2}epochs 10$/m);
    expect(out).toMatch(/^ {2}paper-literal +paper defaults$/m);
    expect(out).toMatch(/^ {2}hard, per epoch +negatives hard, miningScope epoch$/m);
  });

  it("--list NAME… lists only those presets, and refuses an unknown one as a usage error", async () => {
    const out = await sweep("--list", "dim", "architecture");
    expect(out.match(/^\S.*$/gm)).toEqual([
      `dim: ${PRESETS.dim.question}`,
      `architecture: ${PRESETS.architecture.question}`,
    ]);
    expect(out).toMatch(/^ {2}dim 16 {3}dim 16$/m);
    expect(await sweep("--list", "all")).toBe(await sweep("--list"));
    const unknown = sweep("--list", "foo");
    await expect(unknown).rejects.toBeInstanceOf(UsageError);
    await expect(unknown).rejects.toThrow(/^unknown preset "foo"; choose from epochs, negatives/);
  });

  it("names what is missing or unknown, as usage errors (exit 2), before any work", async () => {
    await expect(sweep("dim", "--data", data)).rejects.toThrow(
      "sweep needs --data DIR and --out SWEEP_DIR",
    );
    const out = join(data, "s");
    const unknown = sweep("nope", "dim", "bad", "--data", data, "--out", out);
    await expect(unknown).rejects.toBeInstanceOf(UsageError);
    await expect(unknown).rejects.toThrow(
      /^unknown presets "nope", "bad"; choose from epochs, negatives/,
    );
    expect(existsSync(out)).toBe(false);
    expect(() => checkPresets([])).toThrow(UsageError);
    expect(checkPresets(["all", "dim"])).toEqual(Object.keys(PRESETS));
  });

  it("--help shows the default preset as all, not as an array", () => {
    const program = new Command("tracecode");
    registerSweep(program);
    const help = program.commands[0].helpInformation();
    expect(help).toMatch(/presets .*\(default: all\)/);
    expect(help).not.toContain('["all"]');
  });

  it("estimates, trains, summarises, and skips everything on a rerun", async () => {
    const out = join(data, "sweep");
    const args = ["distance", "--data", data, "--out", out, "--epochs-cap", "1", "--quick"];
    const first = await sweep(...args);
    expect(first).toMatch(
      /^sweep: 2 \(preset, configuration, seed\) entries → 2 runs: 0 done, 0 to resume, 2 new; 2 runs and 2 epochs to train, 2 at a time/m,
    );
    expect(first).toMatch(/^sweep: 2 runs trained, 0 already done, 0 failed in \d+\.\d min/m);
    expect(existsSync(join(out, "sweep.json"))).toBe(true);
    const again = await sweep(...args);
    expect(again).toMatch(/2 done, 0 to resume, 0 new; 0 runs and 0 epochs to train/);
    expect(again).toMatch(/0 runs trained, 2 already done, 0 failed/);
  });
});
