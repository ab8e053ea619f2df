/**
 * Debian's pure-Python packages as a second corpus source: the `.py` files of the top-level
 * modules and packages in a `dist-packages` folder (where Debian's `python3-*` packages install
 * them), read at run time from the machine and never copied. Each top-level module or package
 * is one unit of the split; a package's modules (and the folder's pure-Python units it
 * imports) are served to its imports as `tracecode index` serves a package folder (`packageOf`
 * in ../sources.ts).
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import type { PackageFiles } from "../../python/index.js";
import { Random } from "../../random/index.js";
import { PACKAGE_MAX_CHARS } from "../sources.js";

/** Where Debian's `python3-*` packages put their pure-Python modules. */
export const DEBIAN_DIR = "/usr/lib/python3/dist-packages";

/** Pure-Python packages of Debian bookworm, for the error that finds none. */
export const DEBIAN_INSTALL_HINT =
  "apt-get install python3-six python3-attr python3-idna python3-chardet python3-pyparsing python3-toml";

export interface DebianUnit {
  name: string;
  kind: "module" | "package";
  /** Its `.py` files, by path from the folder (`six.py`, `attr/_make.py`), sorted. */
  files: string[];
}

export interface DebianPackages {
  /** The folder, resolved. */
  dir: string;
  /** Top-level pure-Python modules and packages, by name, sorted. */
  units: Map<string, DebianUnit>;
  /** Top-level packages left out, and why (compiled extensions, too big to serve, no `__init__.py`). */
  skipped: { unit: string; reason: string }[];
}

const IDENTIFIER = /^[A-Za-z][A-Za-z0-9_]*$/;
/** Compiled extension modules: a package with one is not pure Python. */
const EXTENSION = /\.(so|pyd)$/;

/** The `.py` files under a package folder (hidden folders and caches skipped, as packageOf does). */
function walkPackage(dir: string, prefix: string, out: { py: string[]; ext: string[] }): void {
  for (const entry of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    if (entry.name.startsWith(".") || entry.name === "__pycache__") continue;
    const rel = `${prefix}/${entry.name}`;
    if (entry.isDirectory()) walkPackage(dir, rel, out);
    else if (entry.name.endsWith(".py")) out.py.push(rel);
    else if (EXTENSION.test(entry.name)) out.ext.push(rel);
  }
}

/**
 * The pure-Python top-level modules (`NAME.py`) and packages (`NAME/__init__.py`, no compiled
 * extension inside, at most PACKAGE_MAX_CHARS bytes of source) of `dir`; `_`-private names are
 * left out as in the stdlib. Throws, naming the folder, when it is missing or has none.
 */
export function readDebianPackages(dir = DEBIAN_DIR): DebianPackages {
  const root = resolve(dir);
  if (!existsSync(root) || !statSync(root).isDirectory())
    throw new Error(
      `${dir}: no such folder (Debian's python3-* packages put pure-Python modules in ${DEBIAN_DIR}: ${DEBIAN_INSTALL_HINT})`,
    );
  const units = new Map<string, DebianUnit>();
  const skipped: DebianPackages["skipped"] = [];
  const entries = readdirSync(root, { withFileTypes: true }).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  for (const entry of entries) {
    if (entry.isFile() && entry.name.endsWith(".py")) {
      const name = entry.name.slice(0, -3);
      if (IDENTIFIER.test(name)) units.set(name, { name, kind: "module", files: [entry.name] });
      continue;
    }
    if (!entry.isDirectory() || !IDENTIFIER.test(entry.name)) continue;
    const name = entry.name;
    if (!existsSync(join(root, name, "__init__.py"))) {
      skipped.push({ unit: name, reason: "no __init__.py (a namespace package)" });
      continue;
    }
    const found = { py: [] as string[], ext: [] as string[] };
    walkPackage(root, name, found);
    // A package's `__main__.py` runs the program on import: it is no library module.
    const files = found.py.filter((f) => basename(f) !== "__main__.py").sort();
    const bytes = found.py.reduce((n, f) => n + statSync(join(root, f)).size, 0);
    if (found.ext.length > 0)
      skipped.push({ unit: name, reason: `compiled extension modules (${found.ext.sort()[0]})` });
    else if (bytes > PACKAGE_MAX_CHARS)
      skipped.push({
        unit: name,
        reason: `${(bytes / 1e6).toFixed(1)} MB of source, over the ${PACKAGE_MAX_CHARS / 1e6} MB a package's imports are served up to`,
      });
    else units.set(name, { name, kind: "package", files });
  }
  if (units.size === 0)
    throw new Error(
      `${dir}: no pure-Python modules or packages (NAME.py, or NAME/__init__.py without compiled extensions); ${DEBIAN_INSTALL_HINT} installs some`,
    );
  return { dir: root, units, skipped };
}

