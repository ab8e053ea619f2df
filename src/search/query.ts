/**
 * `searchIndex`: a Python snippet in, the k nearest indexed functions out. Ranking is by the
 * index's embeddings (the HNSW graph, or an exact scan), or — for an index built without a
 * model — by character n-gram TF-IDF. When the query's arguments are known it also runs in the
 * sandbox on the index's inputs, and each hit with the same argument types is compared input by
 * input from the outputs stored at indexing time (nothing indexed is run again).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { type ArgType, FunctionRow, type TraceRow } from "../data/index.js";
import { type TracerPool, traceFunctions } from "../python/index.js";
import { extractFunctions, REAL_INT_RANGE } from "../realcode/index.js";
import { initPython, withTree } from "../synth/index.js";
import { behaviourKey } from "./build.js";
import { agreement, tfidfVectors } from "./clones/index.js";
import {
  ANN_FILE,
  AnnIndex,
  DB_FILE,
  type Distance,
  type Embedder,
  exactNearest,
  IndexStore,
  loadEmbedder,
  type Neighbour,
  type StoredFunction,
} from "./store/index.js";

export interface SearchOptions {
  /** Function of the snippet to search for; default: the last top-level function. */
  entry?: string;
  k?: number;
  /** Argument types for a query without (usable) type hints. */
  args?: ArgType[];
  /** Scan every embedding instead of the HNSW graph. */
  exact?: boolean;
  /** Do not run the query. */
  noExecute?: boolean;
  pool?: TracerPool;
}

/** How a hit behaves compared with the query on the inputs both ran on. */
export type Behaviour =
  | { kind: "compared"; equal: number; shared: number; firstDifference?: Difference }
  | { kind: "not-compared"; reason: string };

export interface Difference {
  input: string[];
  query: string;
  hit: string;
}

export interface SearchHit {
  rank: number;
  id: number;
  file: string;
  line: number;
  name: string;
  /** Cosine similarity for cosine models and lexical ranking; 1 / (1 + distance) for Euclidean. */
  similarity: number;
  /** The model's distance (absent for lexical ranking). */
  distance?: number;
  status: string;
  behaviour: Behaviour;
}

export interface SearchResult {
  query: {
    entry: string;
    args: ArgType[] | null;
    /** Trace status, or `not_run` with `reason`. */
    status: string;
    reason?: string;
  };
  ranking: "ann" | "exact" | "lexical";
  /** Why the ranking is not the approximate one by embeddings, when it is not. */
  note?: string;
  model?: { dir: string; kind: string };
  indexed: number;
  hits: SearchHit[];
  /** Other indexed functions with exactly the query's behaviour (not among the hits). */
  sameBehaviour: { id: number; file: string; line: number; name: string }[];
}

/** An error the user can fix (bad snippet, missing index, …): reported without a stack. */
export class SearchError extends Error {
  override name = "SearchError";
}

/** Where the first syntax error of `code` is, if any (tree-sitter ERROR or MISSING node). */
function syntaxErrorAt(code: string): string | undefined {
  return withTree(code, (root) => {
    if (!root.hasError) return undefined;
    const stack = [root];
    while (stack.length > 0) {
      const n = stack.shift()!;
      if (n.type === "ERROR" || n.isMissing) {
        const line = n.startPosition.row + 1;
        const text = code.split("\n")[line - 1]?.trim() ?? "";
        return `line ${line}: ${text.slice(0, 80)}`;
      }
      for (const c of n.children) if (c?.hasError || c?.isMissing) stack.push(c);
    }
    return "somewhere";
  });
}

