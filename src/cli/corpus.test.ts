import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cliRunner } from "../../test/helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "tracecode-cli-corpus-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = cliRunner({ timeoutMs: 120_000 });

describe("tracecode corpus", () => {
  it("builds a corpus from named stdlib modules, and the same command reuses it", () => {
    const out = join(dir, "c");
    const args = [
      "corpus",
      "--out",
      out,
      "--only",
      "colorsys",
      "--variants",
      "1",
      "--inputs",
      "10",
    ];
    const first = cli(...args);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^1 module \(0 val\): \d+ functions and methods/);
    // One module cannot be split: said now, not when train fails on it.
    expect(first.stderr).toMatch(
      /warning: \d+ train and 0 val snippets: tracecode train needs at least 2 of each; the split is by module \(unit\).*\(here 1 module at --val-fraction 0\.2\)/,
    );
    const manifest = JSON.parse(readFileSync(join(out, "corpus.json"), "utf8"));
    expect(manifest.kind).toBe("stdlib");
    // The shipped evaluation file, by content and by a path from the working folder.
    expect(manifest.options.holdout).toEqual([
      { file: "data/realcode-dev.jsonl", sha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
    ]);
    const again = cli(...args);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/reusing/);
    const timeless = (text: string) => text.replace(/in \d+ s/, "in … s");
    expect(timeless(again.stdout)).toBe(timeless(first.stdout));
  });

  it("builds again, not reuses, when an evaluation file changed (the leak check must see it)", () => {
    const holdout = join(dir, "holdout.jsonl");
    const row = (code: string) =>
      `${JSON.stringify({ id: "h/0", family: "h", entry: "f", args: ["int"], code })}\n`;
    writeFileSync(holdout, row("def f(x):\n    return x + 1\n"));
    const out = join(dir, "h");
    const args = ["corpus", "--out", out, "--only", "colorsys", "--variants", "0"];
    const run = () => cli(...args, "--inputs", "10", "--holdout", holdout);
    const first = run();
    expect(first.status, first.stderr).toBe(0);
    expect(run().stderr).toMatch(/reusing/);
    writeFileSync(holdout, row("def f(x):\n    return x + 2\n"));
    const again = run();
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).not.toMatch(/reusing/);
  });

  it("names a module the library lacks and a bad count", () => {
    const r = cli("corpus", "--out", join(dir, "x"), "--only", "nonesuch");
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/not a top-level module of .*python_stdlib\.zip: nonesuch/);
    const bad = cli("corpus", "--out", join(dir, "y"), "--modules", "-1");
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--modules must be an integer ≥ 0, got "-1"/);
  });

  it("adds Debian's pure-Python packages from a folder, and rebuilds when a file changed", () => {
    const dist = join(dir, "dist-packages");
    mkdirSync(join(dist, "pkg"), { recursive: true });
    writeFileSync(
      join(dist, "words.py"),
      'def vowels(text: str) -> int:\n    total = 0\n    for ch in text.lower():\n        if ch in "aeiou":\n            total += 1\n    return total\n',
    );
    writeFileSync(join(dist, "pkg", "__init__.py"), "");
    writeFileSync(join(dist, "pkg", "util.py"), "def helper(x: int) -> int:\n    return x + 1\n");
    writeFileSync(
      join(dist, "pkg", "core.py"),
      "from .util import helper\n\n\ndef bump(x: int) -> int:\n    return helper(x) * 2\n",
    );
    writeFileSync(join(dist, "fast.cpython-311-x86_64-linux-gnu.so"), "\x7fELF");
    const out = join(dir, "d");
    const args = ["corpus", "--out", out, "--modules", "0", "--debian", dist];
    const first = cli(...args, "--variants", "0", "--inputs", "10");
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^2 modules \(\d val\): 3 functions and methods/);
    expect(first.stdout).toMatch(/by source: debian 2 units, 3 functions \(3 return\)/);
    const manifest = JSON.parse(readFileSync(join(out, "corpus.json"), "utf8"));
    expect(manifest.options.debian).toMatchObject({ source: dist, sha256: expect.any(String) });
    const ids = readFileSync(join(out, "functions.jsonl"), "utf8");
    expect(ids).toMatch(/"id":"debian:pkg\.core:bump"/);
    expect(ids).not.toMatch(/"package"/);
    // A changed file changes the recorded hash: the corpus is built again, not reused.
    writeFileSync(join(dist, "pkg", "util.py"), "def helper(x: int) -> int:\n    return x + 2\n");
    const again = cli(...args, "--variants", "0", "--inputs", "10");
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).not.toMatch(/reusing/);
    const rebuilt = JSON.parse(readFileSync(join(out, "corpus.json"), "utf8"));
    expect(rebuilt.options.debian.sha256).not.toBe(manifest.options.debian.sha256);

    const missing = cli("corpus", "--out", join(dir, "z"), "--debian", join(dir, "nonesuch"));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/nonesuch: no such folder .*apt-get install python3-six/);
  });
});
