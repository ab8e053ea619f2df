/**
 * Whether traces differ inside a behaviour class. When every member of a class runs the same
 * basic blocks with the same values, the trace alone names the class and a trace encoder is
 * perfect without learning anything: "joint is most accurate" (C7) is then trivial. A class
 * counts as diverse when its members have at least two distinct canonical traces (blocks,
 * values and outputs of every call, src/python's `trace` class).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { FunctionRow, readJsonlLenient, TraceRow } from "../data/index.js";
import { traceClassOf } from "../python/index.js";

export interface TraceDiversity {
  /** Behaviour classes (the training labels) with at least two snippets that ran. */
  classes: number;
  /** Those whose snippets have two or more distinct traces. */
  diverse: number;
  /** Distinct traces per class, mean over those classes. */
  meanTraces: number;
}

/** Diversity of `traces` grouped by their label (`traceClass`); null when no class can tell. */
export function traceDiversity(traces: readonly TraceRow[]): TraceDiversity | null {
  const byClass = new Map<string, Set<string>>();
  const sizes = new Map<string, number>();
  for (const t of traces) {
    if (t.status !== "ok" || t.traceClass === null || t.runs.length === 0) continue;
    const set = byClass.get(t.traceClass) ?? new Set<string>();
    set.add(traceClassOf(t.runs));
    byClass.set(t.traceClass, set);
    sizes.set(t.traceClass, (sizes.get(t.traceClass) ?? 0) + 1);
  }
  const counted = [...byClass].filter(([c]) => (sizes.get(c) ?? 0) >= 2).map(([, s]) => s.size);
  if (counted.length === 0) return null;
  return {
    classes: counted.length,
    diverse: counted.filter((n) => n >= 2).length,
    meanTraces: counted.reduce((a, b) => a + b, 0) / counted.length,
  };
}

/** The diversity of a dataset directory's `traces.jsonl`, or null when it is not there. */
export function datasetTraceDiversity(dataDir: string): TraceDiversity | null {
  const path = join(dataDir, "traces.jsonl");
  if (!existsSync(path)) return null;
  return traceDiversity(readJsonlLenient(path, TraceRow).rows);
}

/**
 * Behaviour classes among a dataset's held-out functions (the val split of `holdOut
 * functions`), counted over snippets that traced ok; null when the files are not there. With
 * one class every val retrieval is right whatever the model, and val figures decide nothing.
 */
export function datasetValClasses(dataDir: string): { snippets: number; classes: number } | null {
  const fPath = join(dataDir, "functions.jsonl");
  const tPath = join(dataDir, "traces.jsonl");
  if (!existsSync(fPath) || !existsSync(tPath)) return null;
  const val = new Set(
    readJsonlLenient(fPath, FunctionRow)
      .rows.filter((r) => r.split !== "train")
      .map((r) => r.id),
  );
  const classes = new Set<string>();
  let snippets = 0;
  for (const t of readJsonlLenient(tPath, TraceRow).rows) {
    if (!val.has(t.id) || t.status !== "ok" || t.traceClass === null) continue;
    snippets++;
    classes.add(t.traceClass);
  }
  return { snippets, classes: classes.size };
}