/** The query function, made self-contained, with its argument types (or why there are none). */
async function queryFunction(code: string, options: SearchOptions) {
  await initPython();
  const error = syntaxErrorAt(code);
  if (error) throw new SearchError(`the query is not valid Python (${error})`);
  const fns = extractFunctions(code);
  if (fns.length === 0) throw new SearchError("the query has no top-level function (def)");
  const f = options.entry ? fns.find((g) => g.name === options.entry) : fns[fns.length - 1];
  if (!f) {
    const names = fns.map((g) => g.name).join(", ");
    throw new SearchError(`the query has no function "${options.entry}" (it has: ${names})`);
  }
  const args = options.args ?? f.args;
  return { f, args, problem: args ? undefined : f.problem };
}

function similarityOf(distance: Distance, d: number): number {
  return distance === "cosine" ? 1 - d : 1 / (1 + d);
}

/** A stored function as a trace row, so src/search's `agreement` compares it. */
function storedTrace(f: StoredFunction, inputs: string[][] | undefined): TraceRow | undefined {
  if (f.status !== "ok" || !f.outputs || !inputs) return undefined;
  return {
    id: String(f.id),
    status: "ok",
    level: "io",
    traceClass: f.ioClass ?? null,
    ioClass: f.ioClass ?? null,
    runs: f.outputs.map((output, i) => ({
      input: inputs[i] ?? [],
      blocks: [],
      values: [],
      output,
      truncated: false,
    })),
  };
}

function compare(
  query: TraceRow | undefined,
  queryArgs: string | null,
  queryReason: string | undefined,
  hit: StoredFunction,
  store: IndexStore,
): Behaviour {
  if (query?.status !== "ok")
    return { kind: "not-compared", reason: `query not run: ${queryReason ?? "no inputs"}` };
  if (hit.status === "no_inputs")
    return { kind: "not-compared", reason: `not run: ${hit.problem ?? "no inputs"}` };
  if (hit.status !== "ok") return { kind: "not-compared", reason: `did not run: ${hit.status}` };
  if (hit.args !== queryArgs) {
    return {
      kind: "not-compared",
      reason: `other argument types (${(JSON.parse(hit.args ?? "[]") as string[]).join(", ")})`,
    };
  }
  const mine = storedTrace(hit, store.inputsFor(hit.args ?? ""));
  const a = agreement(query, mine);
  if (a.shared === 0) return { kind: "not-compared", reason: "no shared inputs" };
  if (!a.firstDifference) return { kind: "compared", equal: a.equal, shared: a.shared };
  const i = query.runs.findIndex((r) => r.input === a.firstDifference);
  return {
    kind: "compared",
    equal: a.equal,
    shared: a.shared,
    firstDifference: {
      input: a.firstDifference,
      query: query.runs[i]?.output ?? "?",
      hit: mine?.runs[i]?.output ?? "?",
    },
  };
}

/** Lexical ranking over every stored function plus the query (IDF from all of them). */
function lexicalNearest(store: IndexStore, code: string, k: number): Neighbour[] {
  const all = store.allCode();
  const vectors = tfidfVectors([code, ...all.map((f) => f.code)]);
  const q = vectors[0];
  const scored = all.map((f, i) => {
    const v = vectors[i + 1];
    const [small, large] = q.size <= v.size ? [q, v] : [v, q];
    let dot = 0;
    for (const [g, w] of small) dot += w * (large.get(g) ?? 0);
    return { id: f.id, distance: 1 - dot };
  });
  return scored.sort((a, b) => a.distance - b.distance || a.id - b.id).slice(0, k);
}

/** Opens an index directory for reading; a clear error when it is not one. */
export function openIndex(dir: string): IndexStore {
  if (!existsSync(join(dir, DB_FILE))) {
    throw new SearchError(
      `${dir} is not an index: ${join(dir, DB_FILE)} is missing (create one with tracecode index)`,
    );
  }
  return IndexStore.open(dir, { readonly: true });
}

