/**
 * Row schemas for every file TraceCode writes or reads (see docs/ARCHITECTURE.md, "Data on disk").
 * Readers validate each row, so a malformed line is reported by file and line number.
 */
import { z } from "zod";

/**
 * Atomic argument types of the input type language (docs/ARCHITECTURE.md, "Data you may use",
 * widened for real code: `bytes`, and `none` inside `optional`).
 */
export const ARG_TYPES = [
  "int",
  "nonneg_int",
  "pos_int",
  "small_nonneg_int",
  "float",
  "str",
  "bool",
  "list[int]",
  "list[float]",
  "list[str]",
  "sorted_list[int]",
  "bytes",
  "none",
] as const;

/** The atoms a composite type is built from (`sorted_list[int]` is its own form). */
const ATOMS = new Set<string>([
  "int",
  "nonneg_int",
  "pos_int",
  "small_nonneg_int",
  "float",
  "str",
  "bool",
  "bytes",
  "none",
]);

/**
 * A parsed argument type. Written without spaces: `list[T]`, `sorted_list[int]`, `tuple[A,B]`,
 * `tuple[T,...]` (any length), `set[T]`, `frozenset[T]`, `dict[K,V]`, `optional[T]` (None or
 * T), `union[A,B,…]`, `callable[N]` (a pure builtin of N arguments, N 0–2), and at the top level
 * of a signature `*list[T]` (the values are spread as extra positional arguments).
 */
export type TypeNode =
  | { kind: "atom"; name: string }
  | { kind: "sorted_list" }
  | { kind: "list" | "set" | "frozenset" | "optional" | "star"; of: TypeNode }
  | { kind: "tuple"; items: TypeNode[]; variadic: boolean }
  | { kind: "dict"; key: TypeNode; value: TypeNode }
  | { kind: "union"; options: TypeNode[] }
  | { kind: "callable"; arity: number };

/** Splits the arguments of `X[A,B]` at top level (brackets respected). */
function splitArgs(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "[") depth++;
    else if (c === "]") depth--;
    else if (c === "," && depth === 0) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out;
}

/**
 * A list of argument types written as one text, as `--args` takes it: `int,dict[str,int]` is two
 * types (commas inside brackets belong to a type), whitespace dropped. Throws as parseArgType.
 */
export function parseArgTypes(text: string): ArgType[] {
  const types = splitArgs(text.replace(/\s+/g, ""));
  for (const t of types) parseArgType(t);
  return types;
}

/** Parses a type of the language; throws an Error naming the type and the problem. */
export function parseArgType(text: string, top = true): TypeNode {
  const fail = (why: string): never => {
    throw new Error(`argument type "${text}": ${why}`);
  };
  // Types are also keys (input sets, signatures), so one spelling only: say so rather than
  // failing later on " int".
  if (top && /\s/.test(text)) fail(`no spaces inside a type (write ${text.replace(/\s+/g, "")})`);
  if (text.startsWith("*")) {
    if (!top) fail("a *spread is allowed only as a whole argument");
    const of = parseArgType(text.slice(1), false);
    if (of.kind !== "list") fail("only *list[T] can be spread");
    return { kind: "star", of: (of as { of: TypeNode }).of };
  }
  if (ATOMS.has(text)) return { kind: "atom", name: text };
  if (text === "sorted_list[int]") return { kind: "sorted_list" };
  const m = /^([a-z_]+)\[(.*)\]$/.exec(text);
  if (!m) return fail(`unknown type (atoms: ${[...ATOMS].join(", ")})`);
  const [, head, body] = m;
  const args = splitArgs(body);
  if (args.some((a) => a === "") && !(head === "tuple" && body === "")) fail("empty type argument");
  const sub = (t: string) => parseArgType(t, false);
  switch (head) {
    case "list":
    case "set":
    case "frozenset":
    case "optional":
      if (args.length !== 1) fail(`${head}[…] takes one type`);
      return { kind: head, of: sub(args[0]) };
    case "tuple":
      if (body === "") return { kind: "tuple", items: [], variadic: false };
      if (args.length === 2 && args[1] === "...")
        return { kind: "tuple", items: [sub(args[0])], variadic: true };
      return { kind: "tuple", items: args.map(sub), variadic: false };
    case "dict":
      if (args.length !== 2) fail("dict[…] takes a key and a value type");
      return { kind: "dict", key: sub(args[0]), value: sub(args[1]) };
    case "union":
      if (args.length < 2) fail("union[…] takes two or more types");
      return { kind: "union", options: args.map(sub) };
    case "callable": {
      const n = Number(body);
      if (!Number.isInteger(n) || n < 0 || n > 2) fail("callable[N] takes N in 0..2");
      return { kind: "callable", arity: n };
    }
    default:
      return fail(`unknown type constructor "${head}"`);
  }
}

