import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FunctionRow } from "../../data/index.js";
import { TracerPool } from "../../python/index.js";
import {
  buildStdlibCorpus,
  chooseDebianUnits,
  chooseModules,
  readDebianModules,
  readDebianPackages,
  readStdlib,
  type Stdlib,
} from "./index.js";

// A small library of its own, so the test runs in seconds: `double` and `twice` (in different
// modules) behave alike, `const` says nothing about what it computes, `near` copies a holdout.
const modules = new Map([
  [
    "alpha",
    "def double(x: int) -> int:\n    y = x * 2\n    return y\n\n\ndef const(x: int):\n    return None\n",
  ],
  [
    "beta",
    "def twice(n: int) -> int:\n    return n + n\n\n\ndef negate(x: int) -> int:\n    if x > 0:\n        return -x\n    return 0 - x\n",
  ],
  [
    "gamma",
    "def clamp_low(value: int) -> int:\n    if value < 10:\n        return 10\n    return value\n",
  ],
  ["delta", "def square(x: int) -> int:\n    return x * x\n"],
]);
const stdlib: Stdlib = { path: "test.zip", bytes: Buffer.from(""), modules };
const holdout = [
  {
    file: "dev.jsonl",
    rows: [
      {
        id: "dev-1",
        code: "def clamp_low(value: int) -> int:\n    if value < 10:\n        return 10\n    return value\n",
      },
    ],
  },
];
// A functions file's row (data/realcode-train.jsonl's format) that behaves like `double`.
const extra = [
  {
    file: "own.jsonl",
    rows: [
      FunctionRow.parse({
        id: "d1",
        family: "dbl",
        args: ["int"],
        code: "def f(v):\n    return 2 * v\n",
      }),
    ],
  },
];
const pool = new TracerPool({ workers: 1 });
const tmp = mkdtempSync(join(tmpdir(), "tracecode-debian-"));
afterAll(async () => {
  await pool.close();
  rmSync(tmp, { recursive: true, force: true });
});

/**
 * A tiny dist-packages folder: a module, a package with a relative import and one of the module,
 * compiled files.
 */
function fakeDistPackages(dir: string): void {
  const write = (rel: string, text: string) => {
    mkdirSync(join(dir, rel, ".."), { recursive: true });
    writeFileSync(join(dir, rel), text);
  };
  write(
    "mod.py",
    'def vowels(text: str) -> int:\n    total = 0\n    for ch in text.lower():\n        if ch in "aeiou":\n            total += 1\n    return total\n',
  );
  write("pkg/__init__.py", "");
  write("pkg/util.py", "def helper(x: int) -> int:\n    return x + 1\n");
  write(
    "pkg/core.py",
    "from .util import helper\nfrom mod import vowels\n\n\ndef bump(x: int) -> int:\n    return helper(x) * 2\n\n\ndef loud(text: str) -> list:\n    return [vowels(text), len(text)]\n",
  );
  write("pkg/__main__.py", "raise SystemExit(0)\n");
  write("fast.cpython-311-x86_64-linux-gnu.so", "\x7fELF not python");
  write("ext/__init__.py", "from ._speed import go\n");
  write("ext/_speed.cpython-311-x86_64-linux-gnu.so", "\x7fELF");
  write("_private.py", "def hidden(x: int) -> int:\n    return x\n");
}

