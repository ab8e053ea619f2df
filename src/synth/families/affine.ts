/**
 * `affine`, the paper's family: `def f(x): return x + c`, one integer constant per function.
 * Sources draw c from −50..50; the generator keeps constants distinct across the dataset.
 */
import type { Random } from "../../random/index.js";
import { type Family, plus, type SourceFunction } from "./family.js";

export const AFFINE_CONSTANTS = { min: -50, max: 50 } as const;

/** `x + c`, or `c - x` when `reversed` (only mutants are reversed). */
export function affine(c: number, reversed = false): SourceFunction {
  return {
    family: "affine",
    code: `def f(x):\n    return ${reversed ? `${c} - x` : `x ${plus(c)}`}\n`,
    evaluate: (x) => (reversed ? c - x : x + c),
    mutants: (rng) =>
      rng.shuffle([
        affine(c + 1, reversed),
        affine(c - 1, reversed),
        affine(c + 2, reversed),
        affine(c - 2, reversed),
        ...(c !== 0 ? [affine(-c, reversed)] : []),
        affine(c, !reversed),
      ]),
  };
}

export const affineFamily: Family = {
  name: "affine",
  summary: "return x + c",
  capacity: AFFINE_CONSTANTS.max - AFFINE_CONSTANTS.min + 1,
  limits: `its constant c ranges over ${AFFINE_CONSTANTS.min}..${AFFINE_CONSTANTS.max}`,
  sample: (rng: Random) => affine(rng.int(AFFINE_CONSTANTS.min, AFFINE_CONSTANTS.max)),
};
