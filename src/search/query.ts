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
import { type TracerPool, traceFunctions, traceWarm } from "../python/index.js";
import {
  describeSignature,
  extractFunctions,
  inferSignature,
  REAL_INT_RANGE,
  type SignatureCandidate,
} from "../realcode/index.js";
import { initPython, syntaxErrorAt } from "../synth/index.js";
import { behaviourKey, drawnVerdict, inputsKeyOf, successShare } from "./build.js";
import { buildId } from "./build-id.js";
import { agreement, readThreshold, tfidfVectors } from "./clones/index.js";
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
  /** Show at most this many functions of the query's exact behaviour (default: all). */
  maxExact?: number;
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
  /** Position in the answer: exact behaviour first, then partial agreement, then similarity. */
  rank: number;
  /** `same`: the query's exact behaviour; `partial`: equal on some inputs; `similar`: neither. */
  group: "same" | "partial" | "similar";
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
  /** The signature it ran with and where each type came from, when inferred or given. */
  signature?: string;
}

export interface SearchResult {
  query: {
    entry: string;
    args: ArgType[] | null;
    /** Trace status, or `not_run` with `reason`. */
    status: string;
    reason?: string;
    /** Where its argument types came from (hints, `--args`, or inference with evidence). */
    signature?: string;
  };
  /** Functions of the index with exactly the query's behaviour (all of them, even if cut). */
  exactCount: number;
  /** The explicit answer when the query ran and no indexed function behaves like it. */
  noExact?: string;
  /**
   * The answer when nothing has the query's behaviour and even the nearest code is less similar
   * than the model's calibrated threshold (its threshold.json, from eval-clones --save-threshold).
   */
  noEquivalent?: string;
  ranking: "ann" | "exact" | "lexical";
  /** Why the ranking is not the approximate one by embeddings, when it is not. */
  note?: string;
  model?: { dir: string; kind: string };
  indexed: number;
  hits: SearchHit[];
  /** Functions of exactly the query's behaviour left out by `maxExact`. */
  sameBehaviour: { id: number; file: string; line: number; name: string }[];
}

/** An error the user can fix (bad snippet, missing index, …): reported without a stack. */
export class SearchError extends Error {
  override name = "SearchError";
}

/**
 * The query function, made self-contained, with its argument types (or why there are none).
 * Throws SearchError for code that is not valid Python or names no function to search for.
 */
export async function queryFunction(
  code: string,
  options: Pick<SearchOptions, "entry" | "args"> = {},
) {
  // A binary file (an upload, --file) would read as a syntax error on some line of noise.
  if (code.includes("\0"))
    throw new SearchError(
      "the query is not text (it holds a NUL byte, as binary files do): give Python source",
    );
  await initPython();
  const error = syntaxErrorAt(code);
  if (error) throw new SearchError(`the query is not valid Python (${error})`);
  const all = extractFunctions(code);
  const names = all.map((g) => g.name).join(", ");
  // Without an entry, the last top-level function; a method only when named (Class.method).
  const fns = all.filter((g) => g.kind === "function");
  if (!options.entry && fns.length === 0)
    throw new SearchError(
      all.length > 0
        ? `the query has no top-level function (def); name a method with --entry Class.method (it has: ${names})`
        : "the query has no top-level function (def)",
    );
  const f = options.entry ? all.find((g) => g.name === options.entry) : fns[fns.length - 1];
  if (!f) throw new SearchError(`the query has no function "${options.entry}" (it has: ${names})`);
  const inference = inferSignature(f, [], options.args ? { args: options.args } : undefined);
  // Types the user gave that cannot apply are their mistake to fix, not a query to rank unrun.
  if (options.args && inference.candidates.length === 0 && inference.problem) {
    throw new SearchError(`argument types for ${f.name}: ${inference.problem}`);
  }
  return {
    f,
    inference,
    problem: inference.candidates.length ? undefined : (inference.problem ?? f.problem),
  };
}

