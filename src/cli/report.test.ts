import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { afterAll, describe, expect, it, vi } from "vitest";
import { FAST, writeSweepDir } from "../../test/helpers/report.js";
import { registerReport } from "./report.js";

const dir = mkdtempSync(join(tmpdir(), "tracecode-cli-report-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `tracecode report ...args` in-process; resolves to its stdout or rejects with its error. */
async function report(...args: string[]): Promise<string> {
  const program = new Command("tracecode").exitOverride().configureOutput({ writeErr: () => {} });
  registerReport(program);
  let out = "";
  const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    out += String(chunk);
    return true;
  });
  try {
    await program.parseAsync(["node", "tracecode", "report", ...args]);
  } finally {
    spy.mockRestore();
  }
  return out;
}

describe("tracecode report", () => {
  it("refuses a directory without sweep.json, naming the file", async () => {
    const empty = join(dir, "empty");
    await expect(report(empty, "--out", join(dir, "r"))).rejects.toThrow(
      `${empty} is not a sweep: ${join(empty, "sweep.json")} is missing`,
    );
    expect(existsSync(join(dir, "r"))).toBe(false);
  });

  it("needs --out", async () => {
    await expect(report(join(dir, "empty"))).rejects.toThrow(/required option '--out <dir>'/);
  });

  it("writes the report and prints a one-line summary", async () => {
    const sweep = join(dir, "sweep");
    writeSweepDir(sweep, join(dir, "no-data"), [
      { preset: "epochs", label: "E", seed: 0, config: {}, rows: FAST, done: true },
      { preset: "epochs", label: "E", seed: 1, config: { epochs: 6 }, rows: [], done: false },
    ]);
    const out = await report(sweep, "--out", join(dir, "r"));
    expect(out).toMatch(
      /^report: 1 figure, 9 claims \(3 hold, 6 not measured\), 1 run missing in [\d.]+ s → .*REPORT\.md\n$/,
    );
    expect(existsSync(join(dir, "r", "figures", "fig1-epochs.png"))).toBe(true);
  });
});
