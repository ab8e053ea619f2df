/**
 * Behavioural distinctness of functions, decided with their reference evaluators before any
 * code is run. Two functions count as distinct only when they differ on at least
 * `MIN_DIFFERING_FRACTION` of the integers in `PROBE_RANGE`: then 100 random trace inputs
 * drawn from that range miss every difference with probability below 0.8^100 ≈ 2·10⁻¹⁰, so
 * distinct functions also get distinct `io` classes.
 */
import type { SourceFunction } from "./families/index.js";

/** The trace inputs' default range (`tracecode trace --range`). */
export const PROBE_RANGE = { min: -100, max: 100 } as const;
export const MIN_DIFFERING_FRACTION = 0.2;

export type Behaviour = Float64Array;

export function behaviourOf(fn: SourceFunction): Behaviour {
  const out = new Float64Array(PROBE_RANGE.max - PROBE_RANGE.min + 1);
  for (let i = 0; i < out.length; i++) out[i] = fn.evaluate(PROBE_RANGE.min + i);
  return out;
}

export function clearlyDifferent(a: Behaviour, b: Behaviour): boolean {
  const needed = Math.ceil(MIN_DIFFERING_FRACTION * a.length);
  let differing = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i] && ++differing >= needed) return true;
  }
  return false;
}

/** The behaviours accepted so far; `admit` adds a function only if it is clearly new. */
export class BehaviourSet {
  private readonly seen: Behaviour[] = [];

  admit(fn: SourceFunction): boolean {
    const b = behaviourOf(fn);
    if (this.seen.some((s) => !clearlyDifferent(s, b))) return false;
    this.seen.push(b);
    return true;
  }

  get size(): number {
    return this.seen.length;
  }
}
