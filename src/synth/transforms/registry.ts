/**
 * The transform registry: one table, name → a small function with its options baked in.
 * `applyTransform` runs one by name; a transform that does not apply, throws, or produces
 * code that does not parse is skipped (returns null), never fatal.
 */
import type { Random } from "../../random/index.js";
import { findFunction, withTree } from "../syntax.js";
import { alwaysTrueIf, duplicateBranch, forToWhile, invertIf } from "./blocks.js";
import type { Snippet, TransformFn } from "./common.js";
import { commute } from "./commute.js";
import { deadAssignment } from "./dead-code.js";
import { addComment, blankLines, docstring, whitespace } from "./layout.js";
import { rename } from "./rename.js";
import { reorder } from "./reorder.js";
import * as rewrite from "./rewrites/index.js";
import { tempConstant, tempExpression } from "./temporaries.js";

export interface Transform {
  summary: string;
  /** True when the canonical trace (blocks and values) is unchanged, not just the outputs. */
  preservesTrace: boolean;
  /** Relative chance of being picked for a variant. */
  weight: number;
  /** True when it assumes int parameters (every generated family's), e.g. `x * x >= 0`. */
  intParams?: boolean;
  apply: TransformFn;
}

export const TRANSFORMS = {
  rename: {
    summary: "rename the function, parameters and locals to fresh names",
    preservesTrace: true,
    weight: 3,
    apply: (s, rng) => rename(s, rng, { pRename: 0.6 }),
  },
  temp_constant: {
    summary: "hoist an integer literal into a temporary: t = 7 … x + t",
    preservesTrace: true,
    weight: 1.5,
    apply: tempConstant,
  },
  temp_expression: {
    summary: "split a pure sub-expression into an assignment: t = x * 3 … t + 1",
    preservesTrace: true,
    weight: 1.5,
    intParams: true,
    apply: tempExpression,
  },
  reorder: {
    summary: "permute independent adjacent assignments (respects def-use order)",
    preservesTrace: true,
    weight: 2,
    apply: reorder,
  },
  commute: {
    summary: "swap the operands of an int + or *",
    preservesTrace: true,
    weight: 1.5,
    intParams: true,
    apply: commute,
  },
  dead_assignment: {
    summary: "assign a fresh, never-read name",
    preservesTrace: true,
    weight: 1,
    intParams: true,
    apply: deadAssignment,
  },
  comment: {
    summary: "add a # comment on its own line or after a statement",
    preservesTrace: true,
    weight: 0.7,
    apply: addComment,
  },
  docstring: {
    summary: "add or reword the docstring",
    preservesTrace: true,
    weight: 0.5,
    apply: docstring,
  },
  blank_lines: {
    summary: "insert blank lines",
    preservesTrace: true,
    weight: 0.5,
    apply: blankLines,
  },
  whitespace: {
    summary: "respace operators or change the indentation unit",
    preservesTrace: true,
    weight: 0.7,
    apply: whitespace,
  },
  duplicate_branch: {
    summary: "S → if x > K: S else: S",
    preservesTrace: false,
    weight: 1,
    intParams: true,
    apply: duplicateBranch,
  },
  always_true_if: {
    summary: "wrap statements in if x == x: (or another condition true for ints)",
    preservesTrace: false,
    weight: 1,
    intParams: true,
    apply: alwaysTrueIf,
  },
  invert_if: {
    summary: "if C: A else: B → if not (C): B else: A",
    preservesTrace: false,
    weight: 1,
    apply: invertIf,
  },
  for_to_while: {
    summary: "for i in range(a, b) → i = a; while i < b: …; i += 1",
    preservesTrace: false,
    weight: 1,
    intParams: true,
    apply: forToWhile,
  },
  loop_to_comprehension: {
    summary: "a for loop that only appends → a list comprehension",
    preservesTrace: false,
    weight: 1,
    apply: rewrite.loopToComprehension,
  },
  comprehension_to_loop: {
    summary: "a list comprehension → a for loop that appends",
    preservesTrace: false,
    weight: 1,
    apply: rewrite.comprehensionToLoop,
  },
  while_to_for: {
    summary: "i = a; while i < b: …; i += 1 → for i in range(a, b)",
    preservesTrace: false,
    weight: 1,
    apply: rewrite.whileToFor,
  },
  early_return_to_flag: {
    summary: "a return inside a loop → flag = value; break, returned after the loop",
    preservesTrace: false,
    weight: 1,
    apply: rewrite.earlyReturnToFlag,
  },
  flag_to_early_return: {
    summary: "flag = value; break in a loop → return value",
    preservesTrace: false,
    weight: 1,
    apply: rewrite.flagToEarlyReturn,
  },
  if_to_conditional: {
    summary: "if c: return a else: return b → return a if c else b (and assignments)",
    preservesTrace: false,
    weight: 1,
    apply: rewrite.ifToConditional,
  },
  conditional_to_if: {
    summary: "return a if c else b → if c: return a else: return b (and assignments)",
    preservesTrace: false,
    weight: 1,
    apply: rewrite.conditionalToIf,
  },
  builtin_to_loop: {
    summary: "sum/any/all/min/max(…) → the loop it runs",
    preservesTrace: false,
    weight: 1,
    apply: rewrite.builtinToLoop,
  },
  loop_to_builtin: {
    summary: "r = 0; for t in it: r += e → r = sum(e for t in it) (and any/all)",
    preservesTrace: false,
    weight: 1,
    apply: rewrite.loopToBuiltin,
  },
  swap_to_temp: {
    summary: "a, b = b, a → t = a; a = b; b = t",
    preservesTrace: false,
    weight: 1,
    apply: rewrite.swapToTemp,
  },
  temp_to_swap: {
    summary: "t = a; a = b; b = t → a, b = b, a",
    preservesTrace: false,
    weight: 1,
    apply: rewrite.tempToSwap,
  },
  augmented_to_plain: {
    summary: "x += e → x = x + (e)",
    preservesTrace: false,
    weight: 1,
    apply: rewrite.augmentedToPlain,
  },
  plain_to_augmented: {
    summary: "x = x + e → x += e",
    preservesTrace: false,
    weight: 1,
    apply: rewrite.plainToAugmented,
  },
  format_string: {
    summary: "f-string ↔ str.format ↔ % formatting",
    preservesTrace: false,
    weight: 1,
    apply: rewrite.formatString,
  },
  extract_helper: {
    summary: "an expression → a call of a local function defined at the top of the body",
    preservesTrace: false,
    weight: 1,
    apply: rewrite.extractHelper,
  },
  inline_helper: {
    summary: "a one-line local function → its expression at every call",
    preservesTrace: false,
    weight: 1,
    apply: rewrite.inlineHelper,
  },
  recursion_to_loop: {
    summary: "tail recursion → a while loop reassigning the parameters",
    preservesTrace: false,
    weight: 1,
    apply: rewrite.recursionToLoop,
  },
  loop_to_recursion: {
    summary: "a while loop reassigning the parameters → tail recursion",
    preservesTrace: false,
    weight: 1,
    apply: rewrite.loopToRecursion,
  },
} satisfies Record<string, Transform>;

