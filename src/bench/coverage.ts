/**
 * `npm run bench -- coverage [--modules N | --only a,b] [--all] [--workers 2] [--out DIR] [--json FILE]`:
 * how much real, untyped Python gets a behaviour class. The corpus is the pure-Python standard
 * library inside the Pyodide npm package (`node_modules/pyodide/python_stdlib.zip`, read here
 * with Node's zlib), so every machine indexes the same code: its top-level modules (`NAME.py`
 * at the zip's root; packages, `_`-private modules and Pyodide's own files left out), every
 * top-level function and every method of a top-level class (constructors excluded: they run
 * inside every method's calls) — the denominator. Each module is indexed in the sandbox as
 * `tracecode index` would (no type hints given, inference and probing on, no model), and the
 * bench prints per module and in total the share that got a behaviour class from calls that
 * returned, the reasons for the rest, and functions per second.
 *
 * `--modules N` takes the first N modules in name order; `--only` names them; the default is a
 * fixed subset of 37 (DEFAULT_SUBSET, 4–5 min here); `--all` every top-level module (12 min).
 * `--corpus-out FILE` (`.parquet` or `.jsonl`) exports the corpus: every function and method
 * with its module, signature and status (`CorpusFunctionRow`). `--merge a.json,b.json` prints the
 * tables of runs written with `--json` (parts of the corpus run side by side with `--only`) as one.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type CorpusFunctionRow, openRowWriter, type RowWriter } from "../data/index.js";
import { TracerPool, traceFunctions } from "../python/index.js";
import { packagePath } from "../python/pool.js";
import { readZip } from "../realcode/corpus/index.js";
import {
  addReports,
  emptyReport,
  type IndexReport,
  IndexStore,
  indexPaths,
} from "../search/index.js";

/** A fixed subset that runs in 4–5 minutes on the 2-core machine (the full set is in the README). */
export const DEFAULT_SUBSET = [
  "base64",
  "bisect",
  "calendar",
  "colorsys",
  "copy",
  "csv",
  "datetime",
  "difflib",
  "dis",
  "enum",
  "fnmatch",
  "fractions",
  "ftplib",
  "functools",
  "genericpath",
  "getopt",
  "gettext",
  "glob",
  "graphlib",
  "heapq",
  "ipaddress",
  "keyword",
  "linecache",
  "locale",
  "ntpath",
  "numbers",
  "operator",
  "posixpath",
  "pprint",
  "quopri",
  "random",
  "reprlib",
  "shlex",
  "statistics",
  "textwrap",
  "tokenize",
  "weakref",
];

interface Args {
  modules?: number;
  only?: string[];
  all: boolean;
  workers: number;
  json?: string;
  corpusOut?: string;
  merge?: string[];
}

function parseArgs(args: string[]): Args {
  const out: Args = { all: false, workers: 2 };
  for (let i = 0; i < args.length; i++) {
    const key = args[i];
    const value = args[i + 1] ?? "";
    if (key === "--all") out.all = true;
    else if (key === "--modules" && Number.isInteger(Number(value)) && Number(value) > 0) {
      out.modules = Number(value);
      i++;
    } else if (key === "--only" && value) {
      out.only = value.split(",").filter((m) => m !== "");
      i++;
    } else if (key === "--workers" && Number(value) > 0) {
      out.workers = Number(value);
      i++;
    } else if (key === "--json" && value) {
      out.json = value;
      i++;
    } else if (key === "--corpus-out" && value) {
      out.corpusOut = value;
      i++;
    } else if (key === "--merge" && value) {
      out.merge = value.split(",").filter((f) => f !== "");
      i++;
    } else throw new Error(`bench coverage: bad option ${key} ${value}`);
  }
  return out;
}

