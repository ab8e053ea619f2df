/**
 * Behaviour by execution: two functions agree on an input when they return the same encoded
 * value (or raise the same exception type). Functions with different argument types share no
 * inputs; functions that could not run agree with nothing.
 */
import type { FunctionRow, TraceRow } from "../../data/index.js";

/** Inputs on which a and b agree, of the inputs they share (0 of 0 when none). */
export function agreement(
  a: TraceRow | undefined,
  b: TraceRow | undefined,
): { equal: number; shared: number; firstDifference: string[] | null } {
  if (!a || !b || a.status !== "ok" || b.status !== "ok") {
    return { equal: 0, shared: 0, firstDifference: null };
  }
  const shared = Math.min(a.runs.length, b.runs.length);
  let equal = 0;
  let firstDifference: string[] | null = null;
  for (let i = 0; i < shared; i++) {
    const ra = a.runs[i];
    const rb = b.runs[i];
    if (ra.input.join("\u0000") !== rb.input.join("\u0000"))
      return { equal: 0, shared: 0, firstDifference: null };
    if (ra.output === rb.output) equal++;
    else firstDifference ??= ra.input;
  }
  return { equal, shared, firstDifference };
}

/** [n, n] dissimilarity: 1 − the fraction of shared inputs with equal outputs (1 when none). */
export function execDissimilarity(
  rows: readonly FunctionRow[],
  traces: ReadonlyMap<string, TraceRow>,
): Float64Array {
  const n = rows.length;
  const dis = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      const { equal, shared } = agreement(traces.get(rows[i].id), traces.get(rows[j].id));
      dis[i * n + j] = dis[j * n + i] = shared > 0 ? 1 - equal / shared : 1;
    }
  }
  return dis;
}
