/**
 * A family generates source functions: one int argument `x`, entry `f`. Each source carries
 * a reference evaluator (plain TypeScript, exact for the small integers involved), used to
 * keep every function of a dataset behaviourally distinct, and its own near-miss mutants.
 */
import type { Random } from "../../random/index.js";

export interface SourceFunction {
  family: string;
  /** Python source defining `f(x)`, ending in a newline. */
  code: string;
  /** What `f(x)` returns, computed in TypeScript with Python semantics. */
  evaluate(x: number): number;
  /** Near-miss variations (different behaviour, nearly the same code), most natural first. */
  mutants(rng: Random): SourceFunction[];
}

export interface Family {
  name: string;
  summary: string;
  /** Most distinct sources the family can make, when it is small enough to matter. */
  capacity: number;
  /** Why the capacity is what it is, for error messages. */
  limits: string;
  sample(rng: Random): SourceFunction;
}

/** `+ c` / `- c` after an operand. */
export function plus(c: number): string {
  return c < 0 ? `- ${-c}` : `+ ${c}`;
}

/** Python's floor modulo (`%`), which differs from JavaScript's `%` for negative operands. */
export function pyMod(a: number, m: number): number {
  return ((a % m) + m) % m;
}