/** Appends every function of the index in `idx` (one module) to the corpus file. */
function exportCorpus(idx: string, module: string, out: RowWriter): void {
  const store = IndexStore.open(idx, { readonly: true });
  try {
    for (const f of store.functions(store.allCode().map((c) => c.id))) {
      const row: CorpusFunctionRow = {
        module,
        line: f.line,
        name: f.name,
        kind: f.kind ?? null,
        code: f.code,
        args: f.args === null ? null : (JSON.parse(f.args) as string[]),
        argsFrom: f.argsFrom,
        signature: f.signature ?? null,
        status: f.status,
        ...(f.error ? { error: f.error } : {}),
        ...(f.behaviour ? { behaviour: f.behaviour } : {}),
      };
      out.writeLine(JSON.stringify(row));
    }
  } finally {
    store.close();
  }
}

const pct = (n: number, d: number) => (d === 0 ? "—" : `${((100 * n) / d).toFixed(1)} %`);

function reasonsTable(total: IndexReport): string[] {
  const merged = new Map<string, number>();
  for (const c of [total.functions, total.methods])
    for (const o of ["always_raises", "not_run"] as const)
      for (const [k, n] of Object.entries(c.reasons[o])) {
        const key = `${o === "always_raises" ? "always raises" : "not run"}: ${k}`;
        merged.set(key, (merged.get(key) ?? 0) + n);
      }
  return [...merged]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([k, n]) => `| ${k.replace(/\|/g, "\\|")} | ${n} |`);
}

/** What `--json` writes (`moduleSeconds` and `workers` are absent in files of older runs). */
interface CoverageRun {
  modules: string[];
  perModule: Record<string, IndexReport>;
  seconds: number;
  moduleSeconds?: Record<string, number>;
  workers?: number;
}

/** The per-module table, the totals and the reasons of a run. */
function summary(run: CoverageRun): { total: IndexReport; lines: string[] } {
  const total = emptyReport();
  const rows = run.modules.map((m) => {
    const r = run.perModule[m];
    addReports(total, r);
    const n = r.functions.total + r.methods.total;
    const ok = r.functions.behaviour + r.methods.behaviour;
    const sec = run.moduleSeconds?.[m];
    return `| ${m} | ${r.functions.behaviour}/${r.functions.total} | ${r.methods.behaviour}/${r.methods.total} | ${pct(ok, n)} | ${sec ? (n / sec).toFixed(1) : "—"} |`;
  });
  const { seconds } = run;
  const n = total.functions.total + total.methods.total;
  const ok = total.functions.behaviour + total.methods.behaviour;
  const lines = [
    "",
    "| module | functions | methods | behaviour class | functions/s |",
    "| --- | --- | --- | --- | --- |",
    ...rows,
    `| **total** | ${total.functions.behaviour}/${total.functions.total} | ${total.methods.behaviour}/${total.methods.total} | **${pct(ok, n)}** | ${(n / seconds).toFixed(1)} |`,
    "",
    `behaviour class from calls that returned: ${ok} of ${n} functions and methods (${pct(ok, n)}); ` +
      `functions ${pct(total.functions.behaviour, total.functions.total)}, methods ${pct(total.methods.behaviour, total.methods.total)}; ` +
      `always raises ${total.functions.always_raises + total.methods.always_raises}, not run ${total.functions.not_run + total.methods.not_run}`,
    `signatures of those with a behaviour: ${Object.entries(total.signatures)
      .map(([k, v]) => `${k} ${v}`)
      .join(
        ", ",
      )} (${total.probed} chosen by probing); doctests: ${total.doctests.agree}/${total.doctests.examples} examples agree in ${total.doctests.functions} functions`,
    `${(n / seconds).toFixed(1)} functions/s (${seconds.toFixed(0)} s of indexing${run.workers ? `, ${run.workers} sandbox processes` : ""}, 200 inputs per function)`,
    "",
    "| reason | functions and methods |",
    "| --- | --- |",
    ...reasonsTable(total),
  ];
  return { total, lines };
}

