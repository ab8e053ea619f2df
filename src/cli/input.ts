/** The functions file a command reads (`--in`, or an argument): JSONL or Parquet rows. */
import { existsSync, readFileSync, statSync } from "node:fs";
import {
  FunctionRow,
  formatOf,
  IndexFunctionRow,
  readAllRows,
  readJsonlLenient,
} from "../data/index.js";
import { term } from "./terminal.js";

/**
 * Its valid rows, and how many invalid ones were reported on stderr and skipped. A missing path, a folder,
 * or a file of which no row is valid (a Python file, say) is an error naming it. With
 * `findWithoutArgs`, `withoutArgs` holds the ids of JSONL rows that gave no `args` (the schema
 * fills in `["int"]`; Parquet rows always have it): the file is read a second time for it, so
 * only a command that uses it asks.
 */
export async function readFunctionsFile(
  path: string,
  command: string,
  flag?: string,
  options: { findWithoutArgs?: boolean } = {},
): Promise<{ rows: FunctionRow[]; skipped: number; withoutArgs: Set<string> }> {
  const name = flag ? `${flag} ${path}` : path;
  const forPython = `for Python files, tracecode index FILES --out DIR runs and embeds them (its --export OUT.jsonl writes each function's outputs and embedding)`;
  if (!existsSync(path)) throw new Error(term`${name}: no such file`);
  if (statSync(path).isDirectory())
    throw new Error(
      term`${name}: a folder, not a functions file (JSONL or Parquet rows); ${forPython}`,
    );
  const { rows, errors } =
    formatOf(path) === "parquet"
      ? await readAllRows(path, "functions")
      : readJsonlLenient(path, FunctionRow);
  if (rows.length === 0 && errors.length > 0) {
    // An index's export (tracecode index --export) is the usual mistake: it is the results.
    const exported =
      formatOf(path) === "parquet"
        ? await readAllRows(path, "index")
        : readJsonlLenient(path, IndexFunctionRow);
    if (exported.rows.length > 0)
      throw new Error(
        term`${name}: an index export (tracecode index --export), not a functions file: it already holds each function's outputs and, with a model, its embedding (fields outputs, embedding); a functions file is JSONL or Parquet rows (id, code, …)`,
      );
    throw new Error(
      term`${name}: no valid functions row (${errors[0]}); a functions file is JSONL or Parquet rows (id, code, …): ${forPython}`,
    );
  }
  for (const e of errors)
    process.stderr.write(term`tracecode ${command}: skipping invalid row: ${e}\n`);
  // Rows are matched by id (traces to functions, embeddings to rows): a repeated one is said.
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const r of rows) (seen.has(r.id) ? repeated : seen).add(r.id);
  if (repeated.size > 0) {
    const shown = [...repeated].slice(0, 5).map((id) => JSON.stringify(id));
    process.stderr.write(
      term`tracecode ${command}: warning: ${name}: ${repeated.size === 1 ? "1 id appears" : `${repeated.size} ids appear`} more than once (${shown.join(", ")}${repeated.size > 5 ? ", …" : ""}); rows are matched by id, so give each its own\n`,
    );
  }
  const withoutArgs = new Set<string>();
  if (options.findWithoutArgs && formatOf(path) !== "parquet")
    for (const line of readFileSync(path, "utf8")
      .replace(/^\uFEFF/, "")
      .split("\n")) {
      try {
        const raw = JSON.parse(line) as unknown;
        if (raw && typeof raw === "object" && !("args" in raw) && "id" in raw)
          withoutArgs.add(String(raw.id));
      } catch {
        // Reported above.
      }
    }
  return { rows, skipped: errors.length, withoutArgs };
}