/** A stored signature as one line: `xs: list[int] (usage: len(xs))`, and the doctest check. */
export function storedSignatureText(json: string): string {
  const s = JSON.parse(json) as {
    params?: SignatureCandidate["params"];
    chosen?: boolean;
    doctest?: { examples: number; agree: number };
  };
  const parts = [s.params ? describeSignature({ args: [], params: s.params }) : ""];
  if (s.chosen) parts.push("chosen by probing");
  if (s.doctest) parts.push(`doctests ${s.doctest.agree}/${s.doctest.examples} agree`);
  return parts.filter((p) => p !== "").join("; ");
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
  queryTypes: string | null,
  queryReason: string | undefined,
  hit: StoredFunction,
  store: IndexStore,
): Behaviour {
  // It ran, and raised on every input: nothing to compare, but not "not run".
  if (query?.status === "always_raises")
    return { kind: "not-compared", reason: "the query raised on every drawn input" };
  if (query?.status !== "ok")
    return { kind: "not-compared", reason: `query not run: ${queryReason ?? "no inputs"}` };
  if (hit.status === "no_inputs")
    return { kind: "not-compared", reason: `not run: ${hit.problem ?? "no inputs"}` };
  if (hit.status !== "ok")
    return {
      kind: "not-compared",
      // It ran (or began to): what it lacks is a behaviour to compare with.
      reason: `no behaviour: ${hit.status}${hit.error ? ` (${hit.error})` : ""}`,
    };
  if ((hit.inputsKey ?? hit.args) !== queryArgs) {
    // Same types, called another way: its outputs are of the rewritten arguments.
    const call = hit.signature ? (JSON.parse(hit.signature) as { call?: string }).call : undefined;
    if (call && hit.args === queryTypes)
      return { kind: "not-compared", reason: `called with its arguments rewritten (${call})` };
    return {
      kind: "not-compared",
      reason: `other argument types (${(JSON.parse(hit.args ?? "[]") as string[]).join(", ")})`,
    };
  }
  const mine = storedTrace(hit, store.inputsFor(hit.inputsKey ?? hit.args ?? ""));
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
    // Behaviours are compared with the index's stored runs: another build may run code otherwise.
    if (!options.noExecute && store.getMeta("build") !== buildId())
      throw new SearchError(
        `${dir} was indexed by another build of tracecode, whose runs this one may not reproduce: run tracecode index on the same paths again (every file runs again), or search with --no-run`,
      );
    const { f, inference, problem } = await queryFunction(code, options);

    // The query's behaviour on the index's inputs: its most likely signature and those the index
    // has inputs for (up to three, run together); the one whose calls return most often wins.
    // The most likely one always runs: a query no indexed function shares types with still
    // gets its own behaviour, not the errors of a type its code says it is not.
    let trace: TraceRow | undefined;
    let chosen: SignatureCandidate | undefined;
    let status = "not_run";
    let reason = problem;
    if (options.noExecute) reason = "not asked to run";
    else if (inference.candidates.length > 0) {
      const [likely, ...others] = inference.candidates;
      const known = others.filter((c) => store.inputsFor(JSON.stringify(c.args)));
      const tryThese = (
        inference.certain ? [likely] : [likely, ...(known.length ? known : others)]
      ).slice(0, 3);
      // A candidate that builds its instance another way has its own wrapper.
      const moduleFor = (w = inference.wrapper) => (w ? `${code}\n\n${w}\n` : code);
      const rows = tryThese.map((c, i) =>
        FunctionRow.parse({
          id: `query${i}`,
          code: f.code,
          entry: inference.entry,
          args: c.args,
          module: moduleFor(c.wrapper),
        }),
      );
      const settings = {
        inputs: Number(store.getMeta("inputs")),
        seed: Number(store.getMeta("seed")),
        range: REAL_INT_RANGE,
        level: "io" as const,
      };
      // Without a pool of the caller's, a warm sandbox server answers (starting the sandbox
      // costs seconds per command); the rows are the same either way.
      const traced = options.pool
        ? await traceFunctions(rows, { ...settings, pool: options.pool })
        : (await traceWarm(rows, settings)).rows;
      // Another signature wins only by returning more often: one whose every call raises (a
      // TypeError at once, say) says less than the likely one that spent its step budget.
      let best = 0;
      traced.forEach((t, i) => {
        if (successShare(t) > Math.max(successShare(traced[best]), 0)) best = i;
      });
      // Raising on every call is said of the drawn inputs; the sandbox's own exception is not run.
      trace = drawnVerdict(traced[best], settings.inputs);
      chosen = tryThese[best];
      status = trace.status;
      if (trace.status === "always_raises" || /^withheld: /.test(trace.error ?? ""))
        reason = trace.error;
      else if (trace.status !== "ok") reason = `${trace.status}: ${trace.error ?? ""}`.trim();
    }
    // Compared under the key indexing gives: the types, and how its call rewrites them.
    const argsKey = chosen ? inputsKeyOf(chosen.args, chosen.wrapper ?? inference.wrapper) : null;
    const args = chosen?.args ?? inference.candidates[0]?.args ?? null;

    const distance = (store.getMeta("distance") ?? "cosine") as Distance;
    const similarity = (d: number) => (ranking === "lexical" ? 1 - d : similarityOf(distance, d));
    /** Distances of functions that may not be among the neighbours. */
    const distancesOf = (ids: number[]): Map<number, number> => {
      const out = new Map(neighbours.map((n) => [n.id, n.distance]));
      const missing = ids.filter((id) => !out.has(id));
      if (missing.length === 0) return out;
      if (lexicalAll) {
        for (const n of lexicalAll) if (!out.has(n.id)) out.set(n.id, n.distance);
      } else if (embedder && queryVector) {
        const { ids: have, data } = store.embeddingsOf(missing, embedder.dim);
        for (const n of exactNearest(
          queryVector,
          have,
          data,
          embedder.dim,
          embedder.distance,
          have.length,
        ))
          out.set(n.id, n.distance);
      }
      return out;
    };

    // Exact behaviour: every indexed function of the query's class; partial: equal on some.
    const ran = trace?.status === "ok" && trace.ioClass && argsKey;
    const exact = ran ? store.allInBehaviour(behaviourKey(argsKey, trace?.ioClass as string)) : [];
    const partial: { s: StoredFunction; share: number }[] = [];
    if (ran) {
      const exactIds = new Set(exact.map((e) => e.id));
      const inputs = store.inputsFor(argsKey);
      for (const s of store.ranUnder(argsKey)) {
        if (exactIds.has(s.id)) continue;
        const a = agreement(trace, storedTrace(s, inputs));
        if (a.shared > 0 && a.equal > 0) partial.push({ s, share: a.equal / a.shared });
      }
    }
    // Ranking: enough neighbours to fill k after the exact and partial ones they may repeat.
    const want = Math.min(k + exact.length + Math.min(partial.length, k), store.count("functions"));
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
    let queryVector: Float32Array | undefined;
    let lexicalAll: Neighbour[] | undefined;
    if (embedder) {
      queryVector = embedder.embed([f.code])[0];
      const annPath = join(dir, ANN_FILE);
      const annCurrent =
        existsSync(annPath) && store.getMeta("ann_generation") === store.getMeta("generation");
      if (!options.exact && annCurrent) {
        ranking = "ann";
        neighbours = AnnIndex.load(annPath, embedder.distance, embedder.dim).nearest(
          queryVector,
          want,
        );
      } else {
        ranking = "exact";
        // An index of no functions has no graph to be out of date.
        if (!options.exact && store.count("functions") > 0)
          note = "the ANN graph is out of date (re-run tracecode index): exact scan";
        const { ids, data } = store.embeddings(embedder.dim);
        neighbours = exactNearest(queryVector, ids, data, embedder.dim, embedder.distance, want);
      }
    } else {
      lexicalAll = lexicalNearest(store, f.code, Number.POSITIVE_INFINITY);
      neighbours = lexicalAll.slice(0, want);
    }

    const distances = distancesOf([...exact.map((e) => e.id), ...partial.map((p) => p.s.id)]);
    const dist = (id: number) => distances.get(id) ?? Number.POSITIVE_INFINITY;
    exact.sort((a, b) => dist(a.id) - dist(b.id) || a.id - b.id);
    partial.sort((a, b) => b.share - a.share || dist(a.s.id) - dist(b.s.id) || a.s.id - b.s.id);
    const shownExact = options.maxExact !== undefined ? exact.slice(0, options.maxExact) : exact;
    const taken = new Set(exact.map((e) => e.id));
    const rest: { s: StoredFunction; group: SearchHit["group"] }[] = [];
    for (const p of partial) {
      if (rest.length >= k) break;
      rest.push({ s: p.s, group: "partial" });
      taken.add(p.s.id);
    }
    const similar = store.functions(neighbours.map((n) => n.id)).filter((s) => !taken.has(s.id));
    for (const s of similar) {
      if (rest.length >= k) break;
      rest.push({ s, group: "similar" });
    }
    const ordered = [...shownExact.map((s) => ({ s, group: "same" as const })), ...rest];
    const hits: SearchHit[] = ordered.map(({ s, group }, i) => {
      const d = dist(s.id);
      return {
        rank: i + 1,
        group,
        id: s.id,
        file: s.file,
        line: s.line,
        name: s.name,
        similarity: Number.isFinite(d) ? similarity(d) : 0,
        ...(ranking === "lexical" || !Number.isFinite(d) ? {} : { distance: d }),
        status: s.status,
        behaviour: compare(
          trace,
          argsKey,
          chosen ? JSON.stringify(chosen.args) : null,
          reason,
          s,
          store,
        ),
        ...(s.signature && (s.argsFrom === "inferred" || s.argsFrom === "user")
          ? { signature: storedSignatureText(s.signature) }
          : {}),
      };
    });
    // Below the calibrated threshold even the nearest code is no evidence of an equivalent.
    const threshold = embedder ? readThreshold(embedder.dir, embedder.id)?.threshold : undefined;
    const best = Math.max(...neighbours.map((n) => similarity(n.distance)));
    // Behaviour is compared only with functions that ran on the query's argument types: with
    // none, "no function has this behaviour" would be said of a comparison never made.
    const compared = ran && argsKey !== null && store.inputsFor(argsKey) !== undefined;
    const noEquivalent =
      threshold !== undefined &&
      ranking !== "lexical" &&
      neighbours.length > 0 &&
      exact.length === 0 &&
      best < threshold
        ? `no function in the index has ${compared ? "this behaviour, nor code similar enough to be an equivalent" : "code similar enough to be an equivalent"} (best similarity ${best.toFixed(3)} < τ ${threshold.toFixed(3)})`
        : undefined;
    const noExact =
      ran && exact.length === 0
        ? compared
          ? `no indexed function behaves like the query on the index's ${trace?.runs.length} inputs for (${args?.join(", ")})`
          : `no indexed function ran on the query's argument types (${args?.join(", ")}), so none could be compared by behaviour (--args chooses the query's types)`
        : undefined;
    return {
      query: {
        entry: f.name,
        args,
        status,
        ...(reason ? { reason } : {}),
        ...(chosen && !chosen.params.every((p) => p.from === "hint")
          ? { signature: describeSignature(chosen) }
          : {}),
      },
      ranking,
      ...(note ? { note } : {}),
      ...(embedder ? { model: { dir: embedder.dir, kind: embedder.kind } } : {}),
      indexed: store.count("functions"),
      exactCount: exact.length,
      ...(noExact ? { noExact } : {}),
      ...(noEquivalent ? { noEquivalent } : {}),
      hits,
      sameBehaviour: exact
        .slice(shownExact.length)
        .map((s) => ({ id: s.id, file: s.file, line: s.line, name: s.name })),
    };
  } finally {
    store.close();
  }
}