/** Runs written by `--json`, as one: each module once, indexing seconds added up. */
function mergeRuns(files: readonly string[]): CoverageRun {
  const merged: CoverageRun = { modules: [], perModule: {}, seconds: 0, moduleSeconds: {} };
  for (const file of files) {
    let run: CoverageRun;
    try {
      run = JSON.parse(readFileSync(file, "utf8")) as CoverageRun;
    } catch (e) {
      throw new Error(`bench coverage --merge: ${file}: ${(e as Error).message}`);
    }
    if (!Array.isArray(run.modules) || typeof run.perModule !== "object")
      throw new Error(`bench coverage --merge: ${file}: not a file written by --json`);
    for (const m of run.modules) {
      if (merged.perModule[m]) throw new Error(`bench coverage --merge: ${m} is in two runs`);
      merged.modules.push(m);
      merged.perModule[m] = run.perModule[m];
      const sec = run.moduleSeconds?.[m];
      if (sec !== undefined && merged.moduleSeconds) merged.moduleSeconds[m] = sec;
    }
    merged.seconds += run.seconds;
  }
  merged.modules.sort();
  return merged;
}

export default async function coverage(argv: string[]): Promise<void> {
  const args = parseArgs(argv);
  if (args.merge) {
    process.stdout.write(`${summary(mergeRuns(args.merge)).lines.join("\n")}\n`);
    return;
  }
  const zipPath = packagePath("node_modules", "pyodide", "python_stdlib.zip");
  const zip = readZip(readFileSync(zipPath));
  const available = [...zip.keys()]
    .filter((n) => /^[a-z][a-z0-9_]*\.py$/.test(n) && !n.startsWith("_"))
    .map((n) => n.slice(0, -3))
    .filter((m) => !["antigravity", "this", "site", "sitecustomize"].includes(m))
    .sort();
  let modules: string[];
  if (args.only) {
    const unknown = args.only.filter((m) => !available.includes(m));
    if (unknown.length > 0)
      throw new Error(`bench coverage: not in the corpus: ${unknown.join(", ")}`);
    modules = args.only;
  } else if (args.all) modules = available;
  else if (args.modules) modules = available.slice(0, args.modules);
  else modules = DEFAULT_SUBSET.filter((m) => available.includes(m));

  const dir = mkdtempSync(join(tmpdir(), "tracecode-coverage-"));
  const pool = new TracerPool({ workers: args.workers });
  const perModule: Record<string, IndexReport> = {};
  const moduleSeconds: Record<string, number> = {};
  let seconds = 0;
  const corpus = args.corpusOut ? openRowWriter(args.corpusOut, "corpus") : undefined;
  try {
    // Start the children first: their start-up (seconds) is not the indexing speed.
    await traceFunctions(
      [
        {
          id: "warm",
          group: "warm",
          code: "def f(x):\n    return x\n",
          entry: "f",
          args: ["int"],
          transforms: [],
          split: "train",
          seed: 0,
        },
      ],
      { pool, inputs: 1 },
    );
    process.stdout.write(
      `coverage: ${modules.length} of ${available.length} top-level stdlib modules from ${zipPath}\n`,
    );
    for (const m of modules) {
      const src = join(dir, "src", m);
      mkdirSync(src, { recursive: true });
      const file = join(src, `${m}.py`);
      writeFileSync(file, zip.get(`${m}.py`) as Buffer);
      const idx = join(dir, "idx", m);
      const s = await indexPaths([file], idx, { model: null, pool });
      if (corpus) exportCorpus(idx, m, corpus);
      rmSync(idx, { recursive: true, force: true });
      seconds += s.seconds;
      const r = s.report;
      perModule[m] = r;
      moduleSeconds[m] = s.seconds;
      const n = r.functions.total + r.methods.total;
      const ok = r.functions.behaviour + r.methods.behaviour;
      process.stdout.write(`  ${m}: ${ok}/${n} (${pct(ok, n)}) in ${s.seconds.toFixed(1)} s\n`);
    }
    await corpus?.close();
  } finally {
    corpus?.abort();
    await pool.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const run: CoverageRun = { modules, perModule, seconds, moduleSeconds, workers: args.workers };
  const { total, lines } = summary(run);
  process.stdout.write(`${lines.join("\n")}\n`);
  if (args.json) writeFileSync(args.json, `${JSON.stringify({ ...run, total }, null, 2)}\n`);
}
