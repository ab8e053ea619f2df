/**
 * Exit codes a script can trust, for every subcommand, from the built CLI (`dist/cli/main.js`):
 * 2 for a usage error (unknown command or flag, a missing argument), 1 for a runtime failure,
 * 0 for success, `--help` and `--version`; stderr names the problem.
 */
import { execFile, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { packagePath } from "../python/pool.js";

const root = mkdtempSync(join(tmpdir(), "tracecode-exit-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const run = promisify(execFile);
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [packagePath("dist", "cli", "main.js"), ...args], {
      cwd: root,
      timeout: 60_000,
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const r = e as { code: number; stdout: string; stderr: string };
    return { code: r.code, stdout: r.stdout, stderr: r.stderr };
  }
}

/** Per subcommand: arguments with an unknown flag, and arguments missing a required one. */
const SUBCOMMANDS: [name: string, badFlag: string[], missing: string[], named: RegExp][] = [
  ["run", ["--bogus"], ["--out"], /option '--out <dir>' argument missing/],
  ["generate", ["--out", "d", "--bogus"], [], /required option '--out <path>' not specified/],
  ["trace", ["--in", "a", "--out", "b", "--bogus"], ["--out", "b"], /required option '--in/],
  ["train", ["--data", "d", "--out", "o", "--bogus"], ["--out", "o"], /required option '--data/],
  [
    "embed",
    ["--model", "m", "--in", "i", "--out", "o", "--bogus"],
    ["--in", "i", "--out", "o"],
    /required option '--model/,
  ],
  ["sweep", ["--data", "d", "--out", "o", "--bogus"], ["--out", "o"], /sweep needs --data DIR/],
  [
    "report",
    ["s", "--out", "o", "--bogus"],
    ["--out", "o"],
    /missing required argument 'sweep-dir'/,
  ],
  ["eval-clones", ["f.jsonl", "--bogus"], [], /missing required argument 'file'/],
  ["index", ["p", "--out", "o", "--bogus"], ["p"], /required option '--out <dir>' not specified/],
  ["search", ["idx", "--code", "x", "--bogus"], [], /missing required argument 'index'/],
];

describe("exit codes", () => {
  it.each(SUBCOMMANDS)(
    "%s: a bad flag or a missing argument exits 2 and says which",
    async (name, bad, missing, named) => {
      const [b, m, h] = await Promise.all([
        cli([name, ...bad]),
        cli([name, ...missing]),
        cli([name, "--help"]),
      ]);
      expect(b.code, b.stderr).toBe(2);
      expect(b.stderr).toMatch(/unknown option '--bogus'/);
      expect(m.code, m.stderr).toBe(2);
      expect(m.stderr).toMatch(named);
      expect(h.code, h.stderr).toBe(0);
      expect(h.stdout).toContain(`Usage: tracecode ${name}`);
    },
  );

  it("the program: unknown command and no command exit 2, --help and --version 0", async () => {
    const [unknown, none, help, version, query] = await Promise.all([
      cli(["nonexist"]),
      cli([]),
      cli(["--help"]),
      cli(["--version"]),
      cli(["search", "idx"]),
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command 'nonexist'/);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/Usage: tracecode/);
    expect(help.code).toBe(0);
    expect(version.code).toBe(0);
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+/);
    expect(query.code).toBe(2);
    expect(query.stderr).toMatch(/exactly one of --code SNIPPET or --file/);
  });

  it("the farm's options without --redis are a usage error", async () => {
    const index = await cli(["index", ".", "--out", "i", "--chunk", "5", "--keep"]);
    expect(index.code).toBe(2);
    expect(index.stderr).toMatch(/--chunk, --keep only apply to a farm run: add --redis URL/);
    const trace = await cli(["trace", "--in", "a.jsonl", "--out", "b.jsonl", "--retry-dead"]);
    expect(trace.code).toBe(2);
    expect(trace.stderr).toMatch(/--retry-dead only applies to a farm run/);
  });

  it("--model with --no-model is a usage error, in either order", async () => {
    const [index, clones] = await Promise.all([
      cli(["index", ".", "--out", "i", "--no-model", "--model", "m"]),
      cli(["eval-clones", "f.jsonl", "--model", "m", "--no-model"]),
    ]);
    expect(index.code).toBe(2);
    expect(index.stderr).toMatch(/--no-model and --model together: give one of them/);
    expect(clones.code).toBe(2);
    expect(clones.stderr).toMatch(/--model and --no-model together: give one of them/);
  });

  it("more sandbox processes than cores get a warning, and the command goes on", async () => {
    const many = await cli(["trace", "--workers", "64", "--in", "a.jsonl", "--out", "b.jsonl"]);
    expect(many.stderr).toMatch(
      /warning: --workers 64 is more than this machine's \d+ cores: each is a process of its own/,
    );
    // It went on to the work: the missing input is what stops it.
    expect(many.code).toBe(1);
    expect(many.stderr).toMatch(/--in a\.jsonl: no such file/);
    const one = await cli(["trace", "--workers", "1", "--in", "a.jsonl", "--out", "b.jsonl"]);
    expect(one.stderr).not.toMatch(/warning/);
  });

  it("a --format that disagrees with the --out file's extension is a usage error", async () => {
    const trace = await cli([
      "trace",
      "--in",
      "a.jsonl",
      "--out",
      "t.jsonl",
      "--format",
      "parquet",
    ]);
    expect(trace.code).toBe(2);
    expect(trace.stderr).toMatch(
      /--format parquet does not go with --out t\.jsonl \(a \.jsonl file\)/,
    );
    const gen = await cli(["generate", "--out", "g.parquet", "--format", "jsonl"]);
    expect(gen.code).toBe(2);
    expect(gen.stderr).toMatch(/--format jsonl does not go with --out g\.parquet/);
    // embed writes JSONL or .npy: a .parquet name would hold JSONL.
    const embed = await cli(["embed", "--model", "m", "--in", "f.jsonl", "--out", "e.parquet"]);
    expect(embed.code).toBe(2);
    expect(embed.stderr).toMatch(
      /--out e\.parquet: this command does not write \.parquet files \(it writes \.jsonl or \.npy\)/,
    );
  });

  it("an interrupted index exits 130 and says what it kept", async () => {
    // Each function spends its whole step budget: the run outlasts the wait below.
    const src = join(root, "slow");
    mkdirSync(src);
    const spin = (i: number) => `def spin${i}(n: int) -> int:\n    while True:\n        n += 1\n`;
    writeFileSync(join(src, "spin.py"), Array.from({ length: 200 }, (_, i) => spin(i)).join("\n"));
    const child = spawn(
      process.execPath,
      [
        packagePath("dist", "cli", "main.js"),
        "index",
        src,
        "--out",
        join(root, "idx"),
        "--no-model",
      ],
      { cwd: root },
    );
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    // Interrupted once it works: its index file exists only after the Ctrl-C handler is set.
    const db = join(root, "idx", "index.sqlite");
    for (let i = 0; i < 1200 && !existsSync(db); i++) await new Promise((ok) => setTimeout(ok, 50));
    child.kill("SIGINT");
    const code = await new Promise<number | null>((ok) => child.on("exit", (c) => ok(c)));
    expect(code, stderr).toBe(130);
    expect(stderr).toMatch(/stopped; the files of every finished batch stay indexed/);
  });

  it("a runtime failure exits 1 and names the input", async () => {
    const r = await cli(["trace", "--in", "missing.jsonl", "--out", "t.jsonl"]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/tracecode: error: --in missing\.jsonl: no such file/);
  });
});
