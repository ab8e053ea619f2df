/**
 * Early return ↔ flag variable. A loop followed by `return LIT` whose body returns early
 * becomes a flag initialised to LIT before the loop, set and `break` where the body returned,
 * and returned after the loop; and back. Only where a `break` leaves the same loop the
 * `return` left (no returns inside nested loops), no `try` could see the difference, and the
 * value after the loop is a literal (evaluating it before the loop changes nothing).
 */
import type { Random } from "../../../random/index.js";
import { type Edit, lineStart, type Node, ownLineIndent } from "../../syntax.js";
import type { Snippet } from "../common.js";
import {
  type Def,
  fresh,
  insideTry,
  loopAncestor,
  nextStatement,
  ownNodes,
  previousStatement,
  refs,
  rewriteOne,
  simpleAssignment,
  wholeLines,
} from "./common.js";

const LOOPS = ["for_statement", "while_statement"];

/** A literal whose evaluation cannot depend on when it happens. */
export function isLiteral(node: Node | null | undefined): boolean {
  if (!node) return false;
  if (["true", "false", "none", "integer", "float"].includes(node.type)) return true;
  if (node.type === "string") return node.namedChildren.every((c) => c?.type !== "interpolation");
  if (node.type === "unary_operator") return isLiteral(node.childForFieldName("argument"));
  return false;
}

/** `return LIT` as the statement after `loop`: the literal. */
function returnedLiteralAfter(loop: Node): { ret: Node; value: Node } | undefined {
  const ret = nextStatement(loop);
  const value = ret?.type === "return_statement" ? ret.namedChild(0) : null;
  return ret && value && isLiteral(value) ? { ret, value } : undefined;
}

function loops(d: Def): Node[] {
  return LOOPS.flatMap((t) => ownNodes(d, t));
}

function toFlag(d: Def, loop: Node, rng: Random): Edit[] | null {
  if (loop.childForFieldName("alternative") || insideTry(loop, d.fn)) return null;
  const after = returnedLiteralAfter(loop);
  const loopIndent = ownLineIndent(d.code, loop);
  if (!after || loopIndent === undefined) return null;
  const returns = ownNodes(d, "return_statement").filter(
    (r) => r.startIndex > loop.startIndex && r.endIndex <= loop.endIndex,
  );
  if (returns.length === 0) return null;
  if (returns.some((r) => loopAncestor(r, d.fn)?.id !== loop.id)) return null;
  const flag = fresh(d, rng);
  const edits: Edit[] = [];
  for (const r of returns) {
    const indent = ownLineIndent(d.code, r);
    if (indent === undefined) return null;
    const value = r.namedChild(0)?.text ?? "None";
    edits.push({
      start: r.startIndex,
      end: r.endIndex,
      text: `${flag} = ${value}\n${indent}break`,
    });
  }
  edits.push({
    start: lineStart(d.code, loop.startIndex),
    end: lineStart(d.code, loop.startIndex),
    text: `${loopIndent}${flag} = ${after.value.text}\n`,
  });
  edits.push({ start: after.ret.startIndex, end: after.ret.endIndex, text: `return ${flag}` });
  return edits;
}

export function earlyReturnToFlag(snippet: Snippet, rng: Random): Snippet | null {
  return rewriteOne(snippet, rng, loops, (d, loop) => toFlag(d, loop, rng));
}

function toEarlyReturn(d: Def, loop: Node): Edit[] | null {
  if (loop.childForFieldName("alternative") || insideTry(loop, d.fn)) return null;
  const ret = nextStatement(loop);
  const returned = ret?.type === "return_statement" ? ret.namedChild(0) : null;
  if (!ret || returned?.type !== "identifier") return null;
  const flag = returned.text;
  // the initialisation: the nearest earlier statement of the block assigning the flag
  let init: Node | undefined;
  const between: Node[] = [];
  for (let s = previousStatement(loop); s; s = previousStatement(s)) {
    const a = simpleAssignment(s);
    if (a && a[0] === flag) {
      init = s;
      break;
    }
    between.push(s);
  }
  const initValue = init && simpleAssignment(init)?.[1];
  if (!init || !isLiteral(initValue) || ownLineIndent(d.code, init) === undefined) return null;
  if (between.some((s) => refs(s, flag).length > 0)) return null;
  // inside the loop: only `flag = E` directly followed by `break` of this loop
  const sets: [Node, Node][] = [];
  for (const ref of refs(loop, flag)) {
    const assignment = ref.parent;
    const stmt = assignment?.parent;
    if (assignment?.type !== "assignment" || assignment.childForFieldName("left")?.id !== ref.id)
      return null;
    const brk = stmt && nextStatement(stmt);
    if (!stmt || brk?.type !== "break_statement") return null;
    if (ownLineIndent(d.code, stmt) === undefined || ownLineIndent(d.code, brk) === undefined)
      return null;
    if (loopAncestor(stmt, d.fn)?.id !== loop.id) return null;
    sets.push([stmt, brk]);
  }
  if (sets.length === 0) return null;
  const allowed = [init, loop, ret];
  const stray = refs(d.fn, flag).some(
    (n) => !allowed.some((o) => n.startIndex >= o.startIndex && n.endIndex <= o.endIndex),
  );
  if (stray) return null;
  const edits: Edit[] = [wholeLines(d.code, init)];
  for (const [stmt, brk] of sets) {
    const value = stmt.namedChild(0)?.childForFieldName("right");
    if (!value) return null;
    edits.push({ start: stmt.startIndex, end: stmt.endIndex, text: `return ${value.text}` });
    edits.push(wholeLines(d.code, brk));
  }
  edits.push({ start: ret.startIndex, end: ret.endIndex, text: `return ${initValue?.text}` });
  return edits;
}

export function flagToEarlyReturn(snippet: Snippet, rng: Random): Snippet | null {
  return rewriteOne(snippet, rng, loops, toEarlyReturn);
}
