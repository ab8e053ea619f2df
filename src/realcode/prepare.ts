/**
 * A real-code training set from a file of functions labelled with `family`: semantics-preserving
 * variants of every function (the synthetic generator's tree-sitter transforms), every function
 * and variant run in the sandbox on the real-code inputs, and behaviour classes by execution.
 *
 * Labels are the `io` class (same outputs or exception types on every seeded input), so the
 * positives of a function are the members of its family that behave like it and its own
 * verified variants. A variant is kept only if it runs and gives its source's outputs; one that
 * does not is dropped and counted (real code breaks assumptions of some transforms, e.g.
 * `commute` on `str` arguments). Besides the variants drawn from every transform, `structural`
 * variants use only the rewrites that change the basic blocks (loop ↔ comprehension, early
 * return ↔ flag, …), so positives differ in their traces, not just in names and layout.
 * Near-miss mutants (`mutants` per function: an off-by-one `range`, a moved comparison
 * boundary, …) are kept only when they run and differ from their source on the inputs; each is
 * its own row (`mutant: true`) whose class is its own behaviour, a hard negative of the source.
 * Families go whole to `train` or `val`, chosen by the seed; a mutant goes with its source.
 */
import type { FunctionRow, TraceRow } from "../data/index.js";
import { type TracerPool, traceClassOf, traceFunctions } from "../python/index.js";
import { Random } from "../random/index.js";
import {
  applicableVariant,
  initPython,
  makeMutants,
  randomVariant,
  splitGroups,
  structuralPool,
  transformPool,
} from "../synth/index.js";
import { REAL_INPUTS, REAL_INT_RANGE } from "./inputs.js";

export interface PrepareOptions {
  /** Seed of the variants and of the family split. */
  seed: number;
  /** Transformed variants tried per function (duplicates and failures are not replaced). */
  variants: number;
  /** More variants per function made only by block-changing rewrites. */
  structural: number;
  /** Near-miss mutants tried per function (kept when verified to differ). */
  mutants: number;
  /** Share of families held out as `val`. */
  valFraction: number;
  /** Seeded inputs per function (REAL_INPUTS, as everywhere real code runs). */
  inputs: number;
  /** Wall-time budget per function, all inputs together. */
  timeoutMs: number;
  pool?: TracerPool;
  onProgress?: (done: number, total: number) => void;
}

export const DEFAULT_PREPARE_OPTIONS = {
  seed: 0,
  variants: 3,
  structural: 2,
  mutants: 1,
  valFraction: 0.2,
  inputs: REAL_INPUTS,
  timeoutMs: 20000,
} satisfies PrepareOptions;

export interface PrepareReport {
  functions: number;
  families: number;
  /** Functions that did not run (left out with their variants). */
  notRun: { id: string; status: string; error?: string }[];
  /** Families whose members fall into more than one behaviour class, with those classes' ids. */
  splitFamilies: { family: string; classes: string[][] }[];
  variants: {
    tried: number;
    kept: number;
    /** Transform sequences that did not apply or repeated code already made. */
    unchanged: number;
    droppedNotRunning: number;
    droppedDifferentOutputs: number;
    /** Per transform: variants it took part in that failed verification. */
    droppedByTransform: Record<string, number>;
    /** Per transform: kept variants it took part in. */
    keptByTransform: Record<string, number>;
  };
  mutants: {
    tried: number;
    /** Made (an edit applied and parsed) out of `tried`. */
    made: number;
    kept: number;
    droppedSameOutputs: number;
    droppedNotRunning: number;
    /** Per mutation: mutants kept. */
    keptByMutation: Record<string, number>;
  };
  /** Behaviour classes of the functions and their variants (mutants not counted). */
  classes: number;
  /** Those classes (with ≥ 2 rows) whose rows run two or more distinct traces. */
  traces: { classes: number; diverse: number };
  rows: { train: number; val: number };
}

export interface PreparedCorpus {
  functions: FunctionRow[];
  /** Status and classes per row; the runs are left out (code-only encoders need none). */
  traces: TraceRow[];
  report: PrepareReport;
}

const familyOf = (r: FunctionRow) => r.family ?? r.group;

/** Argument types that are plain ints (what the int-assuming transforms need). */
const INT_ARGS = new Set(["int", "nonneg_int", "pos_int", "small_nonneg_int"]);

