import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { describe, expect, it, vi } from "vitest";
import { FunctionRow, readAllRows, readJsonl } from "../data/index.js";
import { registerGenerate } from "./generate.js";

async function run(args: string[]): Promise<string> {
  const program = new Command("tracecode").exitOverride();
  program.configureOutput({ writeErr: () => {}, writeOut: () => {} });
  registerGenerate(program);
  const lines: string[] = [];
  const spy = vi.spyOn(process.stdout, "write").mockImplementation((s) => {
    lines.push(String(s));
    return true;
  });
  try {
    await program.parseAsync(["node", "tracecode", "generate", ...args]);
  } finally {
    spy.mockRestore();
  }
  return lines.join("");
}

describe("tracecode generate", () => {
  it("writes functions.jsonl byte-identically for the same flags, and prints one summary line", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tracecode-gen-"));
    const flags = [
      "--functions",
      "4",
      "--variants",
      "3",
      "--family",
      "all",
      "--mutants",
      "1",
      "--seed",
      "9",
    ];
    const summary = await run(["--out", join(dir, "a"), ...flags, "--block-transforms"]);
    await run(["--out", join(dir, "b"), ...flags, "--block-transforms", "--no-verify"]);
    expect(summary.trim().split("\n")).toHaveLength(1);
    expect(summary).toMatch(/^generate: 24 snippets in 8 groups \(4 functions, 4 mutants\)/);
    expect(summary).toMatch(/verified 16 variants \(\d+ also by trace\)/);
    const a = readFileSync(join(dir, "a", "functions.jsonl"), "utf8");
    expect(readFileSync(join(dir, "b", "functions.jsonl"), "utf8")).toBe(a);
    expect(readJsonl(join(dir, "a", "functions.jsonl"), FunctionRow)).toHaveLength(24);
    const meta = JSON.parse(readFileSync(join(dir, "a", "functions.meta.json"), "utf8"));
    expect(meta.command).toContain(
      "--family affine,piecewise,loop --mutants 1 --val-fraction 0.2 --seed 9 --block-transforms",
    );
  });

  it("writes Parquet with --format parquet or a .parquet --out, the same rows as JSONL", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tracecode-gen-pq-"));
    const flags = ["--functions", "3", "--variants", "2", "--seed", "4", "--no-verify"];
    await run(["--out", join(dir, "j"), ...flags]);
    const summary = await run(["--out", join(dir, "p"), ...flags, "--format", "parquet"]);
    await run(["--out", join(dir, "corpus.parquet"), ...flags]);
    expect(summary).toContain(join(dir, "p", "functions.parquet"));
    const jsonl = readJsonl(join(dir, "j", "functions.jsonl"), FunctionRow);
    expect(jsonl).toHaveLength(6);
    for (const path of [join(dir, "p", "functions.parquet"), join(dir, "corpus.parquet")]) {
      const { rows, errors } = await readAllRows(path, "functions");
      expect(errors).toEqual([]);
      expect(rows).toEqual(jsonl);
    }
    const meta = JSON.parse(readFileSync(join(dir, "corpus.meta.json"), "utf8"));
    expect(meta.command).toContain(`--out ${join(dir, "corpus.parquet")}`);
  });

  it("warns when the split leaves train or val without functions, and writes the file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tracecode-gen-split-"));
    const warnings: string[] = [];
    const spy = vi.spyOn(process.stderr, "write").mockImplementation((s) => {
      warnings.push(String(s));
      return true;
    });
    const flags = ["--functions", "3", "--variants", "2", "--no-verify"];
    try {
      expect(await run(["--out", join(dir, "none"), ...flags, "--val-fraction", "0"])).toMatch(
        /train 6 \/ val 0/,
      );
      expect(await run(["--out", join(dir, "all"), ...flags, "--val-fraction", "1"])).toMatch(
        /train 0 \/ val 6/,
      );
      await run(["--out", join(dir, "some"), ...flags]);
    } finally {
      spy.mockRestore();
    }
    const said = warnings.filter((w) => /warning/.test(w));
    expect(said).toEqual([
      "tracecode generate: warning: no function is in val (--val-fraction 0 of 3 functions): tracecode train holds out val functions unless given --hold-out variants\n",
      "tracecode generate: warning: every function is in val (--val-fraction 1 of 3 functions): tracecode train needs train functions\n",
    ]);
  });

  it("rejects bad flags with a message naming the flag", async () => {
    const out = ["--out", join(tmpdir(), "unused")];
    await expect(run([...out, "--functions", "0"])).rejects.toThrow(
      /--functions must be an integer/,
    );
    await expect(run([...out, "--family", "cubic"])).rejects.toThrow(/--family must be "all" or/);
    await expect(run([...out, "--val-fraction", "2"])).rejects.toThrow(/--val-fraction/);
    await expect(run([...out, "--functions", "150"])).rejects.toThrow(
      /affine has only 101 distinct/,
    );
    await expect(run(["--functions", "3"])).rejects.toThrow(/--out/);
  });
});
