/**
 * Loop ↔ list comprehension. `out = []` followed by a `for` whose whole body appends (or
 * appends under one `if`) becomes `out = [e for t in it if c]`, and back; a returned
 * comprehension becomes a loop filling a fresh list. Only where the two evaluate the same
 * expressions in the same order: the loop variable is used nowhere else (a loop leaks it, a
 * comprehension does not), the list is not read while it is built, no `try` could observe a
 * half-built list.
 */
import type { Random } from "../../../random/index.js";
import { descendants, type Edit, type Node, namedChildren, statementsOf } from "../../syntax.js";
import type { Snippet } from "../common.js";
import {
  type Def,
  fresh,
  hasJumpsOrBindings,
  insideTry,
  mentions,
  ownLineStatements,
  ownNodes,
  previousStatement,
  rewriteOne,
  simpleAssignment,
  targetNames,
  unitOf,
  usedOutside,
} from "./common.js";

/** Parenthesised when it would not parse bare after `in` or `if` in a comprehension. */
function clauseText(node: Node): string {
  return ["conditional_expression", "lambda", "expression_list", "named_expression"].includes(
    node.type,
  )
    ? `(${node.text})`
    : node.text;
}

/** `NAME.append(E)` as a statement: the appended expression, or undefined. */
export function appendedTo(stmt: Node, name: string): Node | undefined {
  if (stmt.type !== "expression_statement" || stmt.namedChildCount !== 1) return undefined;
  const call = stmt.namedChild(0);
  const fn = call?.type === "call" ? call.childForFieldName("function") : null;
  const args = call?.childForFieldName("arguments");
  if (fn?.type !== "attribute" || args?.type !== "argument_list") return undefined;
  if (fn.childForFieldName("object")?.text !== name) return undefined;
  if (fn.childForFieldName("attribute")?.text !== "append") return undefined;
  const list = namedChildren(args).filter((a) => a.type !== "comment");
  const only = list[0];
  if (
    list.length !== 1 ||
    ["keyword_argument", "list_splat", "dictionary_splat"].includes(only.type)
  )
    return undefined;
  return only;
}

/** `for t in it: [if c:] name.append(e)` → its parts, or undefined. */
function appendLoop(
  loop: Node,
  name: string,
): { target: Node; iter: Node; cond?: Node; item: Node } | undefined {
  const target = loop.childForFieldName("left");
  const iter = loop.childForFieldName("right");
  const body = loop.childForFieldName("body");
  if (!target || !iter || !body || loop.childForFieldName("alternative")) return undefined;
  if (loop.text.startsWith("async")) return undefined;
  const stmts = statementsOf(body);
  if (stmts.length !== 1) return undefined;
  const only = stmts[0];
  if (only.type === "if_statement") {
    const cond = only.childForFieldName("condition");
    const inner = only.childForFieldName("consequence");
    if (!cond || !inner || only.childForFieldName("alternative")) return undefined;
    const innerStmts = statementsOf(inner);
    const item = innerStmts.length === 1 ? appendedTo(innerStmts[0], name) : undefined;
    return item && { target, iter, cond, item };
  }
  const item = appendedTo(only, name);
  return item && { target, iter, item };
}

function toComprehension(d: Def, loop: Node): Edit[] | null {
  const prev = previousStatement(loop);
  const init = prev && simpleAssignment(prev);
  if (!prev || !init || init[1].type !== "list" || init[1].namedChildCount !== 0) return null;
  const [name] = init;
  const parts = appendLoop(loop, name);
  if (!parts || insideTry(loop, d.fn)) return null;
  const { target, iter, cond, item } = parts;
  const names = targetNames(target);
  if (!names || names.some((t) => usedOutside(d.fn, t, [loop]))) return null;
  const inner = [iter, item, ...(cond ? [cond] : [])];
  if (inner.some((n) => mentions(n, name) || hasJumpsOrBindings(n))) return null;
  const text = `${name} = [${item.text} for ${target.text} in ${clauseText(iter)}${cond ? ` if ${clauseText(cond)}` : ""}]`;
  return [{ start: prev.startIndex, end: loop.endIndex, text }];
}

export function loopToComprehension(snippet: Snippet, rng: Random): Snippet | null {
  return rewriteOne(snippet, rng, (d) => ownNodes(d, "for_statement"), toComprehension);
}

/** The parts of `[e for t in it if c]` with exactly one `for` and at most one `if`. */
function comprehensionParts(
  comp: Node,
): { item: Node; target: Node; iter: Node; cond?: Node } | undefined {
  const kids = namedChildren(comp).filter((c) => c.type !== "comment");
  const [item, clause, filter, ...rest] = kids;
  if (!item || clause?.type !== "for_in_clause" || rest.length > 0) return undefined;
  if (filter && filter.type !== "if_clause") return undefined;
  if (clause.text.startsWith("async")) return undefined;
  const target = clause.childForFieldName("left");
  const iter = clause.childForFieldName("right");
  const cond = filter?.namedChild(0) ?? undefined;
  if (!target || !iter || (filter && !cond)) return undefined;
  if (namedChildren(clause).length !== 2) return undefined; // `for t in a, b` lists
  return { item, target, iter, cond };
}

function toLoop(d: Def, comp: Node, rng: Random): Edit[] | null {
  const unit = unitOf(d);
  const parts = comprehensionParts(comp);
  if (!unit || !parts) return null;
  const { item, target, iter, cond } = parts;
  const assignment = comp.parent;
  const stmt = assignment?.type === "assignment" ? assignment.parent : assignment;
  if (!stmt?.parent || insideTry(stmt, d.fn)) return null;
  const lines = ownLineStatements(d.code, stmt.parent);
  const indent = lines?.find(([s]) => s.id === stmt.id)?.[1];
  if (indent === undefined) return null;
  let name: string;
  let tail = "";
  if (stmt.type === "return_statement" && stmt.namedChild(0)?.id === comp.id) {
    name = fresh(d, rng);
    tail = `\n${indent}return ${name}`;
  } else {
    const simple = simpleAssignment(stmt);
    if (!simple || simple[1].id !== comp.id) return null;
    name = simple[0];
  }
  const names = targetNames(target);
  if (!names || names.some((t) => usedOutside(d.fn, t, [comp]))) return null;
  const inner = [iter, item, ...(cond ? [cond] : [])];
  if (inner.some((n) => mentions(n, name) || hasJumpsOrBindings(n))) return null;
  if (iter.text.includes("\n") || cond?.text.includes("\n")) return null;
  if (descendants(comp).some((n) => n.type === "yield" || n.type === "await")) return null;
  const deep = indent + unit + (cond ? unit : "");
  const text =
    `${name} = []\n${indent}for ${target.text} in ${iter.text}:\n` +
    (cond ? `${indent}${unit}if ${cond.text}:\n` : "") +
    `${deep}${name}.append(${item.text})${tail}`;
  return [{ start: stmt.startIndex, end: stmt.endIndex, text }];
}

export function comprehensionToLoop(snippet: Snippet, rng: Random): Snippet | null {
  return rewriteOne(
    snippet,
    rng,
    (d) => ownNodes(d, "list_comprehension"),
    (d, comp) => toLoop(d, comp, rng),
  );
}
