import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cliRunner } from "../../test/helpers/cli.js";
import { TraceRow } from "../data/index.js";
import { packagePath } from "../python/pool.js";

const dir = mkdtempSync(join(tmpdir(), "tracecode-cli-trace-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const tracecode = cliRunner({ timeoutMs: 60_000 });
const cli = (...args: string[]) => tracecode("trace", ...args);

describe("tracecode trace", () => {
  const input = join(dir, "functions.jsonl");
  writeFileSync(
    input,
    [
      { id: "a", group: "a", code: "def f(x):\n    return x + 1\n" },
      { id: "b", group: "a", code: "def f(y):\n    return y + 1\n" },
      { id: "c", group: "c", code: "def f(x) return\n" },
      { group: "d", code: "no id" },
      { id: "e", group: "e", code: "def h(s):\n    return s[::-1]\n", entry: "h", args: ["str"] },
    ]
      .map((r) => JSON.stringify(r))
      .join("\n"),
  );

  it("stopped by Ctrl-C, says nothing was written and exits 130", async () => {
    const slow = join(dir, "slow.jsonl");
    const body = "def f(x):\n    while True:\n        x += 1\n";
    writeFileSync(slow, `${JSON.stringify({ id: "s", code: body })}\n`);
    const out = join(dir, "slow.t.jsonl");
    const p = spawn(
      process.execPath,
      [
        packagePath("dist", "cli", "main.js"),
        "trace",
        "--in",
        slow,
        "--out",
        out,
        "--timeout-ms",
        "60000",
        "--max-steps",
        "100000000",
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let stderr = "";
    p.stderr.on("data", (d) => {
      stderr += d;
    });
    const exited = new Promise<number | null>((r) => p.on("exit", (code) => r(code)));
    // The handler is set before the sandbox starts: interrupt once its children are there.
    for (let i = 0; i < 600; i++) {
      const children = spawnSync("pgrep", ["-P", String(p.pid)], { encoding: "utf8" }).stdout;
      if (children.trim() !== "") break;
      await new Promise((r) => setTimeout(r, 100));
    }
    p.kill("SIGINT");
    expect(await exited).toBe(130);
    expect(stderr).toContain(`tracecode trace: stopped; nothing was written to ${out}`);
    expect(existsSync(out)).toBe(false);
  });

  it("says which ids appear twice: rows are matched by id", () => {
    const twice = join(dir, "twice.jsonl");
    const row = { id: "same", code: "def f(x):\n    return x\n" };
    writeFileSync(twice, `${JSON.stringify(row)}\n${JSON.stringify(row)}\n`);
    const r = cli("--in", twice, "--out", join(dir, "twice.t.jsonl"), "--inputs", "2");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      `tracecode trace: warning: --in ${twice}: 1 id appears more than once ("same"); rows are matched by id`,
    );
  });

  it("refuses --out naming its --in (exit 2), before any work, leaving the input as it was", () => {
    const before = readFileSync(input, "utf8");
    const r = cli("--in", input, "--out", input);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`--out ${input} is the input --in ${input}`);
    expect(readFileSync(input, "utf8")).toBe(before);
  });

  it("traces valid rows, reports bad ones by file and line, and is deterministic", () => {
    const out1 = join(dir, "t1.jsonl");
    const out2 = join(dir, "t2.jsonl");
    const r = cli("--in", input, "--out", out1, "--inputs", "20", "--range", "-5,5");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain(`${input}:4:`);
    expect(r.stdout).toMatch(
      /traced 4 snippets .*ok 3, syntax_error 1; 2 trace classes, 1 invalid row skipped/,
    );
    const rows = readFileSync(out1, "utf8")
      .trim()
      .split("\n")
      .map((l) => TraceRow.parse(JSON.parse(l)));
    expect(rows.map((t) => [t.id, t.status])).toEqual([
      ["a", "ok"],
      ["b", "ok"],
      ["c", "syntax_error"],
      ["e", "ok"],
    ]);
    expect(rows[0].traceClass).toBe(rows[1].traceClass);
    expect(rows[0].runs).toHaveLength(20);
    expect(rows[0].runs.every((run) => Math.abs(Number(run.input[0])) <= 5)).toBe(true);
    expect(cli("--in", input, "--out", out2, "--inputs", "20", "--range", "-5,5").status).toBe(0);
    expect(readFileSync(out2, "utf8")).toBe(readFileSync(out1, "utf8"));
  });

  it("exits non-zero with a clear message on bad flags", () => {
    const r = cli("--in", input, "--out", join(dir, "x.jsonl"), "--level", "bytes");
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/--level must be one of trace, io/);
    const r2 = cli("--in", join(dir, "missing.jsonl"), "--out", join(dir, "x.jsonl"));
    expect(r2.status).toBe(1);
    expect(r2.stderr).toMatch(/--in .*missing\.jsonl: no such file/);
    // A folder, or a file of which no row is valid (Python source), is an error, not 0 rows.
    expect(cli("--in", dir, "--out", join(dir, "x.jsonl")).stderr).toMatch(
      /: a folder, not a functions file .*tracecode index/,
    );
    const py = join(dir, "f.py");
    writeFileSync(py, "def f(x):\n    return x\n");
    const r3 = cli("--in", py, "--out", join(dir, "x.jsonl"));
    expect(r3.status).toBe(1);
    expect(r3.stderr).toMatch(/f\.py: no valid functions row .*tracecode index/);
  });
});
