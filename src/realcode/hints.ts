/**
 * Python type hints → the input type language (src/data `parseArgType`). A hint that does not
 * map (`Any`, a class, `complex`, …) is reported with the reason; the parameter's type is then
 * inferred from other evidence (infer.ts), never guessed silently.
 */
import type { ArgType } from "../data/index.js";

const SCALARS: Record<string, ArgType> = {
  int: "int",
  float: "float",
  str: "str",
  bool: "bool",
  bytes: "bytes",
  bytearray: "bytes",
  None: "none",
  NoneType: "none",
};
const LISTS = new Set([
  "list",
  "List",
  "Sequence",
  "MutableSequence",
  "Iterable",
  "Iterator",
  "Collection",
  "Reversible",
]);
const TUPLES = new Set(["tuple", "Tuple"]);
const DICTS = new Set(["dict", "Dict", "Mapping", "MutableMapping"]);
const SETS = new Set(["set", "Set", "AbstractSet", "MutableSet"]);
const FROZENSETS = new Set(["frozenset", "FrozenSet"]);
/** What a bare container hint (`list`, `dict`, …) draws: its elements are not said. */
const BARE: Record<string, ArgType> = {
  ...Object.fromEntries([...LISTS].map((k) => [k, "list[int]"])),
  ...Object.fromEntries([...TUPLES].map((k) => [k, "tuple[int,...]"])),
  ...Object.fromEntries([...DICTS].map((k) => [k, "dict[str,int]"])),
  ...Object.fromEntries([...SETS].map((k) => [k, "set[int]"])),
  ...Object.fromEntries([...FROZENSETS].map((k) => [k, "frozenset[int]"])),
  Callable: "callable[1]",
};

export type HintResult = { type: ArgType } | { problem: string };

/** Strips `typing.`/`collections.abc.` prefixes, quotes and spaces. */
const clean = (hint: string) =>
  hint
    .replace(/\s+/g, "")
    .replace(/\b(typing|collections\.abc|abc|t)\./g, "")
    .replace(/^["']|["']$/g, "");

/** Splits `A|B` or the arguments of `X[A,B]` at top level (brackets respected). */
export function splitTop(text: string, sep: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "[" || c === "(") depth++;
    else if (c === "]" || c === ")") depth--;
    else if (c === sep && depth === 0) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out;
}

function unionOf(parts: string[], hint: string): HintResult {
  const hasNone = parts.some((u) => u === "None" || u === "NoneType");
  const rest = parts.filter((u) => u !== "None" && u !== "NoneType");
  const mapped: ArgType[] = [];
  for (const u of rest) {
    const m = mapHint(u);
    if ("problem" in m) return m;
    if (!mapped.includes(m.type)) mapped.push(m.type);
  }
  if (mapped.length === 0) return { problem: `type hint "${hint}" allows only None` };
  const one = mapped.length === 1 ? mapped[0] : `union[${mapped.join(",")}]`;
  return { type: hasNone ? `optional[${one}]` : one };
}

export function mapHint(hint: string): HintResult {
  const h = clean(hint);
  const scalar = SCALARS[h];
  if (scalar) return { type: scalar };
  if (BARE[h]) return { type: BARE[h] };
  if (h === "Any" || h === "object")
    return { problem: `type hint "${hint}" says nothing about the values` };
  const union = splitTop(h, "|");
  if (union.length > 1) return unionOf(union, hint);
  const generic = /^([A-Za-z_][\w.]*)\[(.*)\]$/.exec(h);
  if (generic) {
    const [, head, body] = generic;
    const inner = splitTop(body, ",");
    const sub = (t: string) => mapHint(t);
    const one = (wrap: (t: ArgType) => ArgType): HintResult => {
      if (inner.length !== 1) return { problem: `type hint "${hint}" needs one type argument` };
      const m = sub(inner[0]);
      return "problem" in m ? m : { type: wrap(m.type) };
    };
    if (head === "Optional") return one((t) => `optional[${t}]`);
    if (head === "Union") return unionOf(inner, hint);
    if (LISTS.has(head)) return one((t) => `list[${t}]`);
    if (SETS.has(head)) return one((t) => `set[${t}]`);
    if (FROZENSETS.has(head)) return one((t) => `frozenset[${t}]`);
    if (TUPLES.has(head)) {
      if (inner.length === 2 && inner[1] === "...") {
        const m = sub(inner[0]);
        return "problem" in m ? m : { type: `tuple[${m.type},...]` };
      }
      const items: ArgType[] = [];
      for (const t of inner) {
        if (t === "()") continue;
        const m = sub(t);
        if ("problem" in m) return m;
        items.push(m.type);
      }
      return { type: `tuple[${items.join(",")}]` };
    }
    if (DICTS.has(head)) {
      if (inner.length !== 2) return { problem: `type hint "${hint}" needs key and value types` };
      const k = sub(inner[0]);
      const v = sub(inner[1]);
      if ("problem" in k) return k;
      if ("problem" in v) return v;
      return { type: `dict[${k.type},${v.type}]` };
    }
    if (head === "Callable") {
      const params = /^\[(.*)\]$/.exec(inner[0] ?? "");
      const n = params ? (params[1] === "" ? 0 : splitTop(params[1], ",").length) : 1;
      if (n > 2) return { problem: `type hint "${hint}": callables of ${n} arguments` };
      return { type: `callable[${n}]` };
    }
  }
  return { problem: `unsupported type hint "${hint}"` };
}
