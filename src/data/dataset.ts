/**
 * A dataset directory, as `tracecode generate` + `tracecode trace` (or `tracecode ingest`)
 * leave it: `functions.jsonl` and `traces.jsonl`, joined by id (or their `.parquet` forms:
 * `openDataset`).
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { readAllRows } from "./columnar.js";
import { DataError, readJsonlLenient } from "./jsonl.js";
import { FunctionRow, TraceRow } from "./schemas.js";

export interface Dataset {
  dir: string;
  rows: FunctionRow[];
  /** Trace rows by snippet id; a row without one was never traced. */
  traces: Map<string, TraceRow>;
  /** Invalid lines of either file, as `FILE:LINE: problem` (skipped, not fatal). */
  invalid: string[];
}

export function loadDataset(dir: string): Dataset {
  const functions = join(dir, "functions.jsonl");
  const tracesPath = join(dir, "traces.jsonl");
  if (!existsSync(functions)) {
    throw new DataError(
      `${dir} is not a dataset: ${functions} is missing (run tracecode generate)`,
    );
  }
  if (!existsSync(tracesPath)) {
    throw new DataError(
      `${dir} has no traces: ${tracesPath} is missing (run tracecode trace --in ${functions} --out ${tracesPath})`,
    );
  }
  const f = readJsonlLenient(functions, FunctionRow);
  const t = readJsonlLenient(tracesPath, TraceRow);
  if (f.rows.length === 0) throw new DataError(`${functions} has no valid rows`);
  return {
    dir,
    rows: f.rows,
    traces: new Map(t.rows.map((r) => [r.id, r])),
    invalid: [...f.errors, ...t.errors],
  };
}

/**
 * A dataset directory whose files may be Parquet (`functions.parquet`, `traces.parquet`, as
 * `generate --format parquet` and `trace --format parquet` write them), else `loadDataset`.
 */
export async function openDataset(dir: string): Promise<Dataset> {
  // Both forms of one file could be of different data: which one is meant is the user's call.
  for (const name of ["functions", "traces"]) {
    const both = [`${name}.jsonl`, `${name}.parquet`];
    if (both.every((f) => existsSync(join(dir, f))))
      throw new DataError(
        `${dir}: both ${both.join(" and ")} are there, which may hold different data: remove the one not meant`,
      );
  }
  const parquet = (name: string) => {
    const path = join(dir, `${name}.parquet`);
    return !existsSync(join(dir, `${name}.jsonl`)) && existsSync(path) ? path : undefined;
  };
  const functions = parquet("functions");
  const traces = parquet("traces");
  if (!functions && !traces) return loadDataset(dir);
  const fPath = functions ?? join(dir, "functions.jsonl");
  const tPath = traces ?? join(dir, "traces.jsonl");
  for (const [path, fix] of [
    [fPath, "run tracecode generate"],
    [tPath, `run tracecode trace --in ${fPath} --out ${tPath}`],
  ]) {
    if (!existsSync(path)) throw new DataError(`${dir}: ${path} is missing (${fix})`);
  }
  const f = await readAllRows(fPath, "functions");
  const t = await readAllRows(tPath, "traces");
  if (f.rows.length === 0) throw new DataError(`${fPath} has no valid rows`);
  return {
    dir,
    rows: f.rows,
    traces: new Map(t.rows.map((r) => [r.id, r])),
    invalid: [...f.errors, ...t.errors],
  };
}

/**
 * A digest of a dataset directory's files as they are now (functions and traces, JSONL or
 * Parquet): what a trained run records, so data regenerated in place is not taken for the same.
 */
export function datasetDigest(dir: string): string {
  const h = createHash("sha256");
  for (const name of ["functions.jsonl", "functions.parquet", "traces.jsonl", "traces.parquet"]) {
    const path = join(dir, name);
    if (!existsSync(path)) continue;
    h.update(`${name}\n`);
    h.update(readFileSync(path));
  }
  return h.digest("hex");
}
