/**
 * Training data at corpus scale from code every machine has: the functions and methods of the
 * standard library inside the Pyodide package, run in the sandbox under their inferred
 * signatures (as `tracecode index` runs them, without probing), with positives from
 * execution-verified transformed variants and from behaviour classes found across the corpus.
 *
 * Labels (the dataset's `traceClass`): a function whose calls return at least two different
 * outputs on the shared inputs, most calls returning normally, gets its behaviour class (same
 * argument types, same outputs on every input), so functions of different modules that behave
 * alike are positives of each other. Any other function (a constant, one that mostly raises)
 * is its own class with its variants: "always returns None" says nothing about what it computes.
 * Modules go whole to `train` or `val`; a train function that is a near-duplicate of a val or
 * holdout function (src/realcode/leakcheck) is removed with its variants.
 */
import { createHash } from "node:crypto";
import { basename } from "node:path";
import type { FunctionRow, TraceRow } from "../../data/index.js";
import {
  classHash,
  type PackageFiles,
  type TracerPool,
  traceFunctions,
} from "../../python/index.js";
import { Random } from "../../random/index.js";
import { initPython, randomVariant, splitGroups, transformPool } from "../../synth/index.js";
import { REAL_INPUTS, REAL_INT_RANGE } from "../inputs.js";
import { type CodeRow, checkLeaks, type LeakMatch } from "../leakcheck/index.js";
import { verifyVariants } from "../prepare.js";
import { type Candidate, callSitesOf, candidatesOf } from "../sources.js";
import type { DebianModule } from "./debian.js";
import type { Stdlib } from "./zip.js";

export interface StdlibCorpusOptions {
  seed: number;
  /** Modules to use, by name; absent: every top-level module (then `maxModules` applies). */
  only?: string[];
  /** At most this many modules, a seeded sample of them (keeps a build within a time budget). */
  maxModules?: number;
  /** Transformed variants tried per plain function. */
  variants: number;
  /** Share of modules held out as `val`. */
  valFraction: number;
  inputs: number;
  /** Runs (inputs) kept per row for trace encoders: the tokenizer reads the first 8. */
  keepRuns: number;
  timeoutMs: number;
  /**
   * Functions files to add (rows with `family`, `entry`, `args`, `code`, like
   * data/realcode-train.jsonl): each runs as its own snippet, its family is a unit of the split
   * like a module, and it gets variants and a behaviour class like any stdlib function.
   */
  extra: { file: string; rows: FunctionRow[] }[];
  /**
   * Debian's pure-Python packages (debian.ts): the modules of the chosen top-level modules and
   * packages of `dir`, each top-level one a unit of the split (`debian:NAME`), with the
   * packages left out and why.
   */
  debian?: { dir: string; modules: DebianModule[]; skipped: { unit: string; reason: string }[] };
  /** Evaluation functions the training part must not near-duplicate (leak check). */
  holdout: { file: string; rows: CodeRow[] }[];
  pool?: TracerPool;
  onProgress?: (phase: "functions" | "variants", done: number, total: number) => void;
}

export const DEFAULT_STDLIB_OPTIONS = {
  seed: 0,
  variants: 3,
  valFraction: 0.2,
  inputs: REAL_INPUTS,
  keepRuns: 8,
  timeoutMs: 20000,
  extra: [],
} satisfies Omit<StdlibCorpusOptions, "holdout">;

/** Where a unit of the split came from. */
export type CorpusSource = "stdlib" | "debian" | "functions";

export interface SourceCounts {
  units: number;
  found: number;
  withSignature: number;
  ok: number;
  rows: { train: number; val: number };
}

