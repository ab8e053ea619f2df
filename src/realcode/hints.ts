/**
 * Python type hints → the input type language (src/data ARG_TYPES). A hint that does not map is
 * reported with the reason, never guessed: such a function is still indexed for static search.
 */
import type { ArgType } from "../data/index.js";

const SCALARS: Record<string, ArgType> = { int: "int", float: "float", str: "str", bool: "bool" };
const LISTS = new Set(["list", "List", "Sequence", "MutableSequence", "Iterable", "Collection"]);
const LIST_OF: Record<string, ArgType> = {
  int: "list[int]",
  float: "list[float]",
  str: "list[str]",
};

export type HintResult = { type: ArgType } | { problem: string };

/** Strips a `typing.` prefix and spaces. */
const clean = (hint: string) => hint.replace(/\s+/g, "").replace(/\btyping\./g, "");

/** Splits `A|B` or the arguments of `X[A,B]` at top level (brackets respected). */
function splitTop(text: string, sep: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "[") depth++;
    else if (c === "]") depth--;
    else if (c === sep && depth === 0) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out;
}

export function mapHint(hint: string): HintResult {
  const h = clean(hint);
  const scalar = SCALARS[h];
  if (scalar) return { type: scalar };
  // Optional[X] and X | None: inputs are drawn for X (None is not generated).
  const optional = /^Optional\[(.+)\]$/.exec(h);
  if (optional) return mapHint(optional[1]);
  const union = splitTop(h, "|");
  if (union.length > 1) {
    const rest = union.filter((u) => u !== "None");
    if (rest.length === 1) return mapHint(rest[0]);
    return { problem: `union type hint "${hint}" has no single input type` };
  }
  const generic = /^([A-Za-z_][\w.]*)\[(.+)\]$/.exec(h);
  if (generic && LISTS.has(generic[1])) {
    const inner = splitTop(generic[2], ",");
    const element = inner.length === 1 ? LIST_OF[inner[0]] : undefined;
    if (element) return { type: element };
  }
  return { problem: `unsupported type hint "${hint}"` };
}
