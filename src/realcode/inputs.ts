/**
 * The inputs real code runs on, shared by everything that runs it (indexing, search queries,
 * clone evaluation, corpus preparation) so that outputs of any two runs can be compared: 200
 * seeded inputs per argument signature, `int` arguments in −10⁴..10⁴ (the sandbox's own default
 * range, src/python, is the paper's narrower one for the synthetic functions).
 */
import type { IntRange } from "../python/index.js";

/** Range of `int` arguments for real code, with boundary values (IntRange.edges). */
export const REAL_INT_RANGE: IntRange = { min: -10_000, max: 10_000, edges: true };

/** Seeded inputs per function (every family of the shipped corpus was checked on 200). */
export const REAL_INPUTS = 200;