export interface StdlibCorpusReport {
  /**
   * Units of the split: stdlib modules, `debian:NAME` for Debian's top-level modules and
   * packages, and `FILE:family` for the families of extra files.
   */
  modules: { train: string[]; val: string[] };
  /** The same counts per source (the sources given). */
  sources: Partial<Record<CorpusSource, SourceCounts>>;
  /** Debian's top-level packages left out, and why. */
  skipped?: { unit: string; reason: string }[];
  /** Functions and methods found, with a signature, returning on their inputs, informative. */
  functions: { found: number; withSignature: number; ok: number; informative: number };
  /** Status counts of those with a signature that did not return (`always_raises`, …). */
  notOk: Record<string, number>;
  variants: {
    tried: number;
    unchanged: number;
    kept: number;
    droppedNotRunning: number;
    droppedDifferentOutputs: number;
    droppedByTransform: Record<string, number>;
  };
  /** Behaviour classes with functions of more than one source (positives found by execution). */
  sharedClasses: number;
  functionsInSharedClasses: number;
  classes: number;
  /** Train functions removed as near-duplicates of val or holdout functions. */
  removed: { train: string; holdout: string; file: string; similarity: number }[];
  rows: { train: number; val: number };
}

/** One module's text, the unit of the split it belongs to, and where it came from. */
interface ModuleFile {
  unit: string;
  /** Its name in row ids; the functions of one module share an interpreter. */
  module: string;
  /** Where it came from (the rows' `source`; not a path on this machine). */
  path: string;
  text: string;
  /** The files served to its imports (Debian's modules). */
  package: PackageFiles | undefined;
}

export interface StdlibCorpus {
  functions: FunctionRow[];
  traces: TraceRow[];
  report: StdlibCorpusReport;
}

/** The modules a build uses: `only`, else all, else a seeded sample of `maxModules`. */
export function chooseModules(
  stdlib: Stdlib,
  o: Pick<StdlibCorpusOptions, "only" | "maxModules" | "seed">,
): string[] {
  const all = [...stdlib.modules.keys()];
  if (o.only) {
    const unknown = o.only.filter((m) => !stdlib.modules.has(m));
    if (unknown.length > 0)
      throw new Error(`not a top-level module of ${stdlib.path}: ${unknown.join(", ")}`);
    return [...new Set(o.only)].sort();
  }
  if (o.maxModules === undefined || o.maxModules >= all.length) return all;
  return new Random(o.seed).fork("modules").shuffle(all).slice(0, o.maxModules).sort();
}

const isInformative = (t: TraceRow) => {
  const outputs = t.runs.map((r) => r.output);
  const returned = outputs.filter((o) => !o.startsWith("raise:"));
  return returned.length * 2 >= outputs.length && new Set(outputs).size >= 2;
};

const ownClass = (id: string) => createHash("sha256").update(`own\n${id}`).digest("hex");

/** The module text a candidate runs in (its file, and the call wrapper when it needs one). */
const moduleOf = (c: Candidate) =>
  c.inference?.wrapper ? `${c.module}\n\n${c.inference.wrapper}\n` : (c.module as string);

