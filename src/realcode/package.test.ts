/**
 * A file inside a package folder runs with its package importable (issue 12, module context):
 * relative imports (`from . import x`, `from .x import y`, `from ..x import y`), absolute ones
 * of the package (`import geom.units`) and its `__init__`; a missing module of the package is
 * a placeholder that raises only when used; a sibling's namespace is never handed out.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FunctionRow, type TraceRow } from "../data/index.js";
import { TracerPool, traceFunctions } from "../python/index.js";
import { packagePath } from "../python/pool.js";
import { candidatesOf, enclosingPackage, packageOf, packageRoot, readSource } from "./index.js";

const root = packagePath("test", "fixtures", "package");
const fixture = (rel: string) => packagePath("test", "fixtures", "package", "geom", rel);

let pool: TracerPool;
beforeAll(() => {
  pool = new TracerPool({ workers: 1 });
});
afterAll(() => pool.close());

async function traceFile(rel: string, names: string[]): Promise<Record<string, TraceRow>> {
  const { candidates } = await candidatesOf(readSource(fixture(rel)), { root });
  const rows = names.map((name) => {
    const c = candidates.find((x) => x.name === name);
    if (!c) throw new Error(`${rel}: no function ${name}`);
    return FunctionRow.parse({
      id: name,
      code: c.code,
      entry: name,
      args: ["int"],
      module: c.module,
      package: c.package,
    });
  });
  const traced = await traceFunctions(rows, { pool, inputs: 5, range: { min: -9, max: 9 } });
  return Object.fromEntries(traced.map((t) => [t.id, t]));
}

describe("a package folder", () => {
  it("gives a file of the package every module of it, by path from the folder above", () => {
    const p = packageOf(fixture("shapes/square.py"), root);
    expect(p?.path).toBe("geom/shapes/square.py");
    expect(Object.keys(p?.files ?? {}).sort()).toEqual([
      "geom/__init__.py",
      "geom/shapes/__init__.py",
      "geom/shapes/square.py",
      "geom/units.py",
      "geom/vectors.py",
    ]);
    const script = packagePath("src", "bench", "native_tracer.py");
    expect(packageOf(script, packagePath())).toBeUndefined();
  });

  it("serves no module above the folder the user named, and says when that folder is inside a package", () => {
    // Given only geom/shapes: geom's other modules are host files nobody gave.
    const p = packageOf(fixture("shapes/square.py"), fixture("shapes"));
    expect(p?.path).toBe("shapes/square.py");
    expect(Object.keys(p?.files ?? {}).sort()).toEqual(["shapes/__init__.py", "shapes/square.py"]);
    // A file given alone reaches its own folder; the outermost folder given that holds a file wins.
    expect(packageRoot([], fixture("units.py"))).toBe(fixture(""));
    expect(packageRoot([fixture("shapes"), root], fixture("shapes/square.py"))).toBe(root);
    expect(packageRoot([fixture("shapes")], fixture("units.py"))).toBe(fixture(""));
    expect(enclosingPackage(fixture("shapes"))).toBe(fixture(""));
    expect(enclosingPackage(fixture(""))).toBeUndefined();
  });

  it("runs relative and absolute imports of the package", async () => {
    const r = await traceFile("vectors.py", ["dot", "norm"]);
    for (const run of r.dot.runs) {
      const a = Number(run.input[0]);
      expect(run.output).toBe(String(a * a + 10));
    }
    for (const run of r.norm.runs)
      expect(run.output).toBe(String(Math.abs(Number(run.input[0])) * 10 + 10));
  });

  it("imports from the parent package and its __init__; a missing module raises only when used", async () => {
    const r = await traceFile("shapes/square.py", ["area", "broken"]);
    expect(r.area.status).toBe("ok");
    for (const run of r.area.runs) {
      const a = Number(run.input[0]);
      expect(run.output).toBe(String(a * a + 10 + 2));
    }
    expect(r.broken.status).toBe("always_raises");
    expect(r.broken.error).toBe(
      "raises ImportError on every input (not available in the sandbox (line 3: ImportError: no module named 'geom.missing' in the indexed package))",
    );
  });

  it("never hands out a sibling module's namespace or builtins", async () => {
    const r = await traceFile("vectors.py", ["peek"]);
    expect(r.peek.runs.every((run) => run.output === "raise:AttributeError")).toBe(true);
    const hostile = await traceFunctions(
      [
        FunctionRow.parse({
          id: "h",
          code: "def f(x): ...",
          module:
            "from . import units\ndef f(x):\n    type.__delattr__(type(units), '__getattribute__')\n    return [k for k in dir(units) if not k.startswith('__')]\n",
          package: {
            path: "geom/h.py",
            files: { "geom/__init__.py": "", "geom/units.py": "A = 1\n" },
          },
        }),
      ],
      { pool, inputs: 2 },
    );
    expect(hostile[0].runs.map((run) => run.output)).toEqual(["[]", "raise:AttributeError"]);
  });
});