describe("buildStdlibCorpus", () => {
  it("labels by behaviour across modules, verifies variants, splits by module, removes leaks", async () => {
    const c = await buildStdlibCorpus(stdlib, {
      holdout,
      extra,
      inputs: 20,
      variants: 2,
      valFraction: 0.25,
      pool,
    });
    const r = c.report;
    expect(r.functions).toMatchObject({ found: 7, withSignature: 7, ok: 7, informative: 6 });
    const classOf = new Map(c.traces.map((t) => [t.id, t.traceClass]));
    const splitOf = new Map(c.functions.map((f) => [f.id, f.split]));
    // One split per module.
    for (const m of [...modules.keys(), "own.jsonl:dbl"]) {
      expect(
        new Set(c.functions.filter((f) => f.family === m).map((f) => f.split)).size,
      ).toBeLessThanOrEqual(1);
    }
    expect(r.modules.val.length + r.modules.train.length).toBe(5);
    expect(r.modules.val.length).toBeGreaterThan(0);
    // The copy of the holdout function is gone (with its variants) unless its module is in val.
    if (r.modules.train.includes("gamma")) {
      expect(r.removed.map((x) => x.train)).toEqual(["gamma:clamp_low"]);
      expect(c.functions.some((f) => f.group === "gamma:clamp_low")).toBe(false);
    }
    // Equal behaviour across modules is one class; a constant function is a class of its own.
    if (splitOf.has("alpha:double") && splitOf.has("beta:twice"))
      expect(classOf.get("alpha:double")).toBe(classOf.get("beta:twice"));
    if (splitOf.has("alpha:double") && splitOf.has("own.jsonl:dbl:d1"))
      expect(classOf.get("own.jsonl:dbl:d1")).toBe(classOf.get("alpha:double"));
    if (splitOf.has("alpha:const"))
      expect(classOf.get("alpha:const")).not.toBe(classOf.get("beta:twice"));
    // Every variant kept returns its source's outputs and carries its label.
    const variants = c.functions.filter((f) => f.transforms.length > 0);
    // (kept counts verification, before the leak check removed a source with its variants)
    expect(variants.length).toBeLessThanOrEqual(r.variants.kept);
    expect(variants.length).toBeGreaterThan(0);
    const traceOf = new Map(c.traces.map((t) => [t.id, t]));
    for (const v of variants) {
      expect(traceOf.get(v.id)?.ioClass).toBe(traceOf.get(v.group)?.ioClass);
      expect(classOf.get(v.id)).toBe(classOf.get(v.group));
      expect(v.module).toBeUndefined();
    }
    expect(c.traces.every((t) => t.runs.length <= 8)).toBe(true);
  });

  it("reads the standard library of the Pyodide package, and names an unknown module", () => {
    const real = readStdlib();
    expect(real.modules.size).toBeGreaterThan(100);
    expect(real.modules.get("bisect")).toContain("def bisect_right");
    expect(chooseModules(real, { seed: 0, maxModules: 5 })).toHaveLength(5);
    expect(chooseModules(real, { seed: 0, maxModules: 5 })).toEqual(
      chooseModules(real, { seed: 0, maxModules: 5 }),
    );
    expect(() => chooseModules(real, { seed: 0, only: ["bisect", "nonesuch"] })).toThrow(
      /not a top-level module of .*: nonesuch/,
    );
  });
});

