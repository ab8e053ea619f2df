/**
 * How often the paper's 50-character truncation cuts what distinguishes a function. Heuristic:
 * the distinguishing constant is the last integer literal of the code (for `return x + c`
 * and its variants, c or the temporary holding it); it is cut when it starts at or after the
 * limit, or straddles it.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { FunctionRow, readJsonlLenient } from "../data/index.js";

export interface TruncationStats {
  limit: number;
  snippets: number;
  longer: number;
  constantCut: number;
}

export function truncationStats(dataDir: string, limit = 50): TruncationStats | null {
  const path = join(dataDir, "functions.jsonl");
  if (!existsSync(path)) return null;
  const { rows } = readJsonlLenient(path, FunctionRow);
  let longer = 0;
  let constantCut = 0;
  for (const r of rows) {
    if (r.code.length > limit) longer++;
    const literals = [...r.code.matchAll(/(?<![\w.])\d+(?![\w.])/g)];
    const last = literals[literals.length - 1];
    if (last?.index !== undefined && last.index + last[0].length > limit) constantCut++;
  }
  return { limit, snippets: rows.length, longer, constantCut };
}
