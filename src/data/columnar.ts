/**
 * Corpora as files of rows, JSONL or Parquet (chosen by extension), written and read as streams
 * with bounded memory. Parquet goes through DuckDB (`@duckdb/node-api`): rows are appended to a
 * temporary JSONL file as they come, and DuckDB's `COPY … TO (FORMAT parquet)` turns it into
 * the Parquet file in one streaming pass (zstd, row groups of 10,000 rows, one thread so the
 * bytes are reproducible); reads stream DuckDB's result chunks. The Parquet schema is the row
 * schema (`schemas.ts`) with nested lists and structs, so DuckDB, pandas and Arrow read it as is.
 */
import {
  closeSync,
  createReadStream,
  fsyncSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  writeSync,
} from "node:fs";
import { dirname } from "node:path";
import { createInterface } from "node:readline";
import { z } from "zod";
import { DataError } from "./jsonl.js";
import { FunctionRow, TraceRow } from "./schemas.js";

export const ROW_FORMATS = ["jsonl", "parquet"] as const;
export type RowFormat = (typeof ROW_FORMATS)[number];

/**
 * A function or method as extracted from real code and indexed: the coverage benchmark's corpus
 * (`npm run bench -- coverage --corpus-out F.parquet`). `args` is the chosen signature's types
 * (null when it could not be called), `signature` its parameters with their evidence (JSON, as
 * the index stores it), `status` what running it gave (`ok`, `always_raises`, `no_inputs`, …).
 */
export const CorpusFunctionRow = z
  .object({
    module: z.string().min(1),
    line: z.number().int().min(0),
    name: z.string().min(1),
    kind: z.string().nullable(),
    code: z.string(),
    args: z.array(z.string()).nullable(),
    argsFrom: z.string(),
    signature: z.string().nullable(),
    status: z.string().min(1),
    error: z.string().optional(),
    behaviour: z.string().optional(),
  })
  .strict();
export type CorpusFunctionRow = z.infer<typeof CorpusFunctionRow>;

/**
 * A function or method as an index holds it (`tracecode index --export F.parquet`): the corpus
 * row's columns plus the file it came from (as indexed, absolute), the row id and family of a
 * functions-file row, why it has no inputs (`problem`), its I/O class, its encoded output per
 * input, those inputs, and its embedding (null without a model).
 */
export const IndexFunctionRow = z
  .object({
    file: z.string().min(1),
    line: z.number().int().min(0),
    name: z.string().min(1),
    kind: z.string().nullable(),
    rowId: z.string().nullable(),
    family: z.string().nullable(),
    code: z.string(),
    args: z.array(z.string()).nullable(),
    argsFrom: z.string(),
    signature: z.string().nullable(),
    status: z.string().min(1),
    problem: z.string().nullable(),
    error: z.string().nullable(),
    ioClass: z.string().nullable(),
    behaviour: z.string().nullable(),
    outputs: z.array(z.string()).nullable(),
    /**
     * The encoded arguments of each call, as drawn (a call wrapper in `signature` may build the
     * call from them): what `outputs` answer. Absent from exports made before it was added.
     */
    inputs: z.array(z.array(z.string())).nullable().optional(),
    embedding: z.array(z.number()).nullable(),
  })
  .strict();
export type IndexFunctionRow = z.infer<typeof IndexFunctionRow>;

/** The kinds of corpus with a Parquet schema. */
export type RowKind = "functions" | "traces" | "corpus" | "index";

/** The format of `path`: `.parquet` is Parquet, anything else JSONL; `explicit` wins. */
export function formatOf(path: string, explicit?: RowFormat): RowFormat {
  return explicit ?? (/\.parquet$/i.test(path) ? "parquet" : "jsonl");
}

/** DuckDB column types of each kind: the zod schemas, column for column. */
const COLUMNS: Record<RowKind, Record<string, string>> = {
  functions: {
    id: "VARCHAR",
    group: "VARCHAR",
    code: "VARCHAR",
    transforms: "VARCHAR[]",
    split: "VARCHAR",
    seed: "BIGINT",
    family: "VARCHAR",
    entry: "VARCHAR",
    args: "VARCHAR[]",
    source: "VARCHAR",
    mutant: "BOOLEAN",
    module: "VARCHAR",
  },
  traces: {
    id: "VARCHAR",
    status: "VARCHAR",
    error: "VARCHAR",
    level: "VARCHAR",
    traceClass: "VARCHAR",
    ioClass: "VARCHAR",
    runs: 'STRUCT("input" VARCHAR[], "blocks" INTEGER[], "values" VARCHAR[], "output" VARCHAR, "truncated" BOOLEAN)[]',
    note: "VARCHAR",
  },
  corpus: {
    module: "VARCHAR",
    line: "INTEGER",
    name: "VARCHAR",
    kind: "VARCHAR",
    code: "VARCHAR",
    args: "VARCHAR[]",
    argsFrom: "VARCHAR",
    signature: "VARCHAR",
    status: "VARCHAR",
    error: "VARCHAR",
    behaviour: "VARCHAR",
  },
  index: {
    file: "VARCHAR",
    line: "INTEGER",
    name: "VARCHAR",
    kind: "VARCHAR",
    rowId: "VARCHAR",
    family: "VARCHAR",
    code: "VARCHAR",
    args: "VARCHAR[]",
    argsFrom: "VARCHAR",
    signature: "VARCHAR",
    status: "VARCHAR",
    problem: "VARCHAR",
    error: "VARCHAR",
    ioClass: "VARCHAR",
    behaviour: "VARCHAR",
    outputs: "VARCHAR[]",
    inputs: "VARCHAR[][]",
    embedding: "FLOAT[]",
  },
};

