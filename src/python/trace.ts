/**
 * `traceFunctions`: runs rows of `functions.jsonl` in the sandbox pool and turns the raw
 * traces into `traces.jsonl` rows with behaviour classes at the chosen equivalence level.
 */
import { createHash } from "node:crypto";
import type { EquivalenceLevel, FunctionRow, TraceRow, TraceRun } from "../data/index.js";
import { DEFAULT_RANGE, type IntRange, inputSet } from "./inputs.js";
import { type InputSet, type PoolOptions, type RawRun, TracerPool } from "./pool.js";

export interface TraceOptions {
  /** Inputs per snippet (default 100, the paper's). */
  inputs?: number;
  /** Range of `int` arguments (default −100..100, the paper's). */
  range?: IntRange;
  seed?: number;
  /** Block events of user code per snippet, all inputs together (default 1,000,000). */
  maxSteps?: number;
  /** Wall-clock safety net per snippet (default 10 s): the child is killed after it. */
  timeoutMs?: number;
  /**
   * The unit of trust of each row: rows of one unit share an interpreter (in row order) and no
   * other unit sees their effects. Default: every row alone.
   */
  unitOf?: (row: FunctionRow, index: number) => string;
  /** Child processes when no `pool` is given (default 2). */
  workers?: number;
  level?: EquivalenceLevel;
  /** Block events recorded per call before the trace is cut (default 2000). */
  maxEvents?: number;
  /** Reuse a running pool (cheap repeated calls); otherwise one is started and closed. */
  pool?: TracerPool;
  /** Extra pool settings when the pool is created here. */
  poolOptions?: Omit<PoolOptions, "workers">;
  /** Called once per finished row (in completion order) with the count done so far. */
  onProgress?: (done: number, total: number, row: TraceRow) => void;
}

/** Digest of a canonical JSON text: 16 hex digits (64 bits) of SHA-256. */
export function classHash(prefix: string, value: unknown): string {
  return createHash("sha256")
    .update(`${prefix}\n${JSON.stringify(value)}`)
    .digest("hex")
    .slice(0, 16);
}

/** The `io` class: outputs (return values or raised types) on every input, in order. */
export function ioClassOf(runs: readonly TraceRun[]): string {
  return classHash(
    "io",
    runs.map((r) => r.output),
  );
}

/** The `trace` class: canonical blocks, values, output and truncation of every call. */
export function traceClassOf(runs: readonly TraceRun[]): string {
  return classHash(
    "trace",
    runs.map((r) => [r.blocks, r.values, r.output, r.truncated]),
  );
}

function toRuns(raw: readonly RawRun[], inputs: readonly string[][]): TraceRun[] {
  return raw.map(([blocks, values, output, truncated], i) => ({
    input: inputs[i] ?? [],
    blocks,
    values,
    output,
    truncated,
  }));
}

/** Whether `runs` (made by `toRuns` on the same inputs) hold exactly the values of `raw`. */
function sameRuns(raw: readonly RawRun[], runs: readonly TraceRun[]): boolean {
  if (raw.length !== runs.length) return false;
  for (let i = 0; i < raw.length; i++) {
    const [blocks, values, output, truncated] = raw[i];
    const run = runs[i];
    if (
      output !== run.output ||
      truncated !== run.truncated ||
      blocks.length !== run.blocks.length ||
      values.length !== run.values.length
    ) {
      return false;
    }
    for (let j = 0; j < blocks.length; j++) if (blocks[j] !== run.blocks[j]) return false;
    for (let j = 0; j < values.length; j++) if (values[j] !== run.values[j]) return false;
  }
  return true;
}

/**
 * A cheap digest of raw runs' shapes (lengths, last block, outputs' lengths and ends), used only
 * to find rows that may be equal; `sameRuns` decides.
 */
function shapeOf(raw: readonly RawRun[]): number {
  let h = raw.length | 0;
  for (const [blocks, values, output, truncated] of raw) {
    h = Math.imul(h ^ blocks.length, 0x01000193);
    h = Math.imul(h ^ values.length, 0x01000193);
    if (blocks.length > 0) h = Math.imul(h ^ blocks[blocks.length - 1], 0x01000193);
    h = Math.imul(h ^ output.length, 0x01000193);
    if (output.length > 0) h = Math.imul(h ^ output.charCodeAt(output.length - 1), 0x01000193);
    if (truncated) h = Math.imul(h ^ 1, 0x01000193);
  }
  return h;
}

interface Shared {
  traceClass: string;
  ioClass: string;
  runs: TraceRun[];
}

/** Rows of one shape kept to compare with (more rarely share a shape and differ). */
const SHAPE_CANDIDATES = 8;

/**
 * The `ok` rows of one `traceFunctions` call, by input set: rows that behave exactly alike
 * (renamed variants, clones) share one list of runs, and its classes, instead of each keeping
 * its own. The runs the parent keeps for the output were most of its CPU: every kept object is
 * copied by V8's young-generation collector before it is promoted (≈ 110 of ≈ 280 µs a
 * paper-shaped snippet in the bench of issue 14), and the second row of a class needs no JSON
 * text or digest of its own. A row is shared only when every value of every run is equal (its
 * classes are functions of those values, at the call's one level), so a shape that repeats only
 * costs a comparison; the values were checked by `parseChildLine` either way.
 */
