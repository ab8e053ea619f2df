import { describe, expect, it } from "vitest";
import {
  checkLeaks,
  codeHash,
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
});
