/**
 * Introduction of temporaries: `temp_constant` hoists an integer literal into a fresh name
 * assigned just before its statement (`t = 7` … `x + t`); `temp_expression` does the same for
 * a pure arithmetic sub-expression (`t = x * 3` … `t + 1`). Only sub-expressions evaluated
 * exactly once per execution of their statement are hoisted (never from a `while` condition,
 * an `elif`, a short-circuit or a conditional expression), so values are unchanged; the new
 * assignment is straight-line code in the same basic block, so traces are unchanged.
 */
import type { Random } from "../../random/index.js";
import { freshName, identifiersIn } from "../names.js";
import { intNames, isIntArithmetic } from "../scope.js";
import {
  applyEdits,
  descendants,
  insertAt,
  lineStart,
  type Node,
  ownLineIndent,
  replaceNode,
} from "../syntax.js";
import { onFunction, type Parsed, type Snippet } from "./common.js";

/** Expression nodes a hoisted sub-expression may sit under (all evaluate every operand once). */
const PASS_THROUGH = new Set([
  "binary_operator",
  "unary_operator",
  "parenthesized_expression",
  "comparison_operator",
  "argument_list",
]);
/** Calls whose arguments may be hoisted: pure builtins (checked not to be rebound). */
const PURE_CALLS = new Set(["range", "abs", "min", "max"]);

/**
 * The statement before which `node` can be computed once, or null. `constant` allows a
 * `while` condition too (a constant's value cannot change between iterations).
 */
function hoistTarget(p: Parsed, node: Node, constant: boolean): Node | null {
  const bound = new Set([...p.scope.params, ...p.scope.locals]);
  let child = node;
  let parent = node.parent;
  while (parent && parent.type !== "block") {
    const via = (field: string) => parent?.childForFieldName(field)?.id === child.id;
    const ok =
      PASS_THROUGH.has(parent.type) ||
      (parent.type === "call" &&
        via("arguments") &&
        PURE_CALLS.has(parent.childForFieldName("function")?.text ?? "") &&
        !bound.has(parent.childForFieldName("function")?.text ?? "")) ||
      ((parent.type === "assignment" || parent.type === "augmented_assignment") && via("right")) ||
      (parent.type === "expression_statement" && child.type.endsWith("assignment")) ||
      parent.type === "return_statement" ||
      (parent.type === "if_statement" && via("condition")) ||
      (parent.type === "for_statement" && via("right")) ||
      (parent.type === "while_statement" && via("condition") && constant);
    if (!ok) return null;
    child = parent;
    parent = parent.parent;
  }
  if (!parent || ownLineIndent(p.code, child) === undefined) return null;
  if (descendants(child).some((n) => n.type === "named_expression")) return null;
  return child;
}

function hoist(snippet: Snippet, rng: Random, pick: (p: Parsed) => Node[], constant: boolean) {
  return onFunction(snippet, (p) => {
    const candidates = rng.shuffle(pick(p));
    for (const node of candidates) {
      const stmt = hoistTarget(p, node, constant);
      if (!stmt || node.text.includes("\n")) continue;
      const name = freshName(rng, identifiersIn(p.root));
      const indent = ownLineIndent(p.code, stmt) ?? "";
      const code = applyEdits(p.code, [
        insertAt(lineStart(p.code, stmt.startIndex), `${indent}${name} = ${node.text}\n`),
        replaceNode(node, name),
      ]);
      return { code, entry: p.entry };
    }
    return null;
  });
}

export function tempConstant(snippet: Snippet, rng: Random): Snippet | null {
  return hoist(snippet, rng, (p) => descendants(p.body).filter((n) => n.type === "integer"), true);
}

export function tempExpression(snippet: Snippet, rng: Random): Snippet | null {
  return hoist(
    snippet,
    rng,
    (p) => {
      const ints = intNames(p.scope);
      return descendants(p.body).filter(
        (n) => n.type === "binary_operator" && isIntArithmetic(n, ints),
      );
    },
    false,
  );
}