export class SharedRuns {
  private readonly byInputs = new Map<readonly string[][], Map<number, Shared[]>>();

  constructor(private readonly level: EquivalenceLevel) {}

  classes(raw: readonly RawRun[], inputs: readonly string[][]): Shared {
    let shapes = this.byInputs.get(inputs);
    if (!shapes) {
      shapes = new Map();
      this.byInputs.set(inputs, shapes);
    }
    const shape = shapeOf(raw);
    let seen = shapes.get(shape);
    if (!seen) {
      seen = [];
      shapes.set(shape, seen);
    }
    for (const s of seen) if (sameRuns(raw, s.runs)) return s;
    // The digests of ioClassOf and traceClassOf, from the raw runs: a raw run is already the
    // list [blocks, values, output, truncated] traceClassOf hashes (parseChildLine checked it:
    // plain JSON arrays, nothing else), so the lists need not be made again.
    const ioClass = classHash(
      "io",
      raw.map((r) => r[2]),
    );
    const made: Shared = {
      traceClass: this.level === "io" ? ioClass : classHash("trace", raw),
      ioClass,
      runs: toRuns(raw, inputs),
    };
    if (seen.length < SHAPE_CANDIDATES) seen.push(made);
    return made;
  }
}

/**
 * The sandbox's text of an exception, fit to show: control and format characters and absolute
 * paths dropped (it is untrusted text), whitespace folded, cut to 120 characters.
 */
export function exceptionMessage(text: string): string {
  const t = text
    .replace(/[\p{Cc}\p{Cf}]+/gu, " ")
    .replace(/(?<![\w.])(?:\/[\w.+-]+){2,}/g, (p) => `…/${p.slice(p.lastIndexOf("/") + 1)}`)
    .replace(/\s+/g, " ")
    .trim();
  return t.length > 120 ? `${t.slice(0, 119)}…` : t;
}

/** The exception type of a `raise:X` output, without what the call left in its arguments. */
export function raisedType(output: string): string {
  // What follows the type is what the tracer appended (;args:, ;self:, ;stdout:).
  return output.slice("raise:".length).split(";", 1)[0];
}

/**
 * "raises X on every input (message)" when no call returned, else undefined; `first` is the
 * first call's exception as the tracer sent it ("X: message").
 */
export function alwaysRaised(runs: readonly RawRun[], first?: string): string | undefined {
  if (runs.length === 0 || !runs.every((r) => r[2].startsWith("raise:"))) return undefined;
  const counts = new Map<string, number>();
  for (const r of runs) {
    const name = raisedType(r[2]);
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  const [name] = [...counts].sort((a, b) => b[1] - a[1])[0];
  const said = first ? exceptionMessage(first) : "";
  const message = said.startsWith(`${name}: `) ? said.slice(name.length + 2) : "";
  return counts.size === 1
    ? `raises ${name} on every input${message ? ` (${message})` : ""}`
    : `raises on every input (${[...counts].map(([n, c]) => `${n} ×${c}`).join(", ")}${said ? `; the first: ${said}` : ""})`;
}

/** Traces every row; results come back in input order. A row's own fault becomes its status. */
export async function traceFunctions(
  rows: readonly FunctionRow[],
  options: TraceOptions = {},
): Promise<TraceRow[]> {
  const level = options.level ?? "trace";
  const n = options.inputs ?? 100;
  const range = options.range ?? DEFAULT_RANGE;
  const seed = options.seed ?? 0;
  const unitOf = options.unitOf ?? ((_row: FunctionRow, i: number) => `row:${i}`);
  const pool = options.pool ?? new TracerPool({ ...options.poolOptions, workers: options.workers });
  const sets = new Map<string, InputSet>();
  const setFor = (row: FunctionRow): InputSet => {
    const k = row.args.join(",");
    let s = sets.get(k);
    if (!s) {
      s = inputSet(row.args, n, seed, range);
      sets.set(k, s);
    }
    return s;
  };
  const shared = new SharedRuns(level);
  let done = 0;
  try {
    return await Promise.all(
      rows.map(async (row, i): Promise<TraceRow> => {
        const r = await pool.trace({
          code: row.module ?? row.code,
          module: row.module !== undefined,
          ...(row.package ? { package: row.package } : {}),
          entry: row.entry,
          inputs: setFor(row),
          unit: unitOf(row, i),
          maxSteps: options.maxSteps,
          timeoutMs: options.timeoutMs,
          maxEvents: options.maxEvents,
        });
        const raised = r.status === "ok" ? alwaysRaised(r.runs, r.error) : undefined;
        const out: TraceRow =
          r.status === "ok" && raised === undefined
            ? (() => {
                const c = shared.classes(r.runs, r.inputs);
                return {
                  id: row.id,
                  status: "ok",
                  level,
                  traceClass: c.traceClass,
                  ioClass: c.ioClass,
                  runs: c.runs,
                  ...(r.note ? { note: r.note } : {}),
                };
              })()
            : {
                id: row.id,
                status: raised === undefined ? r.status : "always_raises",
                error: raised ?? r.error ?? r.status,
                level,
                traceClass: null,
                ioClass: null,
                runs: [],
              };
        done++;
        options.onProgress?.(done, rows.length, out);
        return out;
      }),
    );
  } finally {
    if (!options.pool) await pool.close();
  }
}
