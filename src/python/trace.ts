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
  return outputsClass(runs.map((r) => r.output));
}

function outputsClass(outputs: readonly string[]): string {
  return classHash("io", outputs);
}

/** The `trace` class: canonical blocks, values, output and truncation of every call. */
export function traceClassOf(runs: readonly TraceRun[]): string {
  return rawTraceClass(runs.map((r) => [r.blocks, r.values, r.output, r.truncated]));
}

/**
 * `traceClassOf` of the runs made from `raw`: a raw run is already the list
 * [blocks, values, output, truncated] that `traceClassOf` hashes (checked by `parseChildLine`:
 * plain JSON arrays, nothing else), so the digest is the same without making the lists again.
 */
function rawTraceClass(raw: readonly (readonly unknown[])[]): string {
  return classHash("trace", raw);
}

export function classOf(level: EquivalenceLevel, runs: readonly TraceRun[]): string {
  return level === "io" ? ioClassOf(runs) : traceClassOf(runs);
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
 * The `ok` rows of one `traceFunctions` call, by input set and class: rows that behave exactly
 * alike (renamed variants, clones) share one list of runs instead of each keeping its own. The
 * runs the parent keeps for the output were most of its CPU: every kept object is copied by the
 * young generation's collector before it is promoted (≈ 40 % of the parent's CPU per snippet in
 * the bench of issue 14). A hit is checked value by value, so a digest collision only costs the
 * sharing; the values were checked by `parseChildLine` either way.
 */
class SharedRuns {
  private readonly byInputs = new Map<
    readonly string[][],
    Map<string, { runs: TraceRun[]; ioClass: string }>
  >();

  constructor(private readonly level: EquivalenceLevel) {}

  classes(
    raw: readonly RawRun[],
    inputs: readonly string[][],
  ): { traceClass: string; ioClass: string; runs: TraceRun[] } {
    const io = () => outputsClass(raw.map((r) => r[2]));
    const key = this.level === "io" ? io() : rawTraceClass(raw);
    let seen = this.byInputs.get(inputs);
    if (!seen) {
      seen = new Map();
      this.byInputs.set(inputs, seen);
    }
    const hit = seen.get(key);
    if (hit && sameRuns(raw, hit.runs)) {
      return { traceClass: key, ioClass: hit.ioClass, runs: hit.runs };
    }
    const runs = toRuns(raw, inputs);
    const ioClass = this.level === "io" ? key : io();
    if (!hit) seen.set(key, { runs, ioClass });
    return { traceClass: key, ioClass, runs };
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

/**
 * "raises X on every input (message)" when no call returned, else undefined; `first` is the
 * first call's exception as the tracer sent it ("X: message").
 */
export function alwaysRaised(runs: readonly RawRun[], first?: string): string | undefined {
  if (runs.length === 0 || !runs.every((r) => r[2].startsWith("raise:"))) return undefined;
  const counts = new Map<string, number>();
  for (const r of runs) counts.set(r[2].slice(6), (counts.get(r[2].slice(6)) ?? 0) + 1);
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
