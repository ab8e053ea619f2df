/**
 * Seeded input generators for the argument-type language of docs/ARCHITECTURE.md
 * ("Data you may use").
 * The stream depends only on the seed, the argument types and the int range, so every row
 * with the same `args` gets identical inputs, in every process and on every run.
 */
import { type ArgType, parseArgType, type TypeNode } from "../data/index.js";
import { Random } from "../random/index.js";
import type { InputSet } from "./pool.js";

export interface IntRange {
  min: number;
  max: number;
  /**
   * Boundary values in about a tenth of the draws of `int`, `float` and `str` arguments (0, ±1,
   * the range's ends; 0.5 ties; empty and spaced text), and punctuation, non-ASCII or numbers in
   * about a fifth of the `str` ones: uniform draws almost never hit them, so `1000 // x` and its
   * zero-guarded twin, `s` and `s.strip()`, or html.escape and `return s` looked alike. Real
   * code's inputs have them; the paper's synthetic benchmark keeps its uniform draws.
   */
  edges?: boolean;
}

/** Share of `int`, `float` and `str` draws replaced by a boundary value (IntRange.edges). */
const EDGE_SHARE = 0.1;
const EDGE_FLOATS = [0, 0.5, -0.5, 2.5];
const EDGE_STRS = ["", " ", " a", "a ", "A b", "a  b"];

/**
 * Characters uniform text draws never hold, put into about a sixth of real code's `str`
 * arguments: markup and escapes, URL and format punctuation, a newline and a tab, non-ASCII
 * letters and a no-break space. With letters, digits and spaces alone, html.escape, gettext,
 * unquote_plus and Template.substitute all returned their argument and were one behaviour.
 */
const PUNCTUATION = [
  ..."&<>\"'%+:#?=@/\\\n\t.,;-_()[]{}*$!|~^`",
  "é",
  "ü",
  "ß",
  "中",
  "€",
  "\u00a0",
];
/** Numbers as text (about one in twenty `str` draws): what atoi, float() and parsers read. */
const NUMERIC_STRS = ["0", "7", "-3", "42", "007", "3.5", "-0.25", "1e3", "12345", " 8 "];
const PUNCTUATED_SHARE = 0.15;
const NUMERIC_SHARE = 0.05;

/** `s` with one to three characters of PUNCTUATION put in at drawn places. */
function punctuated(r: Random, s: string): string {
  const chars = [...s];
  for (let k = r.int(1, 3); k > 0; k--)
    chars.splice(r.int(0, chars.length), 0, r.pick(PUNCTUATION));
  return chars.join("");
}

/** A boundary value of `type` within `range`, or undefined for a type without them. */
function edgeValue(r: Random, type: ArgType, range: IntRange): unknown {
  if (type === "int")
    return r.pick([0, 1, -1, range.min, range.max].filter((v) => v >= range.min && v <= range.max));
  if (type === "float") return r.pick(EDGE_FLOATS);
  if (type === "str") return r.pick(EDGE_STRS);
  return undefined;
}

/** The paper's range for the synthetic benchmark's `int` arguments. */
export const DEFAULT_RANGE: IntRange = { min: -100, max: 100 };

const ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const PANGRAM = "the quick brown fox jumps over the lazy dog";

/** 40% of draws in the small band, the rest uniform over the whole range. */
function biasedInt(r: Random, lo: number, hi: number, smallLo: number, smallHi: number): number {
  return r.bool(0.4) ? r.int(smallLo, smallHi) : r.int(lo, hi);
}

function float(r: Random): number {
  const x = r.uniform(-1000, 1000);
  return r.bool(0.2) ? Math.round(x) : x;
}

function str(r: Random): string {
  switch (r.int(0, 3)) {
    case 0: {
      const n = r.int(0, 6);
      let s = "";
      for (let i = 0; i < n; i++) s += r.pick(["a", "b"]);
      return s;
    }
    case 1: {
      const half = r.int(0, 5);
      let s = "";
      for (let i = 0; i < half; i++) s += r.pick(["a", "b", "c", "x"]);
      const mid = r.bool() ? r.pick(["a", "b", "z"]) : "";
      return s + mid + [...s].reverse().join("");
    }
    case 2: {
      const words = r.shuffle(PANGRAM.split(" "));
      return words.slice(0, r.int(1, words.length)).join(" ");
    }
    default: {
      const n = r.int(0, 12);
      let s = "";
      for (let i = 0; i < n; i++) s += r.pick([...ALNUM]);
      return s;
    }
  }
}

function list<T>(r: Random, maxLen: number, item: (r: Random) => T): T[] {
  const n = r.int(0, maxLen);
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(item(r));
  return out;
}