/** The units a build uses: `only`, else all, else a seeded sample of `maxUnits`. */
export function chooseDebianUnits(
  packages: DebianPackages,
  o: { only?: string[]; maxUnits?: number; seed: number },
): string[] {
  const all = [...packages.units.keys()];
  if (o.only) {
    const unknown = o.only.filter((u) => !packages.units.has(u));
    if (unknown.length > 0) {
      const why = (u: string) => {
        const s = packages.skipped.find((x) => x.unit === u);
        return s ? `${u} (skipped: ${s.reason})` : u;
      };
      throw new Error(
        `not a pure-Python top-level module or package of ${packages.dir}: ${unknown.map(why).join(", ")}`,
      );
    }
    return [...new Set(o.only)].sort();
  }
  if (o.maxUnits === undefined || o.maxUnits >= all.length) return all;
  return new Random(o.seed).fork("debian").shuffle(all).slice(0, o.maxUnits).sort();
}

export interface DebianModule {
  /** Its top-level module or package. */
  unit: string;
  /** Dotted module name (`attr._make`; a package's `__init__.py` is the package). */
  module: string;
  /** Path from the folder. */
  rel: string;
  text: string;
  /**
   * What its imports are served from, as `tracecode index` serves a package folder: its
   * package's modules and those of the folder's pure-Python units it imports, directly or
   * through them (`dateutil` gets `six`), up to PACKAGE_MAX_CHARS in all. Absent for a
   * top-level module that imports none of them.
   */
  package?: PackageFiles;
}

/** Top-level names a module imports (`import a.b, c`, `from a.b import x`; not relative ones). */
function importedNames(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(
    /^[ \t]*(?:import[ \t]+([\w., \t]+)|from[ \t]+(\w+)[\w.]*[ \t]+import\b)/gm,
  )) {
    if (m[2]) out.push(m[2]);
    else for (const part of m[1].split(",")) out.push(part.trim().split(/[.\s]/)[0]);
  }
  return out;
}

/**
 * The modules of `units`, each with the files served to its imports, and the SHA-256 of every
 * file used (paths and bytes), so that a corpus built before a package changed is not reused.
 */
export function readDebianModules(
  packages: DebianPackages,
  units: readonly string[],
): { modules: DebianModule[]; sha256: string } {
  const bytesOf = new Map<string, Buffer>();
  const textOf = (rel: string) => {
    let b = bytesOf.get(rel);
    if (b === undefined) {
      b = readFileSync(join(packages.dir, rel));
      bytesOf.set(rel, b);
    }
    return b.toString("utf8");
  };
  const filesOf = (u: string) => (packages.units.get(u) as DebianUnit).files;
  const dependencies = (u: string) => {
    const names = new Set(filesOf(u).flatMap((rel) => importedNames(textOf(rel))));
    return [...names].filter((n) => n !== u && packages.units.has(n)).sort();
  };
  // Its own files first, then its dependencies breadth-first while they fit.
  const served = (u: string): Record<string, string> => {
    const files: Record<string, string> = {};
    let chars = 0;
    const queue = [u];
    const seen = new Set(queue);
    while (queue.length > 0) {
      const v = queue.shift() as string;
      const texts = filesOf(v).map((rel) => [rel, textOf(rel)] as const);
      const size = texts.reduce((n, [, t]) => n + t.length, 0);
      if (v !== u && chars + size > PACKAGE_MAX_CHARS) continue;
      for (const [rel, t] of texts) files[rel] = t;
      chars += size;
      for (const d of dependencies(v)) {
        if (seen.has(d)) continue;
        seen.add(d);
        queue.push(d);
      }
    }
    return files;
  };
  const modules: DebianModule[] = [];
  for (const u of units) {
    const unit = packages.units.get(u) as DebianUnit;
    const files = served(u);
    const withPackage = unit.kind === "package" || Object.keys(files).length > 1;
    for (const rel of unit.files) {
      const module = rel
        .slice(0, -3)
        .replace(/\/__init__$/, "")
        .split("/")
        .join(".");
      modules.push({
        unit: u,
        module,
        rel,
        text: textOf(rel),
        ...(withPackage ? { package: { path: rel, files } } : {}),
      });
    }
  }
  const hash = createHash("sha256");
  for (const rel of [...bytesOf.keys()].sort()) {
    const bytes = bytesOf.get(rel) as Buffer;
    hash.update(`${rel}\0${bytes.length}\0`).update(bytes);
  }
  return { modules, sha256: hash.digest("hex") };
}
