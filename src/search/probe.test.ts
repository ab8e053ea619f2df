import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { TracerPool } from "../python/index.js";
import { IndexStore, indexPaths } from "./index.js";

const root = mkdtempSync(join(tmpdir(), "tracecode-probe-"));
const pool = new TracerPool({ workers: 1 });
afterAll(async () => {
  await pool.close();
  rmSync(root, { recursive: true, force: true });
});

describe("probing other instances", () => {
  it("runs each candidate with its own wrapper and stores the instance that made the calls return", async () => {
    const file = join(root, "shapes.py");
    // Shape.area reads what only Rect sets; Rect.area is Shape's. The first candidate (a bare
    // Shape) raises AttributeError on every call: probing finds the subclass.
    writeFileSync(
      file,
      `class Shape:
    def area(self):
        return self.width * self.height

class Rect(Shape):
    def __init__(self, width, height):
        self.width = width
        self.height = height
`,
    );
    const dir = join(root, "idx");
    const s = await indexPaths([file], dir, { model: null, inputs: 12, pool });
    expect(s.report.probed).toBe(1);
    const store = IndexStore.open(dir, { readonly: true });
    try {
      const [f] = store.functions(store.allCode().map((c) => c.id));
      expect(f.status).toBe("ok");
      const sig = JSON.parse(f.signature ?? "{}");
      expect(sig).toMatchObject({
        chosen: true,
        instance: "subclass Rect defines width, height",
        call: "Rect(a0, a1).area()",
      });
      expect(sig.tried[0]).toMatchObject({ args: [], share: 0 });
      expect(f.outputs?.length).toBe(12);
    } finally {
      store.close();
    }
  });

  it("runs an enumeration's method on a member of a subclass made for the call", async () => {
    const file = join(root, "perms.py");
    // A Flag without members: Perm(a0) raises on every input; a subclass with two runs it.
    writeFileSync(
      file,
      `from enum import Flag

class Perm(Flag):
    def names(self):
        return [m.name for m in type(self)]
`,
    );
    const dir = join(root, "idx-enum");
    await indexPaths([file], dir, { model: null, inputs: 4, pool });
    const store = IndexStore.open(dir, { readonly: true });
    try {
      const [f] = store.functions(store.allCode().map((c) => c.id));
      expect(f.status).toBe("ok");
      expect(JSON.parse(f.signature ?? "{}")).toMatchObject({
        chosen: true,
        instance:
          "a member of the class made for the call: class _tracecode_Members(Perm): A = 1; B = 2",
        call: "_tracecode_Members.A.names()",
      });
      expect(f.outputs?.[0]).toBe("['A','B']");
    } finally {
      store.close();
    }
  });

  it("passes a path the code reads as a file or folder made for the call, of drawn content", async () => {
    const file = join(root, "sizes.py");
    // A drawn name is no file of the sandbox's folder: every call of the first candidate raises
    // FileNotFoundError. Probing finds the paths made for the call.
    writeFileSync(
      file,
      `import os

def first_line(path):
    with open(path) as f:
        return f.readline()

def total(folder):
    return sum(os.path.getsize(os.path.join(folder, n)) for n in os.listdir(folder))
`,
    );
    const dir = join(root, "idx-paths");
    await indexPaths([file], dir, { model: null, inputs: 6, pool });
    const store = IndexStore.open(dir, { readonly: true });
    try {
      const fs = store.functions(store.allCode().map((c) => c.id));
      const byName = Object.fromEntries(fs.map((f) => [f.name, f]));
      expect(byName.first_line.status).toBe("ok");
      expect(JSON.parse(byName.first_line.signature ?? "{}")).toMatchObject({
        chosen: true,
        instance: "made for the call: path (a file)",
      });
      expect(byName.total.status).toBe("ok");
      expect(JSON.parse(byName.total.signature ?? "{}")).toMatchObject({
        chosen: true,
        instance: "made for the call: folder (a folder)",
      });
      // Each call returns its result and what is left at the path: the folder's names.
      expect(byName.total.outputs?.every((o) => o.startsWith("(") && o.includes("["))).toBe(true);
    } finally {
      store.close();
    }
  });
  it("takes a NotImplemented answer for an unsupported type, not for a call that returned", async () => {
    const file = join(root, "box.py");
    // `other` says nothing of its type; on ints a zero divisor raises now and then, so probing
    // tries the others. A str gets NotImplemented on every call: that must not outrank int.
    writeFileSync(
      file,
      `class Box:
    def __init__(self):
        self.n = 5

    def __lt__(self, other):
        return self._cmp(other)

    def _cmp(self, other):
        if isinstance(other, int):
            return self.n // other < 1
        return NotImplemented

def bigger(a, b):
    return a if a >= b else b

def bigger2(a, b):
    return max(a, b)
`,
    );
    const dir = join(root, "idx-box");
    await indexPaths([file], dir, { model: null, inputs: 100, pool });
    const store = IndexStore.open(dir, { readonly: true });
    try {
      const fs = store.functions(store.allCode().map((c) => c.id));
      const byName = Object.fromEntries(fs.map((f) => [f.name, f]));
      const lt = byName["Box.__lt__"];
      const sig = JSON.parse(lt.signature ?? "{}");
      expect(sig.tried[0].share).toBeLessThan(1);
      // A str was tried, and its NotImplemented counted as no call returning.
      const str = sig.tried.find((t: { args: string[] }) => t.args[0] === "str");
      expect(str).toMatchObject({ share: 0 });
      expect(JSON.parse(lt.args ?? "[]")[0]).toMatch(/int$/);
      expect(lt.outputs).not.toContain("<NotImplementedType>");
      // Parameters named a and b are no evidence of float: these two are one behaviour.
      expect(JSON.parse(byName.bigger.args ?? "[]")).toEqual(["int", "int"]);
      expect(byName.bigger.ioClass).toBe(byName.bigger2.ioClass);
    } finally {
      store.close();
    }
  });
});