export async function searchIndex(
  dir: string,
  code: string,
  options: SearchOptions = {},
): Promise<SearchResult> {
  const k = options.k ?? 10;
  const store = openIndex(dir);
  try {
    const { f, args, problem } = await queryFunction(code, options);
    const argsKey = args ? JSON.stringify(args) : null;

    // Ranking: embeddings when the index has them and the model is still there.
    let embedder: Embedder | null = null;
    let note: string | undefined;
    const modelDir = store.getMeta("model");
    if (!modelDir) {
      note = "the index has no embeddings (built without a model): ranked by lexical similarity";
    } else if (!existsSync(join(modelDir, "model.json"))) {
      note = `the index's model ${modelDir} is missing: ranked by lexical similarity`;
    } else {
      embedder = loadEmbedder(modelDir);
      if (embedder.id !== store.getMeta("model_id")) {
        note = `the model in ${modelDir} changed since indexing (re-run tracecode index): ranked by lexical similarity`;
        embedder = null;
      }
    }
    let ranking: SearchResult["ranking"] = "lexical";
    let neighbours: Neighbour[];
    if (embedder) {
      const q = embedder.embed([f.code])[0];
      const annPath = join(dir, ANN_FILE);
      const annCurrent =
        existsSync(annPath) && store.getMeta("ann_generation") === store.getMeta("generation");
      if (!options.exact && annCurrent) {
        ranking = "ann";
        neighbours = AnnIndex.load(annPath, embedder.distance, embedder.dim).nearest(q, k);
      } else {
        ranking = "exact";
        if (!options.exact)
          note = "the ANN graph is out of date (re-run tracecode index): exact scan";
        const { ids, data } = store.embeddings(embedder.dim);
        neighbours = exactNearest(q, ids, data, embedder.dim, embedder.distance, k);
      }
    } else {
      neighbours = lexicalNearest(store, f.code, k);
    }

    // The query's behaviour on the index's inputs.
    let trace: TraceRow | undefined;
    let status = "not_run";
    let reason = problem;
    if (options.noExecute) reason = "not asked to run";
    else if (args) {
      // The query runs as the module it is, like an indexed file's functions.
      const row = FunctionRow.parse({
        id: "query",
        code: f.code,
        entry: f.name,
        args,
        module: code,
      });
      [trace] = await traceFunctions([row], {
        inputs: Number(store.getMeta("inputs")),
        seed: Number(store.getMeta("seed")),
        range: REAL_INT_RANGE,
        level: "io",
        workers: 1,
        pool: options.pool,
      });
      status = trace.status;
      if (trace.status !== "ok") reason = `${trace.status}: ${trace.error ?? ""}`.trim();
    }

    const distance = (store.getMeta("distance") ?? "cosine") as Distance;
    const found = store.functions(neighbours.map((n) => n.id));
    const byId = new Map(found.map((s) => [s.id, s]));
    const hits: SearchHit[] = neighbours
      .filter((n) => byId.has(n.id))
      .map((n, i) => {
        const s = byId.get(n.id)!;
        return {
          rank: i + 1,
          id: s.id,
          file: s.file,
          line: s.line,
          name: s.name,
          similarity: ranking === "lexical" ? 1 - n.distance : similarityOf(distance, n.distance),
          ...(ranking === "lexical" ? {} : { distance: n.distance }),
          status: s.status,
          behaviour: compare(trace, argsKey, reason, s, store),
        };
      });
    const hitIds = new Set(hits.map((h) => h.id));
    const sameBehaviour =
      trace?.status === "ok" && trace.ioClass && argsKey
        ? store
            .inBehaviour(behaviourKey(argsKey, trace.ioClass), k + hits.length)
            .filter((s) => !hitIds.has(s.id))
            .slice(0, k)
            .map((s) => ({ id: s.id, file: s.file, line: s.line, name: s.name }))
        : [];
    return {
      query: { entry: f.name, args, status, ...(reason ? { reason } : {}) },
      ranking,
      ...(note ? { note } : {}),
      ...(embedder ? { model: { dir: embedder.dir, kind: embedder.kind } } : {}),
      indexed: store.count("functions"),
      hits,
      sameBehaviour,
    };
  } finally {
    store.close();
  }
}
