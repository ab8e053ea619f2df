/**
 * Code normalised for overlap checks: Python tokens without comments, string contents
 * (docstrings) or indentation, and (by default) every non-reserved identifier replaced by its
 * order of first appearance (`v0`, `v1`, …). Two copies of a function that differ only in
 * names, comments, docstrings or layout normalise to the same text.
 */
import { createHash } from "node:crypto";
import { pythonTokens } from "../../models/index.js";
import { isReserved } from "../../synth/index.js";

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function normaliseCode(code: string, renameIdentifiers = true): string {
  const names = new Map<string, string>();
  const out: string[] = [];
  // Without indentation, a comment's line leaves two line breaks in a row: keep one.
  const tokens = pythonTokens(code)
    .filter((t) => t !== "<indent>")
    .filter((t, i, all) => t !== "<nl>" || all[i - 1] !== "<nl>");
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    // A string on a line of its own is a docstring (or a no-op): drop it with its line break.
    const ownLine = (i === 0 || tokens[i - 1] === "<nl>") && tokens[i + 1] === "<nl>";
    if (t === "<str>" && ownLine) {
      i++;
      continue;
    }
    if (renameIdentifiers && IDENTIFIER.test(t) && !isReserved(t)) {
      if (!names.has(t)) names.set(t, `v${names.size}`);
      out.push(names.get(t) as string);
    } else out.push(t);
  }
  return out.join(" ");
}

/** The exact-duplicate key: 16 hex digits of SHA-256 of the normalised code. */
export function codeHash(code: string): string {
  return createHash("sha256").update(normaliseCode(code)).digest("hex").slice(0, 16);
}
