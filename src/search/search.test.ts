import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { writeTinyModel } from "../../test/helpers/tiny-model.js";
import { TracerPool } from "../python/index.js";
import { ANN_FILE, IndexStore, indexPaths, searchIndex } from "./index.js";

const root = mkdtempSync(join(tmpdir(), "tracecode-search-"));
const pool = new TracerPool({ workers: 2 });
afterAll(async () => {
  await pool.close();
  rmSync(root, { recursive: true, force: true });
});

const src = join(root, "src");
mkdirSync(src);
const pwned = join(root, "pwned");
const files = {
  "sums.py": `def tri(n: int) -> int:
    return n * (n + 1) // 2 if n > 0 else 0

def tri_loop(n: int) -> int:
    t = 0
    for i in range(n + 1):
        t += i
    return t

def below(n: int) -> int:
    return sum(range(n))

def lookup(d: dict[str, int]) -> int:
    return len(d)
`,
  "hostile.py": `def spin(n: int) -> int:
    while True:
        n += 1

def escape(n: int) -> int:
    import os
    os.system("touch ${pwned}")
    return n
`,
  "strings.py": `def rev(s: str) -> str:
    return s[::-1]
`,
};
for (const [name, text] of Object.entries(files)) writeFileSync(join(src, name), text);

const INPUTS = 30;
const query = "def f(k: int) -> int:\n    return sum(range(k + 1))\n";

describe("index and search without a model (lexical ranking)", () => {
  const dir = join(root, "idx");

  it("indexes every function, containing hostile ones and recording what could not run", async () => {
    const s = await indexPaths([src], dir, { model: null, inputs: INPUTS, pool });
    expect(s.files).toBe(3);
    expect(s.indexed).toBe(3);
    expect(s.functions).toBe(7);
    expect(s.totalFunctions).toBe(7);
    expect(s.noInputs).toBe(1);
    // escape raises on every input (the sandbox has no os): no behaviour class.
    expect(s.failed).toEqual({ timeout: 1, always_raises: 1 });
    expect(s.model).toBeNull();
    const reasons = Object.fromEntries(s.problems.map((p) => [p.name, `${p.status}: ${p.reason}`]));
    expect(reasons.lookup).toMatch(/no_inputs: parameter "d": unsupported type hint/);
    expect(reasons.spin).toMatch(/^timeout/);
    // The sandbox has no shell: the hostile call raised instead of touching the host.
    expect(existsSync(pwned)).toBe(false);
    // tri and tri_loop share a behaviour class; below and rev are their own.
    expect(s.behaviours).toBe(3);
    expect(existsSync(join(dir, ANN_FILE))).toBe(false);
  });

  it("reports behavioural equivalence from the stored outputs, and the first difference", async () => {
    const r = await searchIndex(dir, query, { k: 7, pool });
    expect(r.ranking).toBe("lexical");
    expect(r.note).toMatch(/no embeddings/);
    expect(r.query).toMatchObject({ entry: "f", args: ["int"], status: "ok" });
    expect(r.hits).toHaveLength(7);
    const by = Object.fromEntries(r.hits.map((h) => [h.name, h.behaviour]));
    expect(by.tri).toEqual({ kind: "compared", equal: INPUTS, shared: INPUTS });
    expect(by.tri_loop).toEqual({ kind: "compared", equal: INPUTS, shared: INPUTS });
    expect(by.escape).toEqual({ kind: "not-compared", reason: "did not run: always_raises" });
    // below(n) = tri(n - 1): equal only where both are 0, the first difference named.
    expect(by.below).toMatchObject({ kind: "compared", shared: INPUTS });
    if (by.below.kind === "compared") {
      expect(by.below.equal).toBeLessThan(INPUTS);
      expect(by.below.firstDifference?.input).toHaveLength(1);
      expect(by.below.firstDifference?.query).not.toBe(by.below.firstDifference?.hit);
    }
    expect(by.spin).toEqual({ kind: "not-compared", reason: "did not run: timeout" });
    expect(by.rev).toMatchObject({ kind: "not-compared", reason: "other argument types (str)" });
    expect(by.lookup.kind).toBe("not-compared");
    expect(r.hits[0].file).toBe(join(src, "sums.py"));
  });

  it("lists functions of the same behaviour that are not among the hits", async () => {
    const r = await searchIndex(dir, query, { k: 1, pool });
    expect(r.hits).toHaveLength(1);
    expect(r.sameBehaviour).toHaveLength(1);
    expect(["tri", "tri_loop"]).toContain(r.sameBehaviour[0].name);
  });

  it("skips unchanged files, replaces changed ones and drops deleted ones", async () => {
    const again = await indexPaths([src], dir, { model: null, pool });
    expect(again).toMatchObject({ unchanged: 3, indexed: 0, functions: 0, totalFunctions: 7 });
    writeFileSync(join(src, "strings.py"), "def rev(s: str) -> str:\n    return s\n");
    rmSync(join(src, "hostile.py"));
    const changed = await indexPaths([src], dir, { model: null, pool });
    expect(changed).toMatchObject({ unchanged: 1, indexed: 1, removed: 1, functions: 1 });
    expect(changed.totalFunctions).toBe(5);
    const store = IndexStore.open(dir, { readonly: true });
    try {
      expect(store.files().map((f) => f.path.slice(src.length))).toEqual([
        "/strings.py",
        "/sums.py",
      ]);
    } finally {
      store.close();
    }
  });

  it("refuses to change the inputs of an existing index", async () => {
    await expect(indexPaths([src], dir, { model: null, inputs: 50, pool })).rejects.toThrow(
      /built with inputs 30/,
    );
  });
});

