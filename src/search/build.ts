/**
 * `indexPaths`: Python sources in, an index directory out. Changed files are extracted, run in
 * the sandbox on seeded inputs per argument signature, grouped into behaviour classes (same
 * argument types, same outputs on every input), embedded with a code-only model when there is
 * one, and written to SQLite file by file; unchanged files (same content hash) are skipped.
 * The approximate-nearest-neighbour graph is updated last, from what the database holds.
 */

import { createHash } from "node:crypto";
import { existsSync, rmSync, statSync } from "node:fs";
import { dirname, join, resolve, sep } from "node:path";
import { type ArgType, FunctionRow, type TraceRow } from "../data/index.js";
import { resolveModelDir } from "../models/index.js";
import { classHash, type IntRange, TracerPool, traceFunctions } from "../python/index.js";
import {
  type Candidate,
  ConfigError,
  callSitesOf,
  candidatesOf,
  contentHash,
  enclosingPackage,
  type FunctionKind,
  type FunctionSettings,
  forgetPackages,
  type Literal,
  listSourceFiles,
  packageHash,
  packageRoot,
  REAL_INPUTS,
  REAL_INT_RANGE,
  readSource,
  SettingsResolver,
  type SignatureCandidate,
  type SourceFile,
  type TypesConfig,
} from "../realcode/index.js";
import { buildId } from "./build-id.js";
import { checkDoctests, type DoctestCheck } from "./doctests.js";
import { countOutcome, emptyReport, type IndexReport } from "./report.js";
import {
  ANN_FILE,
  AnnIndex,
  DB_FILE,
  type Embedder,
  type FunctionRecord,
  IndexStore,
  loadEmbedder,
} from "./store/index.js";

export interface IndexOptions {
  /** Model directory; `null` indexes without embeddings; absent: the index's model, else the default one. */
  model?: string | null;
  /** Inputs per function (fixed when the index is created). */
  inputs?: number;
  /** Input seed (fixed when the index is created). */
  seed?: number;
  /** Budget per function in block events of its code, all inputs together (counted). */
  maxSteps?: number;
  /** Wall-clock safety net per function, for code that makes no steps. */
  timeoutMs?: number;
  /**
   * Unit of trust (default `file`): the functions of one source file share an interpreter,
   * restored to its pristine state before each file; `row`: before every function.
   */
  isolation?: "file" | "row";
  workers?: number;
  pool?: TracerPool;
  /** `--types FILE`: argument types and run settings per function, over every indexed file. */
  types?: TypesConfig;
  /** Runs the functions (default: on `pool` here); `tracecode index --redis` runs them on a farm. */
  execute?: Executor;
  /** Called once the work is known (functions to run or record), then per function done. */
  onStart?: (total: number) => void;
  onProgress?: (done: number) => void;
}

/** A function that was indexed without a behaviour: why. */
export interface FunctionProblem {
  file: string;
  line: number;
  name: string;
  /** `no_inputs` or a trace status. */
  status: string;
  reason: string;
}

export interface IndexSummary {
  dir: string;
  /** Source files found under the paths. */
  files: number;
  unchanged: number;
  /** Changed or new files (re)indexed now. */
  indexed: number;
  /** Files not indexed: unreadable, or functions files without one valid row (in `errors`). */
  unreadable: number;
  /** Files gone from disk whose functions were dropped. */
  removed: number;
  /** Functions (re)indexed now, and what became of them. */
  functions: number;
  executed: number;
  noInputs: number;
  failed: Record<string, number>;
  /** Whole index afterwards. */
  totalFunctions: number;
  behaviours: number;
  model: { dir: string; kind: string } | null;
  /** Functions re-embedded because the model changed. */
  reembedded: number;
  problems: FunctionProblem[];
  /** Functions and methods per outcome and reason, signatures by evidence, doctest checks. */
  report: IndexReport;
  /** Unreadable files and invalid `.jsonl` rows. */
  errors: string[];
  /** Inputs that gave nothing to index (an empty functions file, a types entry naming no function). */
  warnings: string[];
  seconds: number;
}

/** Settings fixed at creation: inputs must be the same for every function to compare outputs. */
const DEFAULT_INPUTS = REAL_INPUTS;
const DEFAULT_SEED = 0;
/** Invalid rows of a functions file reported one by one; the rest are counted. */
const SHOWN_ROW_ERRORS = 5;
const rowsText = (n: number, what: string) => `${n} ${what} row${n === 1 ? "" : "s"}`;
/** Functions run and written per batch: bounds memory and the work lost to a crash. */
const BATCH_FUNCTIONS = 128;

export const behaviourKey = (args: string, ioClass: string) =>
  classHash("behaviour", [args, ioClass]);

/** The model to embed with, or null (see IndexOptions.model). */
function chooseModel(store: IndexStore, option: string | null | undefined): Embedder | null {
  if (option === null) return null;
  if (option !== undefined) return loadEmbedder(option);
  const recorded = store.getMeta("model");
  if (recorded) {
    if (!existsSync(join(recorded, "model.json"))) {
      throw new Error(
        `the index was built with the model ${recorded}, which is missing: pass --model DIR or --no-model`,
      );
    }
    return loadEmbedder(recorded);
  }
  const fallback = resolveModelDir();
  return fallback ? loadEmbedder(fallback) : null;
}

/** A fixed setting: recorded on creation, and a different value later is an error. */
function fixSetting(store: IndexStore, key: string, value: number | undefined, dflt: number) {
  const recorded = store.getMeta(key);
  if (recorded === undefined) {
    store.setMeta(key, String(value ?? dflt));
    return value ?? dflt;
  }
  if (value !== undefined && Number(recorded) !== value) {
    throw new Error(`the index was built with ${key} ${recorded}; it cannot change (got ${value})`);
  }
  return Number(recorded);
}

/** The error as stored and shown: whole (a message may span lines), at most 200 characters, a cut marked. */
const shortReason = (text: string) => {
  const t = text.trim();
  return t.length > 200 ? `${t.slice(0, 199)}…` : t;
};

