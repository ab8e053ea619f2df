/**
 * `if`/`else` ↔ conditional expression, for returns and assignments:
 * `if c: return a else: return b` (or `if c: return a` then `return b`) ↔
 * `return a if c else b`, and `if c: y = a else: y = b` ↔ `y = a if c else b`; a lone
 * `if c: y = a` becomes `y = a if c else y` only where `y` is already bound (a parameter, or
 * assigned earlier in the same block), since reading an unbound `y` would raise.
 */
import type { Random } from "../../../random/index.js";
import { type Edit, type Node, namedChildren, ownLineIndent, statementsOf } from "../../syntax.js";
import type { Snippet } from "../common.js";
import {
  type Def,
  nextStatement,
  ownNodes,
  previousStatement,
  rewriteOne,
  simpleAssignment,
  unitOf,
} from "./common.js";

/** An operand of `a if c else b`, parenthesised where it would not parse bare. */
function operand(node: Node): string {
  return ["conditional_expression", "lambda", "expression_list", "named_expression"].includes(
    node.type,
  )
    ? `(${node.text})`
    : node.text;
}

/** The only statement of a block, or undefined. */
function only(block: Node | null): Node | undefined {
  const stmts = block ? statementsOf(block) : [];
  return stmts.length === 1 ? stmts[0] : undefined;
}

const returned = (stmt: Node | undefined): Node | undefined =>
  stmt?.type === "return_statement" ? (stmt.namedChild(0) ?? undefined) : undefined;

function paramNames(d: Def): string[] {
  const params = d.fn.childForFieldName("parameters");
  return params
    ? namedChildren(params).flatMap((p) => {
        const id = p.type === "identifier" ? p : p.namedChild(0);
        return id?.type === "identifier" ? [id.text] : [];
      })
    : [];
}

/** True when `name` is a parameter or assigned by an earlier statement of `stmt`'s block. */
function boundBefore(d: Def, stmt: Node, name: string): boolean {
  if (paramNames(d).includes(name)) return true;
  for (let s = previousStatement(stmt); s; s = previousStatement(s)) {
    if (simpleAssignment(s)?.[0] === name) return true;
  }
  return false;
}

function toConditional(d: Def, ifs: Node): Edit[] | null {
  const cond = ifs.childForFieldName("condition");
  const then = only(ifs.childForFieldName("consequence"));
  const alternatives = namedChildren(ifs).filter((c) => c.type.endsWith("_clause"));
  if (!cond || !then || alternatives.some((c) => c.type === "elif_clause")) return null;
  const other = alternatives[0] ? only(alternatives[0].childForFieldName("body")) : undefined;
  if (alternatives[0] && !other) return null;
  const expr = (a: Node, b: Node) => `${operand(a)} if ${operand(cond)} else ${operand(b)}`;
  const parts = [cond, then, ...(other ? [other] : [])];
  if (parts.some((n) => n.text.includes("\n"))) return null;
  const a = returned(then);
  if (a) {
    const b = other ? returned(other) : returned(nextStatement(ifs));
    if (!b) return null;
    const end = other ? ifs.endIndex : (nextStatement(ifs) as Node).endIndex;
    return [{ start: ifs.startIndex, end, text: `return ${expr(a, b)}` }];
  }
  const setThen = simpleAssignment(then);
  if (!setThen) return null;
  const [name, value] = setThen;
  if (other) {
    const setOther = simpleAssignment(other);
    if (!setOther || setOther[0] !== name) return null;
    return [
      { start: ifs.startIndex, end: ifs.endIndex, text: `${name} = ${expr(value, setOther[1])}` },
    ];
  }
  if (!boundBefore(d, ifs, name)) return null;
  const text = `${name} = ${operand(value)} if ${operand(cond)} else ${name}`;
  return [{ start: ifs.startIndex, end: ifs.endIndex, text }];
}

export function ifToConditional(snippet: Snippet, rng: Random): Snippet | null {
  return rewriteOne(snippet, rng, (d) => ownNodes(d, "if_statement"), toConditional);
}

function toIf(d: Def, expr: Node, rng: Random): Edit[] | null {
  const unit = unitOf(d);
  const [a, cond, b] = namedChildren(expr).filter((c) => c.type !== "comment");
  if (!unit || !a || !cond || !b || expr.text.includes("\n")) return null;
  const parent = expr.parent;
  const stmt = parent?.type === "assignment" ? parent.parent : parent;
  const indent = stmt && ownLineIndent(d.code, stmt);
  if (!stmt || indent === undefined) return null;
  const inner = indent + unit;
  if (stmt.type === "return_statement" && stmt.namedChild(0)?.id === expr.id) {
    const tail = rng.bool()
      ? `${indent}else:\n${inner}return ${b.text}`
      : `${indent}return ${b.text}`;
    return [
      {
        start: stmt.startIndex,
        end: stmt.endIndex,
        text: `if ${cond.text}:\n${inner}return ${a.text}\n${tail}`,
      },
    ];
  }
  const set = simpleAssignment(stmt);
  if (!set || set[1].id !== expr.id) return null;
  const [name] = set;
  const text =
    b.text === name
      ? `if ${cond.text}:\n${inner}${name} = ${a.text}`
      : `if ${cond.text}:\n${inner}${name} = ${a.text}\n${indent}else:\n${inner}${name} = ${b.text}`;
  return [{ start: stmt.startIndex, end: stmt.endIndex, text }];
}

export function conditionalToIf(snippet: Snippet, rng: Random): Snippet | null {
  return rewriteOne(
    snippet,
    rng,
    (d) => ownNodes(d, "conditional_expression"),
    (d, e) => toIf(d, e, rng),
  );
}