describe("index and search with a model (embeddings, HNSW)", () => {
  const dir = join(root, "idx-model");
  const model = writeTinyModel(join(root, "model"));

  it("embeds every function and ranks by the approximate graph, which agrees with the exact scan", async () => {
    writeFileSync(join(src, "hostile.py"), files["hostile.py"]);
    const s = await indexPaths([src], dir, { model, inputs: INPUTS, pool });
    expect(s.model?.kind).toBe("lstm");
    expect(existsSync(join(dir, ANN_FILE))).toBe(true);
    const code = files["sums.py"].split("\n\n")[0];
    const ann = await searchIndex(dir, code, { k: 3, pool });
    expect(ann.ranking).toBe("ann");
    expect(ann.model?.kind).toBe("lstm");
    // The query is an indexed function's own code: it is its own nearest neighbour.
    expect(ann.hits[0].name).toBe("tri");
    expect(ann.hits[0].similarity).toBeCloseTo(1, 4);
    const exact = await searchIndex(dir, code, { k: 3, exact: true, noExecute: true });
    expect(exact.ranking).toBe("exact");
    expect(exact.hits.map((h) => h.id)).toEqual(ann.hits.map((h) => h.id));
    expect(exact.query.status).toBe("not_run");
  });

  it("keeps the graph in step with changed files", async () => {
    writeFileSync(join(src, "strings.py"), "def rev(s: str) -> str:\n    return s[::-1] + ''\n");
    const s = await indexPaths([src], dir, { model, pool });
    expect(s).toMatchObject({ indexed: 1, functions: 1, reembedded: 0 });
    const r = await searchIndex(dir, "def rev(s: str) -> str:\n    return s[::-1] + ''\n", {
      k: 1,
      pool,
    });
    expect(r.ranking).toBe("ann");
    expect(r.hits[0]).toMatchObject({ name: "rev", behaviour: { equal: INPUTS } });
  });

  it("re-embeds everything when the model changes, and refuses models that read traces", async () => {
    const other = writeTinyModel(join(root, "model2"), "lstm", "euclidean");
    const s = await indexPaths([src], dir, { model: other, pool });
    expect(s.reembedded).toBe(s.totalFunctions);
    const r = await searchIndex(dir, files["strings.py"], { k: 1, noExecute: true });
    expect(r.ranking).toBe("ann");
    expect(r.hits[0].distance).toBeGreaterThanOrEqual(0);
    const joint = writeTinyModel(join(root, "joint"), "joint");
    await expect(indexPaths([src], dir, { model: joint, pool })).rejects.toThrow(
      /reads execution traces.*code-only model/,
    );
  });
});
