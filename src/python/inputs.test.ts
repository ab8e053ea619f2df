import { describe, expect, it } from "vitest";
import { ARG_TYPES, parseArgType } from "../data/index.js";
import { generateInputs, inputSet, traceFunctions } from "./index.js";

describe("generateInputs", () => {
  it("is identical for the same args and seed, and differs for another seed", () => {
    const args = ["int", "str", "list[int]"] as const;
    expect(generateInputs(args, 50, 3)).toEqual(generateInputs(args, 50, 3));
    expect(generateInputs(args, 50, 4)).not.toEqual(generateInputs(args, 50, 3));
  });

  it("draws int from the range, inclusive, covering both ends", () => {
    const xs = generateInputs(["int"], 2000, 0, { min: -3, max: 3 }).map(([x]) => x as number);
    expect(Math.min(...xs)).toBe(-3);
    expect(Math.max(...xs)).toBe(3);
    const paper = generateInputs(["int"], 100, 0).map(([x]) => x as number);
    expect(paper.every((x) => Number.isInteger(x) && x >= -100 && x <= 100)).toBe(true);
    expect(new Set(paper).size).toBeGreaterThan(50);
  });

  it("follows the type language of docs/ARCHITECTURE.md", () => {
    const n = 500;
    const one = (t: (typeof ARG_TYPES)[number]) => generateInputs([t], n, 1).map(([v]) => v);
    const nonneg = one("nonneg_int") as number[];
    expect(nonneg.every((x) => x >= 0 && x <= 10_000)).toBe(true);
    expect(nonneg.filter((x) => x <= 30).length / n).toBeGreaterThan(0.3);
    expect((one("pos_int") as number[]).every((x) => x >= 1)).toBe(true);
    expect((one("small_nonneg_int") as number[]).every((x) => x >= 0 && x <= 20)).toBe(true);
    const floats = one("float") as number[];
    expect(floats.every((x) => Math.abs(x) <= 1000)).toBe(true);
    const integral = floats.filter(Number.isInteger).length / n;
    expect(integral).toBeGreaterThan(0.1);
    expect(integral).toBeLessThan(0.3);
    expect((one("bool") as boolean[]).some((b) => b)).toBe(true);
    const strs = one("str") as string[];
    expect(strs.every((s) => typeof s === "string")).toBe(true);
    expect(strs.some((s) => s.length > 1 && s === [...s].reverse().join(""))).toBe(true);
    const lists = one("list[int]") as number[][];
    expect(lists.every((l) => l.length <= 30 && l.every((x) => x >= -50 && x <= 50))).toBe(true);
    const sorted = one("sorted_list[int]") as number[][];
    expect(sorted.every((l) => l.every((x, i) => i === 0 || l[i - 1] <= x))).toBe(true);
    for (const t of ARG_TYPES) expect(one(t)).toHaveLength(n);
  });

  it("keys input sets by everything that changes the values", () => {
    expect(inputSet(["int"], 10, 0).key).not.toBe(inputSet(["int"], 10, 1).key);
    expect(inputSet(["int"], 10, 0).key).not.toBe(inputSet(["int"], 10, 0, { min: 0, max: 5 }).key);
  });

  it("rejects a bad range with a message naming it", () => {
    expect(() => generateInputs(["int"], 1, 0, { min: 5, max: 1 })).toThrow(/bad int range 5,1/);
  });
});