export async function indexPaths(
  paths: readonly string[],
  dir: string,
  options: IndexOptions = {},
): Promise<IndexSummary> {
  const t0 = performance.now();
  const { files, skipped } = listSourceFiles(paths);
  const isNew = !existsSync(join(dir, DB_FILE));
  const store = IndexStore.open(dir, { create: true });
  // One pool for every batch: starting the sandbox costs seconds.
  const pool = options.pool ?? new TracerPool({ workers: options.workers });
  let discard = false;
  try {
    let fixed: [number, number, Embedder | null];
    try {
      fixed = [
        fixSetting(store, "inputs", options.inputs, DEFAULT_INPUTS),
        fixSetting(store, "seed", options.seed, DEFAULT_SEED),
        chooseModel(store, options.model),
      ];
    } catch (e) {
      // A new index that cannot start (a missing model, say) is not left behind, empty.
      discard = isNew;
      throw e;
    }
    const [inputs, seed, embedder] = fixed;
    const summary: IndexSummary = {
      dir,
      files: files.length,
      unchanged: 0,
      indexed: 0,
      unreadable: 0,
      removed: 0,
      functions: 0,
      executed: 0,
      noInputs: 0,
      failed: {},
      totalFunctions: 0,
      behaviours: 0,
      model: embedder ? { dir: embedder.dir, kind: embedder.kind } : null,
      reembedded: 0,
      problems: [],
      report: emptyReport(),
      // A folder given with nothing to index in it is said, not indexed as nothing.
      errors: paths
        .filter((p) => statSync(p).isDirectory())
        .filter((p) => !files.some((f) => f.startsWith(resolve(p) + sep)))
        .map((p) => `${p}: no .py files in this folder`)
        // Folders and names the walk could not read: the rest is indexed, the run exits 1.
        .concat(skipped),
      warnings: [],
      seconds: 0,
    };
    summary.unreadable += skipped.length;
    const settings = new SettingsResolver(
      options.types,
      paths.map((p) => resolve(p)),
    );

    // What changed: new or edited files, and files gone from the folders given.
    const build = buildId();
    const builtBy = store.getMeta("build");
    if (!isNew && builtBy !== build && store.names().size > 0)
      summary.warnings.push(
        "the index was made by another build of tracecode (its tracer or probing may give other results): every file runs again",
      );
    store.setMeta("build", build);
    forgetPackages();
    // A file's package is served no higher than the folders given: the modules above are host
    // files nobody gave. A folder that is a package inside a larger one is said.
    const given = paths.map((p) => (statSync(p).isDirectory() ? resolve(p) : dirname(resolve(p))));
    store.addRoots(given);
    const roots = store.roots();
    for (const folder of new Set(given)) {
      const outer = enclosingPackage(folder);
      if (outer && packageRoot(roots, folder) === folder)
        summary.warnings.push(
          `${folder} is a package inside the package ${outer}: its code is served only the modules under ${folder} (index ${outer} to serve the whole package)`,
        );
    }
    const fresh: SourceFile[] = [];
    const badConfigs = new Map<string, string[]>();
    for (const path of files) {
      let source: SourceFile;
      try {
        source = readSource(path);
      } catch (e) {
        summary.errors.push(`${path}: cannot read (${(e as Error).message})`);
        summary.unreadable++;
        continue;
      }
      // The types settings that apply are part of what was indexed: an edited --types file or
      // tracecode.toml indexes the file again, as an edit of the code does.
      let applied: string | undefined;
      try {
        applied = settings.fingerprint(path);
      } catch (e) {
        // A tracecode.toml that cannot be used fails the files it covers, not the run.
        if (!(e instanceof ConfigError)) throw e;
        const files = badConfigs.get(e.message) ?? [];
        badConfigs.set(e.message, [...files, path]);
        continue;
      }
      if (applied !== undefined) source = { ...source, hash: contentHash(source.hash, applied) };
      // So are the package modules its imports are served (an edited sibling module).
      const pkg = packageHash(path, packageRoot(roots, path));
      if (pkg !== undefined) source = { ...source, hash: contentHash(source.hash, pkg) };
      // And so is the build that ran it: another tracer or probing can give other results.
      source = { ...source, hash: contentHash(source.hash, build) };
      if (store.fileHash(path) === source.hash) {
        summary.unchanged++;
        continue;
      }
      fresh.push(source);
    }
    for (const [problem, paths] of badConfigs) {
      const which = paths.length === 1 ? paths[0] : `the ${paths.length} files`;
      summary.errors.push(`${problem}; ${which} it covers not indexed`);
      summary.unreadable += paths.length;
    }
    // Call sites with literal arguments, across every changed file (evidence for inference).
    const calls = new Map<string, Literal[][]>();
    for (const source of fresh) {
      for (const [name, list] of await callSitesOf(source)) {
        const all = calls.get(name) ?? [];
        if (all.length < 8) all.push(...list.slice(0, 8 - all.length));
        calls.set(name, all);
      }
    }
    const changed: { source: SourceFile; candidates: Candidate[] }[] = [];
    const settingsOf = new Map<Candidate, FunctionSettings>();
    for (const source of fresh) {
      const { candidates, errors, warnings } = await candidatesOf(source, {
        calls,
        root: packageRoot(roots, source.path),
        typesFor: (name) => settings.settingsFor(source.path, name).types,
      });
      // A functions file none of whose rows is valid is one error, and is not indexed.
      if (!source.path.endsWith(".py") && candidates.length === 0 && errors.length > 0) {
        const more = errors.length > 1 ? `; ${rowsText(errors.length - 1, "more")} invalid` : "";
        summary.errors.push(
          `${source.path}: no valid functions row, so nothing of it is indexed (${errors[0]}${more}); a functions file is JSONL or Parquet rows (id, code, …)`,
        );
        summary.unreadable++;
        continue;
      }
      for (const c of candidates) settingsOf.set(c, settings.settingsFor(source.path, c.name));
      // Invalid rows among valid ones: the first few, then how many more.
      summary.errors.push(...errors.slice(0, SHOWN_ROW_ERRORS));
      if (errors.length > SHOWN_ROW_ERRORS)
        summary.errors.push(
          `${source.path}: ${rowsText(errors.length - SHOWN_ROW_ERRORS, "more invalid")} skipped`,
        );
      summary.warnings.push(...(warnings ?? []));
      // A functions file with no row at all is said (a Python file may define no function).
      if (!source.path.endsWith(".py") && candidates.length === 0 && errors.length === 0)
        summary.warnings.push(`${source.path}: no rows`);
      changed.push({ source, candidates });
    }
    const named = paths.map((p) => resolve(p));
    const listed = new Set(files);
    const gone = store
      .files()
      .map((f) => f.path)
      .filter((p) => !listed.has(p) && named.some((r) => p === r || p.startsWith(r + sep)));

    const removedIds: number[] = [];
    const added: { id: number; embedding: Float32Array }[] = [];
    const modelChanged = embedder !== null && store.getMeta("model_id") !== embedder.id;
    const hadModel = store.getMeta("model_id") !== undefined;
    let generation = Number(store.getMeta("generation") ?? "0");
    const annPath = join(dir, ANN_FILE);
    const annCurrent =
      existsSync(annPath) && store.getMeta("ann_generation") === String(generation);

    if (gone.length > 0) {
      store.transaction(() => {
        for (const p of gone) removedIds.push(...store.removeFile(p));
        store.setMeta("generation", String(++generation));
      });
      summary.removed = gone.length;
    }

    const total = changed.reduce((n, c) => n + c.candidates.length, 0);
    const chosen = new Map<Candidate, SignatureCandidate>();
    options.onStart?.(total);
    let done = 0;
    const tick = () => options.onProgress?.(++done);

    // Batches of whole files: each batch runs, embeds, then replaces its files in one transaction.
    const batches: (typeof changed)[] = [];
    for (const c of changed) {
      const last = batches[batches.length - 1];
      const size = last?.reduce((n, f) => n + f.candidates.length, 0) ?? Infinity;
      if (size + c.candidates.length > BATCH_FUNCTIONS && size > 0) batches.push([c]);
      else last.push(c);
    }
    const execSettings: ExecSettings = {
      seed,
      isolation: options.isolation ?? "file",
      ...(options.maxSteps !== undefined ? { maxSteps: options.maxSteps } : {}),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    };
    const itemOf = (c: Candidate): ExecItem => {
      const set = settingsOf.get(c) ?? {};
      return execItem(c, set.inputs ?? inputs, set.range ?? REAL_INT_RANGE, set.maxSteps);
    };
    const runnableOf = batches.map((batch) =>
      batch.flatMap((f) => f.candidates).filter((c) => c.args !== null),
    );
    const execute = options.execute ?? localExecutor(() => pool);
    let b = 0;
    for await (const results of execute(
      runnableOf.map((list) => list.map(itemOf)),
      execSettings,
    )) {
      const batch = batches[b];
      const runnable = runnableOf[b++];
      if (!batch || results.length !== runnable.length) {
        throw new Error(`the executor's results do not match batch ${b}`);
      }
      const all = batch.flatMap((f) => f.candidates);
      for (const c of all) if (c.args === null) tick();
      const traceOf = new Map<Candidate, TraceRow>();
      const tried = new Map<Candidate, Tried[]>();
      const doctests = new Map<Candidate, DoctestCheck>();
      runnable.forEach((c, i) => {
        const r = results[i];
        traceOf.set(c, r.trace);
        if (r.tried) tried.set(c, r.tried);
        if (r.doctest) doctests.set(c, r.doctest);
        const s = r.chosen !== undefined ? c.inference?.candidates[r.chosen] : undefined;
        if (s) {
          c.args = s.args;
          chosen.set(c, s);
        }
        tick();
      });
      const extra = (c: Candidate) =>
        signatureRecord(c, chosen.get(c), tried.get(c), doctests.get(c), settingsOf.get(c), inputs);
      const vectors = embedder ? embedder.embed(all.map((c) => c.code)) : [];
      const vectorOf = new Map<Candidate, Float32Array>(all.map((c, i) => [c, vectors[i]]));
      store.transaction(() => {
        for (const { source, candidates } of batch) {
          const records = candidates.map((c) =>
            toRecord(c, traceOf.get(c), vectorOf.get(c), summary, extra(c)),
          );
          records.forEach((r, i) => {
            const t = traceOf.get(candidates[i]);
            if (t?.status === "ok" && r.inputsKey) store.saveInputs(r.inputsKey, inputsOf(t));
          });
          const r = store.replaceFile(source.path, source.hash, records);
          removedIds.push(...r.removed);
          r.added.forEach((id, i) => {
            const v = records[i].embedding;
            if (v) added.push({ id, embedding: v });
          });
        }
        store.setMeta("generation", String(++generation));
      });
      summary.indexed += batch.length;
      summary.functions += all.length;
    }
    if (b !== batches.length)
      throw new Error(`the executor ended after ${b} of ${batches.length} batches`);

    // A new model: every stored function is embedded again (their code is in the database).
    if (embedder && modelChanged) {
      const fresh = new Set(added.map((a) => a.id));
      const stale = store.allCode().filter((f) => !fresh.has(f.id));
      for (let i = 0; i < stale.length; i += BATCH_FUNCTIONS) {
        const part = stale.slice(i, i + BATCH_FUNCTIONS);
        const v = embedder.embed(part.map((f) => f.code));
        store.transaction(() => {
          part.forEach((f, j) => {
            store.setEmbedding(f.id, v[j]);
          });
        });
      }
      summary.reembedded = stale.length;
    }

    store.transaction(() => {
      summary.behaviours = store.rebuildBehaviours();
      if (embedder) {
        store.setMeta("model", embedder.dir);
        store.setMeta("model_id", embedder.id);
        store.setMeta("model_kind", embedder.kind);
        store.setMeta("dim", String(embedder.dim));
        store.setMeta("distance", embedder.distance);
      } else if (hadModel) {
        // Indexed without a model now: drop the old embeddings rather than mix them.
        for (const k of ["model", "model_id", "model_kind", "dim", "distance", "ann_generation"])
          store.deleteMeta(k);
        for (const f of store.allCode()) store.setEmbedding(f.id, null);
      }
    });

    if (embedder) {
      const changedAnything = removedIds.length > 0 || added.length > 0 || modelChanged;
      if (modelChanged || !annCurrent) {
        const { ids, data } = store.embeddings(embedder.dim);
        AnnIndex.build(embedder.distance, embedder.dim, ids, data).save(annPath);
      } else if (changedAnything) {
        const ann = AnnIndex.load(annPath, embedder.distance, embedder.dim);
        ann.remove(removedIds);
        const data = new Float32Array(added.length * embedder.dim);
        added.forEach((a, i) => {
          data.set(a.embedding, i * embedder.dim);
        });
        ann.add(
          added.map((a) => a.id),
          data,
          embedder.dim,
        );
        ann.save(annPath);
      }
      store.setMeta("ann_generation", String(generation));
    } else {
      rmSync(annPath, { force: true });
    }

    summary.totalFunctions = store.count("functions");
    if (settings.configs().some((c) => c.functions.size > 0))
      summary.warnings.push(...settings.unmatched(store.names()));
    summary.seconds = (performance.now() - t0) / 1000;
    return summary;
  } finally {
    store.close();
    if (discard)
      for (const suffix of ["", "-wal", "-shm", "-journal"])
        rmSync(join(dir, DB_FILE + suffix), { force: true });
    if (!options.pool) await pool.close();
  }
}

