import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cliRunner } from "../../test/helpers/cli.js";
import { readAllRows } from "../data/index.js";

const root = mkdtempSync(join(tmpdir(), "tracecode-cli-export-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const cli = cliRunner({ cwd: root, timeoutMs: 60_000 });

mkdirSync(join(root, "src"));
writeFileSync(
  join(root, "src", "maths.py"),
  "def double(x: int) -> int:\n    return 2 * x\n\ndef untyped(a):\n    return a\n",
);

describe("tracecode index --export", () => {
  it("exports after indexing, and alone from an existing index", async () => {
    const r = cli(
      "index",
      "src",
      "--out",
      "idx",
      "--no-model",
      "--inputs",
      "10",
      "--export",
      "a.parquet",
    );
    // Nothing but the progress lines of a stderr that is not a terminal.
    expect(r.stderr.split("\n").filter((l) => l && !/^index: \d+\/\d+ \(\d+%\)/.test(l))).toEqual(
      [],
    );
    expect(r.stderr).toContain("index: 2/2 (100%)");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("exported 2 functions → a.parquet");
    const a = await readAllRows(join(root, "a.parquet"), "index");
    expect(a.errors).toEqual([]);
    expect(a.rows.map((f) => [f.name, f.status, f.argsFrom])).toEqual([
      ["double", "ok", "hints"],
      ["untyped", "ok", "inferred"],
    ]);

    const alone = cli("index", "--out", "idx", "--export", "b.jsonl", "--json");
    expect(alone.status).toBe(0);
    expect(JSON.parse(alone.stdout)).toEqual({ export: { path: "b.jsonl", rows: 2 } });
    expect((await readAllRows(join(root, "b.jsonl"), "index")).rows).toEqual(a.rows);
  });

  it("names a bad export path or a missing index, and asks for paths without --export", () => {
    const csv = cli("index", "--out", "idx", "--export", "x.csv");
    expect(csv.status).toBe(2);
    expect(csv.stderr).toContain("--export x.csv: name a .parquet or .jsonl file");
    const none = cli("index", "--out", "nothing", "--export", "x.parquet");
    expect(none.status).not.toBe(0);
    expect(none.stderr).toContain("nothing: no index to export (index.sqlite is missing)");
    expect(existsSync(join(root, "x.parquet"))).toBe(false);
    const bare = cli("index", "--out", "idx");
    expect(bare.status).toBe(2);
    expect(bare.stderr).toContain("name the .py files, folders or functions files to index");
  });
});
