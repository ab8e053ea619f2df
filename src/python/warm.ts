/**
 * A warm sandbox for short commands such as `tracecode search`: starting a pool of Pyodide
 * children costs seconds, running one query milliseconds. `traceWarm` sends its rows to a local
 * server process (warm-server.ts) that keeps a `TracerPool` started, over a Unix socket in a
 * folder only this user can open; when none answers it starts one in the background and runs
 * this call itself. The server runs every row as its own unit of trust on a restored
 * interpreter, exactly as a local call does, so answers are byte-identical either way; it stops
 * after a quiet spell.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type FunctionRow, TraceRow } from "../data/index.js";
import { unsafeNoIsolation } from "./pool.js";
import { type TraceOptions, traceFunctions } from "./trace.js";

/** What crosses the socket: everything of TraceOptions that is data. */
export type WarmTraceOptions = Pick<
  TraceOptions,
  "inputs" | "range" | "seed" | "maxSteps" | "timeoutMs" | "level" | "maxEvents"
>;

export interface WarmOptions {
  /** Folder of the socket (default: a private folder under the system's temporary folder). */
  dir?: string;
  /** The server stops after this long without a request (default 15 minutes). */
  idleMs?: number;
}

export interface WarmRequest {
  rows: FunctionRow[];
  options: WarmTraceOptions;
}

/** The server script, beside this module in dist/ (or src/ under tests, which run from dist). */
function serverScript(): string {
  const here = fileURLToPath(new URL("./warm-server.js", import.meta.url));
  return existsSync(here) ? here : here.replace(/\/src\/python\//, "/dist/python/");
}

/**
 * The socket for this build: its name carries a digest of the tracer, the worker and Node's
 * version, so a rebuilt package never talks to an old server.
 */
export function warmSocketPath(options: WarmOptions = {}): string {
  const dir = options.dir ?? join(tmpdir(), `tracecode-${process.getuid?.() ?? "user"}`);
  const digest = createHash("sha256");
  for (const file of ["./tracer.py", "./worker.js"]) {
    const path = fileURLToPath(new URL(file, import.meta.url));
    const built = path.replace(/\/src\/python\//, "/dist/python/");
    digest.update(
      existsSync(path) ? readFileSync(path) : existsSync(built) ? readFileSync(built) : "",
    );
  }
  digest.update(process.version);
  return join(dir, `warm-${digest.digest("hex").slice(0, 12)}.sock`);
}

/** The folder exists, belongs to this user and nobody else may open it. */
function privateDir(dir: string): boolean {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = statSync(dir);
    return st.isDirectory() && st.uid === process.getuid?.() && (st.mode & 0o077) === 0;
  } catch {
    return false;
  }
}

/** Sends one request; resolves to the server's rows, or undefined when no server answers. */
function ask(path: string, request: WarmRequest | { stop: true }): Promise<TraceRow[] | undefined> {
  return new Promise((resolve) => {
    const socket = connect(path);
    let text = "";
    socket.setEncoding("utf8");
    socket.on("connect", () => socket.write(`${JSON.stringify(request)}\n`));
    socket.on("data", (d: string) => {
      text += d;
    });
    socket.on("error", () => resolve(undefined));
    socket.on("close", () => {
      if (!text.endsWith("\n")) return resolve(undefined);
      try {
        const answer = JSON.parse(text) as { rows?: unknown[]; error?: string };
        resolve(answer.rows ? answer.rows.map((r) => TraceRow.parse(r)) : undefined);
      } catch {
        resolve(undefined);
      }
    });
  });
}

/** Starts a server in the background, detached from this process. */
export function startWarmServer(options: WarmOptions = {}): void {
  const path = warmSocketPath(options);
  const child = spawn(
    process.execPath,
    [serverScript(), path, String(options.idleMs ?? 15 * 60_000)],
    { detached: true, stdio: "ignore", env: { PATH: process.env.PATH ?? "" } },
  );
  child.unref();
}

/** Asks the server for `options` to stop (tests and tools). */
export async function stopWarmServer(options: WarmOptions = {}): Promise<void> {
  await ask(warmSocketPath(options), { stop: true });
}

/**
 * Traces `rows` (each its own unit) in the warm server, or here when none answers, starting one
 * for the next call. `warm` says which.
 */
export async function traceWarm(
  rows: readonly FunctionRow[],
  options: WarmTraceOptions & { warm?: WarmOptions } = {},
): Promise<{ rows: TraceRow[]; warm: boolean }> {
  const { warm, ...traceOptions } = options;
  const dir = warm?.dir ?? join(tmpdir(), `tracecode-${process.getuid?.() ?? "user"}`);
  // The server runs inside the boundary only; TRACECODE_NO_WARM=1 keeps every call local.
  const allowed = !unsafeNoIsolation() && process.env.TRACECODE_NO_WARM !== "1";
  if (allowed && privateDir(dir)) {
    const path = warmSocketPath({ ...warm, dir });
    const answer = await ask(path, { rows: [...rows], options: traceOptions });
    if (answer && answer.length === rows.length) return { rows: answer, warm: true };
    startWarmServer({ ...warm, dir });
  }
  return { rows: await traceFunctions(rows, { ...traceOptions, workers: 1 }), warm: false };
}
