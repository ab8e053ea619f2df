/**
 * Reordering of independent statements. Within a block, a run of simple assignments (pure
 * right-hand sides, no calls) is permuted by a random topological order of its dependency
 * graph: statement i must stay before j when one writes a name the other reads or writes.
 * Right-hand sides that could raise are not moved.
 * Straight-line code only, so the basic blocks and their values are unchanged.
 */
import type { Random } from "../../random/index.js";
import { defsAndUses } from "../scope.js";
import { applyEdits, blocksIn, descendants, type Node, statementsOf } from "../syntax.js";
import { onFunction, type Snippet } from "./common.js";

/** Expression nodes allowed on the right of a movable assignment (no calls, no side effects). */
const PURE_NODES = new Set([
  "identifier",
  "integer",
  "float",
  "true",
  "false",
  "none",
  "binary_operator",
  "unary_operator",
  "parenthesized_expression",
  "comparison_operator",
  "boolean_operator",
  "not_operator",
  "conditional_expression",
  "comment",
]);

function isMovable(stmt: Node): boolean {
  if (stmt.type !== "expression_statement" || stmt.namedChildCount !== 1) return false;
  const inner = stmt.namedChild(0);
  if (!inner || (inner.type !== "assignment" && inner.type !== "augmented_assignment"))
    return false;
  const left = inner.childForFieldName("left");
  const right = inner.childForFieldName("right");
  if (left?.type !== "identifier" || !right) return false;
  return descendants(right).every((n) => !n.isNamed || (PURE_NODES.has(n.type) && cannotRaise(n)));
}

/**
 * Division-like operators raise on a zero divisor, and moving one raising statement past
 * another could change which exception escapes; they are allowed only by a non-zero literal.
 */
function cannotRaise(n: Node): boolean {
  if (n.type !== "binary_operator") return true;
  const op = n.childForFieldName("operator")?.type ?? "";
  if (["+", "-", "*", "&", "|", "^"].includes(op)) return true;
  const right = n.childForFieldName("right");
  return (op === "%" || op === "//") && right?.type === "integer" && Number(right.text) !== 0;
}

/** Maximal runs of adjacent movable statements, each of length ≥ 2. */
export function movableRuns(block: Node): Node[][] {
  const runs: Node[][] = [];
  let run: Node[] = [];
  for (const s of [...statementsOf(block), null]) {
    if (s && isMovable(s)) run.push(s);
    else {
      if (run.length >= 2) runs.push(run);
      run = [];
    }
  }
  return runs;
}

/** `before[j]` = statements that must precede statement j. */
export function dependencies(run: Node[]): Set<number>[] {
  const info = run.map(defsAndUses);
  const meets = (a: Set<string>, b: Set<string>) => [...a].some((x) => b.has(x));
  return run.map((_, j) => {
    const before = new Set<number>();
    for (let i = 0; i < j; i++) {
      const a = info[i];
      const b = info[j];
      if (meets(a.defs, b.uses) || meets(b.defs, a.uses) || meets(a.defs, b.defs)) before.add(i);
    }
    return before;
  });
}

/** A uniformly chosen ready statement at each step: a random linear extension. */
function randomOrder(before: Set<number>[], rng: Random): number[] {
  const order: number[] = [];
  const placed = new Set<number>();
  while (order.length < before.length) {
    const ready = before
      .map((_, j) => j)
      .filter((j) => !placed.has(j) && [...before[j]].every((i) => placed.has(i)));
    const j = rng.pick(ready);
    order.push(j);
    placed.add(j);
  }
  return order;
}

export function reorder(snippet: Snippet, rng: Random): Snippet | null {
  return onFunction(snippet, (p) => {
    const runs = rng.shuffle(blocksIn(p.body).flatMap(movableRuns));
    for (const run of runs) {
      const before = dependencies(run);
      for (let attempt = 0; attempt < 8; attempt++) {
        const order = randomOrder(before, rng);
        if (order.every((j, k) => j === k)) continue;
        const edits = run.map((slot, k) => ({
          start: slot.startIndex,
          end: slot.endIndex,
          text: run[order[k]].text,
        }));
        return { code: applyEdits(p.code, edits), entry: p.entry };
      }
    }
    return null;
  });
}
