import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { writeTinyModel } from "../../test/helpers/tiny-model.js";
import { TracerPool } from "../python/index.js";
import { THRESHOLD_FILE, writeThreshold } from "./clones/index.js";
import { ANN_FILE, DB_FILE, IndexStore, indexPaths, loadEmbedder, searchIndex } from "./index.js";

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
  "untyped.py": `LIMIT = 10

def isascii(v):
    return v.isascii()

def add_all(xs):
    """Sum, checked by its doctests (the second is wrong on purpose).

    >>> add_all([1, 2, 3])
    6
    >>> add_all([])
    1
    """
    return sum(xs) % LIMIT

class Acc:
    def __init__(self, start):
        self.start = start

    def plus(self, n):
        return self.start + n

    @staticmethod
    def twice(n):
        return n * 2
`,
};
for (const [name, text] of Object.entries(files)) writeFileSync(join(src, name), text);

const INPUTS = 30;
const query = "def f(k: int) -> int:\n    return sum(range(k + 1))\n";

describe("index and search without a model (lexical ranking)", () => {
  const dir = join(root, "idx");

  it("indexes every function and method, containing hostile ones and recording what could not run", async () => {
    const s = await indexPaths([src], dir, { model: null, inputs: INPUTS, pool });
    expect(s.files).toBe(4);
    expect(s.indexed).toBe(4);
    expect(s.functions).toBe(11);
    expect(s.totalFunctions).toBe(11);
    expect(s.noInputs).toBe(0);
    // escape raises on every input (the sandbox has no os): no behaviour class.
    expect(s.failed).toEqual({ timeout: 1, always_raises: 1 });
    expect(s.model).toBeNull();
    const reasons = Object.fromEntries(s.problems.map((p) => [p.name, `${p.status}: ${p.reason}`]));
    expect(reasons.spin).toMatch(/^timeout/);
    // The verdict says why, from the first call's exception (traced inside the sandbox).
    expect(reasons.escape).toBe(
      `always_raises: raised AttributeError on all ${INPUTS} drawn inputs (module has no attribute 'system')`,
    );
    expect(s.report.functions).toMatchObject({
      total: 9,
      behaviour: 7,
      always_raises: 1,
      not_run: 1,
    });
    expect(s.report.functions.reasons).toEqual({
      // os is served for its path strings only: os.system is not there.
      always_raises: { "raises AttributeError": 1 },
      not_run: { "timeout: step budget spent": 1 },
    });
    expect(s.report.methods).toMatchObject({ total: 2, behaviour: 2 });
    // isascii: int (the first guess) raises on every call; probing finds str.
    expect(s.report.probed).toBe(1);
    expect(s.report.doctests).toEqual({ functions: 1, examples: 2, agree: 1 });
    // The sandbox has no shell: the hostile call raised instead of touching the host.
    expect(existsSync(pwned)).toBe(false);
    // tri and tri_loop share a behaviour class; every other function that ran is its own.
    expect(s.behaviours).toBe(8);
    expect(existsSync(join(dir, ANN_FILE))).toBe(false);
    const store = IndexStore.open(dir, { readonly: true });
    try {
      const byName = new Map(store.allCode().map((f) => [store.functions([f.id])[0].name, f.id]));
      const [isascii, addAll, plus] = store.functions(
        ["isascii", "add_all", "Acc.plus"].map((n) => byName.get(n) as number),
      );
      expect(isascii).toMatchObject({ args: '["str"]', argsFrom: "inferred", status: "ok" });
      const sig = JSON.parse(isascii.signature ?? "{}");
      expect(sig.chosen).toBe(true);
      expect(sig.tried.slice(0, 3)).toMatchObject([
        { args: ["int"], share: 0 },
        { args: ["str"], share: 1 },
        { args: ["list[int]"], share: 0 },
      ]);
      expect(JSON.parse(addAll.signature ?? "{}").doctest).toEqual({
        examples: 2,
        agree: 1,
        mismatches: [{ call: "add_all([])", expected: "1", got: "0" }],
      });
      // A method: an instance from the constructor's inferred argument, then the call.
      expect(plus).toMatchObject({ kind: "method", args: '["int","int"]', status: "ok" });
      expect(JSON.parse(plus.signature ?? "{}").call).toBe("Acc(a0).plus(a1)");
    } finally {
      store.close();
    }
  });

  it("puts every function of the query's exact behaviour first, then partial agreement, then similarity", async () => {
    const r = await searchIndex(dir, query, { k: 3, pool });
    expect(r.ranking).toBe("lexical");
    expect(r.note).toMatch(/no embeddings/);
    expect(r.query).toMatchObject({ entry: "f", args: ["int"], status: "ok" });
    expect(r.exactCount).toBe(2);
    // All exact matches (though k is 3), then k more: partial agreement before mere similarity.
    const groups = r.hits.map((h) => h.group);
    expect(groups.slice(0, 2)).toEqual(["same", "same"]);
    expect(groups).toHaveLength(5);
    expect(groups.slice(2)).toEqual([...groups.slice(2)].sort((a, b) => (a < b ? -1 : 1)));
    expect(groups).toContain("partial");
    expect(
      r.hits
        .slice(0, 2)
        .map((h) => h.name)
        .sort(),
    ).toEqual(["tri", "tri_loop"]);
    const by = Object.fromEntries(r.hits.map((h) => [h.name, h.behaviour]));
    expect(by.tri).toEqual({ kind: "compared", equal: INPUTS, shared: INPUTS });
    // Partial agreement is ordered by the share of equal inputs.
    const shares = r.hits
      .filter((h) => h.group === "partial")
      .map((h) => (h.behaviour.kind === "compared" ? h.behaviour.equal / h.behaviour.shared : -1));
    expect(shares).toEqual([...shares].sort((a, b) => b - a));
    expect(shares.every((x) => x > 0 && x < 1)).toBe(true);
    const cut = await searchIndex(dir, query, { k: 1, maxExact: 1, pool });
    expect(cut.hits[0].group).toBe("same");
    expect(cut.sameBehaviour).toHaveLength(1);
  });

  it("compares every hit input by input, and names the first difference", async () => {
    const r = await searchIndex(dir, query, { k: 11, pool });
    const by = Object.fromEntries(r.hits.map((h) => [h.name, h.behaviour]));
    // A hit that never returned says why, with the message its verdict carries.
    expect(by.escape).toMatchObject({ kind: "not-compared" });
    expect(by.escape.kind === "not-compared" && by.escape.reason).toMatch(
      /^no behaviour: always_raises \(raised AttributeError on all \d+ drawn inputs \(.*system/,
    );
    // below(n) = tri(n - 1): equal only where both are 0, the first difference named.
    expect(by.below).toMatchObject({ kind: "compared", shared: INPUTS });
    if (by.below.kind === "compared") {
      expect(by.below.equal).toBeLessThan(INPUTS);
      expect(by.below.firstDifference?.input).toHaveLength(1);
      expect(by.below.firstDifference?.query).not.toBe(by.below.firstDifference?.hit);
    }
    expect(by.spin).toMatchObject({ kind: "not-compared" });
    expect(by.spin.kind === "not-compared" && by.spin.reason).toMatch(/^no behaviour: timeout/);
    expect(by.rev).toMatchObject({ kind: "not-compared", reason: "other argument types (str)" });
    expect(by.lookup.kind).toBe("not-compared");
  });

  it("finds a method by behaviour from an untyped query, and says when nothing behaves alike", async () => {
    const r = await searchIndex(dir, "def add(a, b):\n    return b + a\n", { k: 2, pool });
    expect(r.query).toMatchObject({ args: ["int", "int"], status: "ok" });
    expect(r.query.signature).toMatch(/a: int \(usage: a \+ …\)/);
    expect(r.hits[0]).toMatchObject({ name: "Acc.plus", group: "same" });
    const none = await searchIndex(dir, "def g(n: int) -> int:\n    return n - 12345\n", { pool });
    expect(none.exactCount).toBe(0);
    expect(none.noExact).toMatch(/no indexed function behaves like the query/);
    // Types given for the wrong number of parameters are the caller's error, not a query.
    const arity = searchIndex(dir, "def add(a, b):\n    return a + b\n", { args: ["int"], pool });
    await expect(arity).rejects.toThrow(
      /argument types for add: the given types \(int\) do not match the 2 parameters passed/,
    );
    // Types no indexed function has (bytes): the query still runs as its code says, not as
    // the index's types, on which it would only raise.
    const decoded = await searchIndex(
      dir,
      "def text(b):\n    return b.decode('ascii', 'replace')\n",
      {
        pool,
      },
    );
    expect(decoded.query).toMatchObject({ args: ["bytes"], status: "ok" });
    // Nothing ran on bytes, so nothing was compared: that is what it says, not "no function".
    expect(decoded.noExact).toBe(
      "no indexed function ran on the query's argument types (bytes), so none could be compared by behaviour (--args chooses the query's types)",
    );
    const raising = await searchIndex(dir, "def g(n: int) -> int:\n    return n.nope\n", { pool });
    expect(raising.query.status).toBe("always_raises");
    // It ran: what it did is said of the drawn inputs, and no hit reads "query not run".
    expect(raising.query.reason).toMatch(/^raised AttributeError on all \d+ drawn inputs \(/);
    expect(
      raising.hits.every(
        (h) =>
          h.behaviour.kind === "not-compared" &&
          h.behaviour.reason === "the query raised on every drawn input",
      ),
    ).toBe(true);
  });

  it("takes a method as the query when --entry names it, and says so when none is named", async () => {
    const cls =
      "class Q:\n    @staticmethod\n    def double(n: int) -> int:\n        return n + n\n";
    const r = await searchIndex(dir, cls, { entry: "Q.double", k: 1, pool });
    expect(r.query).toMatchObject({ entry: "Q.double", status: "ok" });
    expect(r.hits[0]).toMatchObject({ name: "Acc.twice", group: "same" });
    await expect(searchIndex(dir, cls, { k: 1, pool })).rejects.toThrow(
      /no top-level function \(def\); name a method with --entry Class\.method \(it has: Q\.double\)/,
    );
  });

  it("keeps the likely signature of a query that spends its budget over one that raises at once", async () => {
    const spin = "def f(n):\n    while n != 0:\n        n -= 1\n    return n\n";
    const r = await searchIndex(dir, spin, { k: 1, pool });
    expect(r.query).toMatchObject({ args: ["int"], status: "timeout" });
  });

  it("skips unchanged files, replaces changed ones and drops deleted ones", async () => {
    const again = await indexPaths([src], dir, { model: null, pool });
    expect(again).toMatchObject({ unchanged: 4, indexed: 0, functions: 0, totalFunctions: 11 });
    writeFileSync(join(src, "strings.py"), "def rev(s: str) -> str:\n    return s\n");
    rmSync(join(src, "hostile.py"));
    const changed = await indexPaths([src], dir, { model: null, pool });
    expect(changed).toMatchObject({ unchanged: 2, indexed: 1, removed: 1, functions: 1 });
    expect(changed.totalFunctions).toBe(9);
    const store = IndexStore.open(dir, { readonly: true });
    try {
      expect(store.files().map((f) => f.path.slice(src.length))).toEqual([
        "/strings.py",
        "/sums.py",
        "/untyped.py",
      ]);
    } finally {
      store.close();
    }
  });

  it("runs every file again in an index another build of tracecode made", async () => {
    const files = join(root, "buildsrc");
    mkdirSync(files, { recursive: true });
    writeFileSync(join(files, "a.py"), "def inc(x: int) -> int:\n    return x + 1\n");
    writeFileSync(join(files, "b.py"), "def dec(x: int) -> int:\n    return x - 1\n");
    const at = join(root, "idx-build");
    await indexPaths([files], at, { model: null, inputs: INPUTS, pool });
    // What an older build leaves: file hashes made with its identity, and its id.
    const db = new Database(join(at, DB_FILE));
    db.prepare("UPDATE files SET hash = 'old-' || hash").run();
    db.prepare("UPDATE meta SET value = 'old' WHERE key = 'build'").run();
    db.close();
    // Its stored behaviours are not compared with this build's runs, only searched unrun.
    const query = "def f(x: int) -> int:\n    return x + 1\n";
    await expect(searchIndex(at, query, { pool })).rejects.toThrow(
      /was indexed by another build of tracecode, whose runs this one may not reproduce: run tracecode index on the same paths again .*or search with --no-run/,
    );
    expect((await searchIndex(at, query, { pool, noExecute: true })).hits).toHaveLength(2);
    const again = await indexPaths([files], at, { model: null, inputs: INPUTS, pool });
    expect(again).toMatchObject({ unchanged: 0, indexed: 2, functions: 2 });
    expect(again.warnings).toEqual([
      "the index was made by another build of tracecode (its tracer or probing may give other results): every file runs again",
    ]);
    const same = await indexPaths([files], at, { model: null, inputs: INPUTS, pool });
    expect(same).toMatchObject({ unchanged: 2, indexed: 0, warnings: [] });
    expect((await searchIndex(at, query, { pool })).exactCount).toBe(1);
  });

  it("indexes a package's files again when a module their imports are served changed", async () => {
    const pk = join(root, "pkgsrc", "pk");
    mkdirSync(join(pk, "tz"), { recursive: true });
    writeFileSync(join(pk, "__init__.py"), "");
    writeFileSync(join(pk, "tz", "__init__.py"), "");
    const common = join(pk, "tz", "_common.py");
    writeFileSync(common, "def base(x: int) -> int:\n    return x + 1\n");
    const tz = join(pk, "tz", "tz.py");
    writeFileSync(
      tz,
      "from ._common import base\n\ndef zz(x: int) -> int:\n    return base(x) * 3\n",
    );
    const outputsOf = (at: string) => {
      const store = IndexStore.open(at, { readonly: true });
      try {
        return store.functions(store.functionIdsOf(tz)).find((f) => f.name === "zz")?.outputs;
      } finally {
        store.close();
      }
    };
    const at = join(root, "idx-pkg");
    await indexPaths([pk], at, { model: null, inputs: INPUTS, pool });
    const before = outputsOf(at);
    writeFileSync(common, "def base(x: int) -> int:\n    return x + 100\n");
    // tz.py itself is unchanged, but the base it imports is not.
    const again = await indexPaths([pk], at, { model: null, inputs: INPUTS, pool });
    expect(again).toMatchObject({ unchanged: 0, indexed: 4 });
    const fresh = join(root, "idx-pkg-fresh");
    await indexPaths([pk], fresh, { model: null, inputs: INPUTS, pool });
    expect(outputsOf(at)).toEqual(outputsOf(fresh));
    expect(outputsOf(at)).not.toEqual(before);
    expect(await indexPaths([pk], at, { model: null, inputs: INPUTS, pool })).toMatchObject({
      unchanged: 4,
      indexed: 0,
    });
  });

  it("serves a file no module above the folder given, and says that folder is inside a package", async () => {
    const pk = join(root, "pkgbound", "pk");
    mkdirSync(join(pk, "sub"), { recursive: true });
    writeFileSync(join(pk, "__init__.py"), "");
    writeFileSync(join(pk, "sub", "__init__.py"), "");
    writeFileSync(join(pk, "secret.py"), "TOKEN = 41\n");
    const leak = join(pk, "sub", "leak.py");
    writeFileSync(
      leak,
      "from .. import secret\n\ndef leak(x: int) -> int:\n    return secret.TOKEN + x\n",
    );
    const statusIn = (at: string) => {
      const store = IndexStore.open(at, { readonly: true });
      try {
        return store.functions(store.functionIdsOf(leak))[0]?.status;
      } finally {
        store.close();
      }
    };
    const whole = join(root, "idx-bound-whole");
    expect((await indexPaths([pk], whole, { model: null, inputs: INPUTS, pool })).warnings).toEqual(
      [],
    );
    expect(statusIn(whole)).toBe("ok");
    // Given only pk/sub, secret.py is a host file nobody gave: the import finds nothing.
    const sub = join(root, "idx-bound-sub");
    const s = await indexPaths([join(pk, "sub")], sub, { model: null, inputs: INPUTS, pool });
    expect(s.warnings).toEqual([
      `${join(pk, "sub")} is a package inside the package ${pk}: its code is served only the modules under ${join(pk, "sub")} (index ${pk} to serve the whole package)`,
    ]);
    expect(statusIn(sub)).not.toBe("ok");
  });

  it("tells methods apart by what they leave in their instance", async () => {
    const dir = join(root, "methods");
    mkdirSync(dir, { recursive: true });
    const file = join(dir, "acc.py");
    writeFileSync(
      file,
      "class Acc:\n    def __init__(self, total: int):\n        self.total = total\n\n" +
        "    def add(self, x: int) -> None:\n        self.total += x\n\n" +
        "    def sub(self, x: int) -> None:\n        self.total -= x\n\n" +
        "    def noop(self, x: int) -> None:\n        pass\n",
    );
    const at = join(root, "idx-methods");
    await indexPaths([dir], at, { model: null, inputs: INPUTS, pool });
    const store = IndexStore.open(at, { readonly: true });
    try {
      const by = Object.fromEntries(
        store.functions(store.functionIdsOf(file)).map((f) => [f.name, f]),
      );
      const outputs = (name: string) => by[name].outputs ?? [];
      expect(outputs("Acc.noop").every((o) => o === "None")).toBe(true);
      expect(outputs("Acc.add")[0]).toMatch(/^None;self:<obj:object>\{total=-?\d+\}$/);
      expect(new Set(["Acc.add", "Acc.sub", "Acc.noop"].map((n) => by[n].behaviour)).size).toBe(3);
    } finally {
      store.close();
    }
  });

  it("says which functions' outputs depend on call order", async () => {
    const dir = join(root, "order");
    mkdirSync(dir, { recursive: true });
    const file = join(dir, "calls.py");
    writeFileSync(
      file,
      "seen = []\n\ndef tally(x: int) -> int:\n    seen.append(x)\n    return len(seen)\n\n" +
        "def double(x: int) -> int:\n    return 2 * x\n",
    );
    const at = join(root, "idx-order");
    await indexPaths([dir], at, { model: null, inputs: INPUTS, pool });
    const store = IndexStore.open(at, { readonly: true });
    try {
      const by = Object.fromEntries(
        store.functions(store.functionIdsOf(file)).map((f) => [f.name, f]),
      );
      expect(by.tally.status).toBe("ok");
      expect(by.tally.error).toBe(
        `outputs depend on call order: input 1 gave 1 first and ${INPUTS + 1} after the others`,
      );
      expect(by.double.error ?? null).toBeNull();
    } finally {
      store.close();
    }
  });

  it("indexes the rest of a folder when one tracecode.toml in it cannot be used", async () => {
    const top = join(root, "badconfig");
    mkdirSync(join(top, "evil"), { recursive: true });
    mkdirSync(join(top, "good"), { recursive: true });
    writeFileSync(join(top, "evil", "tracecode.toml"), "[defaults]\n[a b]\n");
    writeFileSync(join(top, "evil", "b.py"), "def b(x: int) -> int:\n    return x\n");
    writeFileSync(join(top, "good", "a.py"), "def a(x: int) -> int:\n    return -x\n");
    const s = await indexPaths([top], join(root, "idx-badconfig"), {
      model: null,
      inputs: INPUTS,
      pool,
    });
    expect(s).toMatchObject({ indexed: 1, functions: 1, unreadable: 1 });
    expect(s.errors).toEqual([
      expect.stringMatching(
        /evil\/tracecode\.toml: line 2, .*; .*evil\/b\.py it covers not indexed$/,
      ),
    ]);
  });

  it("says why a class is not defined from its package, whose sibling module failed", async () => {
    const pk = join(root, "pkgdiag", "pk");
    mkdirSync(pk, { recursive: true });
    writeFileSync(join(pk, "__init__.py"), "");
    writeFileSync(
      join(pk, "_common.py"),
      "from six import PY2\n\ndef deco(f):\n    return f if PY2 else f\n\nclass Base:\n    @deco\n    def name(self):\n        return 1\n",
    );
    writeFileSync(
      join(pk, "tz.py"),
      "from ._common import Base\n\nclass Z(Base):\n    def go(self, n: int) -> int:\n        return n + 1\n",
    );
    const s = await indexPaths([pk], join(root, "idx-pkgdiag"), {
      model: null,
      inputs: INPUTS,
      pool,
    });
    const go = s.problems.find((p) => p.name === "Z.go");
    // Run in its package, the class's module says what failed there, not "not in a package".
    expect(go?.reason).toMatch(
      /its class's definition raised ImportError: .*cannot import name 'Base'/,
    );
    expect(go?.reason).not.toMatch(/not in a package/);
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
    const similar = await searchIndex(dir, code, { k: 3, noExecute: true });
    const exact = await searchIndex(dir, code, { k: 3, exact: true, noExecute: true });
    expect(exact.ranking).toBe("exact");
    expect(exact.hits.map((h) => h.id)).toEqual(similar.hits.map((h) => h.id));
    expect(exact.query.status).toBe("not_run");
  });

  it("fills k after the exact matches from the graph as from the exact scan", async () => {
    // rev's own code (as indexed now): its nearest neighbour is itself, its one exact match.
    // The graph must be asked for as many neighbours as the scan, or the k hits after it never come.
    const revCode = readFileSync(join(src, "strings.py"), "utf8");
    for (const k of [1, 2]) {
      const ann = await searchIndex(dir, revCode, { k, pool });
      const scan = await searchIndex(dir, revCode, { k, pool, exact: true });
      expect(ann.ranking).toBe("ann");
      expect(ann.hits.filter((h) => h.group === "same").map((h) => h.name)).toEqual(["rev"]);
      expect(ann.hits.length, `k ${k}`).toBe(1 + k);
      expect(ann.hits.map((h) => h.id)).toEqual(scan.hits.map((h) => h.id));
    }
  });

  it("says when even the nearest code is below the model's calibrated threshold", async () => {
    const ownCode = files["sums.py"].split("\n\n")[0];
    const farCode = "def g(s: str) -> str:\n    return s.upper()[::2]\n";
    const best = async (code: string) =>
      (await searchIndex(dir, code, { noExecute: true, exact: true })).hits[0].similarity;
    const [own, far] = [await best(ownCode), await best(farCode)];
    expect(far).toBeLessThan(own);
    // τ between the two: the indexed function's own code is above it, the other query below.
    const threshold = (own + far) / 2;
    const stored = { similarity: "cosine", reached: true, target: 0.9, calibratedOn: "test" };
    const heldOut = { precision: 1, recall: 1 };
    const id = loadEmbedder(model).id;
    writeThreshold(model, { ...stored, heldOut, threshold, command: "test", model: id });
    try {
      const near = await searchIndex(dir, ownCode, { noExecute: true, exact: true });
      expect(near.noEquivalent).toBeUndefined();
      const none = await searchIndex(dir, farCode, { noExecute: true, exact: true });
      expect(none.noEquivalent).toBe(
        `no function in the index has code similar enough to be an equivalent (best similarity ${far.toFixed(3)} < τ ${threshold.toFixed(3)})`,
      );
    } finally {
      rmSync(join(model, THRESHOLD_FILE));
    }
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