/** The encoded inputs of a trace, one list of argument strings per call. */
const inputsOf = (t: TraceRow) => t.runs.map((r) => r.input);

/** What probing tried: a signature and the share of its calls that returned normally. */
interface Tried {
  args: ArgType[];
  share: number;
  inputs: number;
}

/** Inputs per candidate signature when probing. */
const PROBE_INPUTS = 8;

/** How unlikely a probe's returns must be under the top signature's share to replace it. */
const PROBE_SIGNIFICANCE = 0.05;

/** P(X ≥ k) for X ~ Binomial(n, p). */
function binomialTail(k: number, n: number, p: number): number {
  let sum = 0;
  let choose = 1;
  for (let i = 0; i <= n; i++) {
    if (i >= k) sum += choose * p ** i * (1 - p) ** (n - i);
    choose = (choose * (n - i)) / (i + 1);
  }
  return sum;
}

/** Whether the calls that returned gave one same value (two or more of them). */
function constantOutput(t: TraceRow | undefined): boolean {
  const returned = (t?.runs ?? []).filter((r) => !unsupported(r.output)).map((r) => r.output);
  return returned.length >= 2 && new Set(returned).size === 1;
}

/**
 * Whether a probed signature (run on a few inputs) is evidence of a better one than the top
 * (run on the index's): its calls return more often than the top's share makes likely by chance
 * on so few inputs (one-sided binomial test), and, when the top's calls returned varied values,
 * not always the same value (`NormalDist()` of no drawn argument: a constant, whatever it does).
 * A top signature that draws a bool nothing names (`weakTop`) is beaten by any higher share.
 */
