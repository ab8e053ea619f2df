/**
 * Real Python code in: top-level functions of `.py` sources with their same-file helpers, and
 * argument types from type hints. See README.md.
 */
export { type ExtractedFunction, extractFunctions, extractFunctionsAsync } from "./extract.js";
export { type HintResult, mapHint } from "./hints.js";
