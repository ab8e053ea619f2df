/**
 * Chunks: the unit of work of the farm. A chunk is a list of rows whose units of trust stay
 * whole (a unit never spans two chunks, so it runs on one child, in file order, from a pristine
 * interpreter, exactly as in a local run), with the trace settings that decide its result. Its
 * id is a content hash, so enqueueing it again is a no-op and a rerun finds it finished.
 */
import { createHash } from "node:crypto";
import { gunzipSync, gzipSync } from "node:zlib";
import { z } from "zod";
import {
  ArgType,
  EquivalenceLevel,
  type FunctionRow,
  type TraceRow,
  TraceStatus,
} from "../data/index.js";
import { buildId } from "../search/index.js";

/** What decides a chunk's result besides its rows (the flags of `tracecode trace`). */
export const ChunkSettings = z.object({
  inputs: z.number().int().min(1),
  range: z.object({ min: z.number().int(), max: z.number().int(), edges: z.boolean().optional() }),
  seed: z.number().int().min(0),
  maxSteps: z.number().int().min(1),
  timeoutMs: z.number().int().min(1),
  level: EquivalenceLevel,
});
export type ChunkSettings = z.infer<typeof ChunkSettings>;

export const ChunkRow = z.object({
  id: z.string().min(1),
  code: z.string(),
  entry: z.string(),
  args: z.array(ArgType),
  /** The whole module the function lives in (real code), run as the module defines it. */
  module: z.string().optional(),
  /** The row's unit of trust within the chunk. */
  unit: z.string(),
});
export type ChunkRow = z.infer<typeof ChunkRow>;

/** The data of one job: checked by the worker before anything runs. */
export const ChunkData = z.object({
  /** The build that must run it (queue names carry it too): other builds trace differently. */
  build: z.string(),
  settings: ChunkSettings,
  rows: z.array(ChunkRow).min(1),
});
export type ChunkData = z.infer<typeof ChunkData>;

/** What every kind of chunk's data holds: the build that must run it and rows in units. */
export interface ChunkBase {
  build: string;
  rows: readonly { id: string; unit: string }[];
}

export interface Chunk<D extends ChunkBase = ChunkData> {
  id: string;
  data: D;
  /** Indices of the chunk's rows in the input, in chunk order. */
  index: number[];
  /** Distinct units, for splitting a chunk that keeps failing. */
  units: number;
}

/** Rows per chunk by default: big enough that queue overhead is small, small enough to balance. */
export const DEFAULT_CHUNK_ROWS = 64;
/** Functions per index chunk by default (files whole): a chunk runs for a few seconds. */
export const DEFAULT_INDEX_CHUNK = 32;

/** The id of a chunk: a hash of everything that decides its result. */
export function chunkId(data: ChunkBase): string {
  return `c${createHash("sha256").update(JSON.stringify(data)).digest("hex").slice(0, 40)}`;
}

/**
 * Splits rows into chunks of about `chunkRows` rows, units whole (a unit larger than that is a
 * chunk of its own). Units are taken in order of their first row; within a chunk rows keep
 * their input order.
 */
export function planChunks(
  rows: readonly FunctionRow[],
  unitOf: (row: FunctionRow, index: number) => string,
  settings: ChunkSettings,
  chunkRows = DEFAULT_CHUNK_ROWS,
  build = buildId(),
): Chunk[] {
  return packUnits(rows.length, (i) => unitOf(rows[i], i), chunkRows).map((p) =>
    makeChunk(rows, p.index, unitOf, settings, build, p.units),
  );
}

function makeChunk(
  rows: readonly FunctionRow[],
  index: number[],
  unitOf: (row: FunctionRow, index: number) => string,
  settings: ChunkSettings,
  build: string,
  units: number,
): Chunk {
  const names = unitNames((k) => unitOf(rows[index[k]], index[k]), index.length);
  const data: ChunkData = {
    build,
    settings,
    rows: index.map((i, k) => {
      const row = rows[i];
      // `module` (real code) changes what runs: it travels with the row when present.
      const module = (row as { module?: string }).module;
      return {
        id: row.id,
        code: row.code,
        entry: row.entry,
        args: row.args,
        ...(module !== undefined ? { module } : {}),
        unit: names[k],
      };
    }),
  };
  return { id: chunkId(data), data, index, units };
}

/**
 * Packs items into groups of about `chunkRows`, units whole (a unit larger than that is a group
 * of its own), units in order of their first item, items in input order within a group: how
 * every kind of chunk is planned.
 */
export function packUnits(
  count: number,
  unitOf: (index: number) => string,
  chunkRows = DEFAULT_CHUNK_ROWS,
): { index: number[]; units: number }[] {
  const units = new Map<string, number[]>();
  for (let i = 0; i < count; i++) {
    const u = unitOf(i);
    const list = units.get(u);
    if (list) list.push(i);
    else units.set(u, [i]);
  }
  const groups: { index: number[]; units: number }[] = [];
  let current: { index: number[]; units: number } = { index: [], units: 0 };
  const flush = () => {
    if (current.index.length === 0) return;
    current.index.sort((a, b) => a - b);
    groups.push(current);
    current = { index: [], units: 0 };
  };
  for (const members of units.values()) {
    if (current.index.length > 0 && current.index.length + members.length > chunkRows) flush();
    current.index.push(...members);
    current.units++;
  }
  flush();
  return groups;
}