export function probeWins(
  top: TraceRow | undefined,
  probe: TraceRow | undefined,
  weakTop = false,
): boolean {
  const p = Math.max(successShare(top), 0);
  const share = successShare(probe);
  const n = probe?.runs.length ?? 0;
  if (share <= p || n === 0) return false;
  if (p > 0 && constantOutput(probe) && !constantOutput(top)) return false;
  return weakTop || binomialTail(Math.round(share * n), n, p) < PROBE_SIGNIFICANCE;
}

/** The probed signature, run on the index's inputs, against the top one on the same count. */
function betterOnAll(top: TraceRow | undefined, chosen: TraceRow | undefined): boolean {
  const p = Math.max(successShare(top), 0);
  if (successShare(chosen) <= p) return false;
  return p === 0 || !constantOutput(chosen) || constantOutput(top);
}

/** Evidence that names a type (a bool drawn only for truthiness or a guess is not named). */
const NAMING = new Set(["user", "row", "hint", "doctest", "default", "call site", "name"]);

/**
 * Builtins the sandbox withholds: those of Python's builtins module that are neither in the
 * tracer's `_SAFE_BUILTIN_NAMES` (src/python/tracer.py) nor an exception nor replaced by a
 * guarded one (`getattr`, `open`, `hasattr`, `setattr`, `delattr`, `__import__`). A NameError
 * for one of them is the sandbox's doing; for any other name it is the code's own.
 */
export const WITHHELD_BUILTINS: ReadonlySet<string> = new Set([
  "breakpoint",
  "compile",
  "copyright",
  "credits",
  "eval",
  "exec",
  "exit",
  "globals",
  "help",
  "input",
  "license",
  "locals",
  "quit",
  "vars",
]);

/** The exception type of a `raise:…` output or name, without what the tracer appended (`;args:`, `;self:`, `;stdout:`). */
export const exceptionType = (output: string) =>
  (output.startsWith("raise:") ? output.slice("raise:".length) : output).split(";", 1)[0];

/**
 * What the sandbox withheld, when the exception a call raised is the sandbox's doing and not the
 * code's: a builtin it removes (NameError), or what it says is "not available in the sandbox"
 * (a module it does not serve, an attribute it hides).
 */
export function withheldBy(type: string, message: string): string | undefined {
  if (type === "NameError") {
    const name = /^name '(\w+)' is not defined/.exec(message)?.[1];
    return name && WITHHELD_BUILTINS.has(name) ? `the builtin ${name}()` : undefined;
  }
  if (!/not available in the sandbox/.test(message)) return undefined;
  const module = /module '([^']+)' is not available in the sandbox/.exec(message)?.[1];
  if (module) return `module '${module}'`;
  const subject = /(?:^|: |\()([^:()]+?)(?:, which)? is not available in the sandbox/.exec(message);
  if (subject) return subject[1].trim();
  return type === "ImportError" ? "a module it imports" : "something its code uses";
}

/**
 * The tracer's always-raises verdict (`raises X on every input (…)`, `raises on every input (X
 * ×n, Y ×m; the first: …)`) said of what it describes, the drawn inputs — `raised X on all 200
 * drawn inputs (…)` — with the exception types bare (no `;self:…` suffix) and counted again by
 * them. When the first call's exception is the sandbox's (`withheldBy`), the function did not
 * run: status `limit` and `withheld: the sandbox withholds … (X on all 200 drawn inputs)`.
 * `n` is the number of inputs the calls were drawn for.
 */
export function drawnVerdict(t: TraceRow, n: number): TraceRow {
  if (t.status !== "always_raises" || !t.error) return t;
  const one = /^raises ([\w.]+)(?:;.*?)? on every input(?: \((.*)\))?$/s.exec(t.error);
  const several = one ? null : /^raises on every input \((.*)\)$/s.exec(t.error);
  if (!one && !several) return t;
  const counts = new Map<string, number>();
  let first = "";
  if (one) {
    counts.set(one[1], n);
    first = one[2] ? `${one[1]}: ${one[2]}` : one[1];
  } else {
    const body = several?.[1] ?? "";
    const cut = body.indexOf("; the first: ");
    const listed = cut < 0 ? body : body.slice(0, cut);
    first = cut < 0 ? "" : body.slice(cut + "; the first: ".length);
    for (const m of listed.matchAll(/([A-Za-z_][\w.]*)[^×]*? ×(\d+)(?:, |$)/g))
      counts.set(m[1], (counts.get(m[1]) ?? 0) + Number(m[2]));
  }
  const total = one ? n : [...counts.values()].reduce((a, b) => a + b, 0);
  const said = /^([\w.]+)(?:: (.*))?$/s.exec(first);
  const firstType = said ? exceptionType(said[1]) : "";
  const message = said?.[2] ?? "";
  const all = `all ${total} drawn inputs`;
  const withheld = firstType ? withheldBy(firstType, message) : undefined;
  if (withheld) {
    const c = counts.get(firstType) ?? 0;
    const others = [...counts].filter(([name]) => name !== firstType);
    const on = others.length === 0 ? all : `${c} of ${total} drawn inputs`;
    const rest = others.map(([name, k]) => `${name} ×${k}`).join(", ");
    return {
      ...t,
      status: "limit",
      error: `withheld: the sandbox withholds ${withheld} (${firstType} on ${on}${rest ? `; the others raised ${rest}` : ""})`,
    };
  }
  const error =
    counts.size === 1
      ? `raised ${[...counts.keys()][0]} on ${all}${message && firstType === [...counts.keys()][0] ? ` (${message})` : ""}`
      : `raised on ${all} (${[...counts].map(([name, k]) => `${name} ×${k}`).join(", ")}${first ? `; the first: ${firstType}${message ? `: ${message}` : ""}` : ""})`;
  return { ...t, error };
}

/**
 * A call's output that says the arguments' types are not supported: `NotImplemented`, which a
 * comparison or arithmetic method returns for an operand it does not handle.
 */
const unsupported = (output: string) =>
  output.startsWith("raise:") || output.startsWith("<NotImplementedType>");

/**
 * Share of calls that returned normally with a value of their own (−1 when the function did not
 * run at all). `Fraction.__lt__` given a `str` returns `NotImplemented` on every call: counted
 * as a success, it outranked `int`, whose calls raised on a zero denominator 2 times in 100.
 */
export function successShare(t: TraceRow | undefined): number {
  if (!t) return -1;
  if (t.status === "always_raises") return 0;
  if (t.status !== "ok" || t.runs.length === 0) return -1;
  return t.runs.filter((r) => !unsupported(r.output)).length / t.runs.length;
}

