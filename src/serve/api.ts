/**
 * What each JSON endpoint answers, as plain functions of the server's state (no HTTP here):
 * search results with their behaviour diffs, a function with its inputs and outputs, one
 * input's trace with the lines that ran, the map and the report. Bad input throws HttpError
 * with a 4xx status and a message naming the input and the problem.
 */
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { basename, extname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { type ArgType, parseArgTypes } from "../data/index.js";
import { DEFAULT_MAX_STEPS, inputSet } from "../python/index.js";
import { exceptionMessage, raisedType } from "../python/trace.js";
import { REAL_INT_RANGE, readSource } from "../realcode/index.js";
import {
  type IndexStore,
  indexedRow,
  moduleLinesOf,
  queryFunction,
  SearchError,
  type SearchHit,
  type SearchResult,
  type StoredFunction,
  searchIndex,
} from "../search/index.js";
import { initPython } from "../synth/index.js";
import { RecordingPool, type SandboxGate } from "./gate.js";
import { type EmbeddingMap, MapNotReadyError } from "./map.js";
import { linesOf, MAX_PROBED_LINE, PROBE_ENTRY, probedCopy } from "./probe.js";

export class HttpError extends Error {
  override name = "HttpError";
  constructor(
    readonly status: 400 | 404 | 409 | 413 | 415 | 422 | 500 | 503,
    message: string,
  ) {
    super(message);
  }
}

export interface Limits {
  /** Characters of query code (default 65,536). */
  maxCodeChars: number;
  /** Largest k a search may ask for (default 50). */
  maxK: number;
}

export const DEFAULT_LIMITS: Limits = { maxCodeChars: 65_536, maxK: 50 };
/** Differing inputs listed per hit (all are counted). */
export const MAX_DIFFERENCES = 50;

export interface ServeState {
  dir: string;
  store: IndexStore;
  gate: SandboxGate;
  map: EmbeddingMap;
  reportDir?: string;
  limits: Limits;
  /** Recent function runs, by `id:input`. */
  runs: Map<string, FunctionRun>;
}

/**
 * A path as the pages show it: relative to the working folder when inside it, else `…/name`
 * (as the reports write paths), so no page or screenshot shows this machine's folders.
 */
export function displayPath(p: string): string {
  const r = relative(process.cwd(), resolve(p));
  if (r === "") return ".";
  return r === ".." || r.startsWith(`..${sep}`) || isAbsolute(r) ? `…/${basename(p)}` : r;
}

// ---------------------------------------------------------------- request checks

function objectBody(body: unknown): Record<string, unknown> {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw new HttpError(400, "the request body must be a JSON object");
  return body as Record<string, unknown>;
}

function codeField(body: Record<string, unknown>, limits: Limits): string {
  const code = body.code;
  if (typeof code !== "string" || code.trim() === "")
    throw new HttpError(400, '"code" must be a non-empty string of Python source');
  if (code.length > limits.maxCodeChars)
    throw new HttpError(
      413,
      `"code" is ${code.length.toLocaleString("en")} characters; the limit is ${limits.maxCodeChars.toLocaleString("en")}`,
    );
  return code;
}

/** A function name, or a method as `Class.method` (as `tracecode search --entry` takes). */
const ENTRY = /^[A-Za-z_][A-Za-z0-9_]{0,99}(\.[A-Za-z_][A-Za-z0-9_]{0,99})?$/;

function entryField(body: Record<string, unknown>): string | undefined {
  const entry = body.entry;
  if (entry === undefined || entry === null || entry === "") return undefined;
  if (typeof entry !== "string" || !ENTRY.test(entry))
    throw new HttpError(
      400,
      `"entry" must be a Python function name or Class.method, got ${JSON.stringify(entry)}`,
    );
  return entry;
}

/**
 * Argument types in the type language of `tracecode search --args` (src/data `parseArgTypes`):
 * a list of types, or one text of comma-separated types as the flag takes it.
 */
function argsField(body: Record<string, unknown>): ArgType[] | undefined {
  const args = body.args;
  if (args === undefined || args === null || args === "") return undefined;
  if (typeof args !== "string" && !(Array.isArray(args) && args.length <= 16))
    throw new HttpError(400, '"args" must be a list (or comma-separated text) of argument types');
  for (const t of Array.isArray(args) ? args : [])
    if (typeof t !== "string")
      throw new HttpError(400, `"args": ${JSON.stringify(t)} is not a type name (a string)`);
  try {
    const types = parseArgTypes(Array.isArray(args) ? args.join(",") : args);
    if (types.length > 16) throw new Error("more than 16 argument types");
    return types;
  } catch (e) {
    throw new HttpError(
      400,
      `"args": ${(e as Error).message}; composites such as list[int], dict[str,int] or tuple[int,str] as in the README`,
    );
  }
}

function intField(value: unknown, name: string, min: number, max: number, fallback: number) {
  if (value === undefined || value === null || value === "") return fallback;
  const n = typeof value === "string" ? Number(value) : value;
  if (typeof n !== "number" || !Number.isInteger(n) || n < min || n > max)
    throw new HttpError(
      400,
      `"${name}" must be an integer in ${min}..${max}, got ${JSON.stringify(value)}`,
    );
  return n;
}

/**
 * A function id from the URL: 400 when it is not one, 404 when the index has no such function.
 * Ids are SQLite AUTOINCREMENT keys, so they start at 1: 0, negative, fractional, signed or
 * zero-padded text is not an id.
 */
export function lookup(state: ServeState, idText: string): StoredFunction {
  const id = Number(idText);
  if (!/^[1-9][0-9]*$/.test(idText) || !Number.isSafeInteger(id))
    throw new HttpError(
      400,
      `not a function id: ${JSON.stringify(idText)} (ids are positive integers: 1, 2, …)`,
    );
  const [f] = state.store.functions([id]);
  if (!f) throw new HttpError(404, `no function with id ${idText} in this index`);
  return f;
}

const typesOf = (args: string | null): ArgType[] | null =>
  args === null ? null : (JSON.parse(args) as ArgType[]);

function signature(name: string, args: readonly string[] | null): string {
  return `${name}(${args ? args.join(", ") : "?"})`;
}

/** Evidence of inferred parameter types (src/realcode `EVIDENCE`), as the pages say it. */
const EVIDENCE_TEXT: Record<string, string> = {
  hint: "type hints",
  doctest: "doctests",
  default: "defaults",
  usage: "usage",
  "call site": "call sites",
  name: "parameter names",
  probe: "probing",
  guess: "guesses",
  user: "the config",
};

/**
 * Where a function's argument types came from, in words (the store's `argsFrom`: `row`,
 * `hints`, `user`, `inferred`); an inferred signature names its evidence from the stored one.
 */
export function argsFromText(f: Pick<StoredFunction, "argsFrom" | "signature">): string {
  switch (f.argsFrom) {
    case "row":
      return "given with the row";
    case "hints":
      return "type hints";
    case "user":
      return "given in tracecode.toml or --types";
    case "inferred": {
      let evidence: string[] = [];
      try {
        const s = JSON.parse(f.signature ?? "{}") as { params?: { from?: string }[] };
        evidence = [...new Set((s.params ?? []).map((p) => p.from ?? ""))]
          .filter((e) => e !== "")
          .map((e) => EVIDENCE_TEXT[e] ?? e);
      } catch {
        // An unreadable stored signature still says the types were inferred.
      }
      return `inferred from the code${evidence.length ? ` (${evidence.join(", ")})` : ""}`;
    }
    default:
      return String(f.argsFrom);
  }
}

// ---------------------------------------------------------------- search

export interface Difference {
  /** Index of the input in the index's inputs for this signature. */
  index: number;
  input: string[];
  query: string;
  hit: string;
}

export interface PageHit extends SearchHit {
  /** Position by behaviour, then similarity (`rank` is the similarity rank). */
  order: number;
  verdict: "same" | "differs" | "not compared";
  verdictText: string;
  code: string;
  /** Per line of `code`, its line in the file (as /api/functions/ID gives it). */
  fileLines: (number | null)[] | null;
  signature: string;
  /** The store's `argsFrom` (`row`, `hints`, `user`, `inferred`), as /api/functions/ID says it. */
  argsFrom: string | null;
  /** The same in words (null without argument types: then `problem` says why). */
  argsFromText: string | null;
  problem?: string;
  differences: { count: number; shown: Difference[] } | null;
}

export interface SearchPage extends Omit<SearchResult, "hits"> {
  query: SearchResult["query"] & { signature: string };
  hits: PageHit[];
  milliseconds: number;
}

const verdictOrder = { same: 0, differs: 1, "not compared": 2 };

export async function search(state: ServeState, raw: unknown): Promise<SearchPage> {
  const t0 = performance.now();
  const body = objectBody(raw);
  const code = codeField(body, state.limits);
  const entry = entryField(body);
  const args = argsField(body);
  const k = intField(body.k, "k", 1, state.limits.maxK, 10);
  const pool = new RecordingPool(state.gate.pool);
  let result: SearchResult;
  try {
    result = await state.gate.run(() => searchIndex(state.dir, code, { entry, args, k, pool }));
  } catch (e) {
    if (e instanceof SearchError) throw new HttpError(422, e.message);
    throw e;
  }
  const run = result.query.status === "ok" ? pool.results[0] : undefined;
  const stored = new Map(state.store.functions(result.hits.map((h) => h.id)).map((f) => [f.id, f]));
  const texts = new Map<string, string | null>();
  const hits = result.hits.map((h): PageHit => {
    const f = stored.get(h.id);
    const b = h.behaviour;
    let differences: PageHit["differences"] = null;
    let verdict: PageHit["verdict"] = "not compared";
    let verdictText = b.kind === "not-compared" ? b.reason : "";
    if (b.kind === "compared") {
      verdict = b.equal === b.shared ? "same" : "differs";
      verdictText =
        verdict === "same"
          ? `same behaviour: equal on ${b.equal}/${b.shared} inputs`
          : `differs on ${b.shared - b.equal} of ${b.shared} inputs`;
      const inputs = f?.args ? state.store.inputsFor(f.args) : undefined;
      const shown: Difference[] = [];
      let count = 0;
      if (run && f?.outputs && inputs) {
        const n = Math.min(run.runs.length, f.outputs.length);
        for (let i = 0; i < n; i++) {
          const q = run.runs[i][2];
          if (q === f.outputs[i]) continue;
          count++;
          if (shown.length < MAX_DIFFERENCES)
            shown.push({ index: i, input: inputs[i] ?? [], query: q, hit: f.outputs[i] });
        }
      }
      differences = { count, shown };
    }
    return {
      ...h,
      file: displayPath(h.file),
      order: 0,
      verdict,
      verdictText,
      code: f?.code ?? "",
      fileLines: f ? fileLinesOf(f, texts) : null,
      signature: f ? signature(f.name, typesOf(f.args)) : h.name,
      argsFrom: f?.argsFrom ?? null,
      argsFromText: f?.args ? argsFromText(f) : null,
      ...(f?.problem ? { problem: f.problem } : {}),
      differences,
    };
  });
  const share = (h: PageHit) =>
    h.behaviour.kind === "compared" ? h.behaviour.equal / Math.max(1, h.behaviour.shared) : 0;
  hits.sort(
    (a, b) =>
      verdictOrder[a.verdict] - verdictOrder[b.verdict] || share(b) - share(a) || a.rank - b.rank,
  );
  hits.forEach((h, i) => {
    h.order = i + 1;
  });
  return {
    ...result,
    query: { ...result.query, signature: signature(result.query.entry, result.query.args) },
    ...(result.model ? { model: { ...result.model, dir: displayPath(result.model.dir) } } : {}),
    hits,
    sameBehaviour: result.sameBehaviour.map((s) => ({ ...s, file: displayPath(s.file) })),
    milliseconds: Math.round(performance.now() - t0),
  };
}

// ---------------------------------------------------------------- functions

/**
 * Statuses of a function that ran at indexing, and so can be traced again on one input:
 * `always_raises` ran too, and raised on every input (its trace shows the lines up to the raise).
 */
const RAN = new Set(["ok", "always_raises"]);

/** The encoded inputs a function ran on at indexing, when the index stores them. */
const storedInputs = (state: ServeState, f: StoredFunction) =>
  f.args ? state.store.inputsFor(f.args) : undefined;

/**
 * Per line of the function's code, its line in its file (null for the imports and helpers from
 * elsewhere in the file that the code begins with); null for a row of a functions file, or a
 * file that no longer holds the function.
 */
function fileLinesOf(
  f: StoredFunction,
  texts = new Map<string, string | null>(),
): (number | null)[] | null {
  if (!f.kind) return null;
  // One read per file for a page's many functions (a search's hits share files).
  if (!texts.has(f.file)) {
    try {
      texts.set(f.file, existsSync(f.file) ? readSource(f.file).text : null);
    } catch {
      texts.set(f.file, null);
    }
  }
  const text = texts.get(f.file);
  return text == null ? null : (moduleLinesOf(f.code, f.line, text) ?? null);
}

export function functionInfo(state: ServeState, idText: string, withRows: boolean) {
  const f = lookup(state, idText);
  const args = typesOf(f.args);
  const inputs = storedInputs(state, f);
  const members = f.behaviour ? state.store.inBehaviour(f.behaviour, 1001) : [];
  // Every input of a function that always raised raised: no outputs are stored, but each input
  // can be run (and traced up to the exception) all the same.
  const raisedRows = () =>
    Array.from({ length: inputs?.length ?? Number(state.store.getMeta("inputs")) }, (_, i) => ({
      index: i,
      input: inputs?.[i] ?? null,
      output: null,
    }));
  return {
    id: f.id,
    name: f.name,
    file: displayPath(f.file),
    line: f.line,
    code: f.code,
    fileLines: fileLinesOf(f),
    signature: signature(f.name, args),
    args,
    argsFrom: f.argsFrom,
    argsFromText: f.args ? argsFromText(f) : null,
    ...(f.problem ? { problem: f.problem } : {}),
    status: f.status,
    ...(f.error ? { error: f.error } : {}),
    behaviour: f.behaviour
      ? {
          key: f.behaviour,
          size: members.length > 1000 ? "1000+" : members.length,
          others: members
            .filter((m) => m.id !== f.id)
            .slice(0, 20)
            .map((m) => ({ id: m.id, name: m.name, file: displayPath(m.file), line: m.line })),
        }
      : null,
    ...(withRows
      ? {
          rows:
            f.outputs && inputs
              ? f.outputs.map((output, i) => ({ index: i, input: inputs[i] ?? [], output }))
              : f.status === "always_raises" && args
                ? raisedRows()
                : [],
        }
      : {}),
  };
}

export interface FunctionRun {
  id: number;
  index: number;
  input: string[];
  /** Output stored at indexing time, and this run's (they differ only if the code changed). */
  stored: string | null;
  status: string;
  error?: string;
  output?: string;
  /** The exception this input raised (`Type: message`), when it raised. */
  raised?: string;
  /** The tracer's canonical block ids for this input (numbered by first execution). */
  blocks: number[];
  values: string[];
  truncated: boolean;
  /** Lines of the code whose statements ran (from the probed copy), or null with why not. */
  lines: number[] | null;
  linesNote?: string;
}

const MAX_CACHED_RUNS = 256;

/**
 * How to run a stored function again: as indexing ran it (inside its module, through its call
 * wrapper, with its package: `indexedRow`), or, for a functions-file row of code alone, that
 * code. The probed copy is of what runs; `lineOf` maps its lines to the lines of `f.code`.
 */
async function runnable(f: StoredFunction, roots: readonly string[]) {
  const probe = (code: string, entry: string) => {
    try {
      return probedCopy(code, entry);
    } catch {
      return undefined;
    }
  };
  const again = await indexedRow(f, roots);
  if ("problem" in again) {
    // A row of a functions file without a module ran as its code alone: so it runs again.
    if (f.kind)
      throw new HttpError(
        409,
        `function ${f.id} (${f.name}) cannot be run as it was indexed: ${again.problem}`,
      );
    return {
      job: { code: f.code, entry: f.name },
      probed: probe(f.code, f.name),
      lineOf: (l: number): number | undefined => l,
    };
  }
  const { row, module } = again;
  const job = {
    code: row.module ?? row.code,
    entry: row.entry,
    ...(row.module !== undefined ? { module: true } : {}),
    ...(row.package ? { package: row.package } : {}),
  };
  if (!module) return { job, probed: probe(row.code, row.entry), lineOf: (l: number) => l };
  // The module's lines of the function, as lines of `f.code`.
  const lines = moduleLinesOf(f.code, f.line, module.text) ?? [];
  const probedModule = probe(module.text, row.entry);
  return {
    job,
    probed:
      probedModule && module.wrapper ? `${probedModule}\n\n${module.wrapper}\n` : probedModule,
    lineOf: (l: number): number | undefined => {
      const c = lines.indexOf(l);
      return c >= 0 ? c + 1 : undefined;
    },
  };
}

/** Runs a function in the sandbox on one of the index's inputs: its blocks and the lines that ran. */
export async function functionRun(
  state: ServeState,
  idText: string,
  inputText: string | undefined,
): Promise<FunctionRun> {
  const f = lookup(state, idText);
  const types = typesOf(f.args);
  if (!types || !RAN.has(f.status))
    throw new HttpError(
      409,
      `function ${f.id} (${f.name}) did not run at indexing (${f.problem ?? f.error ?? f.status}): there is nothing to trace`,
    );
  const stored = storedInputs(state, f);
  const n = Number(state.store.getMeta("inputs"));
  const seed = Number(state.store.getMeta("seed"));
  const index = intField(inputText, "input", 0, (stored?.length ?? n) - 1, 0);
  const key = `${f.id}:${index}`;
  const cached = state.runs.get(key);
  if (cached) return cached;
  const all = inputSet(types, n, seed, REAL_INT_RANGE);
  const one = { key: `${all.key}#${index}`, types, values: [all.values[index]] };
  await initPython();
  const { job, probed, lineOf } = await runnable(f, state.store.roots());
  const [traced, probe] = await state.gate.run(() =>
    Promise.all([
      state.gate.pool.trace({ ...job, inputs: one }),
      probed
        ? state.gate.pool.trace({
            ...job,
            code: probed,
            entry: PROBE_ENTRY,
            inputs: one,
            // Probes add no block events, but leave room for the wrapper's own.
            maxSteps: DEFAULT_MAX_STEPS + 10_000,
          })
        : Promise.resolve(undefined),
    ]),
  );
  const r = traced.runs[0];
  let lines: number[] | null = null;
  let linesNote: string | undefined;
  if (!probe) linesNote = "the code could not be probed";
  else if (probe.status !== "ok" || !probe.runs[0])
    linesNote = `the probed copy did not run: ${probe.status}${probe.error ? ` (${probe.error})` : ""}`;
  else {
    const probedLines = linesOf(probe.runs[0][2]);
    lines = probedLines ? probedLines.flatMap((l) => lineOf(l) ?? []) : null;
    if (!lines) linesNote = "the probed copy gave no line mask";
    else if (f.code.split("\n").length > MAX_PROBED_LINE)
      linesNote = `lines after ${MAX_PROBED_LINE} are not probed`;
  }
  const raised = r?.[2].startsWith("raise:")
    ? exceptionMessage(traced.error ?? "") || raisedType(r[2])
    : undefined;
  const run: FunctionRun = {
    id: f.id,
    index,
    input: stored?.[index] ?? traced.inputs[0] ?? [],
    stored: f.outputs?.[index] ?? null,
    status: traced.status,
    ...(traced.error ? { error: traced.error } : {}),
    ...(r ? { output: r[2] } : {}),
    ...(raised ? { raised } : {}),
    blocks: r?.[0] ?? [],
    values: r?.[1] ?? [],
    truncated: r?.[3] ?? false,
    lines,
    ...(linesNote ? { linesNote } : {}),
  };
  state.runs.set(key, run);
  if (state.runs.size > MAX_CACHED_RUNS) state.runs.delete(state.runs.keys().next().value!);
  return run;
}

// ---------------------------------------------------------------- map

/**
 * Where a query lands on the map. The query is read as search reads it (`queryFunction`): the
 * same code gets the same answer as from /api/search (its syntax error, no function, an unknown
 * entry), and the same function is placed as is searched for.
 */
export async function placeQuery(state: ServeState, raw: unknown) {
  const body = objectBody(raw);
  const code = codeField(body, state.limits);
  const entry = entryField(body);
  let f: Awaited<ReturnType<typeof queryFunction>>["f"];
  try {
    f = (await queryFunction(code, { entry })).f;
  } catch (e) {
    if (e instanceof SearchError) throw new HttpError(422, e.message);
    throw e;
  }
  const current = state.map.refreshed();
  if (current.status !== "ready")
    throw new HttpError(409, `the map is not ready (${current.status})`);
  try {
    return { entry: f.name, ...(await state.map.place(f.code)) };
  } catch (e) {
    if (e instanceof MapNotReadyError) throw new HttpError(409, e.message);
    throw e;
  }
}

// ---------------------------------------------------------------- report

const REPORT_TYPES: Record<string, string> = {
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".html": "text/html; charset=utf-8",
  ".md": "text/markdown; charset=utf-8",
  ".json": "application/json",
};

function reportDir(state: ServeState): string {
  if (!state.reportDir)
    throw new HttpError(
      404,
      "no report: start the server with --report DIR (a tracecode report folder)",
    );
  return state.reportDir;
}

export function reportInfo(state: ServeState) {
  const dir = reportDir(state);
  const claimsPath = join(dir, "claims.json");
  let claims: unknown[] = [];
  if (existsSync(claimsPath)) {
    try {
      claims =
        (JSON.parse(readFileSync(claimsPath, "utf8")) as { claims?: unknown[] }).claims ?? [];
    } catch (e) {
      throw new HttpError(
        500,
        `${displayPath(claimsPath)} is not valid JSON: ${(e as Error).message}`,
      );
    }
  }
  const figuresDir = join(dir, "figures");
  const figures = existsSync(figuresDir)
    ? readdirSync(figuresDir)
        .filter((f) => f.endsWith(".svg"))
        .sort()
        .map((f) => {
          const name = f.replace(/\.svg$/, "");
          return {
            name,
            svg: `/report/files/figures/${encodeURIComponent(f)}`,
            ...(existsSync(join(figuresDir, `${name}.png`))
              ? { png: `/report/files/figures/${encodeURIComponent(name)}.png` }
              : {}),
          };
        })
    : [];
  return {
    dir: displayPath(dir),
    claims,
    figures,
    html: existsSync(join(dir, "index.html")) ? "/report/files/index.html" : null,
    markdown: existsSync(join(dir, "REPORT.md")) ? "/report/files/REPORT.md" : null,
  };
}

/**
 * A file of the report folder; only known types, only regular files, never outside the folder
 * — links are followed first, so a link in the folder to /etc/passwd is not served.
 */
export function reportFile(state: ServeState, path: string): { body: Buffer; type: string } {
  const dir = realpathSync(reportDir(state));
  const missing = new HttpError(404, `the report has no file ${JSON.stringify(path)}`);
  const type = REPORT_TYPES[extname(path).toLowerCase()];
  let real: string;
  try {
    real = realpathSync(resolve(dir, path));
  } catch {
    throw missing;
  }
  if (!real.startsWith(dir + sep) || !type || !statSync(real).isFile()) throw missing;
  return { body: readFileSync(real), type };
}
