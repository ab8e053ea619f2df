/**
 * JSONL files: validated reading (errors name the file and line) and atomic writing
 * (temp file + rename, so a crash never leaves a half-written file that looks complete).
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { z } from "zod";

export class DataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DataError";
  }
}

/**
 * Writes `text` to `path` atomically, creating parent directories: into `PATH.tmp-PID`, then
 * renamed over `path`. On any failure the temporary file is removed and a `DataError` names the
 * path and the cause.
 */
export function writeFileAtomic(path: string, text: string | Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (e) {
    removeQuietly(tmp);
    const { code, message } = e as NodeJS.ErrnoException;
    throw new DataError(`cannot write ${path}: ${code ?? message}`);
  }
}

/** Removes a temporary file if it is there; a failure to remove it must not hide the cause. */
function removeQuietly(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // nothing more can be done: the original error is what the caller reports
  }
}

export function writeJsonl(path: string, rows: readonly unknown[]): void {
  writeFileAtomic(path, rows.map((r) => `${JSON.stringify(r)}\n`).join(""));
}

/** Reads a JSONL file, validating every row; throws a `DataError` naming the first bad line. */
export function readJsonl<S extends z.ZodType>(path: string, schema: S): z.infer<S>[] {
  const { rows, errors } = readJsonlLenient(path, schema);
  if (errors.length > 0) throw new DataError(errors[0]);
  return rows;
}

/** Reads a JSONL file, keeping the valid rows and describing each bad line. */
export function readJsonlLenient<S extends z.ZodType>(
  path: string,
  schema: S,
): { rows: z.infer<S>[]; errors: string[] } {
  let text: string;
  try {
    // A byte-order mark (editors on Windows write one) is not part of the first row.
    text = readFileSync(path, "utf8").replace(/^\uFEFF/, "");
  } catch (e) {
    throw new DataError(`cannot read ${path}: ${(e as Error).message}`);
  }
  const rows: z.infer<S>[] = [];
  const errors: string[] = [];
  text.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      errors.push(`${path}:${i + 1}: not valid JSON (${(e as Error).message})`);
      return;
    }
    const parsed = schema.safeParse(value);
    if (parsed.success) rows.push(parsed.data);
    else {
      const issue = parsed.error.issues[0];
      const where = issue.path.length > 0 ? ` at "${issue.path.join(".")}"` : "";
      errors.push(`${path}:${i + 1}: ${issue.message}${where}`);
    }
  });
  return { rows, errors };
}