interface RunJob {
  candidate: Candidate;
  args: ArgType[];
  /** The candidate signature's own wrapper, when not the function's. */
  wrapper?: string;
  inputs: number;
  range: IntRange;
  maxSteps?: number;
}

/** The module a candidate runs in: its file, plus the call wrapper when it needs one. */
export function moduleOf(c: Candidate, wrapper?: string): string | undefined {
  if (c.module === undefined) return undefined;
  const w = wrapper ?? c.inference?.wrapper;
  return w ? `${c.module}\n\n${w}\n` : c.module;
}

/** Runs jobs grouped by their run settings (one traceFunctions call per group, concurrently). */
async function runJobs(
  jobs: RunJob[],
  o: {
    pool: TracerPool;
    seed: number;
    maxSteps?: number;
    timeoutMs?: number;
    /** The unit of trust of the `i`th job. */
    unitOf: (c: Candidate, i: number) => string;
  },
): Promise<TraceRow[]> {
  const groups = new Map<string, number[]>();
  jobs.forEach((j, i) => {
    const k = `${j.inputs}|${j.range.min},${j.range.max},${j.range.edges ?? false}|${j.maxSteps ?? ""}`;
    groups.set(k, [...(groups.get(k) ?? []), i]);
  });
  const out: TraceRow[] = new Array(jobs.length);
  await Promise.all(
    [...groups.values()].map(async (idx) => {
      const j0 = jobs[idx[0]];
      const rows = idx.map((i) => {
        const c = jobs[i].candidate;
        return FunctionRow.parse({
          id: String(i),
          code: c.code,
          entry: c.inference?.entry ?? c.name,
          args: jobs[i].args,
          module: moduleOf(c, jobs[i].wrapper),
          package: c.package,
        });
      });
      const traced = await traceFunctions(rows, {
        inputs: j0.inputs,
        seed: o.seed,
        range: j0.range,
        level: "io",
        maxSteps: j0.maxSteps ?? o.maxSteps,
        timeoutMs: o.timeoutMs,
        unitOf: (_row, k) => o.unitOf(jobs[idx[k]].candidate, idx[k]),
        pool: o.pool,
      });
      idx.forEach((i, k) => {
        out[i] = traced[k];
      });
    }),
  );
  return out;
}

/** Index-wide run settings of the execution (the per-function ones travel with each item). */
export interface ExecSettings {
  seed: number;
  maxSteps?: number;
  timeoutMs?: number;
  isolation: "file" | "row";
}

/**
 * One function to run, with everything its execution needs and nothing else: plain data, so a
 * farm can carry it to another machine (`tracecode index --redis`).
 */
export interface ExecItem {
  file: string;
  line: number;
  name: string;
  kind?: FunctionKind;
  code: string;
  module?: string;
  package?: Candidate["package"];
  definition?: { line: number; text: string };
  /** The most likely signature. */
  args: ArgType[];
  /** Inferred signatures (most likely first) and how to call: absent for a `.jsonl` row. */
  inference?: {
    entry: string;
    wrapper?: string;
    certain: boolean;
    alternatives: ArgType[][];
    /** Per alternative, its own wrapper when it calls another way (another instance). */
    wrappers?: (string | null)[];
    /**
     * Per alternative: it draws a bool for a parameter no evidence names one for (only
     * truthiness, a guess) — the top one at all, another where the top one does not.
     */
    unnamedBool?: boolean[];
  };
  inputs: number;
  range: IntRange;
  maxSteps?: number;
}

/** What running an item gave: its trace on the chosen signature and how it was chosen. */
export interface ExecResult {
  trace: TraceRow;
  /** Index of the signature probing chose among `inference.alternatives`, when not the first. */
  chosen?: number;
  tried?: Tried[];
  doctest?: DoctestCheck;
}

/**
 * Runs batches of items, yielding each batch's results in order. The local one runs them here;
 * `tracecode index --redis` gives one that runs them on a farm.
 */
export type Executor = (
  batches: readonly ExecItem[][],
  settings: ExecSettings,
) => AsyncIterable<ExecResult[]>;

export function execItem(
  c: Candidate,
  inputs: number,
  range: IntRange,
  maxSteps?: number,
): ExecItem {
  const inf = c.inference;
  const top = inf?.candidates[0]?.params ?? [];
  const isBool = (t: string) => t === "bool" || t === "*list[bool]";
  const unnamed = (inf?.candidates ?? []).map((s, k) =>
    s.params.some(
      (q) =>
        isBool(q.type) &&
        !NAMING.has(q.from) &&
        (k === 0 || !top.some((t) => t.name === q.name && t.type === q.type)),
    ),
  );
  return {
    file: c.file,
    line: c.line,
    name: c.name,
    ...(c.kind !== undefined ? { kind: c.kind } : {}),
    code: c.code,
    ...(c.module !== undefined ? { module: c.module } : {}),
    ...(c.package ? { package: c.package } : {}),
    ...(c.definition ? { definition: c.definition } : {}),
    args: c.args ?? [],
    ...(inf
      ? {
          inference: {
            entry: inf.entry,
            ...(inf.wrapper !== undefined ? { wrapper: inf.wrapper } : {}),
            certain: inf.certain,
            alternatives: inf.candidates.map((s) => s.args),
            ...(inf.candidates.some((s) => s.wrapper)
              ? { wrappers: inf.candidates.map((s) => s.wrapper ?? null) }
              : {}),
            ...(unnamed.some((u) => u) ? { unnamedBool: unnamed } : {}),
          },
        }
      : {}),
    inputs,
    range,
    ...(maxSteps !== undefined ? { maxSteps } : {}),
  };
}

/** The candidate an item stands for (what the execution steps read of it). */
function candidateOf(item: ExecItem): Candidate {
  const inf = item.inference;
  return {
    file: item.file,
    line: item.line,
    name: item.name,
    ...(item.kind !== undefined ? { kind: item.kind } : {}),
    code: item.code,
    args: item.args,
    argsFrom: "inferred",
    ...(item.module !== undefined ? { module: item.module } : {}),
    ...(item.package ? { package: item.package } : {}),
    ...(item.definition ? { definition: item.definition } : {}),
    ...(inf
      ? {
          inference: {
            entry: inf.entry,
            ...(inf.wrapper !== undefined ? { wrapper: inf.wrapper } : {}),
            certain: inf.certain,
            candidates: inf.alternatives.map((args, k) => {
              const wrapper = inf.wrappers?.[k];
              return { args, params: [], ...(wrapper ? { wrapper } : {}) };
            }),
          },
        }
      : {}),
  };
}

/** The executor that runs every batch on this machine's pool (started when first needed). */
export const localExecutor = (pool: () => TracerPool): Executor =>
  async function* (batches, settings) {
    // Unit names are scoped by batch: the pool must reset between two batches' units.
    let n = 0;
    for (const items of batches) yield await executeItems(items, settings, pool(), `b${n++}/`);
  };

/**
 * Runs items in the sandbox: every function on its most likely signature; a "not defined" one
 * diagnosed; an uncertain signature whose calls fail probed against the others and the best
 * run on the index's inputs; doctest examples checked. Unit names start with `unitPrefix`
 * (each batch and each farm chunk its own, so the pool resets between them).
 */
