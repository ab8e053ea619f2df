/**
 * A fingerprint of a model's training code, saved beside the model (`fingerprint.json`), so a
 * later evaluation can tell whether its functions were trained on without the training file:
 * per training row, the exact-duplicate hash and a MinHash signature of its 5-grams (the
 * Jaccard estimate has a standard error of at most 0.03 with 256 hash functions of 8 bits).
 * A fingerprint names its own hash count and bits, so one saved before (64 of 32 bits, at most
 * 0.06) is read as it was made.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { writeFileAtomic } from "../../data/index.js";
import { type CodeRow, type LeakMatch, NEAR_DUPLICATE } from "./leak.js";
import { codeHash } from "./normalise.js";
import {
  minhash,
  minhashSimilarity,
  PERMUTATIONS,
  SHINGLE,
  SIGNATURE_BITS,
  shingles,
} from "./similarity.js";

export const FINGERPRINT_FILE = "fingerprint.json";

export const Fingerprint = z.object({
  version: z.literal(1),
  shingle: z.number().int().positive(),
  permutations: z.number().int().positive(),
  /** Low bits kept of each minimum (absent: all 32). */
  bits: z.union([z.literal(8), z.literal(32)]).default(32),
  threshold: z.number(),
  rows: z.array(
    z.object({
      id: z.string(),
      hash: z.string(),
      /** MinHash signature in base64: one byte a hash function (8 bits), or little-endian uint32s. */
      minhash: z.string(),
    }),
  ),
});
export type Fingerprint = z.infer<typeof Fingerprint>;

/** A signature's low bytes (SIGNATURE_BITS = 8) in base64. */
const encode = (sig: Uint32Array) => Buffer.from(sig.map((x) => x & 0xff)).toString("base64");

function decode(text: string, bits: 8 | 32): Uint32Array {
  const bytes = Buffer.from(text, "base64");
  if (bits === 8) return Uint32Array.from(bytes);
  const out = new Uint32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = bytes.readUInt32LE(i * 4);
  return out;
}

export function fingerprintOf(rows: readonly CodeRow[]): Fingerprint {
  return {
    version: 1,
    shingle: SHINGLE,
    permutations: PERMUTATIONS,
    bits: SIGNATURE_BITS,
    threshold: NEAR_DUPLICATE,
    rows: rows.map((r) => ({
      id: r.id,
      hash: codeHash(r.code),
      minhash: encode(minhash(shingles(r.code))),
    })),
  };
}

export function writeFingerprint(dir: string, rows: readonly CodeRow[]): void {
  writeFileAtomic(join(dir, FINGERPRINT_FILE), `${JSON.stringify(fingerprintOf(rows))}\n`);
}

/** The fingerprint saved in a model directory, or null when it has none. */
export function readFingerprint(dir: string): Fingerprint | null {
  const path = join(dir, FINGERPRINT_FILE);
  if (!existsSync(path)) return null;
  return Fingerprint.parse(JSON.parse(readFileSync(path, "utf8")));
}

/**
 * Rows of `rows` that match a fingerprinted training row: the same hash or a MinHash estimate ≥
 * its threshold, with the fingerprint's own hash count and bits.
 */
export function overlapWithFingerprint(fp: Fingerprint, rows: readonly CodeRow[]): LeakMatch[] {
  if (fp.shingle !== SHINGLE) {
    throw new Error(`fingerprint made with ${fp.shingle}-grams; this version uses ${SHINGLE}`);
  }
  const trained = fp.rows.map((r) => ({ id: r.id, hash: r.hash, sig: decode(r.minhash, fp.bits) }));
  const out: LeakMatch[] = [];
  for (const r of rows) {
    const hash = codeHash(r.code);
    const sig = minhash(shingles(r.code), fp.permutations);
    let best: LeakMatch | null = null;
    for (const t of trained) {
      const exact = t.hash === hash;
      const similarity = exact ? 1 : minhashSimilarity(sig, t.sig, fp.bits);
      if ((exact || similarity >= fp.threshold) && (!best || similarity > best.similarity)) {
        best = { train: t.id, holdout: r.id, kind: exact ? "exact" : "near", similarity };
      }
    }
    if (best) out.push(best);
  }
  return out;
}
