/**
 * Messages between `TracerPool` and its sandboxed children: one JSON object per line on the
 * child's fd 3. The parent trusts nothing a child sends: `parseChildLine` checks the shape,
 * the job id and every size before anything reaches a result, and any deviation is a
 * `ProtocolError` that fails only the child's current job (the child is then replaced).
 */
import type { TraceStatus } from "../data/index.js";

/** A module's package: its path in it (`pkg/sub/mod.py`) and every file's source by path. */
export interface PackageFiles {
  path: string;
  files: Record<string, string>;
}

export type ParentMessage =
  | {
      t: "init";
      pyodideDir: string;
      memoryMb: number;
      /** The start-up snapshot to load (read-only in the child). */
      snapshot?: string;
      /** Make the start-up snapshot from `tracer`, write it to stdout and exit. */
      make?: boolean;
      /** The tracer's source, for a child without a snapshot. */
      tracer?: string;
    }
  | {
      t: "job";
      id: number;
      code: string;
      entry: string;
      /** Input-set key; `inputs` is sent only the first time a child sees the key. */
      key: string;
      inputs?: { types: string; values: string };
      /** Restore the pristine interpreter first: this job starts a new unit of trust. */
      reset: boolean;
      /** Block events of user code for the whole snippet before it is stopped. */
      maxSteps: number;
      maxEvents: number;
      maxChars: number;
      /** Run `code` as a module: statement by statement, failing imports bound to placeholders. */
      module: boolean;
      /** The package the module belongs to: its siblings become importable. */
      package?: PackageFiles;
    }
  | { t: "blocks"; id: number; code: string };

/** One call as the tracer reports it: blocks, values, output, truncated. */
export type RawRun = [number[], string[], string, boolean];

export interface JobResult {
  s: TraceStatus;
  e?: string;
  r: RawRun[];
  /** An ok result's outputs depend on call order: how the first input's differed when rerun. */
  o?: string;
}

export interface StaticBlock {
  start: number;
  /** Offset whose execution marks entry into the block (null: never observable). */
  entry: number | null;
  ops: string[];
}

export type ChildMessage =
  | { t: "ready" }
  | { t: "fatal"; error: string; id?: number }
  | { t: "result"; id: number; result: JobResult; inputs?: string }
  | { t: "blocks"; id: number; result?: { name: string; blocks: StaticBlock[] }[]; error?: string };

export class ProtocolError extends Error {}

/** What the parent expects of the next message: the job at the head of the child's pipeline. */
export interface Expectation {
  id: number;
  kind: "job" | "blocks";
  /** Inputs in the job's input set: an `ok` result has exactly one run per input. */
  inputs: number;
  maxEvents: number;
  /** Whether the child has not been sent this input set's values before (it must echo them). */
  firstOfKey: boolean;
}

/** What a child may report; `always_raises` is decided by the parent from the runs. */
const STATUSES: ReadonlySet<string> = new Set([
  "ok",
  "syntax_error",
  "runtime_error",
  "timeout",
  "limit",
]);
/** Longest error text a child may send. */
const MAX_ERROR = 4000;
/**
 * Longest single value, in UTF-16 units: an encoding is capped at 1,000 characters (code points,
 * which a character outside the BMP, an emoji, counts as two units) plus a length suffix.
 */
const MAX_VALUE = 2200;