export async function prepareRealCode(
  sources: readonly FunctionRow[],
  options: Partial<PrepareOptions> = {},
): Promise<PreparedCorpus> {
  const o = { ...DEFAULT_PREPARE_OPTIONS, ...options };
  await initPython();
  const rng = new Random(o.seed);
  const families = [...new Set(sources.map(familyOf))].sort();
  const split = splitGroups(families, o.valFraction, rng.fork("split"));
  // transforms that assume int parameters only for functions whose arguments are all ints
  const pools = (args: readonly string[]) => {
    const ints = args.every((a) => INT_ARGS.has(a));
    return { pool: transformPool(true, ints), structural: structuralPool(ints) };
  };

  const candidates: FunctionRow[] = [];
  const mutantRows: FunctionRow[] = [];
  let unchanged = 0;
  for (const source of sources) {
    const fam = familyOf(source);
    const base: FunctionRow = {
      ...source,
      group: source.id,
      family: fam,
      transforms: [],
      split: split.get(fam) ?? "train",
      seed: o.seed,
    };
    candidates.push(base);
    const seen = new Set([source.code]);
    const { pool, structural } = pools(source.args);
    const tries = [
      ...Array.from({ length: o.variants }, (_, i) => ({ id: `v${i + 1}`, structural: false })),
      ...Array.from({ length: o.structural }, (_, i) => ({ id: `s${i + 1}`, structural: true })),
    ];
    for (const t of tries) {
      const r = rng.fork(`${source.id}/${t.id}`);
      // a structural variant applies one or two of the rewrites that match this function
      const variant = t.structural
        ? applicableVariant(source, structural, r, r.int(1, 2))
        : randomVariant(source, pool, r);
      if (!variant || seen.has(variant.code)) {
        unchanged++;
        continue;
      }
      seen.add(variant.code);
      candidates.push({
        ...base,
        id: `${source.id}/${t.id}`,
        code: variant.code,
        entry: variant.entry,
        transforms: variant.transforms,
      });
    }
    makeMutants(source, o.mutants, rng.fork(`${source.id}/mutants`)).forEach((m, k) => {
      const id = `${source.id}/m${k}`;
      mutantRows.push({
        ...base,
        id,
        group: id,
        code: m.code,
        transforms: [m.mutation],
        mutant: true,
      });
    });
  }

  const traced = await traceFunctions([...candidates, ...mutantRows], {
    inputs: o.inputs,
    range: REAL_INT_RANGE,
    seed: o.seed,
    timeoutMs: o.timeoutMs,
    level: "io",
    pool: o.pool,
    onProgress: o.onProgress ? (d, t) => o.onProgress?.(d, t) : undefined,
  });
  const traceOf = new Map(traced.map((t) => [t.id, t]));

  const verified = verifyVariants(candidates, traceOf);
  const { functions, sourceTrace } = verified;
  const mutants = verifyMutants(mutantRows, traceOf, sourceTrace);
  const report: PrepareReport = {
    functions: sources.length,
    families: families.length,
    notRun: verified.notRun,
    splitFamilies: [],
    variants: {
      tried: sources.length * (o.variants + o.structural),
      unchanged,
      ...verified.variants,
    },
    mutants: { tried: sources.length * o.mutants, made: mutantRows.length, ...mutants.report },
    classes: 0,
    traces: { classes: 0, diverse: 0 },
    rows: { train: 0, val: 0 },
  };

  const classesOfFamily = new Map<string, Map<string, string[]>>();
  for (const [id, t] of sourceTrace) {
    const fam = familyOf(functions.find((r) => r.id === id) as FunctionRow);
    const byClass = classesOfFamily.get(fam) ?? new Map<string, string[]>();
    byClass.set(t.ioClass as string, [...(byClass.get(t.ioClass as string) ?? []), id]);
    classesOfFamily.set(fam, byClass);
  }
  for (const [family, byClass] of classesOfFamily) {
    if (byClass.size > 1) report.splitFamilies.push({ family, classes: [...byClass.values()] });
  }

  const traces = functions.map((r) => {
    const t = traceOf.get(r.id) as TraceRow;
    return { ...t, runs: [] };
  });
  report.classes = new Set(traces.map((t) => t.traceClass)).size;
  report.traces = traceDiversity(functions.map((r) => traceOf.get(r.id) as TraceRow));
  functions.push(...mutants.kept);
  traces.push(...mutants.kept.map((r) => ({ ...(traceOf.get(r.id) as TraceRow), runs: [] })));
  for (const r of functions) report.rows[r.split === "train" ? "train" : "val"]++;
  return { functions, traces, report };
}

