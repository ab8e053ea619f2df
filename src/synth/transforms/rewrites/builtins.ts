/**
 * `sum`/`any`/`all`/`min`/`max` ↔ explicit loops. A returned or assigned call over a generator,
 * a comprehension or any iterable becomes the loop the builtin runs (`any` and `all` stop at
 * the first decisive item with `break`; `min`/`max` keep the first extreme item, compare with
 * `<`/`>` as CPython does, and raise `ValueError` on no items; `min(a, b)` of names or
 * literals becomes `if`s). Back: `r = 0; for t in it: r += e` → `r = sum(e for t in it)`, and
 * `for t in it: if c: return True` + `return False` → `return any(c for t in it)` (`all` with
 * the literals swapped). `sum` of floats is exact only for ints, since CPython 3.12 sums floats
 * with compensation: execution decides, as for every variant.
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
import {
  type Def,
  fresh,
  hasJumpsOrBindings,
  insideTry,
  isAtom,
  mentions,
  nextStatement,
  ownNodes,
  previousStatement,
  rewriteOne,
  simpleAssignment,
  targetNames,
  unitOf,
  usedOutside,
} from "./common.js";
import { isLiteral } from "./early-return.js";

const BUILTINS = ["sum", "any", "all", "min", "max"] as const;
type Builtin = (typeof BUILTINS)[number];

/** True when every identifier `name` in the module is the callee of a call (never rebound). */
function isBuiltin(d: Def, name: string): boolean {
  return descendants(d.root)
    .filter((n) => n.type === "identifier" && n.text === name)
    .every((n) => n.parent?.type === "call" && n.parent.childForFieldName("function")?.id === n.id);
}

/** What a builtin iterates: a generator or comprehension's parts, or a plain iterable. */
interface Iteration {
  target?: Node;
  iter: Node;
  cond?: Node;
  item?: Node;
  /** The node whose loop variables must not be used elsewhere. */
  scope?: Node;
}

function iterationOf(arg: Node): Iteration | undefined {
  if (arg.type !== "generator_expression" && arg.type !== "list_comprehension")
    return { iter: arg };
  const kids = namedChildren(arg).filter((c) => c.type !== "comment");
  const [item, clause, filter, ...rest] = kids;
  if (!item || clause?.type !== "for_in_clause" || rest.length > 0) return undefined;
  if (filter && filter.type !== "if_clause") return undefined;
  if (clause.text.startsWith("async") || namedChildren(clause).length !== 2) return undefined;
  const target = clause.childForFieldName("left") ?? undefined;
  const iter = clause.childForFieldName("right") ?? undefined;
  const cond = filter?.namedChild(0) ?? undefined;
  if (!target || !iter || (filter && !cond)) return undefined;
  return { target, iter, cond, item, scope: arg };
}

function toLoop(d: Def, call: Node, rng: Random): Edit[] | null {
  const unit = unitOf(d);
  const name = call.childForFieldName("function")?.text as Builtin;
  if (!unit || !BUILTINS.includes(name) || !isBuiltin(d, name)) return null;
  const argsNode = call.childForFieldName("arguments");
  if (!argsNode) return null;
  const args =
    argsNode.type === "generator_expression"
      ? [argsNode]
      : namedChildren(argsNode).filter((c) => c.type !== "comment");
  if (args.some((a) => ["keyword_argument", "list_splat", "dictionary_splat"].includes(a.type)))
    return null;
  const parent = call.parent;
  const stmt = parent?.type === "assignment" ? parent.parent : parent;
  const indent = stmt && ownLineIndent(d.code, stmt);
  if (!stmt || indent === undefined || insideTry(stmt, d.fn)) return null;
  let result: string;
  let tail = "";
  if (stmt.type === "return_statement" && stmt.namedChild(0)?.id === call.id) {
    result = fresh(d, rng);
    tail = `\n${indent}return ${result}`;
  } else {
    const set = simpleAssignment(stmt);
    if (!set || set[1].id !== call.id || mentions(call, set[0])) return null;
    result = set[0];
  }
  if (call.text.includes("\n") || hasJumpsOrBindings(call)) return null;
  const i1 = indent + unit;
  if ((name === "min" || name === "max") && args.length >= 2) {
    if (!args.every(isAtom)) return null;
    const op = name === "min" ? "<" : ">";
    const lines = [`${result} = ${args[0].text}`];
    for (const a of args.slice(1))
      lines.push(`if ${a.text} ${op} ${result}:`, `${unit}${result} = ${a.text}`);
    return [{ start: stmt.startIndex, end: stmt.endIndex, text: lines.join(`\n${indent}`) + tail }];
  }
  if (args.length !== 1) return null;
  const it = iterationOf(args[0]);
  if (!it) return null;
  let target = it.target?.text;
  let item = it.item?.text;
  if (it.target && it.scope) {
    const names = targetNames(it.target);
    if (!names || names.some((t) => usedOutside(d.fn, t, [it.scope as Node]))) return null;
    if (mentions(it.scope, result)) return null;
  } else {
    target = fresh(d, rng);
    item = target;
  }
  const head = `for ${target} in ${it.iter.text}:`;
  const inner = it.cond ? i1 + unit : i1;
  const guard = it.cond ? `\n${i1}if ${it.cond.text}:` : "";
  const body = (lines: string[]) => lines.map((l) => `\n${inner}${l}`).join("");
  let text: string;
  if (name === "sum") {
    text = `${result} = 0\n${indent}${head}${guard}${body([`${result} = ${result} + ${item}`])}`;
  } else if (name === "any" || name === "all") {
    const test = name === "any" ? `if ${item}:` : `if not (${item}):`;
    const hit = name === "any" ? "True" : "False";
    text =
      `${result} = ${name === "any" ? "False" : "True"}\n${indent}${head}${guard}` +
      `\n${inner}${test}\n${inner}${unit}${result} = ${hit}\n${inner}${unit}break`;
  } else {
    const seen = fresh(d, rng);
    // a plain iterable's loop variable is the value; a generator's item is computed once
    const value = it.scope ? fresh(d, rng) : (target as string);
    const op = name === "min" ? "<" : ">";
    text =
      `${result} = None\n${indent}${seen} = False\n${indent}${head}${guard}` +
      body([
        ...(it.scope ? [`${value} = ${item}`] : []),
        `if not ${seen} or ${value} ${op} ${result}:`,
        `${unit}${result} = ${value}`,
        `${unit}${seen} = True`,
      ]) +
      `\n${indent}if not ${seen}:\n${i1}raise ValueError("${name}() iterable argument is empty")`;
  }
  return [{ start: stmt.startIndex, end: stmt.endIndex, text: text + tail }];
}

