/**
 * A fingerprint of a model's training code, saved beside the model (`fingerprint.json`), so a
 * later evaluation can tell whether its functions were trained on without the training file:
 * per training row, the exact-duplicate hash and a MinHash signature of its 5-grams (the
 * Jaccard estimate has a standard error of at most 0.06 with 64 hash functions).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { writeFileAtomic } from "../../data/index.js";
import { type CodeRow, type LeakMatch, NEAR_DUPLICATE } from "./leak.js";
import { codeHash } from "./normalise.js";
import { minhash, minhashSimilarity, PERMUTATIONS, SHINGLE, shingles } from "./similarity.js";

export const FINGERPRINT_FILE = "fingerprint.json";

export const Fingerprint = z.object({
  version: z.literal(1),
  shingle: z.number().int().positive(),
  permutations: z.number().int().positive(),
  threshold: z.number(),
  rows: z.array(
    z.object({
      id: z.string(),
      hash: z.string(),
      /** MinHash signature, little-endian uint32s in base64. */
      minhash: z.string(),
    }),
  ),
});
export type Fingerprint = z.infer<typeof Fingerprint>;

const encode = (sig: Uint32Array) => Buffer.from(sig.buffer, sig.byteOffset, sig.byteLength);

function decode(text: string): Uint32Array {
  const bytes = Buffer.from(text, "base64");
  const out = new Uint32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = bytes.readUInt32LE(i * 4);
  return out;
}

export function fingerprintOf(rows: readonly CodeRow[]): Fingerprint {
  return {
    version: 1,
    shingle: SHINGLE,
    permutations: PERMUTATIONS,
    threshold: NEAR_DUPLICATE,
    rows: rows.map((r) => ({
      id: r.id,
      hash: codeHash(r.code),
      minhash: encode(minhash(shingles(r.code))).toString("base64"),
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

/** Rows of `rows` that match a fingerprinted training row: the same hash or a MinHash estimate ≥ its threshold. */
export function overlapWithFingerprint(fp: Fingerprint, rows: readonly CodeRow[]): LeakMatch[] {
  if (fp.shingle !== SHINGLE || fp.permutations !== PERMUTATIONS) {
    throw new Error(
      `fingerprint made with ${fp.shingle}-grams and ${fp.permutations} hash functions; this version uses ${SHINGLE} and ${PERMUTATIONS}`,
    );
  }
  const trained = fp.rows.map((r) => ({ id: r.id, hash: r.hash, sig: decode(r.minhash) }));
  const out: LeakMatch[] = [];
  for (const r of rows) {
    const hash = codeHash(r.code);
    const sig = minhash(shingles(r.code));
    let best: LeakMatch | null = null;
    for (const t of trained) {
      const exact = t.hash === hash;
      const similarity = exact ? 1 : minhashSimilarity(sig, t.sig);
      if ((exact || similarity >= fp.threshold) && (!best || similarity > best.similarity)) {
        best = { train: t.id, holdout: r.id, kind: exact ? "exact" : "near", similarity };
      }
    }
    if (best) out.push(best);
  }
  return out;
}