describe("related inputs", () => {
  const share = (xs: boolean[]) => xs.filter(Boolean).length / xs.length;

  it("takes a target or a position from the list, a key from the dict, a piece from the text in about half", () => {
    const listInt = generateInputs(["list[int]", "int"], 400, 0) as [number[], number][];
    const inList = listInt.map(([l, x]) => l.includes(x));
    // An int beside a list may be an index into it (pop(i), bisect's lo): half the taken ones are.
    const position = listInt.map(([l, x]) => x >= 0 && x < l.length);
    expect(share(inList)).toBeGreaterThan(0.2);
    expect(share(position)).toBeGreaterThan(0.2);
    const taken = share(inList.map((v, i) => v || position[i]));
    expect(taken).toBeGreaterThan(0.4);
    expect(taken).toBeLessThan(0.7);
    const sorted = generateInputs(["int", "sorted_list[int]"], 400, 0) as [number, number[]][];
    expect(share(sorted.map(([x, l]) => l.includes(x)))).toBeGreaterThan(0.2);
    expect(share(sorted.map(([x, l]) => x >= 0 && x < l.length))).toBeGreaterThan(0.2);
    // A float beside ints takes an int, which the child makes a float: bisect_left and
    // bisect_right differ only on such ties.
    const ties = generateInputs(["list[int]", "float"], 400, 0).map(([l, x]) =>
      (l as number[]).includes(x as number),
    );
    expect(share(ties)).toBeGreaterThan(0.35);
    const keys = generateInputs(["dict[str,int]", "str"], 400, 0).map(([d, k]) =>
      (d as [string, number][]).some(([key]) => key === k),
    );
    expect(share(keys)).toBeGreaterThan(0.35);
    const pieces = generateInputs(["str", "str"], 400, 0).map(
      ([s, t]) => (t as string).length > 0 && (s as string).includes(t as string),
    );
    expect(share(pieces)).toBeGreaterThan(0.35);
  });

  it("puts boundary values into about a tenth of the draws only when the range asks, within it", () => {
    const range = { min: -10_000, max: 10_000 };
    const plain = generateInputs(["int", "str", "float"], 1000, 3, range);
    const edged = generateInputs(["int", "str", "float"], 1000, 3, { ...range, edges: true });
    const zeros = (rows: unknown[][]) => rows.filter(([x]) => x === 0).length;
    expect(zeros(plain)).toBeLessThan(3);
    expect(zeros(edged)).toBeGreaterThan(5);
    const spaced = edged.filter(([, s]) => typeof s === "string" && s !== s.trim()).length;
    expect(spaced).toBeGreaterThan(10);
    expect(edged.filter(([, , f]) => f === 0.5).length).toBeGreaterThan(5);
    // Every other draw is the plain one (a tenth of each argument changed, and a fifth of the
    // str: about 0.9 × 0.9 × 0.8 of the rows are untouched), and the set is keyed apart.
    const same = plain.filter((row, i) => JSON.stringify(row) === JSON.stringify(edged[i])).length;
    expect(same).toBeGreaterThan(550);
    expect(inputSet(["int"], 5, 0, range).key).not.toBe(
      inputSet(["int"], 5, 0, { ...range, edges: true }).key,
    );
    const narrow = generateInputs(["int"], 500, 3, { min: 5, max: 9, edges: true });
    expect(narrow.every(([x]) => (x as number) >= 5 && (x as number) <= 9)).toBe(true);
  });

  it("puts punctuation, non-ASCII and numbers as text into about a fifth of the str draws", () => {
    const range = { min: -10_000, max: 10_000 };
    const texts = (edges: boolean) =>
      generateInputs(["str", "int"], 2000, 4, { ...range, edges }).map(([s]) => s as string);
    const unusual = (s: string) => /[^A-Za-z0-9 ]/.test(s);
    const numeric = (s: string) => s.trim() !== "" && !Number.isNaN(Number(s));
    // Uniform draws hold letters, digits and spaces only, and no number but the odd digit run.
    expect(texts(false).filter(unusual)).toEqual([]);
    const edged = texts(true);
    const marked = edged.filter(unusual).length / edged.length;
    expect(marked).toBeGreaterThan(0.1);
    expect(marked).toBeLessThan(0.2);
    for (const c of ["&", "<", "\n", "é", ":", "%"])
      expect(edged.some((s) => s.includes(c))).toBe(true);
    expect(edged.filter((s) => numeric(s) && /[.e-]/.test(s)).length).toBeGreaterThan(20);
  });

  it("takes nothing where no argument's type is another's element type", () => {
    // Taken values would show: a str for the int, a negative for the nonneg_int, a number for the str.
    const words = generateInputs(["list[str]", "int"], 300, 5);
    expect(words.every(([, x]) => typeof x === "number")).toBe(true);
    const nonneg = generateInputs(["list[int]", "nonneg_int"], 300, 5);
    expect(nonneg.every(([, x]) => (x as number) >= 0)).toBe(true);
    const text = generateInputs(["list[int]", "str"], 300, 5);
    expect(text.every(([, x]) => typeof x === "string")).toBe(true);
  });

  it("gives a count of a target in a list a behaviour that is not constant", async () => {
    const [t] = await traceFunctions(
      [
        {
          id: "count",
          group: "c",
          code: "def count_of(xs, x):\n    return sum(1 for v in xs if v == x)\n",
          entry: "count_of",
          args: ["list[int]", "int"],
          transforms: [],
          split: "train",
          seed: 0,
        },
      ],
      { inputs: 50, workers: 1, level: "io" },
    );
    expect(t.status).toBe("ok");
    // About a quarter of the inputs take the target from the list (another quarter a position).
    expect(t.runs.filter((run) => run.output !== "0").length).toBeGreaterThan(8);
  });
});

