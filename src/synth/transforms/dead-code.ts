/**
 * Dead assignments: `name = <int expression>` to a fresh name that nothing reads, inserted
 * where it is reachable. The right side uses only literals and parameters, so it is always
 * defined and cannot raise. Straight-line code, so traces are unchanged.
 */
import type { Random } from "../../random/index.js";
import { freshName, identifiersIn } from "../names.js";
import { applyEdits, insertAt } from "../syntax.js";
import { insertionPoints, lineAt, onFunction, type Snippet } from "./common.js";

export function deadAssignment(snippet: Snippet, rng: Random): Snippet | null {
  return onFunction(snippet, (p) => {
    const points = insertionPoints(p);
    if (points.length === 0) return null;
    const at = rng.pick(points);
    const name = freshName(rng, identifiersIn(p.root));
    const literal = rng.int(-20, 20);
    const params = p.scope.params;
    const value =
      params.length === 0 || rng.bool(0.4)
        ? String(literal)
        : `${rng.pick(params)} ${rng.pick(["+", "-", "*"])} ${Math.abs(literal)}`;
    return {
      code: applyEdits(p.code, [insertAt(at.index, lineAt(at, `${name} = ${value}`))]),
      entry: p.entry,
    };
  });
}
