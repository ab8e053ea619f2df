/**
 * What gets indexed: `.py` files (every top-level function, made self-contained by
 * extract.ts) and `.jsonl` or `.parquet` files in the functions format. Directories contribute
 * their `.py` files; a functions file is read only when named, since folders often hold other
 * data.
 */
import { createHash } from "node:crypto";
import { type Dirent, existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, extname, join, relative, resolve, sep } from "node:path";
import { type ArgType, FunctionRow, readRows } from "../data/index.js";
import type { PackageFiles } from "../python/index.js";
import { firstSyntaxError, initPython } from "../synth/index.js";
import { extractFile, extractFunctions, type FileFunctions, type FunctionKind } from "./extract.js";
import { type Inference, inferSignature, type UserTypes } from "./infer.js";
import type { Literal } from "./literals.js";

/** One function to index, before it runs. */
export interface Candidate {
  /** Absolute path of the file it came from. */
  file: string;
  /** 1-based line: of the `def` in a `.py` file, of the row in a `.jsonl` or `.parquet` file. */
  line: number;
  /** The function (`f`) or method (`Class.method`). */
  name: string;
  kind?: FunctionKind;
  /** Self-contained code (imports and same-file helpers included). */
  code: string;
  /** Argument types (the most likely signature), or null with `problem` saying why none. */
  args: ArgType[] | null;
  problem?: string;
  /**
   * Where `args` came from: the row's `args`, the type hints alone, the user (`--types`,
   * `tracecode.toml`), or inference (infer.ts: doctests, defaults, usage, call sites, probing).
   */
  argsFrom: "row" | "hints" | "user" | "inferred";
  /** For a `.py` function: the signature candidates and how to call it. */
  inference?: Inference;
  /** For a `.py` function: the top-level statement defining it (itself, or its class). */
  definition?: { line: number; text: string };
  /** A method whose body only raises NotImplementedError (extract.ts). */
  abstract?: true;
  /** Row id of a functions-file row. */
  rowId?: string;
  family?: string;
  /** The whole file, for a `.py` file: the function runs inside its module as it defines it. */
  module?: string;
  /** For a `.py` file inside a package folder: the package, whose modules it may import. */
  package?: PackageFiles;
}

/** One readable source file with its content hash (the key for skipping unchanged files). */
export interface SourceFile {
  path: string;
  hash: string;
  text: string;
}

/** Folders never worth indexing: caches, virtual environments, installed packages. */
const SKIP_DIRS = new Set(["node_modules", "__pycache__", "site-packages", "venv", ".venv"]);

/** SHA-256 (hex) of `parts` in a row, the same as of their concatenation, without making it. */
export function contentHash(...parts: (string | Buffer)[]): string {
  const hash = createHash("sha256");
  for (const part of parts) hash.update(part);
  return hash.digest("hex");
}

const UTF8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Calls `file` for every regular `.py` file under `dir` (names starting with a dot and
 * SKIP_DIRS left out, links not followed), and `skipped` for what cannot be read: a folder it
 * may not list or whose path is too long, a name that is not UTF-8 (no path could open it again).
 * An untrusted folder skips its bad parts; it never stops the walk.
 */
