/**
 * Tail recursion ↔ a loop, where mechanical: a body that is `if c: return r` then
 * `return f(a1, …, an)` (or the branches the other way round, or as if/else) passing every
 * parameter positionally becomes `while not (c): p1, …, pn = a1, …, an` then `return r`
 * (the arguments are all evaluated before any parameter changes, as in a call); and back. The
 * loop has no recursion limit, so inputs deep enough to raise `RecursionError` in the
 * recursive form behave differently: execution decides whether a variant is kept.
 */
import type { Random } from "../../../random/index.js";
import {
  descendants,
  type Edit,
  type Node,
  namedChildren,
  ownLineIndent,
  statementsOf,
} from "../../syntax.js";
import type { Snippet } from "../common.js";
import { bodyStatements, type Def, onDef, refs, unitOf } from "./common.js";

/** Plain positional parameter names, or undefined for splats and keyword-only ones. */
function plainParams(fn: Node): string[] | undefined {
  const params = fn.childForFieldName("parameters");
  if (!params) return undefined;
  const names: string[] = [];
  for (const p of namedChildren(params)) {
    const id =
      p.type === "identifier"
        ? p
        : p.type === "typed_parameter"
          ? p.namedChild(0)
          : ["default_parameter", "typed_default_parameter"].includes(p.type)
            ? p.childForFieldName("name")
            : null;
    if (id?.type !== "identifier") return undefined;
    names.push(id.text);
  }
  return names;
}

const value = (stmt: Node | undefined) =>
  stmt?.type === "return_statement" ? (stmt.namedChild(0) ?? undefined) : undefined;

/** `f(a1, …, an)` calling `name` with exactly `n` positional arguments: the arguments. */
function selfCall(node: Node | undefined, name: string, n: number): Node[] | undefined {
  if (node?.type !== "call" || node.childForFieldName("function")?.text !== name) return undefined;
  const list = node.childForFieldName("arguments");
  const args = list ? namedChildren(list).filter((a) => a.type !== "comment") : [];
  if (list?.type !== "argument_list" || args.length !== n) return undefined;
  if (args.some((a) => ["keyword_argument", "list_splat", "dictionary_splat"].includes(a.type)))
    return undefined;
  return args;
}

/** The base case and the recursive call of a tail-recursive body, with the loop condition. */
function tailShape(d: Def, name: string, n: number) {
  const stmts = bodyStatements(d);
  const [ifs, last, ...rest] = stmts;
  if (ifs?.type !== "if_statement" || rest.length > 0) return undefined;
  const cond = ifs.childForFieldName("condition");
  const thenStmts = statementsOf(ifs.childForFieldName("consequence") as Node);
  const alternatives = namedChildren(ifs).filter((c) => c.type.endsWith("_clause"));
  if (!cond || thenStmts.length !== 1 || alternatives.length > 1) return undefined;
  let other: Node | undefined;
  if (alternatives.length === 1) {
    if (alternatives[0].type !== "else_clause" || last) return undefined;
    const otherStmts = statementsOf(alternatives[0].childForFieldName("body") as Node);
    if (otherStmts.length !== 1) return undefined;
    other = otherStmts[0];
  } else other = last;
  const a = value(thenStmts[0]);
  const b = value(other);
  if (!a || !b) return undefined;
  const callB = selfCall(b, name, n);
  if (callB) return { cond: `not (${cond.text})`, base: a, args: callB, cond0: cond };
  const callA = selfCall(a, name, n);
  if (callA) return { cond: cond.text, base: b, args: callA, cond0: cond };
  return undefined;
}

export function recursionToLoop(snippet: Snippet, _rng: Random): Snippet | null {
  return onDef(snippet, (d) => {
    const name = d.fn.childForFieldName("name")?.text;
    const params = plainParams(d.fn);
    const unit = unitOf(d);
    if (!name || !params || params.length === 0 || !unit) return null;
    const shape = tailShape(d, name, params.length);
    if (!shape) return null;
    // the only reference to the function in its body is the tail call
    if (refs(d.body, name).length !== 1) return null;
    if (
      descendants(d.body).some((n) =>
        ["yield", "await", "lambda", "function_definition"].includes(n.type),
      )
    )
      return null;
    const stmts = bodyStatements(d);
    const indent = ownLineIndent(d.code, stmts[0]);
    if (indent === undefined || [shape.cond0, ...shape.args].some((n) => n.text.includes("\n")))
      return null;
    const cond =
      shape.cond0.type === "not_operator" && shape.cond === `not (${shape.cond0.text})`
        ? (shape.cond0.childForFieldName("argument")?.text ?? shape.cond)
        : shape.cond;
    const assign = `${params.join(", ")} = ${shape.args.map((a) => a.text).join(", ")}`;
    const text = `while ${cond}:\n${indent}${unit}${assign}\n${indent}return ${shape.base.text}`;
    const edits: Edit[] = [
      { start: stmts[0].startIndex, end: stmts[stmts.length - 1].endIndex, text },
    ];
    return {
      code: d.code.slice(0, edits[0].start) + text + d.code.slice(edits[0].end),
      entry: d.entry,
    };
  });
}

export function loopToRecursion(snippet: Snippet, _rng: Random): Snippet | null {
  return onDef(snippet, (d) => {
    const name = d.fn.childForFieldName("name")?.text;
    const params = plainParams(d.fn);
    const unit = unitOf(d);
    const stmts = bodyStatements(d);
    const [loop, ret, ...rest] = stmts;
    if (!name || !params || params.length === 0 || !unit || rest.length > 0) return null;
    if (loop?.type !== "while_statement" || loop.childForFieldName("alternative")) return null;
    const base = value(ret);
    const cond = loop.childForFieldName("condition");
    const body = statementsOf(loop.childForFieldName("body") as Node);
    const a =
      body.length === 1 && body[0].type === "expression_statement" ? body[0].namedChild(0) : null;
    if (!base || !cond || a?.type !== "assignment" || a.childForFieldName("type")) return null;
    const left = a.childForFieldName("left") as Node;
    const right = a.childForFieldName("right") as Node;
    const targets = left.type === "pattern_list" ? namedChildren(left) : [left];
    const values =
      left.type === "pattern_list"
        ? right.type === "expression_list"
          ? namedChildren(right)
          : []
        : [right];
    if (targets.length !== values.length || !targets.every((t) => t.type === "identifier"))
      return null;
    const assigned = new Map(targets.map((t, i) => [t.text, values[i]]));
    if (![...assigned.keys()].every((t) => params.includes(t)) || assigned.size !== targets.length)
      return null;
    if (
      descendants(d.body).some((n) =>
        [
          "yield",
          "await",
          "lambda",
          "function_definition",
          "break_statement",
          "continue_statement",
        ].includes(n.type),
      )
    )
      return null;
    if (refs(d.body, name).length > 0) return null;
    const indent = ownLineIndent(d.code, loop);
    if (indent === undefined || cond.text.includes("\n") || a.text.includes("\n")) return null;
    const args = params.map((p) => assigned.get(p)?.text ?? p).join(", ");
    const negated =
      cond.type === "not_operator"
        ? (cond.childForFieldName("argument")?.text ?? `not (${cond.text})`)
        : `not (${cond.text})`;
    const text = `if ${negated}:\n${indent}${unit}return ${base.text}\n${indent}return ${name}(${args})`;
    return {
      code: d.code.slice(0, loop.startIndex) + text + d.code.slice((ret as Node).endIndex),
      entry: d.entry,
    };
  });
}
