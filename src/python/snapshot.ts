/**
 * The start-up snapshot every sandbox child loads: Pyodide's memory right after the tracer was
 * loaded and warmed up, made once by a child that has run no user code (it makes the snapshot,
 * hands it over on its stdout and exits) and cached in the OS temp folder, keyed by everything
 * that shapes it. A child that loads it starts in about a quarter of the CPU time of a fresh
 * start (no interpreter boot, no imports, no tracer set-up).
 *
 * Trust: only the parent writes the cache, into a folder of its own user with no access for
 * others, and checks the file's SHA-256 against the digest it recorded before any child reads
 * it. Children read it through a read-only bind and can write no file, so no unit can leave a
 * snapshot behind for a later one.
 */
import type { ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A Pyodide memory snapshot is about 31.5 MB; a child sending more is refused. */
const MAX_SNAPSHOT_BYTES = 256 * 1024 * 1024;

const sha256 = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");

/** Snapshots verified by this process: path → size and mtime when checked. */
const verified = new Map<string, string>();

/** Our own cache folder: created 0700, refused if another user owns it or others may write. */
function cacheDir(): string {
  const uid = process.getuid?.() ?? 0;
  const dir = join(tmpdir(), `tracecode-${uid}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = lstatSync(dir);
  if (!st.isDirectory() || st.uid !== uid || (st.mode & 0o077) !== 0) {
    throw new Error(
      `the snapshot cache ${dir} is not a private folder of this user (owner ${st.uid}, mode ${(st.mode & 0o777).toString(8)}): remove it`,
    );
  }
  return dir;
}

/** What the snapshot depends on: Pyodide, the tracer, the worker and Node. */
function snapshotKey(pyodideDir: string, tracer: string, script: string): string {
  const require = createRequire(import.meta.url);
  const pyodideVersion = (require(join(pyodideDir, "package.json")) as { version: string }).version;
  return sha256(
    [pyodideVersion, process.version, sha256(tracer), sha256(readFileSync(script))].join("\n"),
  ).slice(0, 24);
}

/** A snapshot no process has started from for this long is removed when a new one is made. */
export const SNAPSHOT_UNUSED_MS = 7 * 24 * 3600 * 1000;
/** And beyond this many, the least recently used go too (a rebuild keys a new one)… */
export const SNAPSHOTS_KEPT = 4;
/** …unless used this recently: another process (another build) may be starting from it. */
export const SNAPSHOT_IN_USE_MS = 3600 * 1000;

/**
 * Removes the snapshots of `dir` unused for SNAPSHOT_UNUSED_MS, and all but the SNAPSHOTS_KEPT
 * most recently used (their access time, which each use sets, else their modification time)
 * among those unused for SNAPSHOT_IN_USE_MS:
 * every build of the tracer keys a new one of about 30 MB, and nothing else would ever delete
 * the old ones (a pool whose snapshot went makes it again). Returns the names removed.
 */
export function pruneSnapshots(dir: string, now = Date.now()): string[] {
  const snapshots = readdirSync(dir)
    .filter((name) => /^pyodide-[0-9a-f]+\.snap$/.test(name))
    .map((name) => {
      const st = statSync(join(dir, name));
      return { name, used: Math.max(st.atimeMs, st.mtimeMs) };
    })
    .sort((a, b) => b.used - a.used || a.name.localeCompare(b.name));
  const removed: string[] = [];
  snapshots.forEach(({ name, used }, i) => {
    const idle = now - used;
    if (idle <= SNAPSHOT_IN_USE_MS || (i < SNAPSHOTS_KEPT && idle <= SNAPSHOT_UNUSED_MS)) return;
    const file = join(dir, name);
    rmSync(`${file}.sha256`, { force: true });
    rmSync(file, { force: true });
    removed.push(name);
  });
  return removed;
}

/**
 * The cached file if it is there and its digest matches the one recorded with it. A pool asks
 * again before each child it starts: another process may have pruned the file since.
 */
export function verifiedSnapshot(file: string): string | undefined {
  const digestFile = `${file}.sha256`;
  try {
    const st = statSync(file);
    // Marks the use (access time only: the modification time, kept to the millisecond that
    // utimes can set, stamps the verification below).
    utimesSync(file, new Date(), st.mtime);
    const stamp = `${st.size}:${Math.floor(st.mtimeMs)}`;
    if (verified.get(file) === stamp && existsSync(digestFile)) return file;
    if (sha256(readFileSync(file)) !== readFileSync(digestFile, "utf8").trim()) return undefined;
    verified.set(file, stamp);
    return file;
  } catch (e) {
    // Gone, or going: another process pruned it between two reads. It is made again.
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
}

/**
 * The path of a verified start-up snapshot, made with `startMaker` (a child started with its
 * stdout piped, told to make the snapshot) when the cache has none.
 */
export async function startupSnapshot(
  pyodideDir: string,
  tracer: string,
  script: string,
  startMaker: () => ChildProcess,
): Promise<string> {
  const file = join(cacheDir(), `pyodide-${snapshotKey(pyodideDir, tracer, script)}.snap`);
  const hit = verifiedSnapshot(file);
  if (hit) return hit;
  const bytes = await collect(startMaker());
  // Written under temporary names and renamed, the digest last: a reader sees both or neither.
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, bytes, { mode: 0o600 });
  renameSync(tmp, file);
  writeFileSync(`${tmp}.sha256`, sha256(bytes), { mode: 0o600 });
  renameSync(`${tmp}.sha256`, `${file}.sha256`);
  const st = statSync(file);
  verified.set(file, `${st.size}:${Math.floor(st.mtimeMs)}`);
  pruneSnapshots(cacheDir());
  return file;
}

/** The snapshot a maker child writes to its stdout before it exits. */
function collect(maker: ChildProcess): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    let stderr = "";
    maker.stdout?.on("data", (d: Buffer) => {
      size += d.length;
      if (size > MAX_SNAPSHOT_BYTES) maker.kill("SIGKILL");
      else parts.push(d);
    });
    maker.stderr?.on("data", (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-2000);
    });
    maker.on("error", (e) => reject(new Error(`cannot start the snapshot maker: ${e.message}`)));
    maker.on("exit", (code, signal) => {
      if (code === 0 && size > 0 && size <= MAX_SNAPSHOT_BYTES) resolve(Buffer.concat(parts));
      else {
        const tail = stderr.trim().split("\n").slice(-3).join("\n");
        reject(
          new Error(
            `the Python sandbox could not make its start-up snapshot (exit ${code ?? signal}, ${size} bytes)${tail ? `: ${tail}` : ""}`,
          ),
        );
      }
    });
  });
}