export function isArgType(text: string): boolean {
  try {
    parseArgType(text);
    return true;
  } catch {
    return false;
  }
}

/** An argument type: an atom of ARG_TYPES or a composite (see parseArgType). */
export const ArgType = z.string().superRefine((t, ctx) => {
  try {
    parseArgType(t);
  } catch (e) {
    ctx.addIssue({ code: "custom", message: (e as Error).message });
  }
});
export type ArgType = string;

export const Split = z.enum(["train", "val", "test"]);
export type Split = z.infer<typeof Split>;

/** One snippet of `functions.jsonl`. */
export const FunctionRow = z
  .object({
    /** Unique snippet id, e.g. `affine-003/v07`. */
    id: z.string().min(1),
    /**
     * Id of the source function this snippet was derived from (its own id for a source). Real-code
     * rows may leave it out: it then defaults to the row's `family`, else its `id`.
     */
    group: z.string().min(1).optional(),
    code: z.string(),
    /** Names of the transforms applied to the source, in order; empty for a source function. */
    transforms: z.array(z.string()).default([]),
    split: Split.default("train"),
    /** Generator seed the row came from. */
    seed: z.number().int().default(0),
    /** Generator family (`affine`, `piecewise`, …) or the real-code family label. */
    family: z.string().optional(),
    /** Function to call; `f` when absent. */
    entry: z.string().default("f"),
    /** Argument types; `["int"]` when absent. */
    args: z.array(ArgType).default(["int"]),
    /** Where the code came from (real code: repository, path and revision). */
    source: z.string().optional(),
    /** True for a near-miss mutant made for hard negatives (its own group). */
    mutant: z.boolean().optional(),
    /**
     * The whole module the function lives in (real code): when present the sandbox runs it
     * statement by statement as the module defines it (constants, classes, helpers, imports; a
     * failing import binds a placeholder that raises only when used), then calls `entry`.
     * `code` stays what is embedded and shown.
     */
    module: z.string().optional(),
    /**
     * With `module`: the package folder it lives in (its path there, every file's source by
     * path), so its relative and absolute imports of the package's modules work.
     */
    package: z.object({ path: z.string(), files: z.record(z.string(), z.string()) }).optional(),
  })
  .transform((row) => ({ ...row, group: row.group ?? row.family ?? row.id }));
export type FunctionRow = z.infer<typeof FunctionRow>;
export type FunctionRowInput = z.input<typeof FunctionRow>;

/**
 * `always_raises`: every call raised (the exception is in `error`); such a row has no behaviour
 * class, since raising alike says nothing about what two functions compute.
 */
export const TraceStatus = z.enum([
  "ok",
  "always_raises",
  "syntax_error",
  "runtime_error",
  "timeout",
  "limit",
]);
export type TraceStatus = z.infer<typeof TraceStatus>;

export const EquivalenceLevel = z.enum(["trace", "io"]);
export type EquivalenceLevel = z.infer<typeof EquivalenceLevel>;

/**
 * One call of the function on one input. Values are canonical, name-free strings
 * (encoding documented in src/python/README.md), so they hash and compare exactly.
 */
export const TraceRun = z.object({
  /** The encoded arguments. */
  input: z.array(z.string()),
  /** Canonical block ids in order of execution (numbered by first execution). */
  blocks: z.array(z.number().int()),
  /** One encoded value per block event (see the tracer docs for which value each block gives). */
  values: z.array(z.string()),
  /** Encoded return value, or `raise:<ExceptionType>`. */
  output: z.string(),
  /** True when the trace hit the length cap and was cut. */
  truncated: z.boolean(),
});
export type TraceRun = z.infer<typeof TraceRun>;

/** One snippet of `traces.jsonl`. */
export const TraceRow = z.object({
  id: z.string().min(1),
  status: TraceStatus,
  error: z.string().optional(),
  level: EquivalenceLevel,
  /** Hash of the canonical trace at `level`; null when the snippet did not run. */
  traceClass: z.string().nullable(),
  /** Hash of the outputs alone (the `io` class), whatever `level` is. */
  ioClass: z.string().nullable(),
  runs: z.array(TraceRun),
  /**
   * An ok row whose outputs depend on the calls before (the first input, run again after the
   * others, gave another output): a rerun of one input gives another. Says how.
   */
  note: z.string().optional(),
});
export type TraceRow = z.infer<typeof TraceRow>;
