import { describe, expect, it } from "vitest";
import { extractFunctionsAsync, mapHint } from "./index.js";

describe("mapHint", () => {
  it("maps the type language and reports what it cannot map", () => {
    expect(mapHint("int")).toEqual({ type: "int" });
    expect(mapHint("list[int]")).toEqual({ type: "list[int]" });
    expect(mapHint("typing.List[ str ]")).toEqual({ type: "list[str]" });
    expect(mapHint("Sequence[float]")).toEqual({ type: "list[float]" });
    expect(mapHint("Optional[int]")).toEqual({ type: "optional[int]" });
    expect(mapHint("int | None")).toEqual({ type: "optional[int]" });
    expect(mapHint("dict[str, int]")).toEqual({ type: "dict[str,int]" });
    expect(mapHint("Mapping[int, list[str]]")).toEqual({ type: "dict[int,list[str]]" });
    expect(mapHint("int | str")).toEqual({ type: "union[int,str]" });
    expect(mapHint("Tuple[int, ...]")).toEqual({ type: "tuple[int,...]" });
    expect(mapHint("tuple[int, str]")).toEqual({ type: "tuple[int,str]" });
    expect(mapHint("FrozenSet[bytes]")).toEqual({ type: "frozenset[bytes]" });
    expect(mapHint("list[list[int]]")).toEqual({ type: "list[list[int]]" });
    expect(mapHint("Callable[[int, int], int]")).toEqual({ type: "callable[2]" });
    expect(mapHint("Iterable[Any]")).toEqual({
      problem: 'type hint "Any" says nothing about the values',
    });
    expect(mapHint("complex")).toEqual({ problem: 'unsupported type hint "complex"' });
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

def opaque(z: complex):
    return z
`;

  it("keeps each function with its imports and transitive same-file helpers, in file order", async () => {
    const fns = await extractFunctionsAsync(source);
    expect(fns.map((f) => f.name)).toEqual([
      "_square",
      "helper",
      "uses_helper",
      "untyped",
      "mapping",
      "opaque",
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
    expect(fns[4]).toMatchObject({ args: ["dict[str,int]"] });
    expect(fns[5]).toMatchObject({
      args: null,
      problem: 'parameter "z": unsupported type hint "complex"',
    });
  });
});
