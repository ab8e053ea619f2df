/**
 * How often the paper's truncation at 50 characters cuts what tells functions apart.
 *
 * Heuristic: a snippet's distinguishing constants are the integer literals of its group's source
 * function (the row of the group without transforms; a row without transforms is its own source).
 * For the affine family that is the `c` of `return x + c`; for other families every constant of
 * the template. A constant is shown when one of its occurrences in the snippet (as a whole
 * integer literal, sign not included) ends within the first `limit` characters. A snippet longer
 * than the limit has its constants cut when none of them is shown, and partly cut when some are
 * not. Literal occurrences are found in the text, so a transform that writes the same number
 * elsewhere (a dead assignment, a comment) counts as showing it.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { FunctionRow, readJsonlLenient } from "../data/index.js";

export interface TruncationStats {
  limit: number;
  snippets: number;
  /** Snippets whose code is longer than the limit. */
  longer: number;
  /** Longer snippets where none of the source's constants lies within the limit. */
  allCut: number;
  /** Longer snippets where at least one of the source's constants does not. */
  someCut: number;
  /** Longer snippets whose source has no integer literal (or is not in the file): not judged. */
  unjudged: number;
}

const INT_LITERAL = /(?<![\w.])\d+(?![\w.])/g;

const literals = (code: string) => [...code.matchAll(INT_LITERAL)];

export function truncationStats(rows: readonly FunctionRow[], limit: number): TruncationStats {
  const sources = new Map<string, FunctionRow>();
  for (const r of rows)
    if (r.transforms.length === 0 && !sources.has(r.group)) sources.set(r.group, r);
  const stats: TruncationStats = {
    limit,
    snippets: rows.length,
    longer: 0,
    allCut: 0,
    someCut: 0,
    unjudged: 0,
  };
  for (const r of rows) {
    if (r.code.length <= limit) continue;
    stats.longer++;
    const source = r.transforms.length === 0 ? r : sources.get(r.group);
    const constants = new Set(source ? literals(source.code).map((m) => m[0]) : []);
    if (constants.size === 0) {
      stats.unjudged++;
      continue;
    }
    const shown = new Set(
      literals(r.code)
        .filter((m) => constants.has(m[0]) && m.index + m[0].length <= limit)
        .map((m) => m[0]),
    );
    if (shown.size === 0) stats.allCut++;
    if (shown.size < constants.size) stats.someCut++;
  }
  return stats;
}

/** The statistics of a dataset directory's functions.jsonl, or null when it is not there. */
export function datasetTruncation(dataDir: string, limit: number): TruncationStats | null {
  const path = join(dataDir, "functions.jsonl");
  if (!existsSync(path)) return null;
  return truncationStats(readJsonlLenient(path, FunctionRow).rows, limit);
}
