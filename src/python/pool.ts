/**
 * A pool of sandboxed Pyodide child processes with a job queue. Each child runs
 * `dist/python/worker.js` under Node's permission model; a job that overruns its time budget
 * by the grace period, or a child that dies, costs only that job (reported as a status) and
 * the child is replaced.
 */
import { type ChildProcess, fork } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { ArgType, TraceStatus } from "../data/index.js";
import type { ChildMessage, ParentMessage } from "./protocol.js";
import { TRACER_SOURCE } from "./tracer-source.js";

export interface PoolOptions {
  /** Child processes (default 2). */
  workers?: number;
  /** WebAssembly heap cap per child in MiB (default 512); growth past it is a MemoryError. */
  memoryMb?: number;
  /** Extra time after a job's budget before the child is killed (default 1000 ms). */
  graceMs?: number;
}

/** A named set of argument tuples, shared by every snippet with the same argument types. */
export interface InputSet {
  key: string;
  types: readonly ArgType[];
  values: readonly (readonly unknown[])[];
}

export interface SnippetJob {
  code: string;
  entry: string;
  inputs: InputSet;
  /** Wall-time budget for defining the code and running every input. */
  timeoutMs: number;
  /** Block events recorded per call before the trace is cut (default 2000). */
  maxEvents?: number;
  /** Cap on the size of one snippet's traces in characters (default 4,000,000). */
  maxChars?: number;
}

/** One call as the tracer reports it: blocks, values, output, truncated. */
export type RawRun = [number[], string[], string, boolean];

export interface SnippetResult {
  status: TraceStatus;
  error?: string;
  runs: RawRun[];
  /** The encoded inputs of the job's input set, in order. */
  inputs: string[][];
}

export interface StaticBlock {
  start: number;
  /** Offset whose execution marks entry into the block (null: never observable). */
  entry: number | null;
  ops: string[];
}

type Answer = { result: string; inputs?: string; error?: string } | CrashInfo;

interface Pending {
  message: ParentMessage & { id: number };
  /** Values travel as JSON text; the child converts them by type (floats stay floats). */
  inputs?: InputSet;
  timeoutMs: number;
  resolve: (answer: Answer) => void;
  reject: (error: Error) => void;
}

interface CrashInfo {
  crash: "timeout" | "exit";
  detail: string;
}

interface Child {
  proc: ChildProcess;
  ready: boolean;
  /** Has been ready once (a later exit is not a start failure). */
  started: boolean;
  /** Jobs sent and not yet answered; the child runs them in order, the first is running. */
  jobs: Pending[];
  timer?: NodeJS.Timeout;
  killedForTimeout: boolean;
  /** Killed on purpose between jobs (its heap grew too large): none of its jobs was running. */
  retired: boolean;
  keys: Set<string>;
  stderr: string;
}

const MAX_START_FAILURES = 3;
/** Jobs in flight per child, so a child never idles waiting for the next message. */
const PIPELINE_DEPTH = 2;

/** Locates the package root (the folder with tracecode's package.json) from this module. */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "tracecode") {
          return dir;
        }
      } catch {
        // not our package.json; keep walking up
      }
    }
    const up = dirname(dir);
    if (up === dir) throw new Error("cannot find the tracecode package root above this module");
    dir = up;
  }
}

/** The compiled child script; the pool runs it whether it was imported from src/ or dist/. */
export function workerScriptPath(): string {
  const path = join(packageRoot(), "dist", "python", "worker.js");
  if (!existsSync(path)) {
    throw new Error(`the sandbox worker ${path} is missing: run \`npm run build\` first`);
  }
  return path;
}

export function pyodideDir(): string {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve("pyodide/pyodide.mjs"));
}

export class TracerPool {
  readonly size: number;
  private readonly memoryMb: number;
  private readonly graceMs: number;
  private readonly children: Child[] = [];
  private readonly queue: Pending[] = [];
  private readonly encodedInputs = new Map<string, string[][]>();
  private nextId = 1;
  private startFailures = 0;
  private closed = false;
  private script?: string;
  private pyodide?: string;
  private fatal?: Error;

  constructor(options: PoolOptions = {}) {
    this.size = Math.max(1, Math.floor(options.workers ?? 2));
    this.memoryMb = options.memoryMb ?? 512;
    this.graceMs = options.graceMs ?? 1000;
  }