export type TransformName = keyof typeof TRANSFORMS;
export const TRANSFORM_NAMES = Object.keys(TRANSFORMS) as TransformName[];

export function isTransformName(name: string): name is TransformName {
  return Object.hasOwn(TRANSFORMS, name);
}

const assumesInts = (n: TransformName) => (TRANSFORMS[n] as Transform).intParams === true;

/**
 * Names of the transforms a dataset may use; `intParams` false leaves out those that assume
 * int parameters (for real code whose arguments are not all ints).
 */
export function transformPool(blockTransforms: boolean, intParams = true): TransformName[] {
  return TRANSFORM_NAMES.filter(
    (n) => (blockTransforms || TRANSFORMS[n].preservesTrace) && (intParams || !assumesInts(n)),
  );
}

/** The transforms that change the basic blocks (block transforms and structural rewrites). */
export function structuralPool(intParams = true): TransformName[] {
  return TRANSFORM_NAMES.filter(
    (n) => !TRANSFORMS[n].preservesTrace && (intParams || !assumesInts(n)),
  );
}

/** True when every named transform keeps the trace (unknown names count as not keeping it). */
export function preservesTrace(names: readonly string[]): boolean {
  return names.every((n) => isTransformName(n) && TRANSFORMS[n].preservesTrace);
}

/**
 * Applies one transform; null when it does not apply, throws, changes nothing, or yields code
 * that does not parse or lacks the entry function.
 */
export function applyTransform(name: TransformName, snippet: Snippet, rng: Random): Snippet | null {
  let out: Snippet | null;
  try {
    out = TRANSFORMS[name].apply(snippet, rng);
  } catch {
    return null;
  }
  if (!out || out.code === snippet.code) return null;
  const { entry } = out;
  const ok = withTree(
    out.code,
    (root) => !root.hasError && findFunction(root, entry) !== undefined,
  );
  return ok ? out : null;
}