describe("Debian's pure-Python packages", () => {
  it("reads modules and packages (not compiled ones), serves relative imports, splits by unit", async () => {
    const dir = join(tmp, "dist-packages");
    fakeDistPackages(dir);
    const debian = readDebianPackages(dir);
    expect([...debian.units.keys()]).toEqual(["mod", "pkg"]);
    expect(debian.units.get("pkg")?.files).toEqual([
      "pkg/__init__.py",
      "pkg/core.py",
      "pkg/util.py",
    ]);
    expect(debian.skipped).toEqual([
      { unit: "ext", reason: expect.stringMatching(/compiled extension modules \(ext\/_speed/) },
    ]);
    const units = chooseDebianUnits(debian, { seed: 0 });
    const { modules: files, sha256 } = readDebianModules(debian, units);
    expect(files.map((m) => m.module)).toEqual(["mod", "pkg", "pkg.core", "pkg.util"]);
    // The package's imports are served its own modules and the folder's module it imports.
    expect(Object.keys(files[2].package?.files ?? {}).sort()).toEqual([
      "mod.py",
      "pkg/__init__.py",
      "pkg/core.py",
      "pkg/util.py",
    ]);
    expect(files[0].package).toBeUndefined();
    const empty: Stdlib = { path: "none.zip", bytes: Buffer.from(""), modules: new Map() };
    const c = await buildStdlibCorpus(empty, {
      holdout: [],
      debian: { dir: debian.dir, modules: files, skipped: debian.skipped },
      inputs: 10,
      variants: 0,
      valFraction: 0.5,
      pool,
    });
    const byId = new Map(c.traces.map((t) => [t.id, t]));
    // `bump` imports its package's `helper` relatively: it runs, and returns (x + 1) * 2.
    const bump = byId.get("debian:pkg.core:bump");
    expect(bump?.status).toBe("ok");
    for (const run of bump?.runs ?? [])
      expect(run.output).toBe(String((Number(run.input[0]) + 1) * 2));
    expect(byId.get("debian:mod:vowels")?.status).toBe("ok");
    // `loud` imports the folder's `mod` absolutely: served too, so its calls return.
    const loud = byId.get("debian:pkg.core:loud");
    expect(loud?.status).toBe("ok");
    // (both take a str, so they run on the same inputs)
    const vowels = byId.get("debian:mod:vowels")?.runs ?? [];
    expect(loud?.runs.length).toBe(vowels.length);
    loud?.runs.forEach((run, i) => {
      expect(run.input).toEqual(vowels[i].input);
      expect(run.output).toMatch(new RegExp(`^\\[${vowels[i].output},\\d+\\]$`));
    });
    expect(c.functions.every((f) => f.package === undefined && f.module === undefined)).toBe(true);
    expect(c.functions.find((f) => f.id === "debian:pkg.core:bump")?.source).toMatch(
      /^dist-packages\/pkg\/core\.py:\d+$/,
    );
    // Each top-level module or package is one unit: all its rows on one side of the split.
    expect([...c.report.modules.train, ...c.report.modules.val].sort()).toEqual([
      "debian:mod",
      "debian:pkg",
    ]);
    const splitOf = (unit: string) =>
      new Set(c.functions.filter((f) => f.family === unit).map((f) => f.split));
    expect(splitOf("debian:pkg").size).toBe(1);
    expect(splitOf("debian:mod").size).toBe(1);
    expect(c.report.sources.debian).toMatchObject({ units: 2, found: 4, ok: 4 });
    expect(c.report.sources.stdlib).toBeUndefined();
    expect(c.report.skipped).toEqual(debian.skipped);

    // The manifest's hash is of the files used: it changes when one of them changes.
    writeFileSync(join(dir, "pkg", "util.py"), "def helper(x: int) -> int:\n    return x + 2\n");
    expect(readDebianModules(readDebianPackages(dir), units).sha256).not.toBe(sha256);
    expect(readDebianModules(readDebianPackages(dir), ["mod"]).sha256).toBe(
      readDebianModules(debian, ["mod"]).sha256,
    );
  });

  it("names a missing folder, one without pure-Python modules, and an unknown unit", () => {
    expect(() => readDebianPackages(join(tmp, "nonesuch"))).toThrow(
      /nonesuch: no such folder .*apt-get install python3-six/,
    );
    const compiled = join(tmp, "compiled");
    mkdirSync(join(compiled, "ext"), { recursive: true });
    writeFileSync(join(compiled, "fast.cpython-311-x86_64-linux-gnu.so"), "");
    writeFileSync(join(compiled, "ext", "__init__.py"), "");
    writeFileSync(join(compiled, "ext", "_c.so"), "");
    expect(() => readDebianPackages(compiled)).toThrow(
      /compiled: no pure-Python modules or packages .*apt-get install python3-six/,
    );
    const dir = join(tmp, "dist-packages-2");
    fakeDistPackages(dir);
    expect(() =>
      chooseDebianUnits(readDebianPackages(dir), { seed: 0, only: ["ext", "zzz"] }),
    ).toThrow(
      /not a pure-Python top-level module or package of .*: ext \(skipped: compiled extension modules .*\), zzz/,
    );
    const sample = chooseDebianUnits(readDebianPackages(dir), { seed: 3, maxUnits: 1 });
    expect(sample).toHaveLength(1);
    expect(chooseDebianUnits(readDebianPackages(dir), { seed: 3, maxUnits: 1 })).toEqual(sample);
  });
});
