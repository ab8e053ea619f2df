/**
 * Near-miss mutants of real functions: one small edit each (an off-by-one `range`, a moved
 * comparison boundary, swapped operands of a non-commutative operator, a constant ± 1, a
 * dropped `else`), for hard negatives. Execution decides whether a mutant differs.
 */
import type { Random } from "../../random/index.js";
import { isValidPython } from "../syntax.js";
import type { Snippet } from "../transforms/common.js";
import {
  changeConstant,
  comparisonBoundary,
  dropElse,
  type MutationFn,
  offByOneRange,
  swapOperands,
} from "./operators.js";

export const MUTATIONS = {
  off_by_one_range: offByOneRange,
  comparison_boundary: comparisonBoundary,
  swap_operands: swapOperands,
  change_constant: changeConstant,
  drop_else: dropElse,
} satisfies Record<string, MutationFn>;

export type MutationName = keyof typeof MUTATIONS;
export const MUTATION_NAMES = Object.keys(MUTATIONS) as MutationName[];

export interface Mutant extends Snippet {
  mutation: MutationName;
}

/**
 * Up to `count` distinct mutants of `source`, operators tried in random order (then again),
 * each one edit away; those that fail to parse or repeat code are skipped.
 */
export function makeMutants(source: Snippet, count: number, rng: Random): Mutant[] {
  const out: Mutant[] = [];
  const seen = new Set([source.code]);
  for (let round = 0; round < 3 && out.length < count; round++) {
    for (const mutation of rng.shuffle([...MUTATION_NAMES])) {
      if (out.length >= count) break;
      let m: Snippet | null = null;
      try {
        m = MUTATIONS[mutation](source, rng);
      } catch {
        m = null;
      }
      if (!m || seen.has(m.code) || !isValidPython(m.code)) continue;
      seen.add(m.code);
      out.push({ ...m, mutation });
    }
  }
  return out;
}
