import { describe, expect, it } from "vitest";
import { extractFunctionsAsync, mapHint } from "./index.js";

describe("mapHint", () => {
  it("maps the type language and reports what it cannot map", () => {
    expect(mapHint("int")).toEqual({ type: "int" });
    expect(mapHint("list[int]")).toEqual({ type: "list[int]" });
    expect(mapHint("typing.List[ str ]")).toEqual({ type: "list[str]" });
    expect(mapHint("Sequence[float]")).toEqual({ type: "list[float]" });
    expect(mapHint("Optional[int]")).toEqual({ type: "int" });
    expect(mapHint("int | None")).toEqual({ type: "int" });
    expect(mapHint("dict[str, int]")).toEqual({
      problem: 'unsupported type hint "dict[str, int]"',
    });
    expect(mapHint("int | str")).toEqual({
      problem: 'union type hint "int | str" has no single input type',
    });
  });
});

describe("extractFunctions", () => {
  const source = `import math
from typing import Optional

def _square(v: int) -> int:
    return v * v

def helper(v: int) -> int:
    return _square(v) + 1

@staticmethod
def uses_helper(n: int, xs: list[int]) -> int:
    """Doc."""
    return helper(n) + len(xs)

def untyped(a, b=2):
    return a + b

def mapping(d: dict[str, int]) -> int:
    return len(d)
`;

  it("keeps each function with its imports and transitive same-file helpers, in file order", async () => {
    const fns = await extractFunctionsAsync(source);
    expect(fns.map((f) => f.name)).toEqual([
      "_square",
      "helper",
      "uses_helper",
      "untyped",
      "mapping",
    ]);
    const f = fns[2];
    expect(f.line).toBe(10);
    expect(f.helpers).toEqual(["_square", "helper"]);
    expect(f.args).toEqual(["int", "list[int]"]);
    expect(f.code.indexOf("import math")).toBe(0);
    expect(f.code.indexOf("def _square")).toBeLessThan(f.code.indexOf("def helper"));
    expect(f.code.indexOf("def helper")).toBeLessThan(f.code.indexOf("@staticmethod"));
    expect(f.code).not.toContain("def untyped");
  });

  it("records why inputs cannot be generated instead of guessing", async () => {
    const fns = await extractFunctionsAsync(source);
    expect(fns[3]).toMatchObject({ args: null, problem: 'parameter "a" has no type hint' });
    expect(fns[4]).toMatchObject({
      args: null,
      problem: 'parameter "d": unsupported type hint "dict[str, int]"',
    });
  });
});