  /** Runs one snippet on every input of its input set. Rejects only on pool failure. */
  async trace(job: SnippetJob): Promise<SnippetResult> {
    const key = job.inputs.key;
    const message: ParentMessage & { id: number } = {
      t: "job",
      id: this.nextId++,
      code: job.code,
      entry: job.entry,
      key,
      timeoutMs: job.timeoutMs,
      maxEvents: job.maxEvents ?? 2000,
      maxChars: job.maxChars ?? 4_000_000,
    };
    const answer = await this.submit(message, job.timeoutMs, job.inputs);
    if ("crash" in answer) {
      const status: TraceStatus = answer.crash === "timeout" ? "timeout" : "limit";
      return { status, error: answer.detail, runs: [], inputs: [] };
    }
    if (answer.inputs && !this.encodedInputs.has(key)) {
      this.encodedInputs.set(key, JSON.parse(answer.inputs) as string[][]);
    }
    const r = JSON.parse(answer.result) as { s: TraceStatus; e?: string; r: RawRun[] };
    const inputs = this.encodedInputs.get(key) ?? [];
    return r.e === undefined
      ? { status: r.s, runs: r.r, inputs }
      : { status: r.s, error: r.e, runs: r.r, inputs };
  }

  /** Static basic blocks of each function in `code` (throws on a syntax error). */
  async basicBlocks(code: string): Promise<{ name: string; blocks: StaticBlock[] }[]> {
    const answer = await this.submit({ t: "blocks", id: this.nextId++, code }, 10_000);
    if ("crash" in answer) throw new Error(`basic blocks failed: ${answer.detail}`);
    if (answer.error) throw new Error(answer.error);
    return JSON.parse(answer.result) as { name: string; blocks: StaticBlock[] }[];
  }

  /** Stops every child; pending jobs fail. Safe to call twice. */
  async close(): Promise<void> {
    this.closed = true;
    const exits = this.children.map(
      (c) =>
        new Promise<void>((done) => {
          if (c.proc.exitCode !== null || c.proc.signalCode !== null) return done();
          c.proc.once("exit", () => done());
          c.proc.kill("SIGKILL");
        }),
    );
    await Promise.all(exits);
    for (const p of this.queue.splice(0)) {
      p.resolve({ crash: "exit", detail: "the tracer pool was closed" });
    }
  }

  private submit(
    message: ParentMessage & { id: number },
    timeoutMs: number,
    inputs?: InputSet,
  ): Promise<Answer> {
    if (this.closed) return Promise.reject(new Error("the tracer pool is closed"));
    if (this.fatal) return Promise.reject(this.fatal);
    return new Promise((resolveJob, reject) => {
      this.queue.push({ message, inputs, timeoutMs, resolve: resolveJob, reject });
      this.ensureChildren();
      this.dispatch();
    });
  }

  private ensureChildren(): void {
    while (this.children.length < this.size && !this.closed && !this.fatal) this.spawn();
  }

  private spawn(): void {
    this.script ??= workerScriptPath();
    this.pyodide ??= pyodideDir();
    const proc = fork(this.script, [], {
      execArgv: [
        "--experimental-permission",
        `--allow-fs-read=${this.pyodide}/`,
        `--allow-fs-read=${this.script}`,
        "--max-old-space-size=384",
        "--disable-warning=ExperimentalWarning",
      ],
      // No inherited environment: nothing secret exists in the child to be read.
      env: {},
      cwd: this.pyodide,
      stdio: ["ignore", "ignore", "pipe", "ipc"],
      serialization: "json",
    });
    const child: Child = {
      proc,
      ready: false,
      started: false,
      jobs: [],
      killedForTimeout: false,
      retired: false,
      keys: new Set(),
      stderr: "",
    };
    this.children.push(child);
    proc.stderr?.on("data", (d: Buffer) => {
      child.stderr = (child.stderr + d.toString()).slice(-2000);
    });
    proc.on("message", (m: ChildMessage) => this.onMessage(child, m));
    proc.on("exit", (code, signal) => this.onExit(child, code, signal));
    proc.on("error", () => {
      // 'exit' follows and does the bookkeeping.
    });
    const init: ParentMessage = {
      t: "init",
      pyodideDir: this.pyodide,
      tracer: TRACER_SOURCE,
      memoryMb: this.memoryMb,
    };
    proc.send(init);
  }

