/**
 * A counting `while` → `for … in range(…)`: `i = a; while i < b: …; i += k` becomes
 * `for i in range(a, b, k): …` (and `<=`, or `>`/`>=` counting down). Only when the bound is
 * a literal or a name the body does not assign (`range` evaluates it once, `while` every
 * time), the body neither assigns `i` nor jumps out with `break`/`continue`, and `i` is not
 * read after the loop (the two leave different values in it). The way back is `for_to_while`.
 */
import type { Random } from "../../../random/index.js";
import { boundIdentifiers } from "../../scope.js";
import { descendants, type Edit, type Node, statementsOf } from "../../syntax.js";
import type { Snippet } from "../common.js";
import {
  type Def,
  ownNodes,
  previousStatement,
  rewriteOne,
  simpleAssignment,
  usedOutside,
  wholeLines,
} from "./common.js";

/** `i += k` / `i -= k` / `i = i + k` / `i = i - k` with a positive int literal k: the signed step. */
export function stepOf(stmt: Node, name: string): number | undefined {
  if (stmt.type !== "expression_statement" || stmt.namedChildCount !== 1) return undefined;
  const a = stmt.namedChild(0);
  const left = a?.childForFieldName("left");
  const right = a?.childForFieldName("right");
  if (!a || left?.type !== "identifier" || left.text !== name || !right) return undefined;
  const literal = (n: Node | null) =>
    n?.type === "integer" && /^[1-9][0-9]*$/.test(n.text) ? Number(n.text) : undefined;
  if (a.type === "augmented_assignment") {
    const op = a.childForFieldName("operator")?.type;
    const k = literal(right);
    if (k === undefined) return undefined;
    return op === "+=" ? k : op === "-=" ? -k : undefined;
  }
  if (a.type !== "assignment" || right.type !== "binary_operator") return undefined;
  if (right.childForFieldName("left")?.text !== name) return undefined;
  const op = right.childForFieldName("operator")?.type;
  const k = literal(right.childForFieldName("right"));
  if (k === undefined) return undefined;
  return op === "+" ? k : op === "-" ? -k : undefined;
}

function toFor(d: Def, loop: Node): Edit[] | null {
  const cond = loop.childForFieldName("condition");
  const body = loop.childForFieldName("body");
  if (!cond || !body || loop.childForFieldName("alternative")) return null;
  if (cond.type !== "comparison_operator" || cond.namedChildCount !== 2) return null;
  const left = cond.namedChild(0);
  const bound = cond.namedChild(1);
  const op = cond.children.find((c) => c && !c.isNamed)?.type;
  if (left?.type !== "identifier" || !bound || !op) return null;
  const i = left.text;
  const prev = previousStatement(loop);
  const init = prev && simpleAssignment(prev);
  if (!prev || !init || init[0] !== i) return null;
  const stmts = statementsOf(body);
  const last = stmts[stmts.length - 1];
  const step = last && stepOf(last, i);
  if (!last || step === undefined || stmts.length < 2) return null;
  const rest = stmts.slice(0, -1);
  const inBody = rest.flatMap((s) => descendants(s));
  if (inBody.some((n) => ["break_statement", "continue_statement"].includes(n.type))) return null;
  const assigned = new Set(rest.flatMap((s) => boundIdentifiers(s)));
  if (assigned.has(i)) return null;
  if (!(bound.type === "integer" || (bound.type === "identifier" && !assigned.has(bound.text))))
    return null;
  if (bound.text === i || usedOutside(d.fn, i, [prev, loop])) return null;
  if (init[1].text.includes("\n")) return null;
  let stop: string;
  if (op === "<" && step > 0) stop = bound.text;
  else if (op === "<=" && step > 0) stop = `${bound.text} + 1`;
  else if (op === ">" && step < 0) stop = bound.text;
  else if (op === ">=" && step < 0) stop = `${bound.text} - 1`;
  else return null;
  const args = step === 1 ? `${init[1].text}, ${stop}` : `${init[1].text}, ${stop}, ${step}`;
  return [
    wholeLines(d.code, prev),
    { start: loop.startIndex, end: cond.endIndex, text: `for ${i} in range(${args})` },
    wholeLines(d.code, last),
  ];
}

export function whileToFor(snippet: Snippet, rng: Random): Snippet | null {
  return rewriteOne(snippet, rng, (d) => ownNodes(d, "while_statement"), toFor);
}
