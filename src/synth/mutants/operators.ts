/**
 * Near-miss mutation operators for general real functions: each makes one small edit of the
 * entry function's syntax tree that usually changes behaviour while the code stays almost the
 * same — the hard negatives of contrastive training. Whether a mutant really differs is
 * decided by execution (`verifyMutants`), never assumed.
 */
import type { Random } from "../../random/index.js";
import { descendants, type Edit, type Node, namedChildren } from "../syntax.js";
import type { Snippet } from "../transforms/common.js";
import { type Def, ownNodes, rewriteOne, wholeLines } from "../transforms/rewrites/common.js";

export type MutationFn = (snippet: Snippet, rng: Random) => Snippet | null;

/** `range(a, b)` → `range(a, b ± 1)` or `range(a ± 1, b)`. */
function rangeEdit(_d: Def, call: Node, rng: Random): Edit[] | null {
  if (call.childForFieldName("function")?.text !== "range") return null;
  const list = call.childForFieldName("arguments");
  const args = list ? namedChildren(list).filter((a) => a.type !== "comment") : [];
  if (list?.type !== "argument_list" || args.length < 1 || args.length > 3) return null;
  if (args.some((a) => a.type === "keyword_argument" || a.type === "list_splat")) return null;
  const target = args.length === 1 ? args[0] : rng.pick(args.slice(0, 2));
  const delta = rng.pick([" + 1", " - 1"]);
  const text =
    target.type === "integer"
      ? String(Number(target.text) + (delta === " + 1" ? 1 : -1))
      : `${target.text}${delta}`;
  return [{ start: target.startIndex, end: target.endIndex, text }];
}

export function offByOneRange(snippet: Snippet, rng: Random): Snippet | null {
  return rewriteOne(
    snippet,
    rng,
    (d) => ownNodes(d, "call"),
    (d, c) => rangeEdit(d, c, rng),
  );
}

const BOUNDARY: Record<string, string> = {
  "<": "<=",
  "<=": "<",
  ">": ">=",
  ">=": ">",
  "==": "!=",
  "!=": "==",
};

/** `a < b` → `a <= b` (and the other boundaries; `==` ↔ `!=`). */
function comparisonEdit(_d: Def, cmp: Node): Edit[] | null {
  const ops = cmp.children.filter((c) => c && !c.isNamed && BOUNDARY[c.type] !== undefined);
  const op = ops[0];
  if (!op || ops.length !== 1 || cmp.namedChildCount !== 2) return null;
  return [{ start: op.startIndex, end: op.endIndex, text: BOUNDARY[op.type] }];
}

export function comparisonBoundary(snippet: Snippet, rng: Random): Snippet | null {
  return rewriteOne(snippet, rng, (d) => ownNodes(d, "comparison_operator"), comparisonEdit);
}

const NON_COMMUTATIVE = new Set(["-", "/", "//", "%", "**", "<<", ">>"]);

/** `a - b` → `b - a` for an operator whose operands do not commute. */
function swapEdit(_d: Def, op: Node): Edit[] | null {
  const left = op.childForFieldName("left");
  const right = op.childForFieldName("right");
  if (!left || !right || !NON_COMMUTATIVE.has(op.childForFieldName("operator")?.type ?? ""))
    return null;
  if (left.text === right.text) return null;
  const wrap = (n: Node) =>
    n.type === "binary_operator" || n.type === "unary_operator" ? `(${n.text})` : n.text;
  return [
    { start: left.startIndex, end: left.endIndex, text: wrap(right) },
    { start: right.startIndex, end: right.endIndex, text: wrap(left) },
  ];
}

export function swapOperands(snippet: Snippet, rng: Random): Snippet | null {
  return rewriteOne(snippet, rng, (d) => ownNodes(d, "binary_operator"), swapEdit);
}

/** An integer literal of the code → one more or one less. */
function constantEdit(_d: Def, n: Node, rng: Random): Edit[] | null {
  if (!/^[0-9]+$/.test(n.text)) return null;
  const v = Number(n.text);
  const next = v === 0 ? 1 : v + rng.pick([1, -1]);
  return [{ start: n.startIndex, end: n.endIndex, text: String(next) }];
}

export function changeConstant(snippet: Snippet, rng: Random): Snippet | null {
  return rewriteOne(
    snippet,
    rng,
    (d) => ownNodes(d, "integer"),
    (d, n) => constantEdit(d, n, rng),
  );
}

/** `if c: a else: b` → `if c: a` (the else branch dropped). */
function dropElseEdit(d: Def, ifs: Node): Edit[] | null {
  const clauses = namedChildren(ifs).filter((c) => c.type === "else_clause");
  const last = clauses[0];
  const body = last?.childForFieldName("body");
  if (!last || !body || clauses.length !== 1) return null;
  if (descendants(last).some((n) => n.type === "function_definition")) return null;
  return [wholeLines(d.code, last, body)];
}

export function dropElse(snippet: Snippet, rng: Random): Snippet | null {
  return rewriteOne(snippet, rng, (d) => ownNodes(d, "if_statement"), dropElseEdit);
}
