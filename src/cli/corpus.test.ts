import { mkdtempSync, readFileSync, rmSync } from "node:fs";
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
    expect(first.stdout).toMatch(/^1 modules \(0 val\): \d+ functions and methods/);
    const manifest = JSON.parse(readFileSync(join(out, "corpus.json"), "utf8"));
    expect(manifest.kind).toBe("stdlib");
    expect(manifest.options.holdout).toHaveLength(1);
    const again = cli(...args);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/reusing/);
    const timeless = (text: string) => text.replace(/in \d+ s/, "in … s");
    expect(timeless(again.stdout)).toBe(timeless(first.stdout));
  });

  it("names a module the library lacks and a bad count", () => {
    const r = cli("corpus", "--out", join(dir, "x"), "--only", "nonesuch");
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/not a top-level module of .*python_stdlib\.zip: nonesuch/);
    const bad = cli("corpus", "--out", join(dir, "y"), "--modules", "-1");
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--modules must be an integer ≥ 0, got "-1"/);
  });
});