describe("composite types", () => {
  const types = [
    "tuple[int,str]",
    "tuple[float,...]",
    "dict[int,list[str]]",
    "set[int]",
    "frozenset[str]",
    "bytes",
    "optional[int]",
    "union[int,str]",
    "callable[1]",
    "list[list[int]]",
    "*list[int]",
  ];

  it("parses the language and names what is wrong", () => {
    expect(parseArgType("dict[str,list[int]]")).toEqual({
      kind: "dict",
      key: { kind: "atom", name: "str" },
      value: { kind: "list", of: { kind: "atom", name: "int" } },
    });
    expect(() => parseArgType("complex")).toThrow(/argument type "complex": unknown type/);
    expect(() => parseArgType("list[*list[int]]")).toThrow(/only as a whole argument/);
    expect(() => parseArgType("callable[5]")).toThrow(/N in 0\.\.2/);
    expect(() => parseArgType("dict[int]")).toThrow(/a key and a value type/);
    expect(() => parseArgType("tuple[int, int]")).toThrow(
      /no spaces inside a type \(write tuple\[int,int\]\)/,
    );
  });

  it("draws deterministic values with unique set items and dict keys", () => {
    const a = generateInputs(types, 200, 7);
    expect(a).toEqual(generateInputs(types, 200, 7));
    for (const row of a) {
      const [tuple, , dict, set] = row as [unknown[], unknown, [number, unknown][], number[]];
      expect(tuple).toHaveLength(2);
      expect(new Set(dict.map(([k]) => k)).size).toBe(dict.length);
      expect(new Set(set).size).toBe(set.length);
    }
    expect(a.some((r) => r[6] === null)).toBe(true);
    // The old types keep their streams: adding composites changed nothing for them. Related
    // inputs changed two values: the first int is taken from its list (it was -52), the second
    // is a position in its list (it was 22).
    expect(generateInputs(["int", "list[int]"], 2, 0)).toEqual([
      [2, [2]],
      [1, [17, -3, -49]],
    ]);
  });

  it("arrive in the sandbox as the Python values they stand for", async () => {
    const code = "def f(*a):\n    return [type(x).__name__ for x in a[:10]] + [len(a)]\n";
    const [t] = await traceFunctions(
      [
        {
          id: "t",
          group: "t",
          code,
          entry: "f",
          args: types,
          transforms: [],
          split: "train",
          seed: 0,
        },
      ],
      { inputs: 20, workers: 1, level: "io" },
    );
    expect(t.status, t.error).toBe("ok");
    const names = t.runs.map((r) => r.output);
    expect(names[0]).toMatch(
      /^\['tuple','tuple','dict','set','frozenset','bytes','(int|NoneType)','(int|str)','(builtin_function_or_method|type)','list',\d+\]$/,
    );
    // A spread adds 0–3 positional arguments; a callable is shown by its name.
    expect(new Set(t.runs.map((r) => r.input.length)).size).toBeGreaterThan(1);
    expect(t.runs.every((r) => /^fn:\w+$/.test(r.input[8]))).toBe(true);
  });
});
