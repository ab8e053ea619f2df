/**
 * Near-duplicate similarity: Jaccard similarity of the sets of character 5-grams of the code
 * normalised with its names kept (normalise.ts; canonical names would make every small loop
 * look alike), exactly, or estimated from MinHash signatures when only a fingerprint of one
 * side is at hand.
 */
import { normaliseCode } from "./normalise.js";

/** Character n-gram length of the shingles. */
export const SHINGLE = 5;
/**
 * Hash functions of a fingerprint's MinHash signature, each kept to its low `SIGNATURE_BITS`
 * bits (b-bit MinHash): 256 bytes a row, as 64 full 32-bit minima took, for a standard error
 * of ≤ 0.5/√256 ≈ 0.03 instead of ≈ 0.06.
 */
export const PERMUTATIONS = 256;
export const SIGNATURE_BITS = 8;

/** FNV-1a (32-bit) of a string. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** murmur3's finaliser: a cheap, well-mixed permutation of 32-bit integers. */
function mix(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hashed character n-grams of the normalised code (names kept). */
export function shingles(code: string): Set<number> {
  const text = normaliseCode(code, false);
  const out = new Set<number>();
  if (text.length < SHINGLE) out.add(fnv1a(text));
  for (let i = 0; i + SHINGLE <= text.length; i++) out.add(fnv1a(text.slice(i, i + SHINGLE)));
  return out;
}

/** |A ∩ B| / |A ∪ B| (1 for two empty sets). */
export function jaccard(a: ReadonlySet<number>, b: ReadonlySet<number>): number {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let both = 0;
  for (const x of small) if (large.has(x)) both++;
  const union = a.size + b.size - both;
  return union === 0 ? 1 : both / union;
}

/** MinHash signature: per hash function i, the minimum of mix(shingle ⊕ seed_i). */
export function minhash(set: ReadonlySet<number>, permutations = PERMUTATIONS): Uint32Array {
  const sig = new Uint32Array(permutations).fill(0xffffffff);
  const seeds = Array.from({ length: permutations }, (_, i) => mix(0x9e3779b9 + i));
  for (const x of set) {
    for (let i = 0; i < permutations; i++) {
      const h = mix(x ^ seeds[i]);
      if (h < sig[i]) sig[i] = h;
    }
  }
  return sig;
}

/**
 * Jaccard estimate from the share p of hash functions whose minima agree in their low `bits`
 * bits: unequal minima still agree there by chance c = 2^−bits, so J = (p − c) / (1 − c).
 */
export function minhashSimilarity(a: Uint32Array, b: Uint32Array, bits = 32): number {
  if (a.length !== b.length) throw new Error("MinHash signatures of different lengths");
  const mask = bits >= 32 ? 0xffffffff : (1 << bits) - 1;
  let equal = 0;
  for (let i = 0; i < a.length; i++) if (((a[i] ^ b[i]) & mask) === 0) equal++;
  const chance = bits >= 32 ? 0 : 2 ** -bits;
  return Math.max(0, (equal / a.length - chance) / (1 - chance));
}
