/**
 * Verification by execution. Every variant must behave like its source on the trace inputs
 * (same `io` class), variants made only by trace-preserving transforms must also keep the
 * `trace` class, and different groups must have different `io` classes. A failure is a bug
 * in a transform or a family, so it throws with everything needed to reproduce it.
 */
import type { FunctionRow, TraceRow } from "../data/index.js";
import { preservesTrace } from "./transforms/registry.js";

/** Runs rows and returns one trace row per input row (matched by id). */
export type TraceFn = (rows: FunctionRow[]) => Promise<TraceRow[]>;

/** Trace settings matching `tracecode trace` defaults, so verified means verified on those inputs. */
export const VERIFY_TRACE_OPTIONS = {
  inputs: 100,
  range: { min: -100, max: 100 },
  seed: 0,
  workers: 2,
  level: "trace" as const,
};

export class VerificationError extends Error {
  constructor(
    message: string,
    readonly rowId: string,
  ) {
    super(message);
    this.name = "VerificationError";
  }
}

export interface VerifyReport {
  groups: number;
  variants: number;
  /** Variants whose trace class was also compared. */
  traceChecked: number;
}

function describe(row: FunctionRow): string {
  const how = row.transforms.length > 0 ? `transforms: ${row.transforms.join(", ")}` : "source";
  return `${row.id} (${how}):\n${row.code}`;
}

export async function verifyDataset(rows: FunctionRow[], trace: TraceFn): Promise<VerifyReport> {
  const traces = new Map((await trace(rows)).map((t) => [t.id, t]));
  const groups = new Map<string, FunctionRow[]>();
  for (const row of rows) {
    const list = groups.get(row.group) ?? [];
    list.push(row);
    groups.set(row.group, list);
  }
  const groupOfIo = new Map<string, FunctionRow>();
  let variants = 0;
  let traceChecked = 0;
  for (const [group, members] of groups) {
    const source = members.find((r) => r.transforms.length === 0);
    if (!source) throw new VerificationError(`group ${group} has no source row`, group);
    const st = traces.get(source.id);
    if (!st) throw new VerificationError(`no trace for ${source.id}`, source.id);
    if (st.status !== "ok" || st.ioClass === null)
      throw new VerificationError(
        `source ${describe(source)}\ndoes not run: ${st.status} ${st.error ?? ""}`,
        source.id,
      );
    const clash = groupOfIo.get(st.ioClass);
    if (clash)
      throw new VerificationError(
        `groups ${clash.group} and ${group} behave the same on the trace inputs:\n` +
          `${describe(clash)}\n${describe(source)}`,
        source.id,
      );
    groupOfIo.set(st.ioClass, source);
    for (const row of members) {
      if (row === source) continue;
      variants++;
      const t = traces.get(row.id);
      const fail = (what: string) =>
        new VerificationError(
          `variant ${describe(row)}\n${what} its source ${describe(source)}`,
          row.id,
        );
      if (!t) throw fail("has no trace, unlike");
      if (t.status !== "ok") throw fail(`does not run (${t.status} ${t.error ?? ""}), unlike`);
      if (t.ioClass !== st.ioClass) throw fail("gives different outputs from");
      if (preservesTrace(row.transforms) && t.level === "trace") {
        traceChecked++;
        if (t.traceClass !== st.traceClass) throw fail("has a different trace from");
      }
    }
  }
  return { groups: groups.size, variants, traceChecked };
}