export async function buildStdlibCorpus(
  stdlib: Stdlib,
  options: Partial<StdlibCorpusOptions> & Pick<StdlibCorpusOptions, "holdout">,
): Promise<StdlibCorpus> {
  const o = { ...DEFAULT_STDLIB_OPTIONS, ...options };
  await initPython();
  const stdlibModules = chooseModules(stdlib, o);
  const unitOf = (file: string, r: FunctionRow) => `${basename(file)}:${r.family ?? r.group}`;
  const extraUnits = o.extra.flatMap((x) => x.rows.map((r) => unitOf(x.file, r)));
  // Debian's modules are named by source (`debian:attr._make`), so they never meet the stdlib's.
  const files: ModuleFile[] = [
    ...stdlibModules.map((m) => ({
      unit: m,
      module: m,
      path: `python_stdlib.zip/${m}.py`,
      text: stdlib.modules.get(m) as string,
      package: undefined,
    })),
    ...(o.debian?.modules ?? []).map((d) => ({
      unit: `debian:${d.unit}`,
      module: `debian:${d.module}`,
      path: `${basename(o.debian?.dir ?? "")}/${d.rel}`,
      text: d.text,
      package: d.package,
    })),
  ];
  const sourceOfUnit = new Map<string, CorpusSource>([
    ...stdlibModules.map((m) => [m, "stdlib"] as const),
    ...(o.debian?.modules ?? []).map((d) => [`debian:${d.unit}`, "debian"] as const),
    ...extraUnits.map((u) => [u, "functions"] as const),
  ]);
  const modules = [...sourceOfUnit.keys()];
  const rng = new Random(o.seed);
  const split = splitGroups(modules, o.valFraction, rng.fork("split"));

  // 1. Candidates: every function and method with its most likely signature. A Debian module
  //    carries the files its imports are served from (debian.ts), whatever the working folder.
  const found: { f: ModuleFile; c: Candidate }[] = [];
  for (const f of files) {
    const source = { path: f.path, hash: "", text: f.text };
    const calls = await callSitesOf(source);
    const { candidates } = await candidatesOf(source, { calls });
    for (const c of candidates) found.push({ f, c });
  }
  const runnable = found.filter(({ c }) => c.args !== null);
  const rowOf = ({ f, c }: { f: ModuleFile; c: Candidate }): FunctionRow => ({
    id: `${f.module}:${c.name}`,
    group: `${f.module}:${c.name}`,
    family: f.unit,
    code: c.code,
    entry: c.inference?.entry ?? c.name,
    args: c.args as string[],
    transforms: [],
    split: split.get(f.unit) ?? "train",
    seed: o.seed,
    source: `${f.path}:${c.line}`,
    module: moduleOf(c),
    ...(f.package ? { package: f.package } : {}),
  });
  const extraRows: FunctionRow[] = o.extra.flatMap((x) =>
    x.rows.map((r) => {
      const unit = unitOf(x.file, r);
      const { module: _m, ...row } = r;
      const id = `${unit}:${r.id}`;
      return {
        ...row,
        id,
        group: id,
        family: unit,
        transforms: [],
        split: split.get(unit) ?? "train",
        seed: o.seed,
        source: r.source ?? `${basename(x.file)}:${r.id}`,
      };
    }),
  );
  const sources = [...runnable.map(rowOf), ...extraRows];
  const moduleOfRow = new Map(runnable.map(({ f }, i) => [sources[i].id, f.module]));
  const run = (rows: FunctionRow[], phase: "functions" | "variants") =>
    traceFunctions(rows, {
      inputs: o.inputs,
      range: REAL_INT_RANGE,
      seed: o.seed,
      timeoutMs: o.timeoutMs,
      level: "io",
      pool: o.pool,
      // The functions of one module share an interpreter (restored before each module).
      unitOf: (row) => `module:${moduleOfRow.get(row.group) ?? row.family}`,
      onProgress: (d, t) => o.onProgress?.(phase, d, t),
    });
  const traced = await run(sources, "functions");
  const traceOf = new Map(traced.map((t) => [t.id, t]));
  const notOk: Record<string, number> = {};
  for (const t of traced) if (t.status !== "ok") notOk[t.status] = (notOk[t.status] ?? 0) + 1;
  const ok = sources.filter((r) => traceOf.get(r.id)?.status === "ok");

  // 2. Variants of plain functions (a method's code is not a module-level definition), appended
  //    to the module so they replace the original there; verified against the source.
  const pool = transformPool(true);
  const candidateOf = new Map(runnable.map((f, i) => [sources[i].id, f.c]));
  const plain = (id: string) => {
    const c = candidateOf.get(id);
    return c === undefined || (c.kind === "function" && !c.inference?.wrapper);
  };
  const variants: FunctionRow[] = [];
  let unchanged = 0;
  let tried = 0;
  for (const source of ok) {
    if (!plain(source.id)) continue;
    const seen = new Set([source.code]);
    for (let v = 1; v <= o.variants; v++) {
      tried++;
      const variant = randomVariant(source, pool, rng.fork(`${source.id}/v${v}`));
      if (!variant || seen.has(variant.code)) {
        unchanged++;
        continue;
      }
      seen.add(variant.code);
      variants.push({
        ...source,
        id: `${source.id}/v${v}`,
        code: variant.code,
        entry: variant.entry,
        transforms: variant.transforms,
        // Appended to its module it replaces the original there; an extra row has no module.
        module: source.module === undefined ? undefined : `${source.module}\n\n${variant.code}\n`,
      });
    }
  }
  for (const t of await run(variants, "variants")) traceOf.set(t.id, t);
  const variantsOf = new Map<string, FunctionRow[]>();
  for (const v of variants) variantsOf.set(v.group, [...(variantsOf.get(v.group) ?? []), v]);
  const ordered = ok.flatMap((s) => [s, ...(variantsOf.get(s.id) ?? [])]);
  const verified = verifyVariants(ordered, traceOf);

  // 3. Labels: behaviour classes for informative functions, their own class otherwise.
  const labelOf = new Map<string, string>();
  let informative = 0;
  for (const s of ok) {
    const t = traceOf.get(s.id) as TraceRow;
    const useful = isInformative(t);
    if (useful) informative++;
    labelOf.set(
      s.id,
      useful ? classHash("behaviour", [s.args.join(","), t.ioClass]) : ownClass(s.id),
    );
  }

  // 4. Near-duplicates: train functions like a val or holdout function go, with their variants.
  const train = ok.filter((r) => r.split === "train");
  const val = ok.filter((r) => r.split !== "train");
  const removed: StdlibCorpusReport["removed"] = [];
  const against = [{ file: "val modules", rows: val as CodeRow[] }, ...o.holdout];
  const gone = new Set<string>();
  for (const h of against) {
    for (const m of checkLeaks(train, h.rows).matches as LeakMatch[]) {
      if (!gone.has(m.train)) removed.push({ ...m, file: h.file });
      gone.add(m.train);
    }
  }
  const functions = verified.functions
    .filter((r) => !gone.has(r.group))
    .map(({ module: _module, package: _package, ...r }) => r);
  const traces = functions.map((r) => {
    const t = traceOf.get(r.id) as TraceRow;
    return { ...t, traceClass: labelOf.get(r.group) as string, runs: t.runs.slice(0, o.keepRuns) };
  });

  const sourcesOfClass = new Map<string, number>();
  for (const r of functions)
    if (r.transforms.length === 0) {
      const l = labelOf.get(r.id) as string;
      sourcesOfClass.set(l, (sourcesOfClass.get(l) ?? 0) + 1);
    }
  const shared = [...sourcesOfClass.values()].filter((n) => n > 1);
  const perSource: StdlibCorpusReport["sources"] = {};
  const counts = (s: CorpusSource): SourceCounts =>
    (perSource[s] ??= { units: 0, found: 0, withSignature: 0, ok: 0, rows: { train: 0, val: 0 } });
  const countsOf = (unit: string | undefined) =>
    counts(sourceOfUnit.get(unit ?? "") ?? "functions");
  // Every source given is reported, even one whose functions all failed.
  if (stdlibModules.length > 0) counts("stdlib");
  if (o.debian) counts("debian");
  if (o.extra.length > 0) counts("functions");
  for (const u of modules) countsOf(u).units++;
  for (const { f } of found) countsOf(f.unit).found++;
  for (const r of extraRows) countsOf(r.family).found++;
  for (const r of sources) countsOf(r.family).withSignature++;
  for (const r of ok) countsOf(r.family).ok++;
  for (const r of functions) countsOf(r.family).rows[r.split === "train" ? "train" : "val"]++;
  return {
    functions,
    traces,
    report: {
      modules: {
        train: modules.filter((m) => split.get(m) === "train"),
        val: modules.filter((m) => split.get(m) !== "train"),
      },
      sources: perSource,
      ...(o.debian ? { skipped: o.debian.skipped } : {}),
      functions: {
        found: found.length + extraRows.length,
        withSignature: runnable.length + extraRows.length,
        ok: ok.length,
        informative,
      },
      notOk,
      variants: { tried, unchanged, ...verified.variants },
      sharedClasses: shared.length,
      functionsInSharedClasses: shared.reduce((a, b) => a + b, 0),
      classes: sourcesOfClass.size,
      removed,
      rows: {
        train: functions.filter((r) => r.split === "train").length,
        val: functions.filter((r) => r.split !== "train").length,
      },
    },
  };
}