/** Columns that are absent (not null) in a row when Parquet holds a null. */
const OPTIONAL: Record<RowKind, readonly string[]> = {
  // A null where the schema has a default is a row that gave none: absent, as in JSONL (a
  // Parquet file from pandas may lack the column). `raw` tells an absent `args` apart.
  functions: [
    "group",
    "family",
    "source",
    "mutant",
    "module",
    "transforms",
    "split",
    "seed",
    "entry",
    "args",
  ],
  traces: ["error", "note"],
  corpus: ["error", "behaviour"],
  index: ["inputs"],
};

const SCHEMAS = {
  functions: FunctionRow,
  traces: TraceRow,
  corpus: CorpusFunctionRow,
  index: IndexFunctionRow,
} as const;

export interface RowWriter {
  /** Appends one row, given as its JSON text (one line, no newline). */
  writeLine(line: string): void;
  /** Finishes the file and moves it into place atomically. */
  close(): Promise<void>;
  /** Drops everything written; the target is left as it was. */
  abort(): void;
  /** The most characters of rows it held in memory at once (the rest were on disk already). */
  readonly peakBufferedChars: number;
}

const sqlString = (s: string) => `'${s.replaceAll("'", "''")}'`;

/** A buffered append-only file that becomes `path` only on `finish`. */
class TempFile {
  private fd: number;
  private buffer: string[] = [];
  private size = 0;
  /** The most characters buffered at once: writes go to disk past 1 Mi of them. */
  peak = 0;
  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    try {
      this.fd = openSync(path, "w");
    } catch (e) {
      throw new DataError(`cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? e}`);
    }
  }
  write(text: string): void {
    this.buffer.push(text);
    this.size += text.length;
    if (this.size > this.peak) this.peak = this.size;
    if (this.size >= 1 << 20) this.flush();
  }
  flush(): void {
    if (this.buffer.length === 0) return;
    writeSync(this.fd, this.buffer.join(""));
    this.buffer = [];
    this.size = 0;
  }
  finish(): void {
    this.flush();
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.fd = -1;
  }
  remove(): void {
    if (this.fd >= 0) {
      try {
        closeSync(this.fd);
      } catch {
        // already closed
      }
      this.fd = -1;
    }
    rmSync(this.path, { force: true });
  }
}

/**
 * Opens a streaming writer of `kind` rows to `path` in `format`. Nothing appears at `path`
 * until `close()` succeeds; a failure removes every temporary file and names the path.
 */
export function openRowWriter(path: string, kind: RowKind, format = formatOf(path)): RowWriter {
  const tmp = new TempFile(`${path}.tmp-${process.pid}${format === "parquet" ? ".jsonl" : ""}`);
  let rows = 0;
  return {
    writeLine(line: string) {
      tmp.write(`${line}\n`);
      rows++;
    },
    async close() {
      try {
        tmp.finish();
        if (format === "jsonl") {
          renameSync(tmp.path, path);
          return;
        }
        const out = `${path}.tmp-${process.pid}`;
        try {
          await jsonlToParquet(tmp.path, out, kind, rows);
          renameSync(out, path);
        } catch (e) {
          rmSync(out, { force: true });
          throw e;
        } finally {
          tmp.remove();
        }
      } catch (e) {
        tmp.remove();
        if (e instanceof DataError) throw e;
        throw new DataError(`cannot write ${path}: ${(e as Error).message}`);
      }
    },
    abort() {
      tmp.remove();
    },
    get peakBufferedChars() {
      return tmp.peak;
    },
  };
}

/** Writes `rows` (objects of `kind`) to `path` atomically, JSONL or Parquet by extension. */
export async function writeRows(
  path: string,
  kind: RowKind,
  rows: readonly unknown[],
  format = formatOf(path),
): Promise<void> {
  const w = openRowWriter(path, kind, format);
  try {
    for (const r of rows) w.writeLine(JSON.stringify(r));
  } catch (e) {
    w.abort();
    throw e;
  }
  await w.close();
}

async function duckdb() {
  const { DuckDBInstance } = await import("@duckdb/node-api");
  // One thread and insertion order kept: the same rows give the same bytes. The memory limit
  // makes DuckDB spill rather than grow with the corpus.
  const instance = await DuckDBInstance.create(":memory:", {
    threads: "1",
    memory_limit: "1GB",
    preserve_insertion_order: "true",
  });
  return { instance, connection: await instance.connect() };
}