export async function executeItems(
  items: readonly ExecItem[],
  settings: ExecSettings,
  pool: TracerPool,
  unitPrefix = "",
): Promise<ExecResult[]> {
  const runnable = items.map(candidateOf);
  const itemOf = new Map(runnable.map((c, i) => [c, items[i]]));
  // A file's functions share its unit in every step; with row isolation every job of every step
  // is a unit of its own (a name reused by a later step would skip the reset between them).
  const fileUnit = (c: Candidate) =>
    settings.isolation === "row" ? undefined : `${unitPrefix}file:${c.file}`;
  const run = (jobs: RunJob[], step: string) =>
    runJobs(jobs, {
      pool,
      seed: settings.seed,
      maxSteps: settings.maxSteps,
      timeoutMs: settings.timeoutMs,
      unitOf: (c, i) => fileUnit(c) ?? `${unitPrefix}${step}:${i}`,
    });
  const plan = (c: Candidate, args: ArgType[], n?: number, k = 0): RunJob => {
    const it = itemOf.get(c) as ExecItem;
    const wrapper = c.inference?.candidates[k]?.wrapper;
    return {
      candidate: c,
      args,
      ...(wrapper ? { wrapper } : {}),
      inputs: n ?? it.inputs,
      range: it.range,
      ...(it.maxSteps !== undefined ? { maxSteps: it.maxSteps } : {}),
    };
  };
  // 1. Every function on its most likely signature and the index's inputs.
  const first = await run(
    runnable.map((c) => plan(c, c.args as ArgType[])),
    "first",
  );
  const traceOf = new Map<Candidate, TraceRow>(runnable.map((c, i) => [c, first[i]]));
  await diagnoseUndefined(runnable, traceOf, (rows, step) =>
    traceFunctions(rows, {
      inputs: 1,
      seed: settings.seed,
      level: "io",
      timeoutMs: settings.timeoutMs,
      pool,
      unitOf: (_row, i) => `${unitPrefix}${step}:${i}`,
    }),
  );
  const tried = new Map<Candidate, Tried[]>();
  // 2. Probing: an inferred signature under which calls fail tries the other candidates on
  //    a few inputs; the one under which most calls return normally is kept.
  const probes: { c: Candidate; k: number }[] = [];
  for (const c of runnable) {
    const inf = c.inference;
    if (!inf || inf.certain || inf.candidates.length < 2) continue;
    const t = traceOf.get(c);
    const share = successShare(t);
    const ran = t?.status === "always_raises" ? (itemOf.get(c) as ExecItem).inputs : t?.runs.length;
    tried.set(c, [{ args: c.args as ArgType[], share, inputs: ran ?? 0 }]);
    // Other types help only where calls happened: not when the code was not even defined.
    if (share >= 1 || (t?.status !== "ok" && t?.status !== "always_raises")) continue;
    // Nor when every call failed on a missing name or module: no argument type brings it.
    if (t.status === "always_raises" && /^raises (ImportError|NameError) /.test(t.error ?? ""))
      continue;
    for (let k = 1; k < inf.candidates.length; k++) probes.push({ c, k });
  }
  const argsOf = (c: Candidate, k: number) => c.inference?.candidates[k].args as ArgType[];
  const probed = await run(
    probes.map((p) => plan(p.c, argsOf(p.c, p.k), PROBE_INPUTS, p.k)),
    "probe",
  );
  const best = new Map<Candidate, { k: number; share: number }>();
  probes.forEach((p, i) => {
    const share = successShare(probed[i]);
    tried.get(p.c)?.push({ args: argsOf(p.c, p.k), share, inputs: PROBE_INPUTS });
    const top = traceOf.get(p.c);
    // A bool nothing names (only truthiness, a guess) is no evidence of a better signature; a
    // top one that draws such a bool has its share of returns, but no claim beyond it.
    const unnamed = itemOf.get(p.c)?.inference?.unnamedBool;
    if (unnamed?.[p.k]) return;
    if (!probeWins(top, probed[i], unnamed?.[0])) return;
    const b = best.get(p.c);
    if (!b || share > b.share) best.set(p.c, { k: p.k, share });
  });
  // 3. The chosen signature on the index's inputs, kept only if there, like with like, its
  //    calls return more often than the top one's did (8 inputs can be lucky).
  const rerun = await run(
    [...best].map(([c, b]) => plan(c, argsOf(c, b.k), undefined, b.k)),
    "chosen",
  );
  [...best].forEach(([c], i) => {
    if (betterOnAll(traceOf.get(c), rerun[i])) traceOf.set(c, rerun[i]);
    else best.delete(c);
  });
  const switched = [...best];
  nameRefusals(runnable, traceOf);
  // Raising on every call is said of the drawn inputs; the sandbox's own exceptions are not run.
  for (const c of runnable) {
    const t = traceOf.get(c);
    if (t) traceOf.set(c, drawnVerdict(t, (itemOf.get(c) as ExecItem).inputs));
  }
  // 4. Doctest examples with an expected output: run exactly, compare (on the chosen args).
  for (const [c, b] of switched) c.args = argsOf(c, b.k);
  const doctests = await checkDoctests(
    runnable.filter((c) => c.kind === "function" && c.module !== undefined),
    { pool, unitOf: fileUnit, timeoutMs: settings.timeoutMs },
  );
  return runnable.map((c) => {
    const k = best.get(c)?.k;
    const t = tried.get(c);
    const d = doctests.get(c);
    return {
      trace: traceOf.get(c) as TraceRow,
      ...(k !== undefined ? { chosen: k } : {}),
      ...(t ? { tried: t } : {}),
      ...(d ? { doctest: d } : {}),
    };
  });
}

/** `_tracecode_watch(X).m()` as `X.m()`: the tracer's hook on the instance is not the call. */
function unwatched(call: string): string {
  const head = "_tracecode_watch(";
  if (!call.startsWith(head)) return call;
  let depth = 1;
  for (let i = head.length; i < call.length; i++) {
    if (call[i] === "(") depth++;
    else if (call[i] === ")" && --depth === 0)
      return call.slice(head.length, i) + call.slice(i + 1);
  }
  return call;
}

/** The call a wrapper makes, as shown: `Point(a0).dist(a1)`, the instance set up first named. */
function callOf(wrapper: string): string | undefined {
  const found = (/for item in (.*):/m.exec(wrapper) ??
    /out = (.*)$/m.exec(wrapper) ??
    /return (.*)$/m.exec(wrapper))?.[1];
  const call = found === undefined ? undefined : unwatched(found);
  const built = /^ *_tracecode_self = (.*)$/m.exec(wrapper)?.[1];
  const setup = /^ *(?:_tracecode_key = )?_tracecode_self\.(\w+\(.*\))$/m.exec(wrapper)?.[1];
  return built && setup ? call?.replace("_tracecode_self", `${built}.${setup} → `) : call;
}

