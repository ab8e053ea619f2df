import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  checkLeaks,
  codeHash,
  Fingerprint,
  fingerprintOf,
  jaccard,
  minhash,
  minhashSimilarity,
  NEAR_DUPLICATE,
  overlapWithFingerprint,
  shingles,
} from "./index.js";

const gcd = {
  id: "dev/gcd",
  code: 'def gcd(a: int, b: int) -> int:\n    """Greatest common divisor."""\n    while b:\n        a, b = b, a % b\n    return a\n',
};
const renamed = {
  id: "train/hcf",
  code: "def hcf(x: int, y: int) -> int:\n    # Euclid\n    while y:\n        x, y = y, x % y\n    return x\n",
};
const edited = {
  id: "train/gcd2",
  code: 'def gcd(a: int, b: int) -> int:\n    """Greatest common divisor."""\n    while b != 0:\n        a, b = b, a % b\n    return abs(a)\n',
};
const other = {
  id: "train/sq",
  code: "def sum_of_squares(n: int) -> int:\n    total = 0\n    for i in range(n + 1):\n        total += i * i\n    return total\n",
};

describe("leak check", () => {
  it("refuses a renamed copy (exact) and an edited copy (near), passes unrelated code", () => {
    expect(codeHash(renamed.code)).toBe(codeHash(gcd.code));
    const leaking = checkLeaks([renamed, edited, other], [gcd]);
    expect(leaking.matches.map((m) => [m.train, m.kind])).toEqual([
      ["train/hcf", "exact"],
      ["train/gcd2", "near"],
    ]);
    const clean = checkLeaks([other], [gcd]);
    expect(clean.matches).toEqual([]);
    expect(clean.closest?.similarity).toBeLessThan(NEAR_DUPLICATE);
  });

  it("estimates Jaccard similarity from MinHash signatures", () => {
    const a = shingles(gcd.code);
    const b = shingles(edited.code);
    const exact = jaccard(a, b);
    expect(Math.abs(minhashSimilarity(minhash(a), minhash(b)) - exact)).toBeLessThan(0.2);
    expect(minhashSimilarity(minhash(a), minhash(a))).toBe(1);
  });

  it("estimates closer with 256 hash functions of 8 bits than with 64 of 32, in as many bytes", () => {
    // Every pair of the shipped dev functions and the first 150 hand-written training functions
    // that shares at least 15 % of its 5-grams (4,153 pairs): the estimates' RMS error against
    // the exact Jaccard similarity, 0.048 with 64 full minima, 0.026 with 256 low bytes.
    const rows = ["data/realcode-dev.jsonl", "data/realcode-train.jsonl"].flatMap((f, i) =>
      readFileSync(f, "utf8")
        .trim()
        .split("\n")
        .slice(0, i === 0 ? undefined : 150)
        .map((l) => shingles(JSON.parse(l).code as string)),
    );
    const full = rows.map((s) => minhash(s, 64));
    const low = rows.map((s) => minhash(s, 256));
    let pairs = 0;
    let fullError = 0;
    let lowError = 0;
    for (let i = 0; i < rows.length; i++) {
      for (let j = i + 1; j < rows.length; j++) {
        const exact = jaccard(rows[i], rows[j]);
        if (exact < 0.15) continue;
        pairs++;
        fullError += (minhashSimilarity(full[i], full[j]) - exact) ** 2;
        lowError += (minhashSimilarity(low[i], low[j], 8) - exact) ** 2;
      }
    }
    expect(pairs).toBeGreaterThan(1000);
    expect(Math.sqrt(lowError / pairs)).toBeLessThan(0.03);
    expect(Math.sqrt(lowError / pairs)).toBeLessThan(0.6 * Math.sqrt(fullError / pairs));
  });

  it("finds evaluated functions in a model's training fingerprint", () => {
    const fp = fingerprintOf([gcd, other]);
    const round = JSON.parse(JSON.stringify(fp));
    const found = overlapWithFingerprint(round, [renamed, edited]);
    expect(found.map((m) => [m.holdout, m.train, m.kind])).toEqual([
      ["train/hcf", "dev/gcd", "exact"],
      ["train/gcd2", "dev/gcd", "near"],
    ]);
    expect(overlapWithFingerprint(fingerprintOf([other]), [gcd])).toEqual([]);
  });

  it("reads a fingerprint saved with 64 full 32-bit minima as it was made", () => {
    const sig = minhash(shingles(gcd.code), 64);
    const bytes = Buffer.from(sig.buffer, sig.byteOffset, sig.byteLength);
    const old = Fingerprint.parse({
      version: 1,
      shingle: 5,
      permutations: 64,
      threshold: NEAR_DUPLICATE,
      rows: [{ id: "dev/gcd", hash: codeHash(gcd.code), minhash: bytes.toString("base64") }],
    });
    expect(old.bits).toBe(32);
    const found = overlapWithFingerprint(old, [edited, other]);
    expect(found.map((m) => [m.holdout, m.kind])).toEqual([["train/gcd2", "near"]]);
    expect(found[0].similarity).toBeCloseTo(
      minhashSimilarity(sig, minhash(shingles(edited.code), 64)),
      12,
    );
  });
});
