/**
 * Overlap between training and evaluation code: normalised-code hashes, 5-gram Jaccard
 * near-duplicates, the leak check and the training-code fingerprint saved with a model.
 */
export {
  FINGERPRINT_FILE,
  Fingerprint,
  fingerprintOf,
  overlapWithFingerprint,
  readFingerprint,
  writeFingerprint,
} from "./fingerprint.js";
export {
  type CodeRow,
  checkLeaks,
  describeLeaks,
  type LeakMatch,
  type LeakReport,
  NEAR_DUPLICATE,
} from "./leak.js";
export { codeHash, normaliseCode } from "./normalise.js";
export { jaccard, minhash, minhashSimilarity, shingles } from "./similarity.js";