function walkPython(
  dir: string,
  file: (path: string) => void,
  skipped: (path: string, why: string) => void,
): void {
  let entries: Dirent<Buffer>[];
  try {
    entries = readdirSync(dir, { withFileTypes: true, encoding: "buffer" });
  } catch (e) {
    skipped(
      dir,
      `cannot list this folder (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
    return;
  }
  for (const entry of entries) {
    let name: string;
    try {
      name = UTF8.decode(entry.name);
    } catch {
      skipped(join(dir, entry.name.toString("latin1")), "its name is not valid UTF-8");
      continue;
    }
    if (name.startsWith(".") || SKIP_DIRS.has(name)) continue;
    const p = join(dir, name);
    if (entry.isDirectory()) walkPython(p, file, skipped);
    else if (entry.isFile() && name.endsWith(".py")) file(p);
  }
}

/**
 * Absolute paths of the files to index under `paths`, sorted, and the parts of folders that
 * could not be read (each with the reason). Throws on a missing path or a named file that is
 * neither `.py`, `.jsonl` nor `.parquet`.
 */
export function listSourceFiles(paths: readonly string[]): { files: string[]; skipped: string[] } {
  const out = new Set<string>();
  const skipped: string[] = [];
  const add = (p: string) => out.add(p);
  const skip = (p: string, why: string) => skipped.push(`${p}: ${why}; not indexed`);
  for (const given of paths) {
    const p = resolve(given);
    if (!existsSync(p)) throw new Error(`${given}: no such file or directory`);
    if (statSync(p).isDirectory()) walkPython(p, add, skip);
    else if ([".py", ".jsonl", ".parquet"].includes(extname(p))) out.add(p);
    else throw new Error(`${given}: not a .py, .jsonl or .parquet file (or a directory)`);
  }
  return { files: [...out].sort(), skipped };
}

/** Packages bigger than this are not made importable: every job carries the package's text. */
export const PACKAGE_MAX_CHARS = 2_000_000;

/** A top-level package's modules (path from the folder above it → text) and their hash. */
interface PackageText {
  files: Record<string, string>;
  hash: string;
}

/** Read once per package per indexing run (forgetPackages starts a new run). */
const packages = new Map<string, PackageText | null>();

/** Drops what was read of packages, so the next run sees their files as they are now. */
export function forgetPackages(): void {
  packages.clear();
}

/** `path` is `folder` or lies under it. */
const within = (path: string, folder: string) => path === folder || path.startsWith(folder + sep);

/**
 * The top-level package folder `file` belongs to, no higher than `root`, or undefined outside a
 * package. The root is the folder the user named: the modules of a package above it are host
 * files nobody gave, and its code must not read them.
 */
function packageTop(file: string, root: string): string | undefined {
  let top = dirname(resolve(file));
  const bound = resolve(root);
  if (!within(top, bound) || !existsSync(join(top, "__init__.py"))) return undefined;
  while (within(dirname(top), bound) && existsSync(join(dirname(top), "__init__.py")))
    top = dirname(top);
  return top;
}

/**
 * The folder a file's package may reach: the outermost of `roots` (the folders an index was
 * given, files standing for their own folder) that holds it, else the file's own folder.
 */
export function packageRoot(roots: readonly string[], file: string): string {
  const path = resolve(file);
  const holding = roots.map((r) => resolve(r)).filter((r) => within(path, r));
  return holding.sort((a, b) => a.length - b.length)[0] ?? dirname(path);
}

/** The package a folder lies in when it is itself a package inside a larger one, else undefined. */
export function enclosingPackage(folder: string): string | undefined {
  const dir = resolve(folder);
  return existsSync(join(dir, "__init__.py")) && existsSync(join(dirname(dir), "__init__.py"))
    ? dirname(dir)
    : undefined;
}

/** The modules of the package at `top`, or null when over PACKAGE_MAX_CHARS of source. */
function packageText(top: string): PackageText | null {
  const cached = packages.get(top);
  if (cached !== undefined) return cached;
  const base = dirname(top);
  const files: Record<string, string> = {};
  // Sizes first: a package whose files hold more bytes than 4 × the cap surely holds more
  // characters than it, and a huge file is never read into memory.
  const paths: string[] = [];
  let bytes = 0;
  walkPython(
    top,
    (p) => {
      paths.push(p);
      bytes += statSync(p).size;
    },
    // Parts it cannot read are not served (the listing of the folders given names them).
    () => {},
  );
  let chars = 0;
  for (const p of bytes <= 4 * PACKAGE_MAX_CHARS ? paths : []) {
    try {
      const text = readFileSync(p, "utf8");
      chars += text.length;
      files[relative(base, p).split(sep).join("/")] = text;
    } catch {
      // Gone or unreadable since the listing: the package is served without it.
    }
  }
  const names = Object.keys(files).sort();
  const found =
    bytes <= 4 * PACKAGE_MAX_CHARS && chars <= PACKAGE_MAX_CHARS
      ? { files, hash: contentHash(...names.flatMap((p) => [p, "\0", files[p], "\0"])) }
      : null;
  packages.set(top, found);
  return found;
}

/**
 * The package a `.py` file belongs to (its folder has an `__init__.py`): the sources of every
 * module of the top-level package, by path from the folder above it, so the sandbox can serve
 * `from . import x`, `from .x import y` and `import pkg.x`. Undefined outside a package or
 * for a package over PACKAGE_MAX_CHARS of source.
 */
export function packageOf(file: string, root: string): PackageFiles | undefined {
  const top = packageTop(file, root);
  const pkg = top === undefined ? null : packageText(top);
  if (!top || !pkg) return undefined;
  return { path: relative(dirname(top), resolve(file)).split(sep).join("/"), files: pkg.files };
}

/**
 * A hash of every module of the package `file` belongs to, as the sandbox serves them to it:
 * what the file's functions do depends on the modules they import, so an edit of any of them
 * indexes the file again. Undefined outside a package (nothing else is served to its imports).
 */
export function packageHash(file: string, root: string): string | undefined {
  const top = packageTop(file, root);
  return top === undefined ? undefined : (packageText(top)?.hash ?? undefined);
}

/** A `.py` file larger than this is not read: no source file is, and reading it costs memory. */
export const SOURCE_MAX_BYTES = 16 * 1024 * 1024;

export function readSource(path: string): SourceFile {
  if (path.endsWith(".py") && statSync(path).size > SOURCE_MAX_BYTES)
    throw new Error(
      `larger than ${SOURCE_MAX_BYTES / (1024 * 1024)} MiB, not a source file to index`,
    );
  const bytes = readFileSync(path);
  // A Parquet file is read by its path (parquetCandidates); its bytes are no text.
  const text = path.endsWith(".parquet") ? "" : pythonText(bytes);
  return { path, hash: contentHash(bytes), text };
}

/** PEP 263's encoding declaration, on one of a file's first two lines. */
const CODING = /^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)/;

/**
 * Python source bytes as Python reads them: UTF-8 without its byte-order mark, or the encoding
 * a `coding` comment declares; other bytes are refused, as Python refuses them.
 */
export function pythonText(bytes: Uint8Array): string {
  const head = new TextDecoder("latin1").decode(bytes.subarray(0, 400)).split(/\r?\n|\r/, 2);
  const declared = head.map((l) => CODING.exec(l)?.[1]).find((c) => c !== undefined);
  // Python's spellings of the names TextDecoder knows otherwise (latin_1, utf8, utf-8-sig).
  let label = declared?.toLowerCase().replace(/_/g, "-") ?? "utf-8";
  if (/^utf-?8(-sig)?$/.test(label)) label = "utf-8";
  else if (/^(latin-?1|iso-?8859-1|l1)$/.test(label)) label = "latin1";
  try {
    // TextDecoder drops a leading UTF-8 byte-order mark, as Python does.
    return new TextDecoder(label, { fatal: true }).decode(bytes);
  } catch (e) {
    const why = e instanceof RangeError ? `unknown encoding ${declared}` : `not valid ${label}`;
    throw new Error(
      `${why}${declared ? " (its coding declaration)" : " and no coding declaration"}: Python refuses the file too`,
    );
  }
}

export interface CandidateOptions {
  /** Literal call sites of every indexed file (by called name), added to the file's own. */
  calls?: ReadonlyMap<string, Literal[][]>;
  /** User types of a function (`f` or `Class.method`) of this file. */
  typesFor?: (name: string) => UserTypes | undefined;
  /** The folder the file's package may reach (packageRoot); default: the file's own folder. */
  root?: string;
}

/** The functions of one file, and the rows that could not be read (functions files only). */
export async function candidatesOf(
  source: SourceFile,
  options: CandidateOptions = {},
): Promise<{ candidates: Candidate[]; errors: string[]; warnings?: string[] }> {
  await initPython();
  if (source.path.endsWith(".parquet")) return parquetCandidates(source);
  return source.path.endsWith(".jsonl") ? jsonlCandidates(source) : pythonFile(source, options);
}

/**
 * A `.py` file's candidates, and what a syntax error cost: the module cannot be imported (every
 * function read is indexed as `syntax_error`) and the parser may lose the definitions from the
 * error on, so the file is named with the line rather than left to look complete.
 */
function pythonFile(source: SourceFile, options: CandidateOptions) {
  const candidates = pythonCandidates(source, options);
  const at = firstSyntaxError(source.text);
  const n = candidates.length;
  const read =
    n === 0
      ? "no function could be read"
      : `${n === 1 ? "1 function" : `${n} functions`} before the error ${n === 1 ? "is" : "are"} indexed without a behaviour, definitions from the error on are not read`;
  const warnings = at
    ? [
        `${source.path}:${at.line}: not valid Python (${JSON.stringify(at.text)}), so it cannot be imported and none of its functions run; ${read}`,
      ]
    : [];
  return { candidates, errors: [], warnings };
}

/** Literal call sites of a `.py` file's functions, classes and methods (by called name). */
export async function callSitesOf(source: SourceFile): Promise<FileFunctions["calls"]> {
  await initPython();
  return source.path.endsWith(".py") ? extractFile(source.text).calls : new Map();
}

function pythonCandidates(source: SourceFile, options: CandidateOptions): Candidate[] {
  const { functions, calls } = extractFile(source.text);
  const pkg = packageOf(source.path, options.root ?? dirname(resolve(source.path)));
  // A name defined twice at one level (an `@overload` stub, a redefinition) is bound to the last
  // definition: calling the name would run that one, so the earlier ones cannot be run.
  const last = new Map(functions.map((f) => [f.name, f.line]));
  return functions.map((f) => {
    const common = {
      file: source.path,
      line: f.line,
      name: f.name,
      kind: f.kind,
      code: f.code,
      definition: f.definition,
      module: source.text,
    };
    const later = last.get(f.name);
    if (later !== undefined && later !== f.line)
      return {
        ...common,
        args: null,
        problem: `redefined at line ${later}: the name ${f.name} is bound to that definition, so this one cannot be called`,
        argsFrom: "hints" as const,
      };
    const own = [
      ...(calls.get(f.name) ?? []),
      ...(options.calls?.get(f.name) ?? []),
      ...(f.kind === "function" ? [] : (calls.get(f.method ?? "") ?? [])),
    ];
    const user = options.typesFor?.(f.name);
    const inference = inferSignature(f, own, user);
    const top = inference.candidates[0];
    const hintsOnly = f.args !== null && top?.params.every((p) => p.from === "hint") === true;
    const argsFrom: Candidate["argsFrom"] = user
      ? "user"
      : hintsOnly || !top
        ? "hints"
        : "inferred";
    return {
      ...common,
      args: top ? top.args : null,
      ...(top ? {} : { problem: inference.problem ?? f.problem ?? "cannot be called" }),
      argsFrom,
      inference,
      ...(f.abstract ? { abstract: f.abstract } : {}),
      ...(pkg ? { package: pkg } : {}),
    };
  });
}

/** Argument types from the hints of `entry` in `code`, as for a `.py` file. */
function hintsOf(code: string, entry: string): { args: ArgType[] | null; problem?: string } {
  const f = extractFunctions(code).find((g) => g.name === entry && g.kind === "function");
  if (!f)
    return { args: null, problem: `entry "${entry}" is not a top-level function of the code` };
  return f.problem ? { args: null, problem: f.problem } : { args: f.args };
}

function jsonlCandidates(source: SourceFile): { candidates: Candidate[]; errors: string[] } {
  const candidates: Candidate[] = [];
  const errors: string[] = [];
  source.text.split("\n").forEach((text, i) => {
    if (text.trim() === "") return;
    const where = `${source.path}:${i + 1}`;
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (e) {
      errors.push(`${where}: not valid JSON (${(e as Error).message})`);
      return;
    }
    const parsed = FunctionRow.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const at = issue.path.length > 0 ? ` at "${issue.path.join(".")}"` : "";
      errors.push(`${where}: ${issue.message}${at}`);
      return;
    }
    candidates.push(rowCandidate(source.path, i + 1, parsed.data, raw));
  });
  return { candidates, errors };
}

/** A functions-file row as a candidate; `raw` is the row before the schema's defaults. */
function rowCandidate(file: string, line: number, row: FunctionRow, raw: unknown): Candidate {
  // The schema defaults a missing `args` to ["int"]; here a missing one means "use the hints".
  const hasArgs = typeof raw === "object" && raw !== null && "args" in raw;
  const typed = hasArgs ? { args: row.args } : hintsOf(row.code, row.entry);
  return {
    file,
    line,
    name: row.entry,
    code: row.code,
    args: typed.args,
    ...(typed.problem ? { problem: typed.problem } : {}),
    argsFrom: hasArgs ? "row" : "hints",
    rowId: row.id,
    ...(row.family ? { family: row.family } : {}),
  };
}

/**
 * The rows of a Parquet functions file, streamed by the data layer's reader; a null `args`
 * reads as absent, so it means "use the hints" as in JSONL. `line` is the row's number.
 */
async function parquetCandidates(
  source: SourceFile,
): Promise<{ candidates: Candidate[]; errors: string[] }> {
  const candidates: Candidate[] = [];
  const errors: string[] = [];
  for await (const batch of readRows(source.path, "functions", { raw: true })) {
    errors.push(...batch.errors);
    batch.rows.forEach((row, i) => {
      const { value, n } = batch.raw?.[i] ?? { value: row, n: 0 };
      candidates.push(rowCandidate(source.path, n, row, value));
    });
  }
  return { candidates, errors };
}
