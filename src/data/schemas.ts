/**
 * Row schemas for every file TraceCode writes or reads (see docs/ARCHITECTURE.md, "Data on disk").
 * Readers validate each row, so a malformed line is reported by file and line number.
 */
import { z } from "zod";

/** Argument types of the input type language (docs/ARCHITECTURE.md, "Data you may use"). */
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
] as const;
export const ArgType = z.enum(ARG_TYPES);
export type ArgType = z.infer<typeof ArgType>;

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
});
export type TraceRow = z.infer<typeof TraceRow>;
