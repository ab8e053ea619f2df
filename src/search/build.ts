/**
 * `indexPaths`: Python sources in, an index directory out. Changed files are extracted, run in
 * the sandbox on seeded inputs per argument signature, grouped into behaviour classes (same
 * argument types, same outputs on every input), embedded with a code-only model when there is
 * one, and written to SQLite file by file; unchanged files (same content hash) are skipped.
 * The approximate-nearest-neighbour graph is updated last, from what the database holds.
 */
import { existsSync, rmSync } from "node:fs";
import { join, resolve, sep } from "node:path";
import { FunctionRow, type TraceRow } from "../data/index.js";
import { resolveModelDir } from "../models/index.js";
import { classHash, TracerPool, traceFunctions } from "../python/index.js";
import {
  type Candidate,
  candidatesOf,
  listSourceFiles,
  REAL_INPUTS,
  REAL_INT_RANGE,
  readSource,
  type SourceFile,
} from "../realcode/index.js";
import {
  ANN_FILE,
  AnnIndex,
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
  /** Unreadable files and invalid `.jsonl` rows. */
  errors: string[];
  seconds: number;
}

/** Settings fixed at creation: inputs must be the same for every function to compare outputs. */
const DEFAULT_INPUTS = REAL_INPUTS;
const DEFAULT_SEED = 0;
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

/** The error as stored and shown: whole (a message may span lines), at most 200 characters. */
const shortReason = (text: string) => text.trim().slice(0, 200);

export async function indexPaths(
  paths: readonly string[],
  dir: string,
  options: IndexOptions = {},
): Promise<IndexSummary> {
  const t0 = performance.now();
  const files = listSourceFiles(paths);
  const store = IndexStore.open(dir, { create: true });
  // One pool for every batch: starting the sandbox costs seconds.
  const pool = options.pool ?? new TracerPool({ workers: options.workers });
  try {
    const inputs = fixSetting(store, "inputs", options.inputs, DEFAULT_INPUTS);
    const seed = fixSetting(store, "seed", options.seed, DEFAULT_SEED);
    const embedder = chooseModel(store, options.model);
    const summary: IndexSummary = {
      dir,
      files: files.length,
      unchanged: 0,
      indexed: 0,
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
      errors: [],
      seconds: 0,
    };

    // What changed: new or edited files, and files gone from the folders given.
    const changed: { source: SourceFile; candidates: Candidate[] }[] = [];
    for (const path of files) {
      let source: SourceFile;
      try {
        source = readSource(path);
      } catch (e) {
        summary.errors.push(`${path}: cannot read (${(e as Error).message})`);
        continue;
      }
      if (store.fileHash(path) === source.hash) {
        summary.unchanged++;
        continue;
      }
      const { candidates, errors } = await candidatesOf(source);
      summary.errors.push(...errors);
      changed.push({ source, candidates });
    }
    const roots = paths.map((p) => resolve(p));
    const listed = new Set(files);
    const gone = store
      .files()
      .map((f) => f.path)
      .filter((p) => !listed.has(p) && roots.some((r) => p === r || p.startsWith(r + sep)));

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
    for (const batch of batches) {
      const all = batch.flatMap((f) => f.candidates);
      const runnable = all.filter((c) => c.args !== null);
      for (const c of all) if (c.args === null) tick();
      const rows = runnable.map((c, i) =>
        FunctionRow.parse({
          id: String(i),
          code: c.code,
          entry: c.name,
          args: c.args ?? [],
          module: c.module,
        }),
      );
      const fileOf = new Map(batch.flatMap((f) => f.candidates.map((c) => [c, f.source.path])));
      const traced =
        rows.length === 0
          ? []
          : await traceFunctions(rows, {
              inputs,
              seed,
              range: REAL_INT_RANGE,
              level: "io",
              maxSteps: options.maxSteps,
              timeoutMs: options.timeoutMs,
              unitOf:
                options.isolation === "row"
                  ? undefined
                  : (_row, i) => `file:${fileOf.get(runnable[i])}`,
              pool,
              onProgress: () => tick(),
            });
      const traceOf = new Map<Candidate, TraceRow>(runnable.map((c, i) => [c, traced[i]]));
      const vectors = embedder ? embedder.embed(all.map((c) => c.code)) : [];
      const vectorOf = new Map<Candidate, Float32Array>(all.map((c, i) => [c, vectors[i]]));
      store.transaction(() => {
        for (const { source, candidates } of batch) {
          const records = candidates.map((c) =>
            toRecord(c, traceOf.get(c), vectorOf.get(c), summary),
          );
          for (const c of candidates) {
            const t = traceOf.get(c);
            if (t?.status === "ok") store.saveInputs(JSON.stringify(c.args), inputsOf(t));
          }
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
    summary.seconds = (performance.now() - t0) / 1000;
    return summary;
  } finally {
    store.close();
    if (!options.pool) await pool.close();
  }
}

/** The encoded inputs of a trace, one list of argument strings per call. */
const inputsOf = (t: TraceRow) => t.runs.map((r) => r.input);

function toRecord(
  c: Candidate,
  trace: TraceRow | undefined,
  embedding: Float32Array | undefined,
  summary: IndexSummary,
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
  };
  const where = { file: c.file, line: c.line, name: c.name };
  if (!trace || c.args === null) {
    summary.noInputs++;
    summary.problems.push({ ...where, status: "no_inputs", reason: c.problem ?? "no inputs" });
    return { ...base, status: "no_inputs" };
  }
  if (trace.status !== "ok") {
    summary.failed[trace.status] = (summary.failed[trace.status] ?? 0) + 1;
    const reason = shortReason(trace.error ?? trace.status);
    summary.problems.push({ ...where, status: trace.status, reason });
    return { ...base, status: trace.status, error: trace.error ?? trace.status };
  }
  summary.executed++;
  const args = base.args as string;
  return {
    ...base,
    status: "ok",
    ioClass: trace.ioClass,
    behaviour: trace.ioClass ? behaviourKey(args, trace.ioClass) : null,
    outputs: trace.runs.map((r) => r.output),
  };
}