/** Each character of `text` from `from` outside quotes, with the bracket depth after it. */
function* unquoted(text: string, from = 0): Generator<[number, string, number]> {
  let depth = 0;
  let quote = "";
  for (let i = from; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === "\\") i++;
      else if (ch === quote) quote = "";
      continue;
    }
    if (ch === "'" || ch === '"') {
      quote = ch;
      continue;
    }
    if ("([{".includes(ch)) depth++;
    else if (")]}".includes(ch)) depth--;
    yield [i, ch, depth];
  }
}

/** The argument texts of `text` split at its top-level commas (quotes and brackets kept whole). */
function topLevelParts(text: string): string[] {
  const parts: string[] = [];
  let start = 0;
  for (const [i, ch, depth] of unquoted(text))
    if (ch === "," && depth === 0) {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
  const last = text.slice(start).trim();
  return last || parts.length > 0 ? [...parts, last] : parts;
}

/** The index of the bracket closing the one at `open` (quotes skipped), or −1. */
function closingAt(text: string, open: number): number {
  for (const [i, ch, depth] of unquoted(text, open))
    if (")]}".includes(ch) && depth === 0) return i;
  return -1;
}

/**
 * How a call wrapper rewrites the drawn arguments (`a0`, `a1`, …) before they reach the code, as
 * a shape with the names called dropped: `F("//" + a0, "//" + a1)` for `urljoin("//" + a0, "//" +
 * a1)`, `F(a0, "euro")`, `F(f0)` (a file made of the drawn content). Undefined when every drawn
 * argument is passed as it is, in order (`f(a0, a1)`, `C(a0).m(a1)`, `f(*a0)`, `f(k=a0)`): the
 * function then computes from the drawn inputs what its code does with them.
 */
export function callRewrite(call: string | undefined): string | undefined {
  if (!call) return undefined;
  let shape = "";
  let next = 0;
  let plain = true;
  for (let i = 0; i < call.length; ) {
    const ch = call[i];
    const name = /^[A-Za-z_][\w.]*/.exec(call.slice(i))?.[0];
    if (name) {
      shape += "F";
      i += name.length;
    } else if (ch === "(") {
      const end = closingAt(call, i);
      if (end < 0) return call;
      const args = topLevelParts(call.slice(i + 1, end));
      for (const a of args) {
        const drawn = /^(?:\*{1,2}|\w+=)?a(\d+)$/.exec(a);
        if (drawn && Number(drawn[1]) === next) next++;
        else plain = false;
      }
      shape += `(${args.join(", ")})`;
      i = end + 1;
    } else {
      // Anything else outside the calls' parentheses (an index, a literal) is a rewrite too.
      if (!/[\s.→]/.test(ch)) plain = false;
      shape += ch;
      i++;
    }
  }
  return plain ? undefined : shape;
}

/**
 * The inputs key: what a function's outputs can be compared under — its argument types, the
 * count and range of its inputs when not the index's, and how its call rewrites the drawn
 * arguments (`callRewrite`), so `urljoin("//" + a0, "//" + a1)` meets only functions called so.
 */
export function inputsKeyOf(
  args: readonly ArgType[],
  wrapper: string | undefined,
  custom?: { inputs: number; range: IntRange },
): string {
  const rewrite = callRewrite(wrapper ? callOf(wrapper) : undefined);
  if (!custom && !rewrite) return JSON.stringify(args);
  return JSON.stringify({ args, ...(custom ?? {}), ...(rewrite ? { call: rewrite } : {}) });
}

/** The stored signature: chosen parameters with evidence, what probing tried, doctests. */
function signatureRecord(
  c: Candidate,
  chosen: SignatureCandidate | undefined,
  tried: Tried[] | undefined,
  doctest: DoctestCheck | undefined,
  set: FunctionSettings | undefined,
  indexInputs: number,
): { signature: string | null; inputsKey: string | null } {
  const inf = c.inference;
  const top = chosen ?? inf?.candidates[0];
  const custom = set && (set.inputs !== undefined || set.range !== undefined);
  const wrapper = top?.wrapper ?? inf?.wrapper;
  const inputsKey =
    c.args === null
      ? null
      : inputsKeyOf(
          c.args,
          wrapper,
          custom
            ? { inputs: set.inputs ?? indexInputs, range: set.range ?? REAL_INT_RANGE }
            : undefined,
        );
  if (!inf && !custom) return { signature: null, inputsKey };
  const sig = {
    ...(top ? { params: top.params } : {}),
    ...(top?.instance ? { instance: top.instance } : {}),
    ...(chosen ? { chosen: true } : {}),
    ...(wrapper ? { call: callOf(wrapper) } : {}),
    ...(tried && tried.length > 1 ? { tried } : {}),
    ...(doctest ? { doctest } : {}),
    ...(custom ? { inputs: set.inputs ?? indexInputs, range: set.range ?? REAL_INT_RANGE } : {}),
    ...(set?.maxSteps ? { maxSteps: set.maxSteps } : {}),
  };
  return { signature: JSON.stringify(sig), inputsKey };
}

/**
 * Why a function or method is "not defined" in its module: its defining statement (the
 * function, or the method's class) runs alone, so the sandbox names what it refuses in it or
 * what it raised; a statement fine alone failed on something earlier in its module. The reason
 * replaces the run's note list (which names only the module's first three problems).
 */
async function diagnoseUndefined(
  candidates: readonly Candidate[],
  traceOf: Map<Candidate, TraceRow>,
  trace: (rows: FunctionRow[], step: string) => Promise<TraceRow[]>,
): Promise<void> {
  const byStatement = new Map<string, Candidate[]>();
  for (const c of candidates) {
    const t = traceOf.get(c);
    if (!c.definition || t?.status !== "runtime_error" || !/is not defined/.test(t.error ?? ""))
      continue;
    const key = `${c.file}:${c.definition.line}`;
    byStatement.set(key, [...(byStatement.get(key) ?? []), c]);
  }
  const groups = [...byStatement.values()];
  if (groups.length === 0) return;
  const rows = groups.map((g, i) => {
    const text = g[0].definition?.text ?? "";
    return FunctionRow.parse({
      id: `d${i}`,
      code: text,
      entry: "_tracecode_absent",
      args: [],
      module: text,
    });
  });
  const traced = await trace(rows, "diagnose");
  // Not refused alone: run it in its module, after the statements before it, and catch what
  // it raises there (alone, a module constant it uses would be missing).
  const inContext = groups
    .map((g, i) => ({ g, i }))
    .filter(({ i }) => !/skipped: sandbox: /.test(traced[i]?.error ?? ""));
  const contextRows = inContext.map(({ g }, k) => {
    const c = g[0];
    const before = (c.module ?? "").split("\n").slice(0, (c.definition?.line ?? 1) - 1);
    const indented = (c.definition?.text ?? "").split("\n").map((l) => `    ${l}`);
    const module = [
      ...before,
      "try:",
      ...indented,
      "except BaseException as _tracecode_error:",
      "    _tracecode_why = type(_tracecode_error).__name__ + ': ' + str(_tracecode_error)",
      "else:",
      "    _tracecode_why = 'defined'",
      "def _tracecode_diagnosis():",
      "    return _tracecode_why",
      "",
    ].join("\n");
    return FunctionRow.parse({
      id: `c${k}`,
      code: module,
      entry: "_tracecode_diagnosis",
      args: [],
      module,
      // In its package, as it ran: else its relative imports fail for another reason.
      ...(c.package ? { package: c.package } : {}),
    });
  });
  const context = contextRows.length > 0 ? await trace(contextRows, "context") : [];
  const raisedThere = new Map<number, string>();
  inContext.forEach(({ i }, k) => {
    const out = context[k]?.runs[0]?.output ?? "";
    const m = /^(['"])(.*)\1$/s.exec(out);
    if (context[k]?.status === "ok" && m && m[2] !== "defined") raisedThere.set(i, m[2]);
  });
  groups.forEach((g, i) => {
    const e = traced[i]?.error ?? "";
    const refused = /skipped: sandbox: ([^;]*)/.exec(e);
    const there = raisedThere.get(i);
    const what = g[0].kind === "function" ? "the function" : "its class";
    // A class (or decorator) that calls a function whose body the sandbox refused.
    const calls = /^SandboxRefused: def \S+ \(line \d+\) refused by the sandbox: (.*)$/s.exec(
      there ?? "",
    );
    const why = refused
      ? `the sandbox refuses ${what}'s definition (${refused[1].replace(/\s*\(line \d+\)/, "").trim()})`
      : calls
        ? `${what}'s definition calls a function the sandbox refuses (${calls[1].replace(/\s*\(line \d+\)/, "").trim()})`
        : there
          ? `${what}'s definition raised ${there.length > 160 ? `${there.slice(0, 160)}…` : there}`
          : deletedAt(g[0])
            ? `${what} is deleted by its module after use (del, line ${deletedAt(g[0])})`
            : `${what} is not defined in its module for a reason not found`;
    for (const c of g) {
      const t = traceOf.get(c);
      if (t) traceOf.set(c, { ...t, error: `not defined: ${why}; ${t.error ?? ""}` });
    }
  });
}

/**
 * The line of a module-level `del` that removes the name a candidate's defining statement binds
 * (statistics' kernels, typing's pickle helpers: defined, used at import, then deleted), or 0.
 */
function deletedAt(c: Candidate): number {
  const name = /^\s*(?:async\s+)?(?:def|class)\s+(\w+)/m.exec(c.definition?.text ?? "")?.[1];
  if (!name || !c.definition) return 0;
  const lines = (c.module ?? "").split("\n");
  for (let i = c.definition.line; i < lines.length; i++) {
    const del = /^del\s+([^#]*)/.exec(lines[i]);
    if (del?.[1].split(",").some((n) => n.trim() === name)) return i + 1;
  }
  return 0;
}

/** The tracer's verdict when every call reached a function body the sandbox refused. */
const REFUSED_DEF = /^sandbox: (.*) \(def (\S+), line \d+, refused; called on every input\)$/s;

/**
 * A function every call of which reached a function body the sandbox refused (in module
 * context the policy refuses that function, not its whole statement) did not run: the reason
 * says whose definition — its own, or one it calls (a constructor, a helper) — and what.
 */
function nameRefusals(candidates: readonly Candidate[], traceOf: Map<Candidate, TraceRow>): void {
  for (const c of candidates) {
    const t = traceOf.get(c);
    const m = t?.status === "limit" ? REFUSED_DEF.exec(t.error ?? "") : null;
    if (!t || !m) continue;
    const what =
      m[2] !== c.name
        ? "the definition of a function it calls"
        : c.kind === undefined || c.kind === "function"
          ? "the function's definition"
          : "the method's definition";
    const why = m[1].replace(/\s*\(line \d+\)/, "").trim();
    traceOf.set(c, { ...t, error: `refused: the sandbox refuses ${what} (${why}); ${t.error}` });
  }
}

/** Content hash for input-set keys of explicit values. */
export const valuesKey = (v: unknown) =>
  createHash("sha256").update(JSON.stringify(v)).digest("hex").slice(0, 16);

function toRecord(
  c: Candidate,
  trace: TraceRow | undefined,
  embedding: Float32Array | undefined,
  summary: IndexSummary,
  extra: { signature: string | null; inputsKey: string | null },
): FunctionRecord {
  const base = {
    line: c.line,
    name: c.name,
    ...(c.rowId !== undefined ? { rowId: c.rowId } : {}),
    ...(c.family !== undefined ? { family: c.family } : {}),
    code: c.code,
    args: c.args ? JSON.stringify(c.args) : null,
    argsFrom: c.argsFrom,
    ...(c.problem ? { problem: c.problem } : {}),
    embedding: embedding ?? null,
    kind: c.kind ?? null,
    signature: extra.signature,
    inputsKey: extra.inputsKey,
  };
  const where = { file: c.file, line: c.line, name: c.name };
  const method = c.kind !== undefined && c.kind !== "function";
  // Raising is what an abstract method is written to do: its own reason, not a failure to run it;
  // so is its abstract class refusing to be made for the call.
  if (c.abstract && trace?.status === "always_raises") {
    const e = trace.error ?? "";
    if (/^raised NotImplementedError /.test(e)) trace = { ...trace, error: `abstract: ${e}` };
    else {
      const made = /^raised (TypeError on [^(]*?) \(Can't instantiate abstract class (\w+)/.exec(e);
      if (made)
        trace = {
          ...trace,
          error: `abstract: raises NotImplementedError; not called: its class ${made[2]} is abstract (${made[1]})`,
        };
    }
  }
  if (!trace || c.args === null) {
    summary.noInputs++;
    summary.problems.push({ ...where, status: "no_inputs", reason: c.problem ?? "no inputs" });
    countOutcome(summary.report, method, "no_inputs", c.problem ?? "no inputs", c.argsFrom);
    return { ...base, status: "no_inputs" };
  }
  countOutcome(
    summary.report,
    method,
    trace.status,
    trace.error ?? trace.status,
    c.argsFrom,
    extra.signature,
  );
  if (trace.status !== "ok") {
    summary.failed[trace.status] = (summary.failed[trace.status] ?? 0) + 1;
    const reason = shortReason(trace.error ?? trace.status);
    summary.problems.push({ ...where, status: trace.status, reason });
    return { ...base, status: trace.status, error: trace.error ?? trace.status };
  }
  summary.executed++;
  const key = extra.inputsKey as string;
  return {
    ...base,
    status: "ok",
    ioClass: trace.ioClass,
    behaviour: trace.ioClass ? behaviourKey(key, trace.ioClass) : null,
    outputs: trace.runs.map((r) => r.output),
    // An ok function's error says why its outputs are not its alone: they depend on call order.
    ...(trace.note ? { error: `outputs depend on call order: ${trace.note}` } : {}),
  };
}
