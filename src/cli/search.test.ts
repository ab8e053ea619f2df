import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cliRunner } from "../../test/helpers/cli.js";
import { writeTinyModel } from "../../test/helpers/tiny-model.js";

const root = mkdtempSync(join(tmpdir(), "tracecode-cli-search-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const cli = cliRunner({ cwd: root, timeoutMs: 60_000 });

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

def nothing(s):
    return s.upper().missing()
`,
);
const index = join(root, "idx");

describe("tracecode index and search", () => {
  it("indexes a folder, prints what could not run, the counts with reasons and a summary", () => {
    const r = cli("index", "src", "--out", "idx", "--no-model", "--inputs", "20");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      "src/maths.py:10 nothing: always_raises: raised AttributeError on all 20 drawn inputs",
    );
    expect(r.stdout).toMatch(
      /functions: 4: behaviour class 3 \(75\.0 %\), always raises 1, not run 0\n {2}always raises: raises AttributeError 1/,
    );
    expect(r.stdout).toMatch(/signatures of those with a behaviour: hints 2, inferred 1/);
    expect(r.stdout).toMatch(
      /indexed 1 of 1 file \(0 unchanged, skipped\); 4 functions: 3 run, 0 without inputs, 1 failed \(always_raises 1\); index holds 4 functions in 2 behaviour classes; no model/,
    );
    const again = cli("index", "src", "--out", "idx", "--no-model");
    expect(again.stdout).toMatch(/indexed 0 of 1 file \(1 unchanged, skipped\)/);
  });

  it("prints the summary as JSON, and takes types from --types and tracecode.toml", () => {
    const pkg = join(root, "typed");
    mkdirSync(pkg);
    writeFileSync(
      join(pkg, "shapes.py"),
      "class Box:\n    def __init__(self, w):\n        self.w = w\n\n    def area(self):\n        return self.w * self.w\n\ndef echo(v):\n    return v\n",
    );
    writeFileSync(join(pkg, "tracecode.toml"), '[functions.echo]\nargs = ["bytes"]\n');
    writeFileSync(join(root, "types.toml"), '[functions."Box.area".params]\nw = "float"\n');
    const indexTyped = (...more: string[]) =>
      cli(
        "index",
        "typed",
        "--out",
        "idx-typed",
        "--no-model",
        "--inputs",
        "5",
        "--types",
        "types.toml",
        ...more,
      );
    const r = indexTyped("--json");
    expect(r.status, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.functions).toMatchObject({ total: 1, behaviour: 1 });
    expect(s.methods).toMatchObject({ total: 1, behaviour: 1, always_raises: 0, not_run: 0 });
    expect(s.signatures).toEqual({ user: 2 });
    // An edited types file indexes the code again, as an edit of the code does; an entry that
    // names no indexed function (a typo) is said, not silently ignored.
    writeFileSync(join(pkg, "tracecode.toml"), '[functions.echo]\nargs = ["str"]\n');
    writeFileSync(
      join(root, "types.toml"),
      '[functions."Box.area".params]\nw = "float"\n\n[functions.ech0]\nargs = ["str"]\n',
    );
    const again = indexTyped();
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/indexed 1 of 1 file \(0 unchanged, skipped\)/);
    expect(again.stderr).toMatch(
      /warning: .*types\.toml: \[functions\."ech0"\] names no indexed function/,
    );
    expect(again.stderr).not.toMatch(/Box\.area|"echo"/);
    const same = indexTyped();
    expect(same.stdout).toMatch(/indexed 0 of 1 file \(1 unchanged, skipped\)/);
    const bad = cli("index", "typed", "--out", "idx-bad", "--types", "missing.toml");
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/--types: missing\.toml: no such file/);
  });

  it("prints a table with locations and behaviour, or JSON", () => {
    const q = "def f(n: int) -> int:\n    return n * 2\n";
    const t = cli("search", "idx", "--code", q, "--k", "2");
    expect(t.status, t.stderr).toBe(0);
    expect(t.stdout).toMatch(/ranked by lexical similarity/);
    expect(t.stdout).toMatch(/note: the index has no embeddings/);
    expect(t.stdout).toMatch(/2 indexed functions have exactly the query's behaviour/);
    // Exact behaviour first (all of it, though --k is 2), then similarity.
    expect(t.stdout).toMatch(
      /— same behaviour as the query\n\d +[\d.]+ +src\/maths\.py:\d +(double|twice) +equal on 20\/20 inputs\n\d +[\d.]+ +src\/maths\.py:\d +(double|twice) +equal on 20\/20 inputs\n— /,
    );
    const none = cli("search", "idx", "--code", "def f(n: int) -> int:\n    return n - 7\n");
    expect(none.stdout).toMatch(
      /no indexed function behaves like the query on the index's 20 inputs for \(int\)/,
    );
    // Each side of a difference is named.
    expect(none.stdout).toMatch(/first difference at \(-?\d+\): query -?\d+, hit -?\d+/);
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
      [["search", "idx", "--file", "missing.py"], /--file missing\.py: no such file/],
      [
        ["search", "idx", "--code", "def f(x): return x", "--args", "complex"],
        /--args: argument type "complex": unknown type/,
      ],
      [
        ["search", "idx", "--code", "def f(a, b):\n    return a + b\n", "--args", "int"],
        /argument types for f: the given types \(int\) do not match the 2 parameters passed/,
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
    // A new index that cannot start leaves no empty database that searches would then read.
    const noModel = cli("index", "src", "--out", "idx-nomodel", "--model", "nothere");
    expect(noModel.status).toBe(1);
    expect(noModel.stderr).toMatch(/nothere is not a model directory/);
    expect(existsSync(join(root, "idx-nomodel", "index.sqlite"))).toBe(false);
    // A folder with nothing to index is said (the run goes on: other paths may have code).
    mkdirSync(join(root, "notes"));
    writeFileSync(join(root, "notes", "readme.txt"), "hi\n");
    const empty = cli("index", "notes", "--out", "idx-notes", "--no-model");
    expect(empty.status, empty.stderr).toBe(0);
    expect(empty.stderr).toMatch(/skipped: notes: no \.py files in this folder/);
    // A functions file without one valid row is one error, is not indexed, and the run exits
    // 1 once the rest is done; invalid rows among valid ones are counted past the first few.
    writeFileSync(join(root, "bad.jsonl"), '{"foo": 1}\n'.repeat(40));
    const rows = Array.from({ length: 8 }, (_, i) => `{"foo": ${i}}`);
    rows.push(JSON.stringify({ id: "ok", code: "def f(x):\n    return x\n" }));
    writeFileSync(join(root, "mixed.jsonl"), `${rows.join("\n")}\n`);
    const bad = cli("index", "bad.jsonl", "mixed.jsonl", "--out", "idx-bad-rows", "--no-model");
    expect(bad.status, bad.stderr).toBe(1);
    expect(bad.stderr).toMatch(
      /skipped: .*bad\.jsonl: no valid functions row, so nothing of it is indexed \(.*bad\.jsonl:1: .* at "id"; 39 more rows invalid\)/,
    );
    expect(bad.stderr.match(/mixed\.jsonl:\d+: /g)).toHaveLength(5);
    expect(bad.stderr).toMatch(/mixed\.jsonl: 3 more invalid rows skipped/);
    expect(bad.stdout).toMatch(/indexed 1 of 2 files \(0 unchanged, skipped; 1 unreadable\)/);
    expect(bad.stderr).toMatch(
      /error: 1 file could not be indexed \(above: unreadable, or no valid row\); everything else is/,
    );
    writeFileSync(join(root, "none.jsonl"), "");
    const none = cli("index", "none.jsonl", "--out", "idx-none", "--no-model");
    expect(none.status, none.stderr).toBe(0);
    expect(none.stderr).toMatch(/warning: .*none\.jsonl: no rows/);
  });

  it("refuses a model that reads traces", () => {
    const joint = writeTinyModel(join(root, "joint"), "joint");
    const r = cli("index", "src", "--out", "idx3", "--model", joint);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/the joint model reads execution traces; .* code-only model/);
  });
});
