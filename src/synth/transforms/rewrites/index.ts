/**
 * Structural rewrites: behaviour-preserving changes of control flow and idiom that change the
 * basic blocks a function executes, for general real functions (see common.ts).
 */
export { augmentedToPlain, plainToAugmented } from "./augmented.js";
export { builtinToLoop, loopToBuiltin } from "./builtins.js";
export { comprehensionToLoop, loopToComprehension } from "./comprehension.js";
export { conditionalToIf, ifToConditional } from "./conditional.js";
export { earlyReturnToFlag, flagToEarlyReturn } from "./early-return.js";
export { formatString } from "./formatting.js";
export { extractHelper, inlineHelper } from "./helper.js";
export { loopToRecursion, recursionToLoop } from "./recursion.js";
export { swapToTemp, tempToSwap } from "./swap.js";
export { whileToFor } from "./while-for.js";