/** Draws one value of `type`; `range` applies to a top-level `int` only. */
export function drawValue(r: Random, type: ArgType, range: IntRange): unknown {
  switch (type) {
    case "int":
      return r.int(range.min, range.max);
    case "nonneg_int":
      return biasedInt(r, 0, 10_000, 0, 30);
    case "pos_int":
      return biasedInt(r, 1, 10_000, 1, 30);
    case "small_nonneg_int":
      return r.int(0, 20);
    case "float":
      return float(r);
    case "str":
      return str(r);
    case "bool":
      return r.bool();
    case "list[int]":
      return list(r, 30, (q) => q.int(-50, 50));
    case "sorted_list[int]":
      return list(r, 30, (q) => q.int(-50, 50)).sort((a, b) => a - b);
    case "list[float]":
      return list(r, 30, float);
    case "list[str]":
      return list(r, 10, str);
    default:
      return drawNode(r, parseArgType(type), range, true);
  }
}

/** Some printable ASCII, some arbitrary bytes, as a JSON list of byte values. */
function bytes(r: Random): number[] {
  const ascii = r.bool(0.6);
  return list(r, 16, (q) => (ascii ? q.int(32, 126) : q.int(0, 255)));
}

/**
 * Composite types (see parseArgType). Values travel as JSON and are converted by type in the
 * child (tracer.py `_convert`): tuples and sets as lists, dicts as `[key, value]` pairs (keys
 * need not be strings), bytes as byte values, a union as `[branch, value]`, a callable as the
 * index of a fixed pure builtin. `int` elements of containers are drawn in −50..50.
 */
function drawNode(r: Random, t: TypeNode, range: IntRange, top: boolean): unknown {
  const inner = (u: TypeNode) => drawNode(r, u, range, false);
  switch (t.kind) {
    case "atom":
      if (t.name === "none") return null;
      if (t.name === "bytes") return bytes(r);
      if (t.name === "int" && !top) return r.int(-50, 50);
      return drawValue(r, t.name, range);
    case "sorted_list":
      return drawValue(r, "sorted_list[int]", range);
    case "list":
    case "star": {
      const scalar = t.of.kind === "atom" && t.of.name !== "str";
      return list(r, t.kind === "star" ? 3 : scalar ? 30 : 8, () => inner(t.of));
    }
    case "set":
    case "frozenset": {
      const seen = new Set<string>();
      const out: unknown[] = [];
      for (const v of list(r, 10, () => inner(t.of))) {
        const k = JSON.stringify(v);
        if (!seen.has(k)) {
          seen.add(k);
          out.push(v);
        }
      }
      return out;
    }
    case "tuple":
      return t.variadic ? list(r, 8, () => inner(t.items[0])) : t.items.map(inner);
    case "dict": {
      const seen = new Set<string>();
      const out: [unknown, unknown][] = [];
      for (let i = r.int(0, 8); i > 0; i--) {
        const k = inner(t.key);
        const v = inner(t.value);
        const s = JSON.stringify(k);
        if (!seen.has(s)) {
          seen.add(s);
          out.push([k, v]);
        }
      }
      return out;
    }
    case "optional":
      return r.bool(0.2) ? null : drawNode(r, t.of, range, top);
    case "union": {
      const i = r.int(0, t.options.length - 1);
      return [i, drawNode(r, t.options[i], range, top)];
    }
    case "callable":
      return r.int(0, CALLABLES[t.arity] - 1);
  }
}

/** How many pure builtins `callable[N]` chooses from (the list is in tracer.py `_convert`). */
const CALLABLES = [5, 5, 5];

function checkRange(range: IntRange): void {
  if (
    !Number.isSafeInteger(range.min) ||
    !Number.isSafeInteger(range.max) ||
    range.min > range.max
  ) {
    throw new RangeError(`bad int range ${range.min},${range.max}: need safe integers, min ≤ max`);
  }
}

/** Share of inputs in which an argument that can be found in another is taken from it. */
const RELATED_SHARE = 0.5;

/** The element type of a container argument that related draws can take values from. */
function elementOf(t: TypeNode): TypeNode | undefined {
  switch (t.kind) {
    case "sorted_list":
      return { kind: "atom", name: "int" };
    case "list":
    case "set":
    case "frozenset":
      return t.of;
    case "tuple":
      return t.variadic ? t.items[0] : undefined;
    case "dict":
      return t.key;
    default:
      return undefined;
  }
}

