/**
 * An index as a file of rows (`tracecode index --export F.parquet|F.jsonl`): one row per indexed
 * function or method, streamed from SQLite's cursor into the data layer's row writer, so memory
 * holds one row and the writer's buffer whatever the index's size.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { type IndexFunctionRow, openRowWriter } from "../../data/index.js";
import { DB_FILE, IndexStore } from "./store.js";

/**
 * Writes every function of the index in `dir` to `path` (Parquet or JSONL by extension); says
 * how many rows, and the most characters of rows the writer held in memory at once.
 */
export async function exportIndex(
  dir: string,
  path: string,
): Promise<{ rows: number; peakBufferedChars: number }> {
  if (!existsSync(join(dir, DB_FILE)))
    throw new Error(`${dir}: no index to export (${DB_FILE} is missing)`);
  const store = IndexStore.open(dir, { readonly: true });
  const out = openRowWriter(path, "index");
  let rows = 0;
  // Functions of one signature share their inputs: each set is read once.
  const inputsOf = new Map<string, string[][] | null>();
  const inputsFor = (key: string | null) => {
    if (key === null) return null;
    if (!inputsOf.has(key)) inputsOf.set(key, store.inputsFor(key) ?? null);
    return inputsOf.get(key) ?? null;
  };
  try {
    for (const f of store.eachFunction()) {
      const row: IndexFunctionRow = {
        file: f.file,
        line: f.line,
        name: f.name,
        kind: f.kind ?? null,
        rowId: f.rowId ?? null,
        family: f.family ?? null,
        code: f.code,
        args: f.args === null ? null : (JSON.parse(f.args) as string[]),
        argsFrom: f.argsFrom,
        signature: f.signature ?? null,
        status: f.status,
        problem: f.problem ?? null,
        error: f.error ?? null,
        ioClass: f.ioClass ?? null,
        behaviour: f.behaviour ?? null,
        outputs: f.outputs,
        embedding: f.embedding ? Array.from(f.embedding) : null,
      };
      // Absent, not null, where no call returned (as Parquet's reader gives it back).
      const inputs = f.outputs ? inputsFor(f.inputsKey) : null;
      if (inputs) row.inputs = inputs;
      out.writeLine(JSON.stringify(row));
      rows++;
    }
  } catch (e) {
    out.abort();
    throw e;
  } finally {
    store.close();
  }
  await out.close();
  return { rows, peakBufferedChars: out.peakBufferedChars };
}