  private onMessage(child: Child, m: ChildMessage): void {
    if (m.t === "ready") {
      child.ready = true;
      child.started = true;
      this.startFailures = 0;
      this.dispatch();
      return;
    }
    if (m.t === "fatal") {
      child.stderr += `\n${m.error}`;
      return;
    }
    const job = child.jobs[0];
    if (!job || job.message.id !== m.id) return;
    this.stopTimer(child);
    child.jobs.shift();
    job.resolve({ result: m.result, inputs: m.inputs, error: m.error });
    const memoryBlown = m.result.includes('"s":"limit"') && m.result.includes("memory limit");
    if (memoryBlown) {
      // The WebAssembly heap never shrinks: replace the child rather than keep it bloated.
      // Jobs already sent to it go back to the queue when it exits.
      child.ready = false;
      child.retired = true;
      child.proc.kill("SIGKILL");
      return;
    }
    this.startTimer(child);
    this.dispatch();
  }

  private onExit(child: Child, code: number | null, signal: NodeJS.Signals | null): void {
    const i = this.children.indexOf(child);
    if (i >= 0) this.children.splice(i, 1);
    this.stopTimer(child);
    // Jobs queued behind the one that was running never ran to completion: retry them, and
    // the head too when the child was retired between jobs.
    const head = child.retired ? undefined : child.jobs.shift();
    this.queue.unshift(...child.jobs);
    child.jobs = [];
    if (!child.started && !head && !this.closed) {
      this.startFailures++;
      if (this.startFailures >= MAX_START_FAILURES) {
        const tail = child.stderr.trim().split("\n").slice(-5).join("\n");
        this.failAll(
          new Error(`the Python sandbox failed to start (exit ${code ?? signal}): ${tail}`),
        );
        return;
      }
    }
    if (head) {
      const budget = head.timeoutMs;
      head.resolve(
        child.killedForTimeout
          ? {
              crash: "timeout",
              detail: `killed after ${budget + this.graceMs} ms (budget ${budget} ms): the code did not yield to the soft time check`,
            }
          : {
              crash: "exit",
              detail: `the sandbox process died (${signal ?? `exit ${code}`}); likely a resource limit${lastLine(child.stderr)}`,
            },
      );
    }
    if (!this.closed && this.queue.length > 0) this.ensureChildren();
    this.dispatch();
  }

  private failAll(error: Error): void {
    this.fatal = error;
    for (const p of this.queue.splice(0)) {
      p.reject(error);
    }
  }

  /** The hard deadline runs for the job at the head of a child's pipeline only. */
  private startTimer(child: Child): void {
    const head = child.jobs[0];
    if (!head || child.timer) return;
    child.timer = setTimeout(() => {
      child.killedForTimeout = true;
      child.proc.kill("SIGKILL");
    }, head.timeoutMs + this.graceMs);
  }

  private stopTimer(child: Child): void {
    if (child.timer) clearTimeout(child.timer);
    child.timer = undefined;
  }

  private dispatch(): void {
    for (const child of this.children) {
      while (
        this.queue.length > 0 &&
        child.ready &&
        child.jobs.length < PIPELINE_DEPTH &&
        child.proc.exitCode === null
      ) {
        const job = this.queue.shift()!;
        const message = { ...job.message } as ParentMessage & { id: number };
        const inputs = job.inputs;
        if (message.t === "job" && inputs && !child.keys.has(inputs.key)) {
          message.inputs = {
            types: JSON.stringify(inputs.types),
            values: JSON.stringify(inputs.values),
          };
          child.keys.add(inputs.key);
        }
        child.jobs.push(job);
        this.startTimer(child);
        child.proc.send(message);
      }
    }
  }
}

/** A short cause for a dead child, from what it wrote to stderr. */
function lastLine(text: string): string {
  if (text.includes("Maximum call stack size exceeded")) {
    return ": the interpreter's stack overflowed (e.g. very deeply nested data)";
  }
  const line = text.trim().split("\n").pop()?.trim();
  return line ? `: ${line.slice(0, 300)}` : "";
}

/** Absolute path helper for tests and tools that need the package layout. */
export function packagePath(...parts: string[]): string {
  return resolve(packageRoot(), ...parts);
}