/**
 * For each argument, the argument it is drawn from in related inputs, or -1. Independent draws
 * rarely relate: a target is seldom in the list it is searched in, a text seldom inside
 * another, so `countOf`, `index`, `find` or `startswith` would almost always take their "not
 * found" path and look alike. An argument whose type is another's element type (a dict's key
 * type; a float beside ints) takes, in about half the inputs, one of that argument's values; a
 * `str` after another `str` takes a piece of it.
 */
function relatedSources(nodes: readonly TypeNode[]): number[] {
  const isAtom = (t: TypeNode, name: string) => t.kind === "atom" && t.name === name;
  // The same type, or an int where a float is wanted (the child converts it: 3 becomes 3.0).
  const fits = (element: TypeNode, t: TypeNode) =>
    JSON.stringify(element) === JSON.stringify(t) || (isAtom(element, "int") && isAtom(t, "float"));
  return nodes.map((t, j) => {
    const container = nodes.findIndex((c, i) => {
      const e = i !== j ? elementOf(c) : undefined;
      return e !== undefined && fits(e, t);
    });
    if (container >= 0) return container;
    if (isAtom(t, "str")) return nodes.findIndex((c, i) => i < j && isAtom(c, "str"));
    return -1;
  });
}

/**
 * One of `value`'s items (a dict's keys), or a piece of a text; undefined when it is empty. An
 * `int` drawn from a sequence is, half the time, one of its positions instead: the int beside a
 * list may be an index (`a.pop(i)`, `heapq._siftup(heap, pos)`, `bisect`'s `lo`), which a
 * random int in the range almost never is.
 */
function relatedValue(r: Random, value: unknown, from: TypeNode, to: TypeNode): unknown {
  if (typeof value === "string") {
    if (value.length === 0) return undefined;
    const start = r.int(0, value.length - 1);
    return value.slice(start, r.int(start + 1, value.length));
  }
  const items = value as unknown[];
  if (items.length === 0) return undefined;
  const kind = from.kind;
  const sequence = kind === "list" || kind === "sorted_list" || kind === "tuple";
  if (sequence && to.kind === "atom" && to.name === "int" && r.bool(0.5))
    return r.int(0, items.length - 1);
  const item = r.pick(items);
  // A dict travels as [key, value] pairs.
  return kind === "dict" ? (item as unknown[])[0] : item;
}

/** `n` argument tuples for a function taking `args`; the same call always gives the same values. */
export function generateInputs(
  args: readonly ArgType[],
  n: number,
  seed = 0,
  range: IntRange = DEFAULT_RANGE,
): unknown[][] {
  checkRange(range);
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`bad input count ${n}`);
  const r = new Random(seed).fork(`inputs:${args.join(",")}:${range.min},${range.max}`);
  const out: unknown[][] = [];
  for (let i = 0; i < n; i++) out.push(args.map((t) => drawValue(r, t, range)));
  if (range.edges) {
    // A stream of its own, before related draws (a boundary text can then hold a piece of it).
    const e = new Random(seed).fork(`edges:${args.join(",")}:${range.min},${range.max}`);
    for (const values of out)
      args.forEach((t, j) => {
        if (!e.bool(EDGE_SHARE)) return;
        const v = edgeValue(e, t, range);
        if (v !== undefined) values[j] = v;
      });
    // Another stream: the boundary draws stay what they were.
    const p = new Random(seed).fork(`texts:${args.join(",")}:${range.min},${range.max}`);
    for (const values of out)
      args.forEach((t, j) => {
        if (t !== "str") return;
        const u = p.uniform(0, 1);
        if (u < PUNCTUATED_SHARE) values[j] = punctuated(p, values[j] as string);
        else if (u < PUNCTUATED_SHARE + NUMERIC_SHARE) values[j] = p.pick(NUMERIC_STRS);
      });
  }
  const nodes = args.map((a) => parseArgType(a));
  const sources = relatedSources(nodes);
  if (sources.every((s) => s < 0)) return out;
  // A stream of its own: the independent draws stay what they were.
  const q = new Random(seed).fork(`related:${args.join(",")}:${range.min},${range.max}`);
  for (const values of out) {
    sources.forEach((from, j) => {
      if (from < 0 || !q.bool(RELATED_SHARE)) return;
      const v = relatedValue(q, values[from], nodes[from], nodes[j]);
      if (v !== undefined) values[j] = v;
    });
  }
  return out;
}

/** The input set a pool job needs, keyed so each child receives it once. */
export function inputSet(
  args: readonly ArgType[],
  n: number,
  seed = 0,
  range: IntRange = DEFAULT_RANGE,
): InputSet {
  return {
    key: `${args.join(",")}|${n}|${seed}|${range.min},${range.max}${range.edges ? ",edges" : ""}`,
    types: args,
    values: generateInputs(args, n, seed, range),
  };
}
