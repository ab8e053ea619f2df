/**
 * The standard library every machine has: `python_stdlib.zip` inside the Pyodide npm package,
 * read at run time with a small zip reader over Node's zlib (never copied into the repo).
 */
import { readFileSync } from "node:fs";
import { inflateRawSync } from "node:zlib";
import { packagePath } from "../../python/pool.js";

/** Entries of a zip file: name → contents (stored or deflated; the central directory is read). */
export function readZip(buffer: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  // End of central directory: signature 0x06054b50, within the last 64 KiB + 22 bytes.
  let eocd = -1;
  for (let i = buffer.length - 22; i >= Math.max(0, buffer.length - 65_557); i--) {
    if (buffer.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error("not a zip file: no end of central directory");
  const entries = buffer.readUInt16LE(eocd + 10);
  let p = buffer.readUInt32LE(eocd + 16);
  for (let n = 0; n < entries; n++) {
    if (buffer.readUInt32LE(p) !== 0x02014b50) throw new Error(`zip: bad central entry at ${p}`);
    const method = buffer.readUInt16LE(p + 10);
    const compressed = buffer.readUInt32LE(p + 20);
    const nameLength = buffer.readUInt16LE(p + 28);
    const extra = buffer.readUInt16LE(p + 30);
    const comment = buffer.readUInt16LE(p + 32);
    const local = buffer.readUInt32LE(p + 42);
    const name = buffer.toString("utf8", p + 46, p + 46 + nameLength);
    p += 46 + nameLength + extra + comment;
    if (name.endsWith("/")) continue;
    if (buffer.readUInt32LE(local) !== 0x04034b50)
      throw new Error(`zip: bad local header of ${name}`);
    const start = local + 30 + buffer.readUInt16LE(local + 26) + buffer.readUInt16LE(local + 28);
    const data = buffer.subarray(start, start + compressed);
    if (method === 0) out.set(name, Buffer.from(data));
    else if (method === 8) out.set(name, inflateRawSync(data));
    else throw new Error(`zip: ${name} uses compression method ${method}`);
  }
  return out;
}

/** Where the Pyodide package keeps its standard library. */
export const stdlibZipPath = () => packagePath("node_modules", "pyodide", "python_stdlib.zip");

/** Modules that do something on import or belong to Pyodide rather than to the library. */
const NOT_LIBRARY = new Set(["antigravity", "this", "site", "sitecustomize"]);

export interface Stdlib {
  path: string;
  bytes: Buffer;
  /** Top-level pure-Python modules (`NAME.py` at the zip's root, not `_`-private), by name. */
  modules: Map<string, string>;
}

/** The top-level modules of the Pyodide standard library, sorted by name. */
export function readStdlib(path = stdlibZipPath()): Stdlib {
  const bytes = readFileSync(path);
  const modules = new Map<string, string>();
  const zip = readZip(bytes);
  for (const name of [...zip.keys()].sort()) {
    if (!/^[a-z][a-z0-9_]*\.py$/.test(name)) continue;
    const m = name.slice(0, -3);
    if (!NOT_LIBRARY.has(m)) modules.set(m, (zip.get(name) as Buffer).toString("utf8"));
  }
  return { path, bytes, modules };
}
