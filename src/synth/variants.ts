/**
 * Variants of one function: each applies a random sequence of 1–4 distinct transforms from
 * the pool (weighted by the registry), skipping any that do not apply, and records the ones
 * applied in order. Duplicate code within a group is avoided by retrying, when possible.
 */
import type { Random } from "../random/index.js";
import type { Snippet } from "./transforms/common.js";
import { applyTransform, TRANSFORMS, type TransformName } from "./transforms/registry.js";

export interface Variant extends Snippet {
  transforms: TransformName[];
}

export interface VariantOptions {
  maxTransforms: number;
  /** Tries per variant before a duplicate is accepted. */
  attempts: number;
}

export const DEFAULT_VARIANT_OPTIONS: VariantOptions = { maxTransforms: 4, attempts: 12 };

/** `k` distinct names drawn with probability proportional to their registry weight. */
export function weightedSample(
  pool: readonly TransformName[],
  k: number,
  rng: Random,
): TransformName[] {
  const left = [...pool];
  const out: TransformName[] = [];
  while (out.length < k && left.length > 0) {
    const total = left.reduce((s, n) => s + TRANSFORMS[n].weight, 0);
    let r = rng.float() * total;
    let i = 0;
    while (i < left.length - 1 && r >= TRANSFORMS[left[i]].weight)
      r -= TRANSFORMS[left[i++]].weight;
    out.push(left.splice(i, 1)[0]);
  }
  return out;
}

/** One random transform sequence applied to `source`; null when none of them applied. */
export function randomVariant(
  source: Snippet,
  pool: readonly TransformName[],
  rng: Random,
  maxTransforms = DEFAULT_VARIANT_OPTIONS.maxTransforms,
): Variant | null {
  const names = weightedSample(pool, rng.int(1, maxTransforms), rng);
  let current = source;
  const applied: TransformName[] = [];
  for (const name of names) {
    const next = applyTransform(name, current, rng);
    if (next) {
      current = next;
      applied.push(name);
    }
  }
  return applied.length === 0 ? null : { ...current, transforms: applied };
}

/**
 * A variant made of up to `count` transforms of `pool` that apply, tried in a weighted random
 * order until that many applied: unlike `randomVariant`, which draws first and skips what does
 * not apply, it finds a change whenever any transform of the pool applies (for small pools of
 * rewrites that each match only their own pattern).
 */
export function applicableVariant(
  source: Snippet,
  pool: readonly TransformName[],
  rng: Random,
  count: number,
): Variant | null {
  let current = source;
  const applied: TransformName[] = [];
  for (const name of weightedSample(pool, pool.length, rng)) {
    if (applied.length >= count) break;
    const next = applyTransform(name, current, rng);
    if (next) {
      current = next;
      applied.push(name);
    }
  }
  return applied.length === 0 ? null : { ...current, transforms: applied };
}

/** `count` snippets: the source itself (no transforms) followed by `count − 1` variants. */
export function makeVariants(
  source: Snippet,
  count: number,
  pool: readonly TransformName[],
  rng: Random,
  options: VariantOptions = DEFAULT_VARIANT_OPTIONS,
): Variant[] {
  const out: Variant[] = [{ ...source, transforms: [] }];
  const seen = new Set([source.code]);
  for (let v = 1; v < count; v++) {
    let chosen: Variant | null = null;
    for (let attempt = 0; attempt < options.attempts; attempt++) {
      const candidate = randomVariant(
        source,
        pool,
        rng.fork(`v${v}/${attempt}`),
        options.maxTransforms,
      );
      if (!candidate) continue;
      chosen ??= candidate;
      if (!seen.has(candidate.code)) {
        chosen = candidate;
        break;
      }
    }
    if (!chosen) throw new Error(`no transform applies to:\n${source.code}`);
    seen.add(chosen.code);
    out.push(chosen);
  }
  return out;
}
