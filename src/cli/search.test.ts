import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { writeTinyModel } from "../../test/helpers/tiny-model.js";
import { packagePath } from "../python/pool.js";

const root = mkdtempSync(join(tmpdir(), "tracecode-cli-search-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const cli = (...args: string[]) =>
  spawnSync(process.execPath, [packagePath("dist", "cli", "main.js"), ...args], {
    encoding: "utf8",
    timeout: 60_000,
    cwd: root,
  });

const src = join(root, "src");
mkdirSync(src);
writeFileSync(
  join(src, "maths.py"),
  `def double(x: int) -> int:
    return 2 * x

def twice(y: int) -> int:
    return y + y

def untyped(a):
    return a
`,
);
const index = join(root, "idx");

describe("tracecode index and search", () => {
  it("indexes a folder, prints what could not run and a one-line summary", () => {
    const r = cli("index", "src", "--out", "idx", "--no-model", "--inputs", "20");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('src/maths.py:7 untyped: no_inputs: parameter "a" has no type hint');
    expect(r.stdout).toMatch(
      /indexed 1 of 1 files \(0 unchanged, skipped\); 3 functions: 2 run, 1 without inputs, 0 failed; index holds 3 functions in 1 behaviour classes; no model/,
    );
    const again = cli("index", "src", "--out", "idx", "--no-model");
    expect(again.stdout).toMatch(/indexed 0 of 1 files \(1 unchanged, skipped\)/);
  });

  it("prints a table with locations and behaviour, or JSON", () => {
    const q = "def f(n: int) -> int:\n    return n * 2\n";
    const t = cli("search", "idx", "--code", q, "--k", "2");
    expect(t.status, t.stderr).toBe(0);
    expect(t.stdout).toMatch(/ranked by lexical similarity/);
    expect(t.stdout).toMatch(/note: the index has no embeddings/);
    expect(t.stdout).toMatch(/src\/maths\.py:1 +double +equal on 20\/20 inputs/);
    expect(t.stdout).toMatch(/src\/maths\.py:4 +twice +equal on 20\/20 inputs/);
    writeFileSync(join(root, "q.py"), "def g(s: str) -> str:\n    return s\n");
    const j = cli("search", index, "--file", "q.py", "--json", "--k", "1", "--no-run");
    expect(j.status, j.stderr).toBe(0);
    const result = JSON.parse(j.stdout);
    expect(result.query).toMatchObject({ entry: "g", args: ["str"], status: "not_run" });
    expect(result.ranking).toBe("lexical");
    expect(result.hits[0]).toMatchObject({ rank: 1, file: join(src, "maths.py") });
    expect(result.hits[0].behaviour.reason).toMatch(/query not run/);
  });

  it("says clearly what is wrong", () => {
    const cases: [string[], RegExp][] = [
      [
        ["search", "nowhere", "--code", "def f(x: int):\n    return x\n"],
        /nowhere is not an index: .*index\.sqlite is missing/,
      ],
      [
        ["search", "idx", "--code", "def f(x: int):\n    return (x +\n"],
        /the query is not valid Python \(line 2/,
      ],
      [
        ["search", "idx", "--code", "def f(x: int):\n    return x\n", "--entry", "g"],
        /the query has no function "g" \(it has: f\)/,
      ],
      [["search", "idx", "--code", "x = 1\n"], /the query has no top-level function/],
      [["search", "idx"], /exactly one of --code SNIPPET or --file F\.py/],
      [["search", "idx", "--file", "missing.py"], /cannot read missing\.py: ENOENT/],
      [
        ["search", "idx", "--code", "def f(x): return x", "--args", "complex"],
        /--args: unknown type "complex"/,
      ],
      [["index", "nothere", "--out", "idx2"], /nothere: no such file or directory/],
      [
        ["index", "src", "--out", "idx", "--inputs", "50"],
        /built with inputs 20; it cannot change/,
      ],
    ];
    for (const [args, message] of cases) {
      const r = cli(...args);
      expect(r.status, args.join(" ")).not.toBe(0);
      expect(r.stderr).toMatch(message);
    }
  });

  it("refuses a model that reads traces", () => {
    const joint = writeTinyModel(join(root, "joint"), "joint");
    const r = cli("index", "src", "--out", "idx3", "--model", joint);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/the joint model reads execution traces; .* code-only model/);
  });
});
