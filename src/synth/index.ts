/**
 * Synthetic benchmark generation: function families, source-to-source transforms on
 * tree-sitter syntax trees, near-miss mutants, splits, and verification by execution.
 */
export { behaviourOf, clearlyDifferent, MIN_DIFFERING_FRACTION, PROBE_RANGE } from "./behaviour.js";
export {
  FAMILIES,
  FAMILY_NAMES,
  type Family,
  type FamilyName,
  type SourceFunction,
} from "./families/index.js";
export {
  DEFAULT_GENERATE_OPTIONS,
  GenerateError,
  type GenerateOptions,
  generateDataset,
  HARD_GENERATE_OPTIONS,
} from "./generate.js";
export {
  MUTATION_NAMES,
  MUTATIONS,
  type Mutant,
  type MutationName,
  makeMutants,
} from "./mutants/index.js";
export { type NameFree, NameFreeError, nameFree, stripDocsAndComments } from "./namefree.js";
export { isReserved } from "./names.js";
export { splitGroups } from "./split.js";
export {
  firstSyntaxError,
  initPython,
  isValidPython,
  type Node,
  parsePython,
  syntaxErrorAt,
  withTree,
} from "./syntax.js";
export type { Snippet } from "./transforms/common.js";
export {
  applyTransform,
  isTransformName,
  preservesTrace,
  structuralPool,
  TRANSFORM_NAMES,
  TRANSFORMS,
  type Transform,
  type TransformName,
  transformPool,
} from "./transforms/registry.js";
export { applicableVariant, makeVariants, randomVariant, type Variant } from "./variants.js";
export {
  type TraceFn,
  VERIFY_TRACE_OPTIONS,
  VerificationError,
  type VerifyReport,
  verifyDataset,
} from "./verify.js";
