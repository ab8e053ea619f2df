/**
 * Commutation of `+` and `*` operands: `x + 7` → `7 + x`. Only where both operands are
 * integer arithmetic over int-valued names (see `intNames`), where the two orders give the
 * same int and raise nothing. A moved left operand that would re-associate is parenthesised,
 * so the tree keeps its shape (`a - b + c` → `c + (a - b)`).
 */
import type { Random } from "../../random/index.js";
import { intNames, isIntArithmetic } from "../scope.js";
import { applyEdits, descendants, type Node } from "../syntax.js";
import { onFunction, type Snippet } from "./common.js";

export function commutableOperations(body: Node, ints: ReadonlySet<string>): Node[] {
  return descendants(body).filter((n) => {
    if (n.type !== "binary_operator") return false;
    const op = n.childForFieldName("operator")?.type;
    const left = n.childForFieldName("left");
    const right = n.childForFieldName("right");
    return (
      (op === "+" || op === "*") &&
      !!left &&
      !!right &&
      isIntArithmetic(left, ints) &&
      isIntArithmetic(right, ints) &&
      !n.text.includes("\n")
    );
  });
}

/** Operators binding no tighter than `+` / `*`, which need parentheses as a right operand. */
const LOOSER_OR_EQUAL: Record<string, readonly string[]> = { "+": ["+", "-"], "*": ["*"] };

/** `L op R` → `R op L`, with L parenthesised when it would otherwise re-associate. */
export function commuteNode(code: string, n: Node): string {
  const op = n.childForFieldName("operator")?.type ?? "";
  const left = n.childForFieldName("left")!;
  const right = n.childForFieldName("right")!;
  const leftOp =
    left.type === "binary_operator" ? left.childForFieldName("operator")?.type : undefined;
  const movedLeft = leftOp && LOOSER_OR_EQUAL[op]?.includes(leftOp) ? `(${left.text})` : left.text;
  return applyEdits(code, [
    { start: left.startIndex, end: left.endIndex, text: right.text },
    { start: right.startIndex, end: right.endIndex, text: movedLeft },
  ]);
}

export function commute(snippet: Snippet, rng: Random): Snippet | null {
  return onFunction(snippet, (p) => {
    const ops = commutableOperations(p.body, intNames(p.scope));
    return ops.length === 0 ? null : { code: commuteNode(p.code, rng.pick(ops)), entry: p.entry };
  });
}