/** Classes with ≥ 2 rows, and those whose rows' canonical traces are not all the same. */
function traceDiversity(rows: readonly TraceRow[]): PrepareReport["traces"] {
  const byClass = new Map<string, string[]>();
  for (const t of rows) {
    const list = byClass.get(t.traceClass as string) ?? [];
    list.push(traceClassOf(t.runs));
    byClass.set(t.traceClass as string, list);
  }
  const sized = [...byClass.values()].filter((l) => l.length >= 2);
  return { classes: sized.length, diverse: sized.filter((l) => new Set(l).size >= 2).length };
}

/**
 * Keeps the mutants that run and give other outputs than their source (`group` is the
 * mutant's own id; its source is the id before `/m`), counted per mutation.
 */
export function verifyMutants(
  mutants: readonly FunctionRow[],
  traceOf: ReadonlyMap<string, TraceRow>,
  sourceTrace: ReadonlyMap<string, TraceRow>,
): {
  kept: FunctionRow[];
  report: Omit<PrepareReport["mutants"], "tried" | "made">;
} {
  const kept: FunctionRow[] = [];
  const report = {
    kept: 0,
    droppedSameOutputs: 0,
    droppedNotRunning: 0,
    keptByMutation: {} as Record<string, number>,
  };
  for (const row of mutants) {
    const source = sourceTrace.get(row.id.slice(0, row.id.lastIndexOf("/m")));
    if (!source) continue; // its source did not run
    const t = traceOf.get(row.id);
    if (t?.status !== "ok") report.droppedNotRunning++;
    else if (t.ioClass === source.ioClass) report.droppedSameOutputs++;
    else {
      kept.push(row);
      report.kept++;
      for (const name of row.transforms)
        report.keptByMutation[name] = (report.keptByMutation[name] ?? 0) + 1;
    }
  }
  return { kept, report };
}

/**
 * Keeps the sources that run and the variants that run and give their source's outputs (the
 * source is the row of the variant's `group` with no transforms, listed before it). Everything else is dropped and
 * counted, per transform it involved.
 */
export function verifyVariants(
  candidates: readonly FunctionRow[],
  traceOf: ReadonlyMap<string, TraceRow>,
): {
  functions: FunctionRow[];
  sourceTrace: Map<string, TraceRow>;
  notRun: PrepareReport["notRun"];
  variants: Omit<PrepareReport["variants"], "tried" | "unchanged">;
} {
  const functions: FunctionRow[] = [];
  const sourceTrace = new Map<string, TraceRow>();
  const notRun: PrepareReport["notRun"] = [];
  const variants = {
    kept: 0,
    droppedNotRunning: 0,
    droppedDifferentOutputs: 0,
    droppedByTransform: {} as Record<string, number>,
    keptByTransform: {} as Record<string, number>,
  };
  // Candidates list each source before its variants (prepareRealCode's order, kept in the output).
  for (const row of candidates) {
    const t = traceOf.get(row.id);
    if (row.transforms.length === 0) {
      if (t?.status !== "ok") {
        notRun.push({ id: row.id, status: t?.status ?? "untraced", error: t?.error });
        continue;
      }
      sourceTrace.set(row.id, t);
      functions.push(row);
      continue;
    }
    const st = sourceTrace.get(row.group);
    if (!st) continue; // its source did not run
    const runs = t?.status === "ok";
    if (runs && t.ioClass === st.ioClass) {
      variants.kept++;
      functions.push(row);
      for (const name of row.transforms) {
        variants.keptByTransform[name] = (variants.keptByTransform[name] ?? 0) + 1;
      }
      continue;
    }
    if (runs) variants.droppedDifferentOutputs++;
    else variants.droppedNotRunning++;
    for (const name of row.transforms) {
      variants.droppedByTransform[name] = (variants.droppedByTransform[name] ?? 0) + 1;
    }
  }
  return { functions, sourceTrace, notRun, variants };
}
