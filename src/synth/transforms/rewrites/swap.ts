/**
 * Swap idioms: `a, b = b, a` ↔ `t = a; a = b; b = t` (names, subscripts or attributes without
 * calls, so evaluating a target's parts again changes nothing). Both read the old values of
 * both places before writing, and write the first place before evaluating the second, so they
 * agree even when the places alias.
 */
import type { Random } from "../../../random/index.js";
import { descendants, type Edit, type Node, namedChildren, ownLineIndent } from "../../syntax.js";
import type { Snippet } from "../common.js";
import {
  assignmentOf,
  type Def,
  fresh,
  nextStatement,
  ownNodes,
  refs,
  rewriteOne,
  simpleAssignment,
} from "./common.js";

/** A place that can be read and written again without effects: a name, subscript or attribute. */
function isPlace(n: Node): boolean {
  if (!["identifier", "subscript", "attribute"].includes(n.type)) return false;
  return !descendants(n).some((c) =>
    ["call", "await", "yield", "named_expression"].includes(c.type),
  );
}

function tupleSwap(stmt: Node): [Node, Node] | undefined {
  const a = assignmentOf(stmt);
  const left = a?.childForFieldName("left");
  const right = a?.childForFieldName("right");
  if (left?.type !== "pattern_list" || right?.type !== "expression_list") return undefined;
  const l = namedChildren(left);
  const r = namedChildren(right);
  if (l.length !== 2 || r.length !== 2 || !l.every(isPlace)) return undefined;
  return r[0].text === l[1].text && r[1].text === l[0].text && l[0].text !== l[1].text
    ? [l[0], l[1]]
    : undefined;
}

function toTemp(d: Def, stmt: Node, rng: Random): Edit[] | null {
  const pair = tupleSwap(stmt);
  const indent = ownLineIndent(d.code, stmt);
  if (!pair || indent === undefined) return null;
  const [a, b] = pair;
  const t = fresh(d, rng);
  const text = `${t} = ${a.text}\n${indent}${a.text} = ${b.text}\n${indent}${b.text} = ${t}`;
  return [{ start: stmt.startIndex, end: stmt.endIndex, text }];
}

export function swapToTemp(snippet: Snippet, rng: Random): Snippet | null {
  return rewriteOne(
    snippet,
    rng,
    (d) => ownNodes(d, "expression_statement"),
    (d, s) => toTemp(d, s, rng),
  );
}

/** `left = right` with both places: [left, right]. */
function placeCopy(stmt: Node | undefined): [Node, Node] | undefined {
  const a = stmt && assignmentOf(stmt);
  const left = a?.childForFieldName("left");
  const right = a?.childForFieldName("right");
  return left && right && isPlace(left) && isPlace(right) ? [left, right] : undefined;
}

function toTuple(d: Def, first: Node): Edit[] | null {
  const save = simpleAssignment(first);
  const second = nextStatement(first);
  const third = second && nextStatement(second);
  const move = placeCopy(second);
  const restore = placeCopy(third);
  if (!save || !second || !third || !move || !restore || !isPlace(save[1])) return null;
  const [t, a] = save;
  if (move[0].text !== a.text || restore[0].text !== move[1].text || restore[1].text !== t)
    return null;
  if (a.text === move[1].text || refs(d.fn, t).length !== 2) return null;
  if ([first, second, third].some((s) => ownLineIndent(d.code, s) === undefined)) return null;
  const b = move[1].text;
  return [
    { start: first.startIndex, end: third.endIndex, text: `${a.text}, ${b} = ${b}, ${a.text}` },
  ];
}

export function tempToSwap(snippet: Snippet, rng: Random): Snippet | null {
  return rewriteOne(snippet, rng, (d) => ownNodes(d, "expression_statement"), toTuple);
}
