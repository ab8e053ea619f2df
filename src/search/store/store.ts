/**
 * The index database: one SQLite file (`INDEX_DIR/index.sqlite`) holding the indexed files with
 * their content hashes, every function with its source, run status, behaviour class, per-input
 * outputs and embedding, the encoded inputs of each argument signature, and the behaviour
 * classes. Writes for one batch of files are one transaction, so a crash never leaves a file
 * half-replaced.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";

export const DB_FILE = "index.sqlite";
const SCHEMA_VERSION = "2";
/** Columns added since schema 1, added in place to an older index (their values stay null). */
const ADDED_COLUMNS: [string, string][] = [
  ["kind", "TEXT"],
  ["signature", "TEXT"],
  ["inputs_key", "TEXT"],
];

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
  path TEXT PRIMARY KEY,
  hash TEXT NOT NULL,
  functions INTEGER NOT NULL,
  indexed_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS functions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  file TEXT NOT NULL REFERENCES files(path) ON DELETE CASCADE,
  line INTEGER NOT NULL,
  name TEXT NOT NULL,
  row_id TEXT,
  family TEXT,
  code TEXT NOT NULL,
  args TEXT,
  args_from TEXT NOT NULL,
  problem TEXT,
  status TEXT NOT NULL,
  error TEXT,
  io_class TEXT,
  behaviour TEXT,
  outputs TEXT,
  embedding BLOB,
  kind TEXT,
  signature TEXT,
  inputs_key TEXT
);
CREATE INDEX IF NOT EXISTS functions_file ON functions(file);
CREATE INDEX IF NOT EXISTS functions_behaviour ON functions(behaviour);
CREATE TABLE IF NOT EXISTS inputs (args TEXT PRIMARY KEY, inputs TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS behaviours (
  key TEXT PRIMARY KEY,
  args TEXT NOT NULL,
  io_class TEXT NOT NULL,
  size INTEGER NOT NULL
);
`;

/** A function as written to the index. */
export interface FunctionRecord {
  line: number;
  name: string;
  rowId?: string;
  family?: string;
  code: string;
  /** JSON of the argument types, or null when inputs cannot be drawn. */
  args: string | null;
  argsFrom: "row" | "hints" | "user" | "inferred";
  problem?: string;
  /** `function`, `method`, `staticmethod`, `classmethod` or `property` (null: a `.jsonl` row). */
  kind?: string | null;
  /** The chosen signature with its evidence, the candidates tried and the doctest check (JSON). */
  signature?: string | null;
  /**
   * Key of the inputs it ran on: the JSON of `args` for the index's inputs, or with the count
   * and range when the user set others for it. Outputs compare only under the same key.
   */
  inputsKey?: string | null;
  /** A trace status, or `no_inputs` when the function was not run. */
  status: string;
  error?: string;
  ioClass?: string | null;
  /** Behaviour class: same argument types and same outputs on every input. */
  behaviour?: string | null;
  /** Encoded output per input (return value or `raise:Type`), when it ran. */
  outputs?: string[] | null;
  embedding?: Float32Array | null;
}

/** A function as read back. */
export interface StoredFunction extends Omit<FunctionRecord, "outputs" | "embedding"> {
  inputsKey: string | null;
  id: number;
  file: string;
  outputs: string[] | null;
}

interface FunctionSqlRow {
  id: number;
  file: string;
  line: number;
  name: string;
  row_id: string | null;
  family: string | null;
  code: string;
  args: string | null;
  args_from: FunctionRecord["argsFrom"];
  problem: string | null;
  kind?: string | null;
  signature?: string | null;
  inputs_key?: string | null;
  status: string;
  error: string | null;
  io_class: string | null;
  behaviour: string | null;
  outputs: string | null;
}

function fromSql(r: FunctionSqlRow): StoredFunction {
  return {
    id: r.id,
    file: r.file,
    line: r.line,
    name: r.name,
    ...(r.row_id !== null ? { rowId: r.row_id } : {}),
    ...(r.family !== null ? { family: r.family } : {}),
    code: r.code,
    args: r.args,
    argsFrom: r.args_from,
    ...(r.problem !== null ? { problem: r.problem } : {}),
    status: r.status,
    ...(r.error !== null ? { error: r.error } : {}),
    ioClass: r.io_class,
    behaviour: r.behaviour,
    outputs: r.outputs === null ? null : (JSON.parse(r.outputs) as string[]),
    kind: r.kind ?? null,
    signature: r.signature ?? null,
    inputsKey: r.inputs_key ?? r.args,
  };
}

const blob = (v: Float32Array | null | undefined) =>
  v ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : null;

/**
 * Every table of an index directory, every row (not the clock) as JSON with blobs in hex, in a
 * canonical order: what two indexes must share to be the same index (a farm's and a local run's).
 */
export function canonicalRows(dir: string): Record<string, string[]> {
  const db = new Database(join(dir, DB_FILE), { readonly: true });
  try {
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .all() as { name: string }[];
    const out: Record<string, string[]> = {};
    for (const { name } of tables) {
      out[name] = (db.prepare(`SELECT * FROM "${name}"`).all() as Record<string, unknown>[])
        .map((r) =>
          JSON.stringify(
            Object.entries(r)
              .filter(([k]) => k !== "indexed_at")
              .map(([k, v]) => [k, Buffer.isBuffer(v) ? v.toString("hex") : v]),
          ),
        )
        .sort();
    }
    return out;
  } finally {
    db.close();
  }
}

/** A copy, so the vector does not alias SQLite's buffer (and is 4-byte aligned). */
const vector = (b: Buffer) =>
  new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));

export class IndexStore {
  private constructor(
    readonly dir: string,
    private readonly db: Database.Database,
  ) {}

  /** Opens `dir/index.sqlite`; `create` makes the folder and the schema when missing. */
  static open(dir: string, options: { create?: boolean; readonly?: boolean } = {}): IndexStore {
    if (options.create) mkdirSync(dir, { recursive: true });
    const db = new Database(join(dir, DB_FILE), {
      fileMustExist: !options.create,
      readonly: options.readonly ?? false,
    });
    if (!options.readonly) {
      db.pragma("foreign_keys = ON");
      db.exec(SCHEMA);
    }
    const store = new IndexStore(dir, db);
    let version = store.getMeta("schema");
    if (version === "1" && !options.readonly) {
      const have = new Set(
        (db.prepare("PRAGMA table_info(functions)").all() as { name: string }[]).map((c) => c.name),
      );
      for (const [name, type] of ADDED_COLUMNS)
        if (!have.has(name)) db.exec(`ALTER TABLE functions ADD COLUMN ${name} ${type}`);
      store.setMeta("schema", SCHEMA_VERSION);
      version = SCHEMA_VERSION;
    }
    if (version === undefined && !options.readonly) store.setMeta("schema", SCHEMA_VERSION);
    else if (version !== SCHEMA_VERSION) {
      db.close();
      const fix = version === "1" ? " (run tracecode index on it once to update it in place)" : "";
      throw new Error(
        `${dir}: index schema ${version ?? "missing"}, expected ${SCHEMA_VERSION}${fix}`,
      );
    }
    return store;
  }

  close(): void {
    this.db.close();
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  getMeta(key: string): string | undefined {
    const r = this.db.prepare("SELECT value FROM meta WHERE key = ?").get(key) as
      | { value: string }
      | undefined;
    return r?.value;
  }

  /**
   * Every folder indexing was given (a file given alone stands for its folder): a file's
   * package is served no higher than the outermost of them that holds it (packageRoot).
   */
  roots(): string[] {
    return JSON.parse(this.getMeta("roots") ?? "[]") as string[];
  }

  addRoots(folders: readonly string[]): void {
    this.setMeta("roots", JSON.stringify([...new Set([...this.roots(), ...folders])].sort()));
  }

  setMeta(key: string, value: string): void {
    this.db
      .prepare(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
      )
      .run(key, value);
  }

  deleteMeta(key: string): void {
    this.db.prepare("DELETE FROM meta WHERE key = ?").run(key);
  }

  files(): { path: string; hash: string }[] {
    return this.db.prepare("SELECT path, hash FROM files ORDER BY path").all() as {
      path: string;
      hash: string;
    }[];
  }

  fileHash(path: string): string | undefined {
    const r = this.db.prepare("SELECT hash FROM files WHERE path = ?").get(path) as
      | { hash: string }
      | undefined;
    return r?.hash;
  }

  /** Ids of the functions a file contributed. */
  functionIdsOf(path: string): number[] {
    return (
      this.db.prepare("SELECT id FROM functions WHERE file = ? ORDER BY id").all(path) as {
        id: number;
      }[]
    ).map((r) => r.id);
  }

  /** Drops a file and its functions; returns the ids of the functions removed. */
  removeFile(path: string): number[] {
    const ids = this.functionIdsOf(path);
    this.db.prepare("DELETE FROM functions WHERE file = ?").run(path);
    this.db.prepare("DELETE FROM files WHERE path = ?").run(path);
    return ids;
  }

  /** Replaces a file's functions with `records`; returns the removed and the new ids. */
  replaceFile(
    path: string,
    hash: string,
    records: readonly FunctionRecord[],
  ): { removed: number[]; added: number[] } {
    const removed = this.removeFile(path);
    this.db
      .prepare("INSERT INTO files (path, hash, functions, indexed_at) VALUES (?, ?, ?, ?)")
      .run(path, hash, records.length, new Date().toISOString());
    const insert = this.db.prepare(
      `INSERT INTO functions (file, line, name, row_id, family, code, args, args_from, problem,
         status, error, io_class, behaviour, outputs, embedding, kind, signature, inputs_key)
       VALUES (@file, @line, @name, @rowId, @family, @code, @args, @argsFrom, @problem,
         @status, @error, @ioClass, @behaviour, @outputs, @embedding, @kind, @signature, @inputsKey)`,
    );
    const added = records.map((r) =>
      Number(
        insert.run({
          file: path,
          line: r.line,
          name: r.name,
          rowId: r.rowId ?? null,
          family: r.family ?? null,
          code: r.code,
          args: r.args,
          argsFrom: r.argsFrom,
          problem: r.problem ?? null,
          status: r.status,
          error: r.error ?? null,
          ioClass: r.ioClass ?? null,
          behaviour: r.behaviour ?? null,
          outputs: r.outputs ? JSON.stringify(r.outputs) : null,
          embedding: blob(r.embedding),
          kind: r.kind ?? null,
          signature: r.signature ?? null,
          inputsKey: r.inputsKey ?? r.args,
        }).lastInsertRowid,
      ),
    );
    return { removed, added };
  }

  /** The encoded inputs every function of this argument signature ran on. */
  inputsFor(args: string): string[][] | undefined {
    const r = this.db.prepare("SELECT inputs FROM inputs WHERE args = ?").get(args) as
      | { inputs: string }
      | undefined;
    return r ? (JSON.parse(r.inputs) as string[][]) : undefined;
  }

  saveInputs(args: string, inputs: readonly string[][]): void {
    this.db
      .prepare("INSERT OR IGNORE INTO inputs (args, inputs) VALUES (?, ?)")
      .run(args, JSON.stringify(inputs));
  }

  /** Recomputes the behaviour classes from the functions; returns how many there are. */
  rebuildBehaviours(): number {
    this.db.exec(`
      DELETE FROM behaviours;
      INSERT INTO behaviours (key, args, io_class, size)
        SELECT behaviour, args, io_class, COUNT(*) FROM functions
        WHERE behaviour IS NOT NULL GROUP BY behaviour;
    `);
    return this.count("behaviours");
  }

  count(table: "functions" | "files" | "behaviours"): number {
    return (this.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  }

  /** The names of the indexed functions (`f`, `Class.method`). */
  names(): Set<string> {
    const rows = this.db.prepare("SELECT DISTINCT name FROM functions").all() as { name: string }[];
    return new Set(rows.map((r) => r.name));
  }

  /** Functions by id, in the order asked (unknown ids left out). */
  functions(ids: readonly number[]): StoredFunction[] {
    const get = this.db.prepare("SELECT * FROM functions WHERE id = ?");
    return ids
      .map((id) => get.get(id) as FunctionSqlRow | undefined)
      .filter((r): r is FunctionSqlRow => r !== undefined)
      .map(fromSql);
  }

  /** Functions of a behaviour class, by id. */
  inBehaviour(behaviour: string, limit: number): StoredFunction[] {
    return (
      this.db
        .prepare("SELECT * FROM functions WHERE behaviour = ? ORDER BY id LIMIT ?")
        .all(behaviour, limit) as FunctionSqlRow[]
    ).map(fromSql);
  }

  /** Every function of a behaviour class, by id. */
  allInBehaviour(behaviour: string): StoredFunction[] {
    return (
      this.db
        .prepare("SELECT * FROM functions WHERE behaviour = ? ORDER BY id")
        .all(behaviour) as FunctionSqlRow[]
    ).map(fromSql);
  }

  /** Functions that ran under an inputs key (for partial agreement with a query). */
  ranUnder(inputsKey: string): StoredFunction[] {
    return (
      this.db
        .prepare(
          "SELECT * FROM functions WHERE status = 'ok' AND COALESCE(inputs_key, args) = ? ORDER BY id",
        )
        .all(inputsKey) as FunctionSqlRow[]
    ).map(fromSql);
  }

  /** Status counts over all functions. */
  statusCounts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.db
      .prepare("SELECT status, COUNT(*) AS n FROM functions GROUP BY status")
      .all() as { status: string; n: number }[])
      out[r.status] = r.n;
    return out;
  }

  /** Every function's id and code (for lexical ranking and re-embedding). */
  allCode(): { id: number; code: string }[] {
    return this.db.prepare("SELECT id, code FROM functions ORDER BY id").all() as {
      id: number;
      code: string;
    }[];
  }

  /**
   * Every function with its embedding, by id, one at a time from SQLite's cursor: an export
   * holds one row, not the index.
   */
  *eachFunction(): Generator<StoredFunction & { embedding: Float32Array | null }> {
    for (const r of this.db
      .prepare("SELECT * FROM functions ORDER BY id")
      .iterate() as IterableIterator<FunctionSqlRow & { embedding: Buffer | null }>)
      yield { ...fromSql(r), embedding: r.embedding ? vector(r.embedding) : null };
  }

  setEmbedding(id: number, v: Float32Array | null): void {
    this.db.prepare("UPDATE functions SET embedding = ? WHERE id = ?").run(blob(v), id);
  }

  /** The embeddings of `ids` (those that have one), packed as `embeddings` does. */
  embeddingsOf(ids: readonly number[], dim: number): { ids: number[]; data: Float32Array } {
    const get = this.db.prepare("SELECT embedding FROM functions WHERE id = ?");
    const found: number[] = [];
    const parts: Float32Array[] = [];
    for (const id of ids) {
      const r = get.get(id) as { embedding: Buffer | null } | undefined;
      if (!r?.embedding || r.embedding.byteLength !== dim * 4) continue;
      found.push(id);
      parts.push(vector(r.embedding));
    }
    const data = new Float32Array(found.length * dim);
    parts.forEach((p, i) => {
      data.set(p, i * dim);
    });
    return { ids: found, data };
  }

  /** Every stored embedding, packed row-major: `ids[i]` owns `data[i*dim … (i+1)*dim)`. */
  embeddings(dim: number): { ids: number[]; data: Float32Array } {
    const rows = this.db
      .prepare("SELECT id, embedding FROM functions WHERE embedding IS NOT NULL ORDER BY id")
      .all() as { id: number; embedding: Buffer }[];
    const data = new Float32Array(rows.length * dim);
    rows.forEach((r, i) => {
      if (r.embedding.byteLength !== dim * 4)
        throw new Error(`function ${r.id}: embedding of ${r.embedding.byteLength / 4}, not ${dim}`);
      data.set(vector(r.embedding), i * dim);
    });
    return { ids: rows.map((r) => r.id), data };
  }
}