export function builtinToLoop(snippet: Snippet, rng: Random): Snippet | null {
  return rewriteOne(
    snippet,
    rng,
    (d) =>
      ownNodes(d, "call").filter((c) =>
        (BUILTINS as readonly string[]).includes(c.childForFieldName("function")?.text ?? ""),
      ),
    (d, c) => toLoop(d, c, rng),
  );
}

/** `r += e` / `r = r + e`: the added expression. */
function addedTo(stmt: Node, name: string): Node | undefined {
  if (stmt.type !== "expression_statement" || stmt.namedChildCount !== 1) return undefined;
  const a = stmt.namedChild(0);
  const left = a?.childForFieldName("left");
  const right = a?.childForFieldName("right");
  if (!a || left?.type !== "identifier" || left.text !== name || !right) return undefined;
  if (a.type === "augmented_assignment")
    return a.childForFieldName("operator")?.type === "+=" ? right : undefined;
  if (a.type !== "assignment" || right.type !== "binary_operator") return undefined;
  const op = right.childForFieldName("operator")?.type;
  return op === "+" && right.childForFieldName("left")?.text === name
    ? (right.childForFieldName("right") ?? undefined)
    : undefined;
}

/** `for t in it: [if c:] S` with S the only statement: the parts. */
function simpleLoop(loop: Node): { target: Node; iter: Node; cond?: Node; stmt: Node } | undefined {
  const target = loop.childForFieldName("left");
  const iter = loop.childForFieldName("right");
  const body = loop.childForFieldName("body");
  if (!target || !iter || !body || loop.childForFieldName("alternative")) return undefined;
  if (loop.text.startsWith("async")) return undefined;
  const stmts = statementsOf(body);
  if (stmts.length !== 1) return undefined;
  const s = stmts[0];
  if (s.type !== "if_statement") return { target, iter, stmt: s };
  const cond = s.childForFieldName("condition");
  const inner = s.childForFieldName("consequence");
  const innerStmts = inner ? statementsOf(inner) : [];
  if (!cond || s.childForFieldName("alternative") || innerStmts.length !== 1) return undefined;
  return { target, iter, cond, stmt: innerStmts[0] };
}

function clause(n: Node): string {
  return ["conditional_expression", "lambda", "expression_list", "named_expression"].includes(
    n.type,
  )
    ? `(${n.text})`
    : n.text;
}

function toBuiltin(d: Def, loop: Node): Edit[] | null {
  const parts = simpleLoop(loop);
  if (!parts || insideTry(loop, d.fn)) return null;
  const { target, iter, cond, stmt } = parts;
  const names = targetNames(target);
  if (!names || names.some((t) => usedOutside(d.fn, t, [loop]))) return null;
  if ([iter, stmt, ...(cond ? [cond] : [])].some((n) => n.text.includes("\n"))) return null;
  const filter = cond ? ` if ${clause(cond)}` : "";
  const gen = (item: string) => `(${item} for ${target.text} in ${clause(iter)}${filter})`;
  // r = 0; for …: r += e  →  r = sum(e for …)
  const prev = previousStatement(loop);
  const init = prev && simpleAssignment(prev);
  if (prev && init && init[1].type === "integer" && init[1].text === "0") {
    const item = addedTo(stmt, init[0]);
    if (!item) return null;
    if (
      [iter, item, ...(cond ? [cond] : [])].some(
        (n) => mentions(n, init[0]) || hasJumpsOrBindings(n),
      )
    )
      return null;
    return [
      { start: prev.startIndex, end: loop.endIndex, text: `${init[0]} = sum${gen(item.text)}` },
    ];
  }
  // for …: if c: return True / return False  →  return any(c for …)
  if (!cond || stmt.type !== "return_statement") return null;
  const inside = stmt.namedChild(0);
  const ret = nextStatement(loop);
  const after = ret?.type === "return_statement" ? ret.namedChild(0) : null;
  if (!ret || !inside || !after || !isLiteral(inside) || hasJumpsOrBindings(cond)) return null;
  if (inside.type === "true" && after.type === "false") {
    const g = `(${clause(cond)} for ${target.text} in ${clause(iter)})`;
    return [{ start: loop.startIndex, end: ret.endIndex, text: `return any${g}` }];
  }
  if (inside.type === "false" && after.type === "true") {
    const g = `(not (${cond.text}) for ${target.text} in ${clause(iter)})`;
    return [{ start: loop.startIndex, end: ret.endIndex, text: `return all${g}` }];
  }
  return null;
}

export function loopToBuiltin(snippet: Snippet, rng: Random): Snippet | null {
  return rewriteOne(snippet, rng, (d) => ownNodes(d, "for_statement"), toBuiltin);
}