/**
 * Names units by their first row's place in the chunk: the name never leaks the input's
 * position, so the same rows give the same chunk wherever they sit in a file.
 */
export function unitNames(unitOfRow: (k: number) => string, count: number): string[] {
  const names = new Map<string, string>();
  const out: string[] = [];
  for (let k = 0; k < count; k++) {
    const u = unitOfRow(k);
    let name = names.get(u);
    if (name === undefined) {
      name = `u${k}`;
      names.set(u, name);
    }
    out.push(name);
  }
  return out;
}

/**
 * One chunk per unit of `chunk`: how a chunk that kept failing is narrowed down. Any kind of
 * chunk: its other data travels unchanged with each part.
 */
export function splitChunk<D extends ChunkBase>(chunk: Chunk<D>): Chunk<D>[] {
  const byUnit = new Map<string, number[]>();
  chunk.data.rows.forEach((r, k) => {
    const list = byUnit.get(r.unit);
    if (list) list.push(k);
    else byUnit.set(r.unit, [k]);
  });
  return [...byUnit.values()].map((ks) => {
    const data = {
      ...chunk.data,
      rows: ks.map((k) => ({ ...chunk.data.rows[k], unit: "u0" })),
    } as D;
    return { id: chunkId(data), data, index: ks.map((k) => chunk.index[k]), units: 1 };
  });
}

/** A chunk's result as stored in Redis: its rows (trace rows, or any kind's) as JSONL, gzipped. */
export function encodeResult(rows: readonly unknown[]): Buffer {
  return gzipSync(rows.map((r) => JSON.stringify(r)).join("\n"), { level: 6 });
}

/**
 * Decodes a stored result and checks it against the chunk: one valid trace row per chunk row,
 * ids in order. Returns the rows' JSONL lines exactly as stored (a local run writes the same
 * text). Throws naming the chunk and the problem.
 */
export function decodeResult(chunk: Chunk, stored: Buffer): { lines: string[]; rows: TraceRow[] } {
  let text: string;
  try {
    text = gunzipSync(stored).toString("utf8");
  } catch (e) {
    throw new Error(`result of chunk ${chunk.id} is not gzip data (${(e as Error).message})`);
  }
  const lines = text.split("\n");
  if (lines.length !== chunk.data.rows.length) {
    throw new Error(
      `result of chunk ${chunk.id} has ${lines.length} rows for ${chunk.data.rows.length}`,
    );
  }
  const rows = lines.map((line, k) => {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new Error(`result of chunk ${chunk.id}, row ${k + 1}: not JSON`);
    }
    const problem = traceRowProblem(value);
    if (problem) throw new Error(`result of chunk ${chunk.id}, row ${k + 1}: ${problem}`);
    const row = value as TraceRow;
    if (row.id !== chunk.data.rows[k].id) {
      throw new Error(
        `result of chunk ${chunk.id}, row ${k + 1}: id ${row.id} where ${chunk.data.rows[k].id} was sent`,
      );
    }
    return row;
  });
  return { lines, rows };
}

const STATUSES: ReadonlySet<string> = new Set(TraceStatus.options);
const LEVELS: ReadonlySet<string> = new Set(EquivalenceLevel.options);
const ROW_KEYS: ReadonlySet<string> = new Set([
  "id",
  "status",
  "error",
  "level",
  "traceClass",
  "ioClass",
  "runs",
  "note",
]);
const RUN_KEYS = ["input", "blocks", "values", "output", "truncated"];
const isStringList = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === "string");

/**
 * What is wrong with a stored trace row, or undefined: the `TraceRow` schema, checked by hand
 * (a result's line is written as it is, so unknown keys are refused too, not stripped), about
 * ten times faster than the zod schema on rows of a hundred runs.
 */
export function traceRowProblem(v: unknown): string | undefined {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return "not an object";
  const r = v as Record<string, unknown>;
  for (const k of Object.keys(r)) if (!ROW_KEYS.has(k)) return `unknown key ${k.slice(0, 40)}`;
  if (typeof r.id !== "string" || r.id.length === 0) return "no id";
  if (typeof r.status !== "string" || !STATUSES.has(r.status)) return "unknown status";
  if (r.error !== undefined && typeof r.error !== "string") return "error is not text";
  if (r.note !== undefined && typeof r.note !== "string") return "note is not text";
  if (typeof r.level !== "string" || !LEVELS.has(r.level)) return "unknown level";
  for (const k of ["traceClass", "ioClass"]) {
    if (r[k] !== null && typeof r[k] !== "string") return `${k} is not text or null`;
  }
  if (!Array.isArray(r.runs)) return "runs is not a list";
  for (const run of r.runs) {
    if (typeof run !== "object" || run === null || Array.isArray(run))
      return "a run is not an object";
    const keys = Object.keys(run);
    if (keys.length !== RUN_KEYS.length || !RUN_KEYS.every((k) => k in run)) {
      return "a run does not have exactly input, blocks, values, output, truncated";
    }
    const { input, blocks, values, output, truncated } = run as Record<string, unknown>;
    if (!isStringList(input) || !isStringList(values))
      return "a run's input or values are not text";
    if (!Array.isArray(blocks) || !blocks.every((b) => Number.isInteger(b))) {
      return "a run's blocks are not integers";
    }
    if (typeof output !== "string" || typeof truncated !== "boolean") {
      return "a run's output or truncated flag is malformed";
    }
  }
  return undefined;
}