function fail(why: string): never {
  throw new ProtocolError(`sandbox protocol violation: ${why}`);
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const isString = (v: unknown, max: number): v is string => typeof v === "string" && v.length <= max;

/** Checks one line from a child against what the parent expects next. */
export function parseChildLine(line: string, expect: Expectation | undefined): ChildMessage {
  let m: unknown;
  try {
    m = JSON.parse(line);
  } catch {
    fail("a message is not JSON");
  }
  if (!isObject(m)) fail("a message is not an object");
  if (m.t === "ready") return { t: "ready" };
  if (m.t === "fatal") {
    if (!isString(m.error, MAX_ERROR)) fail("a fatal message has no error text");
    return { t: "fatal", error: m.error };
  }
  if (!expect) fail(`a "${String(m.t).slice(0, 20)}" message arrived while no job was running`);
  if (m.id !== expect.id)
    fail(
      `an answer for job ${String(m.id).slice(0, 20)} arrived while job ${expect.id} was running`,
    );
  if (expect.kind === "blocks") {
    if (m.t !== "blocks") fail("a blocks job was answered with another message");
    if (m.error !== undefined) {
      if (!isString(m.error, MAX_ERROR)) fail("a blocks error is not a short string");
      return { t: "blocks", id: expect.id, error: m.error };
    }
    if (!Array.isArray(m.result)) fail("a blocks result is not a list");
    for (const f of m.result) {
      if (!isObject(f) || !isString(f.name, 1000) || !Array.isArray(f.blocks)) {
        fail("a blocks result has a malformed function");
      }
    }
    return {
      t: "blocks",
      id: expect.id,
      result: m.result as { name: string; blocks: StaticBlock[] }[],
    };
  }
  if (m.t !== "result") fail("a job was answered with another message");
  let inputs: string | undefined;
  if (expect.firstOfKey) {
    if (!isString(m.inputs, 64 * 1024 * 1024))
      fail("the encoded inputs of a new input set are missing");
    inputs = m.inputs;
    let parsed: unknown;
    try {
      parsed = JSON.parse(inputs);
    } catch {
      fail("the encoded inputs are not JSON");
    }
    if (!Array.isArray(parsed) || parsed.length !== expect.inputs) {
      fail("the encoded inputs do not have one entry per input");
    }
    for (const row of parsed) {
      if (!Array.isArray(row) || !row.every((v) => isString(v, MAX_VALUE))) {
        fail("an encoded input is not a list of short strings");
      }
    }
  } else if (m.inputs !== undefined) {
    fail("encoded inputs were sent for an input set the parent already has");
  }
  return { t: "result", id: expect.id, result: checkResult(m.result, expect), inputs };
}

function checkResult(r: unknown, expect: Expectation): JobResult {
  if (!isObject(r)) fail("a result is not an object");
  if (typeof r.s !== "string" || !STATUSES.has(r.s)) fail("a result has an unknown status");
  if (r.e !== undefined && !isString(r.e, MAX_ERROR))
    fail("a result's error is not a short string");
  if (!Array.isArray(r.r)) fail("a result's runs are not a list");
  const status = r.s as TraceStatus;
  if (r.o !== undefined && (status !== "ok" || !isString(r.o, MAX_ERROR)))
    fail("a result's order note is not a short string on an ok result");
  if (status === "ok" ? r.r.length !== expect.inputs : r.r.length !== 0) {
    fail(`a result with status ${status} has ${r.r.length} runs for ${expect.inputs} inputs`);
  }
  for (const run of r.r) {
    if (!Array.isArray(run) || run.length !== 4)
      fail("a run is not [blocks, values, output, truncated]");
    const [blocks, values, output, truncated] = run as unknown[];
    if (!Array.isArray(blocks) || !Array.isArray(values) || blocks.length !== values.length) {
      fail("a run's blocks and values are not lists of one length");
    }
    if (blocks.length > expect.maxEvents) fail("a run has more block events than the cap");
    for (let i = 0; i < blocks.length; i++) {
      const b = blocks[i];
      if (typeof b !== "number" || !Number.isInteger(b) || b < 0)
        fail("a block id is not a natural number");
      if (!isString(values[i], MAX_VALUE + 10)) fail("a block value is not a short string");
    }
    if (!isString(output, MAX_VALUE)) fail("a run's output is not a short string");
    if (typeof truncated !== "boolean") fail("a run's truncated flag is not a boolean");
  }
  return {
    s: status,
    ...(r.e === undefined ? {} : { e: r.e }),
    r: r.r as RawRun[],
    ...(r.o === undefined ? {} : { o: r.o as string }),
  };
}
