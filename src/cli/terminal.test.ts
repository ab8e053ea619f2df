import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cliRunner } from "../../test/helpers/cli.js";
import { readJsonl, TraceRow } from "../data/index.js";
import { count, term } from "./terminal.js";

const root = mkdtempSync(join(tmpdir(), "tracecode-terminal-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const cli = cliRunner({ cwd: root, timeoutMs: 120_000 });

const HOSTILE = "\x1b[2J\n#  1  fake";
const ESCAPED = "\\x1b[2J\\n#  1  fake";
/** Python source of a string literal holding HOSTILE. */
const PY_HOSTILE = '"\\x1b[2J\\n#  1  fake"';

describe("terminal escaping", () => {
  it("term keeps our own text and escapes what is interpolated", () => {
    expect(term`a ${HOSTILE} b\n`).toBe(`a ${ESCAPED} b\n`);
  });

  it("count says one thing in the singular and any other number in the plural", () => {
    expect([count(0, "file"), count(1, "file"), count(2, "file")]).toEqual([
      "0 files",
      "1 file",
      "2 files",
    ]);
    expect(count(1, "process", "processes")).toBe("1 process");
    expect(count(3, "process", "processes")).toBe("3 processes");
  });

  it("index, search and trace print hostile names and exception texts escaped; JSON keeps them", () => {
    mkdirSync(join(root, "src"));
    const file = `evil${HOSTILE}.py`;
    writeFileSync(
      join(root, "src", file),
      `def ok(x: int) -> int:\n    return x + 1\n\ndef boom(x: int = (_ for _ in ()).throw(ValueError(${PY_HOSTILE}))) -> int:\n    return x\n`,
    );
    const index = cli(
      "index",
      "src",
      "--out",
      "idx",
      "--no-model",
      "--inputs",
      "3",
      "--workers",
      "1",
    );
    expect(index.status, index.stderr).toBe(0);
    expect(index.stdout).toContain(`src/evil${ESCAPED}.py:4 boom: runtime_error:`);
    expect(index.stdout).toContain(`ValueError: ${ESCAPED}`);
    expect(index.stdout).not.toContain("\x1b");
    expect(index.stdout).not.toMatch(/^# {2}1 {2}fake/m);

    const table = cli(
      "search",
      "idx",
      "--code",
      "def g(x: int) -> int:\n    return x + 1",
      "--no-run",
    );
    expect(table.status, table.stderr).toBe(0);
    expect(table.stdout).toContain(`src/evil${ESCAPED}.py:1`);
    expect(table.stdout).not.toContain("\x1b");
    expect(table.stdout).not.toMatch(/^# {2}1 {2}fake/m);
    const json = cli("search", "idx", "--code", "def g(x: int) -> int:\n    return x", "--json");
    const hits = JSON.parse(json.stdout).hits as { file: string }[];
    expect(hits.map((h) => h.file)).toContain(join(root, "src", file));

    writeFileSync(
      join(root, "rows.jsonl"),
      `${JSON.stringify({ id: `r${HOSTILE}`, group: "g", code: `raise ValueError(${PY_HOSTILE})\ndef f(x):\n    return x` })}\n`,
    );
    const trace = cli(
      "trace",
      "--in",
      "rows.jsonl",
      "--out",
      "t.jsonl",
      "--inputs",
      "1",
      "--workers",
      "1",
    );
    expect(trace.status, trace.stderr).toBe(0);
    const [row] = readJsonl(join(root, "t.jsonl"), TraceRow);
    expect(row.id).toBe(`r${HOSTILE}`);
    expect(row.error).toContain(`ValueError: ${HOSTILE}`);
  });

  it("an output under /proc fails fast with exit 1; a directory given as a file leaves no temp file", () => {
    writeFileSync(
      join(root, "one.jsonl"),
      '{"id":"a","group":"a","code":"def f(x):\\n    return x"}\n',
    );
    const proc = cli("trace", "--in", "one.jsonl", "--out", "/proc/1/nope");
    expect(proc.status).toBe(1);
    expect(proc.stderr).toMatch(/--out \/proc\/1\/nope: refusing to write under \/proc/);
    const gen = cli("generate", "--out", "/proc/1/nope/data");
    expect(gen.status).toBe(1);
    expect(gen.stderr).toMatch(/--out \/proc\/1\/nope\/data: refusing to write under \/proc/);

    mkdirSync(join(root, "taken"));
    const before = readdirSync(root).sort();
    const dir = cli("trace", "--in", "one.jsonl", "--out", "taken");
    expect(dir.status).toBe(1);
    expect(dir.stderr).toMatch(/--out taken: is a directory; a file path is expected/);
    expect(readdirSync(root).sort()).toEqual(before);
    expect(readdirSync(join(root, "taken"))).toEqual([]);
  });
});