async function jsonlToParquet(
  jsonl: string,
  parquet: string,
  kind: RowKind,
  rows: number,
): Promise<void> {
  const { instance, connection } = await duckdb();
  try {
    const columns = Object.entries(COLUMNS[kind])
      .map(([name, type]) => `${sqlString(name)}: ${sqlString(type)}`)
      .join(", ");
    // An empty corpus still gets its schema (read_json of an empty file has no rows to read).
    const source =
      rows === 0
        ? `(SELECT ${Object.entries(COLUMNS[kind])
            .map(([name, type]) => `CAST(NULL AS ${type}) AS "${name}"`)
            .join(", ")} LIMIT 0)`
        : `read_json(${sqlString(jsonl)}, format = 'newline_delimited', columns = {${columns}}, maximum_object_size = 67108864)`;
    await connection.run(
      `COPY (SELECT * FROM ${source}) TO ${sqlString(parquet)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 10000)`,
    );
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** A DuckDB value as plain JSON data: bigints become numbers (all ours are safe integers). */
function plain(v: unknown): unknown {
  if (typeof v === "bigint") return Number(v);
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = plain(x);
    return out;
  }
  return v;
}

export interface RowBatch<T> {
  rows: T[];
  /** Invalid rows of this batch, as `FILE:ROW: problem`. */
  errors: string[];
  /** With `raw`: each valid row before its defaults, and its 1-based row number in the file. */
  raw?: { value: unknown; n: number }[];
}

/**
 * Reads `kind` rows from `path` (JSONL or Parquet by extension) in batches of about
 * `batchRows`, validating every row; invalid rows are described, not fatal. Memory holds one
 * batch. A file that cannot be read at all throws a `DataError` naming it.
 */
export async function* readRows<K extends RowKind>(
  path: string,
  kind: K,
  options: { format?: RowFormat; batchRows?: number; raw?: boolean } = {},
): AsyncGenerator<RowBatch<z.infer<(typeof SCHEMAS)[K]>>> {
  const schema = SCHEMAS[kind] as z.ZodType;
  const batchRows = options.batchRows ?? 4096;
  type Row = z.infer<(typeof SCHEMAS)[K]>;
  const empty = (): RowBatch<Row> => ({
    rows: [],
    errors: [],
    ...(options.raw ? { raw: [] } : {}),
  });
  let batch = empty();
  let n = 0;
  const check = (value: unknown, where: string) => {
    const parsed = schema.safeParse(value);
    if (parsed.success) {
      batch.rows.push(parsed.data as Row);
      batch.raw?.push({ value, n });
    } else {
      const issue = parsed.error.issues[0];
      const at = issue.path.length > 0 ? ` at "${issue.path.join(".")}"` : "";
      batch.errors.push(`${where}: ${issue.message}${at}`);
    }
  };
  if (formatOf(path, options.format) === "jsonl") {
    const stream = createReadStream(path, { encoding: "utf8" });
    const opened = new Promise<void>((resolve, reject) => {
      stream.once("open", () => resolve());
      stream.once("error", (e) => reject(new DataError(`cannot read ${path}: ${e.message}`)));
    });
    await opened;
    for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) {
      n++;
      if (line.trim() === "") continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (e) {
        batch.errors.push(`${path}:${n}: not valid JSON (${(e as Error).message})`);
        continue;
      }
      check(value, `${path}:${n}`);
      if (batch.rows.length >= batchRows) {
        yield batch;
        batch = empty();
      }
    }
    if (batch.rows.length > 0 || batch.errors.length > 0) yield batch;
    return;
  }
  const { instance, connection } = await duckdb();
  try {
    let result: Awaited<ReturnType<typeof connection.stream>>;
    try {
      result = await connection.stream(`SELECT * FROM read_parquet(${sqlString(path)})`);
    } catch (e) {
      throw new DataError(`cannot read ${path}: ${(e as Error).message.split("\n")[0]}`);
    }
    const optional = OPTIONAL[kind];
    for await (const objects of result.yieldRowObjectJs()) {
      for (const o of objects) {
        n++;
        const value = plain(o) as Record<string, unknown>;
        for (const k of optional) if (value[k] === null) delete value[k];
        check(value, `${path}: row ${n}`);
      }
      if (batch.rows.length >= batchRows) {
        yield batch;
        batch = empty();
      }
    }
    if (batch.rows.length > 0 || batch.errors.length > 0) yield batch;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** Every row of `path` (JSONL or Parquet), with the invalid ones described: for inputs that fit. */
export async function readAllRows<K extends RowKind>(
  path: string,
  kind: K,
  format?: RowFormat,
): Promise<RowBatch<z.infer<(typeof SCHEMAS)[K]>>> {
  const out: RowBatch<z.infer<(typeof SCHEMAS)[K]>> = { rows: [], errors: [] };
  for await (const b of readRows(path, kind, { format })) {
    out.rows.push(...b.rows);
    out.errors.push(...b.errors);
  }
  return out;
}
