/**
 * A pool of sandboxed Pyodide child processes with a job queue. Each child runs
 * `dist/python/worker.js` inside the operating-system boundary (boundary/) and Node's
 * permission model. Jobs belong to units of trust: a unit runs on one child, in order, on an
 * interpreter restored to its pristine start-up state. The parent trusts nothing a child
 * sends; a malformed message, a job that overruns its time by the grace period, or a child that
 * dies costs only that child's current job (reported as a status) and the child is replaced.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import type { Readable, Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import type { ArgType, TraceStatus } from "../data/index.js";
import { boundaryCommand, boundaryStatus, DEFAULT_LIMITS } from "./boundary/index.js";
import {
  type ChildMessage,
  type Expectation,
  type PackageFiles,
  type ParentMessage,
  ProtocolError,
  parseChildLine,
  type RawRun,
  type StaticBlock,
} from "./protocol.js";
import { startupSnapshot, verifiedSnapshot } from "./snapshot.js";

export type { PackageFiles, RawRun, StaticBlock } from "./protocol.js";

export interface PoolOptions {
  /** Child processes (default 2). */
  workers?: number;
  /** WebAssembly heap cap per child in MiB (default 512); growth past it is a MemoryError. */
  memoryMb?: number;
  /** Extra time after a job's wall-clock budget before the child is killed (default 1000 ms). */
  graceMs?: number;
  /**
   * Run children without the operating-system boundary (no bubblewrap): only for machines
   * where it cannot be set up, and never for code you do not trust. Warned about by the CLI.
   */
  unsafeNoIsolation?: boolean;
  /** The child script (default `dist/python/worker.js`); tests point it at hostile children. */
  childScript?: string;
  /**
   * Node's permission model inside the child (default on). Tests turn it off to show that the
   * operating-system boundary holds on its own.
   */
  permissionModel?: boolean;
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
  /**
   * The unit of trust this snippet belongs to: jobs of one unit run on one child, in the order
   * they were submitted, starting from a pristine interpreter; no other unit sees their effects.
   * Default: the job alone.
   */
  unit?: string;
  /** Block events of user code for defining the code and running every input (default 1,000,000). */
  maxSteps?: number;
  /** Wall-clock safety net: the child is killed after this plus the grace period (default 10 s). */
  timeoutMs?: number;
  /** Block events recorded per call before the trace is cut (default 2000). */
  maxEvents?: number;
  /** Cap on the size of one snippet's traces in characters (default 4,000,000). */
  maxChars?: number;
  /** Run `code` as a module, statement by statement (real code); default: as one snippet. */
  module?: boolean;
  /** With `module`: the package it belongs to, whose modules it may import. */
  package?: PackageFiles;
}

export interface SnippetResult {
  status: TraceStatus;
  error?: string;
  runs: RawRun[];
  /** The encoded inputs of the job's input set, in order. */
  inputs: string[][];
  /** The outputs depend on call order (TraceRow.note). */
  note?: string;
}

export const DEFAULT_MAX_STEPS = 1_000_000;

let unsafeByDefault = false;
/**
 * Makes pools created without `unsafeNoIsolation` run without the operating-system boundary
 * (the CLI's --unsafe-no-isolation, which warns on every run).
 */
export function setUnsafeNoIsolation(on: boolean): void {
  unsafeByDefault = on;
}

/** Whether pools of this process run without the boundary by default. */
export function unsafeNoIsolation(): boolean {
  return unsafeByDefault;
}
export const DEFAULT_TIMEOUT_MS = 10_000;

type Answer =
  /** `inputs`: the input set as encoded by the child that ran the job. */
  | {
      t: "result";
      id: number;
      result: Extract<ChildMessage, { t: "result" }>["result"];
      inputs: string[][];
    }
  | Extract<ChildMessage, { t: "blocks" }>
  | { t: "crash"; status: TraceStatus; detail: string };

interface Pending {
  message: Extract<ParentMessage, { t: "job" | "blocks" }>;
  unit: string;
  /** Values travel as JSON text; the child converts them by type (floats stay floats). */
  inputs?: InputSet;
  timeoutMs: number;
  /** Set when the job is sent: what its answer must look like. */
  expect?: Expectation;
  resolve: (answer: Answer) => void;
  reject: (error: Error) => void;
}

interface Child {
  proc: ChildProcess;
  channel: Writable;
  ready: boolean;
  /** Has been ready once (a later exit is not a start failure). */
  started: boolean;
  /** Jobs sent and not yet answered; the child runs them in order, the first is running. */
  jobs: Pending[];
  /** The unit of the last job sent: a job of another unit makes the child reset first. */
  unit?: string;
  timer?: NodeJS.Timeout;
  /** Why the running job was ended by the parent (wall clock, protocol violation). */
  killedFor?: { status: TraceStatus; detail: string };
  /** Killed on purpose between jobs (its heap grew too large): none of its jobs was running. */
  retired: boolean;
  keys: Set<string>;
  /** The input sets as this child encoded them: one child's encoding never labels another's runs. */
  encoded: Map<string, string[][]>;
  stderr: string;
  /** Bytes written to stderr since its last answer, and whether it sent its one `fatal` line. */
  stderrBytes: number;
  sentFatal: boolean;
}

const MAX_START_FAILURES = 3;
/** A child that is not ready after this long is killed (counted as a failed start). */
const START_TIMEOUT_MS = 120_000;
/**
 * Jobs in flight per child, so a child never idles waiting for the parent's turn (on a busy
 * machine that turn can be late). A child is topped up once half of them are answered, so jobs
 * leave several to a write.
 */
const PIPELINE_DEPTH = 8;
/**
 * A child that writes more to stderr between two answers is replaced (stderr is for start
 * errors): a flood would cost the parent's time for as long as the child lives.
 */
const MAX_STDERR_BYTES = 1024 * 1024;
/** Longest line a child may send: a result is capped by maxChars, inputs are small. */
const MAX_LINE_OVERHEAD = 16 * 1024 * 1024;

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

let tracerText: string | undefined;
/** The tracer's Python source, read from beside this module (src/ or dist/). */
function tracerSource(): string {
  if (tracerText !== undefined) return tracerText;
  const path = fileURLToPath(new URL("./tracer.py", import.meta.url));
  if (!existsSync(path))
    throw new Error(`the tracer ${path} is missing: run \`npm run build\` first`);
  tracerText = readFileSync(path, "utf8");
  return tracerText;
}

let pyodideFolder: string | undefined;
export function pyodideDir(): string {
  pyodideFolder ??= dirname(createRequire(import.meta.url).resolve("pyodide/pyodide.mjs"));
  return pyodideFolder;
}

export class TracerPool {
  readonly size: number;
  private readonly memoryMb: number;
  private readonly graceMs: number;
  private readonly unsafe: boolean;
  private readonly permissionModel: boolean;
  private readonly children: Child[] = [];
  /** Queued jobs per unit, units in submission order. */
  private queue = new Map<string, Pending[]>();
  /** Units with jobs queued or running, and the child they are bound to. */
  private readonly pins = new Map<string, Child>();
  /** Per input-set key, each distinct encoding children sent, parsed once (rows share it). */
  private readonly encodings = new Map<string, Map<string, string[][]>>();
  private nextId = 1;
  private startFailures = 0;
  private closed = false;
  /** A custom child script (tests); undefined: the worker, started from the snapshot. */
  private readonly script?: string;
  private snapshot?: Promise<string | undefined>;
  private snapshotPath?: string;
  private snapshotReady = false;
  private readonly startWaiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  private fatal?: Error;
  private maxChars = 4_000_000;

  constructor(options: PoolOptions = {}) {
    this.size = Math.max(1, Math.floor(options.workers ?? 2));
    this.memoryMb = options.memoryMb ?? 512;
    this.graceMs = options.graceMs ?? 1000;
    this.unsafe = options.unsafeNoIsolation ?? unsafeByDefault;
    this.script = options.childScript;
    this.permissionModel = options.permissionModel ?? true;
  }

  /** Runs one snippet on every input of its input set. Rejects only on pool failure. */
  async trace(job: SnippetJob): Promise<SnippetResult> {
    const key = job.inputs.key;
    const id = this.nextId++;
    const maxChars = job.maxChars ?? 4_000_000;
    this.maxChars = Math.max(this.maxChars, maxChars);
    const message: Extract<ParentMessage, { t: "job" }> = {
      t: "job",
      id,
      code: job.code,
      entry: job.entry,
      key,
      reset: true,
      maxSteps: job.maxSteps ?? DEFAULT_MAX_STEPS,
      maxEvents: job.maxEvents ?? 2000,
      maxChars,
      module: job.module ?? false,
      ...(job.package ? { package: job.package } : {}),
    };
    const answer = await this.submit(
      message,
      job.unit ?? `job:${id}`,
      job.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      job.inputs,
    );
    if (answer.t === "crash")
      return { status: answer.status, error: answer.detail, runs: [], inputs: [] };
    if (answer.t !== "result") throw new Error("internal: a trace job got a blocks answer");
    const r = answer.result;
    const inputs = answer.inputs;
    return {
      status: r.s,
      ...(r.e === undefined ? {} : { error: r.e }),
      runs: r.r,
      inputs,
      ...(r.o === undefined ? {} : { note: r.o }),
    };
  }

  /** Starts every child; resolves once all are ready for jobs (rejects if they cannot start). */
  start(): Promise<void> {
    if (this.fatal) return Promise.reject(this.fatal);
    return new Promise((resolve, reject) => {
      this.startWaiters.push({ resolve, reject });
      this.ensureChildren();
      this.checkStarted();
    });
  }

  private checkStarted(): void {
    const ready = this.children.filter((c) => c.ready).length;
    if (ready < this.size && !this.fatal) return;
    for (const w of this.startWaiters.splice(0)) {
      if (this.fatal) w.reject(this.fatal);
      else w.resolve();
    }
  }

  /** Static basic blocks of each function in `code` (throws on a syntax error). */
  async basicBlocks(code: string): Promise<{ name: string; blocks: StaticBlock[] }[]> {
    const id = this.nextId++;
    const answer = await this.submit({ t: "blocks", id, code }, `blocks:${id}`, 10_000);
    if (answer.t === "crash") throw new Error(`basic blocks failed: ${answer.detail}`);
    if (answer.t !== "blocks") throw new Error("internal: a blocks job got a trace answer");
    if (answer.error !== undefined) throw new Error(answer.error);
    return answer.result ?? [];
  }

  /** Stops every child; pending jobs fail. Safe to call twice. */
  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.startWaiters.splice(0)) w.reject(new Error("the tracer pool was closed"));
    const exits = this.children.map(
      (c) =>
        new Promise<void>((done) => {
          if (c.proc.exitCode !== null || c.proc.signalCode !== null) return done();
          c.proc.once("exit", () => done());
          c.proc.kill("SIGKILL");
        }),
    );
    await Promise.all(exits);
    for (const jobs of this.queue.values()) {
      for (const p of jobs)
        p.resolve({ t: "crash", status: "limit", detail: "the tracer pool was closed" });
    }
    this.queue.clear();
  }

  private submit(
    message: Pending["message"],
    unit: string,
    timeoutMs: number,
    inputs?: InputSet,
  ): Promise<Answer> {
    if (this.closed) return Promise.reject(new Error("the tracer pool is closed"));
    if (this.fatal) return Promise.reject(this.fatal);
    return new Promise((resolveJob, reject) => {
      const pending: Pending = { message, unit, inputs, timeoutMs, resolve: resolveJob, reject };
      const list = this.queue.get(unit);
      if (list) list.push(pending);
      else this.queue.set(unit, [pending]);
      this.ensureChildren();
      this.dispatch();
    });
  }

  private ensureChildren(): void {
    if (this.closed || this.fatal) return;
    if (!this.snapshot) {
      // Children start from a snapshot made once (and cached); a custom child script (the
      // red-team tests' hostile child) gets none.
      this.snapshot = this.script
        ? Promise.resolve(undefined)
        : startupSnapshot(pyodideDir(), tracerSource(), workerScriptPath(), () =>
            this.startMaker(),
          );
      this.snapshot.then(
        (path) => {
          this.snapshotPath = path;
          this.snapshotReady = true;
          this.ensureChildren();
          this.dispatch();
        },
        (e: Error) => this.failAll(e),
      );
      return;
    }
    if (!this.snapshotReady) return;
    if (this.children.length >= this.size) return;
    if (this.snapshotPath && !verifiedSnapshot(this.snapshotPath)) {
      // Gone or changed since this pool started (another process prunes snapshots unused for a
      // week, and a long-lived pool may not have started a child for that long): make it again.
      this.snapshot = undefined;
      this.snapshotPath = undefined;
      this.snapshotReady = false;
      this.ensureChildren();
      return;
    }
    while (this.children.length < this.size && !this.closed && !this.fatal) this.spawn();
  }

  /** A child that makes the start-up snapshot, writes it to its stdout and exits. */
  private startMaker(): ChildProcess {
    const script = workerScriptPath();
    const proc = this.launch(script, "pipe", []);
    const timer = setTimeout(() => proc.kill("SIGKILL"), START_TIMEOUT_MS);
    proc.on("exit", () => clearTimeout(timer));
    const channel = proc.stdio[3] as Writable;
    channel.on("error", () => {
      // the exit code says what happened
    });
    const init: ParentMessage = {
      t: "init",
      pyodideDir: pyodideDir(),
      memoryMb: this.memoryMb,
      make: true,
      tracer: tracerSource(),
    };
    channel.write(`${JSON.stringify(init)}\n`);
    return proc;
  }

  /**
   * Starts `script` inside the boundary (or without it, when unsafe), reading only Pyodide, the
   * script and `reads`; stdio: none in, stdout as asked, stderr and the channel (fd 3) piped.
   */
  private launch(script: string, stdout: "ignore" | "pipe", reads: string[]): ChildProcess {
    const pyodide = pyodideDir();
    // Node 23 renamed the flag; from Node 25 the permission model also denies the network
    // (no --allow-net is given), a second wall behind the boundary's network namespace.
    const major = Number(process.versions.node.split(".")[0]);
    const permissions = [
      major >= 23 ? "--permission" : "--experimental-permission",
      `--allow-fs-read=${pyodide}/`,
      `--allow-fs-read=${script}`,
      ...reads.map((r) => `--allow-fs-read=${r}`),
    ];
    const node = [
      ...(this.permissionModel ? permissions : []),
      "--max-old-space-size=384",
      "--disable-warning=ExperimentalWarning",
      script,
    ];
    if (this.unsafe) {
      return spawn(process.execPath, node, {
        env: {},
        cwd: pyodide,
        stdio: ["ignore", stdout, "pipe", "pipe"],
      });
    }
    const status = boundaryStatus();
    if (!status.ok) throw new Error(`refusing to run untrusted code: ${status.reason}`);
    const cmd = boundaryCommand(
      [process.execPath, ...node],
      [pyodide, script, ...reads],
      { ...DEFAULT_LIMITS, dataMb: Math.max(DEFAULT_LIMITS.dataMb, this.memoryMb + 1024) },
      4,
    );
    try {
      return spawn(cmd.file, cmd.args, {
        env: {},
        stdio: ["ignore", stdout, "pipe", "pipe", ...cmd.extraFds],
      });
    } finally {
      cmd.cleanup();
    }
  }

  private spawn(): void {
    const script = this.script ?? workerScriptPath();
    let proc: ChildProcess;
    try {
      proc = this.launch(script, "ignore", this.snapshotPath ? [this.snapshotPath] : []);
    } catch (e) {
      this.failAll(e as Error);
      return;
    }
    const channel = proc.stdio[3] as Readable & Writable;
    const child: Child = {
      proc,
      channel,
      ready: false,
      started: false,
      jobs: [],
      retired: false,
      keys: new Set(),
      encoded: new Map(),
      stderr: "",
      stderrBytes: 0,
      sentFatal: false,
    };
    this.children.push(child);
    proc.stderr?.on("data", (d: Buffer) => {
      child.stderr = (child.stderr + d.toString()).slice(-2000);
      child.stderrBytes += d.length;
      if (child.stderrBytes > MAX_STDERR_BYTES) {
        const mb = MAX_STDERR_BYTES / (1024 * 1024);
        this.violation(
          child,
          new ProtocolError(`sandbox protocol violation: more than ${mb} MiB written to stderr`),
        );
      }
    });
    this.readLines(child, channel);
    channel.on("error", () => {
      // 'exit' follows and does the bookkeeping.
    });
    proc.on("exit", (code, signal) => this.onExit(child, code, signal));
    child.timer = setTimeout(() => child.proc.kill("SIGKILL"), START_TIMEOUT_MS);
    proc.on("error", () => {
      // 'exit' follows and does the bookkeeping.
    });
    this.send(child, {
      t: "init",
      pyodideDir: pyodideDir(),
      memoryMb: this.memoryMb,
      ...(this.snapshotPath ? { snapshot: this.snapshotPath } : { tracer: tracerSource() }),
    });
  }

  private send(child: Child, message: ParentMessage): void {
    child.channel.write(`${JSON.stringify(message)}\n`);
  }

  /** Splits the child's channel into lines, refusing any line longer than the cap. */
  private readLines(child: Child, channel: Readable): void {
    let parts: Buffer[] = [];
    let size = 0;
    channel.on("data", (chunk: Buffer) => {
      let start = 0;
      for (let nl = chunk.indexOf(10, start); nl >= 0; nl = chunk.indexOf(10, start)) {
        let line: string;
        if (parts.length === 0) line = chunk.toString("utf8", start, nl);
        else {
          parts.push(chunk.subarray(start, nl));
          line = Buffer.concat(parts).toString("utf8");
        }
        parts = [];
        size = 0;
        start = nl + 1;
        this.onLine(child, line);
        if (child.killedFor) return;
      }
      if (start < chunk.length) {
        parts.push(chunk.subarray(start));
        size += chunk.length - start;
        if (size > this.maxChars * 2 + MAX_LINE_OVERHEAD) {
          this.violation(
            child,
            new ProtocolError("sandbox protocol violation: a message exceeds the size cap"),
          );
          parts = [];
        }
      }
    });
  }

  private onLine(child: Child, line: string): void {
    if (child.killedFor) return;
    const head = child.jobs[0];
    let m: ChildMessage;
    try {
      m = parseChildLine(line, head?.expect);
    } catch (e) {
      this.violation(child, e as Error);
      return;
    }
    if (m.t === "ready") {
      if (child.ready) {
        this.violation(child, new ProtocolError("sandbox protocol violation: ready sent twice"));
        return;
      }
      child.ready = true;
      child.started = true;
      this.stopTimer(child);
      this.startFailures = 0;
      this.checkStarted();
      this.dispatch();
      return;
    }
    if (m.t === "fatal") {
      // One line, then the child exits; more is a flood the parent would keep in memory.
      if (child.sentFatal) {
        this.violation(child, new ProtocolError("sandbox protocol violation: fatal sent twice"));
        return;
      }
      child.sentFatal = true;
      child.stderr = `${child.stderr}\n${m.error}`.slice(-2000);
      return;
    }
    this.stopTimer(child);
    child.jobs.shift();
    child.stderrBytes = 0;
    this.releasePin(child, head!.unit);
    if (m.t === "result") {
      const key = (head!.message as Extract<ParentMessage, { t: "job" }>).key;
      if (m.inputs !== undefined) child.encoded.set(key, this.encoding(key, m.inputs));
      head!.resolve({ ...m, inputs: child.encoded.get(key) ?? [] });
    } else head!.resolve(m);
    const memoryBlown =
      m.t === "result" && m.result.s === "limit" && (m.result.e ?? "").includes("memory limit");
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

  /** One parsed list per distinct encoding of an input set (children that agree share it). */
  private encoding(key: string, text: string): string[][] {
    let texts = this.encodings.get(key);
    if (!texts) {
      texts = new Map();
      this.encodings.set(key, texts);
    }
    let parsed = texts.get(text);
    if (!parsed) {
      parsed = JSON.parse(text) as string[][];
      texts.set(text, parsed);
    }
    return parsed;
  }

  /** A child broke the protocol: its current job fails with the reason, and it is replaced. */
  private violation(child: Child, error: Error): void {
    if (child.killedFor) return;
    child.killedFor = { status: "limit", detail: error.message };
    child.ready = false;
    child.proc.kill("SIGKILL");
  }

  private onExit(child: Child, code: number | null, signal: NodeJS.Signals | null): void {
    const i = this.children.indexOf(child);
    if (i >= 0) this.children.splice(i, 1);
    this.stopTimer(child);
    // Jobs queued behind the one that was running never ran to completion: retry them, and
    // the head too when the child was retired between jobs.
    const head = child.retired ? undefined : child.jobs.shift();
    this.requeue(child.jobs);
    child.jobs = [];
    for (const [unit, owner] of this.pins) if (owner === child) this.pins.delete(unit);
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
      head.resolve(
        child.killedFor
          ? { t: "crash", ...child.killedFor }
          : {
              t: "crash",
              status: "limit",
              detail: `the sandbox process died (${signal ?? `exit ${code}`}); likely a resource limit${lastLine(child.stderr)}`,
            },
      );
    }
    if (!this.closed && this.queue.size > 0) this.ensureChildren();
    this.dispatch();
  }

  /** Puts jobs back at the front of the queue, in order. */
  private requeue(jobs: Pending[]): void {
    if (jobs.length === 0) return;
    const front = new Map<string, Pending[]>();
    for (const j of jobs) {
      const list = front.get(j.unit);
      if (list) list.push(j);
      else front.set(j.unit, [j]);
    }
    for (const [unit, list] of this.queue) {
      const f = front.get(unit);
      if (f) f.push(...list);
      else front.set(unit, list);
    }
    this.queue = front;
  }

  private releasePin(child: Child, unit: string): void {
    if (this.pins.get(unit) !== child) return;
    if (this.queue.has(unit) || child.jobs.some((j) => j.unit === unit)) return;
    this.pins.delete(unit);
  }

  private failAll(error: Error): void {
    this.fatal = error;
    this.checkStarted();
    for (const jobs of this.queue.values()) for (const p of jobs) p.reject(error);
    this.queue.clear();
  }

  /** The hard deadline runs for the job at the head of a child's pipeline only. */
  private startTimer(child: Child): void {
    const head = child.jobs[0];
    if (!head || child.timer) return;
    child.timer = setTimeout(() => {
      child.killedFor = {
        status: "timeout",
        detail: `killed after ${head.timeoutMs + this.graceMs} ms of wall-clock time (safety net ${head.timeoutMs} ms): the code did not reach the step check`,
      };
      child.proc.kill("SIGKILL");
    }, head.timeoutMs + this.graceMs);
  }

  private stopTimer(child: Child): void {
    if (child.timer) clearTimeout(child.timer);
    child.timer = undefined;
  }

  /** The next job for `child`: its own unit's next job, else the first unit no child holds. */
  private takeFor(child: Child): Pending | undefined {
    for (const [unit, list] of this.queue) {
      const owner = this.pins.get(unit);
      if (owner && owner !== child) continue;
      const job = list.shift()!;
      if (list.length === 0) this.queue.delete(unit);
      this.pins.set(unit, child);
      return job;
    }
    return undefined;
  }

  private dispatch(): void {
    for (const child of this.children) {
      if (child.jobs.length > PIPELINE_DEPTH / 2) continue;
      const lines: string[] = [];
      while (
        child.ready &&
        child.jobs.length < PIPELINE_DEPTH &&
        child.proc.exitCode === null &&
        !child.killedFor
      ) {
        const job = this.takeFor(child);
        if (!job) break;
        const message = { ...job.message };
        let firstOfKey = false;
        if (message.t === "job") {
          const inputs = job.inputs!;
          if (!child.keys.has(inputs.key)) {
            message.inputs = {
              types: JSON.stringify(inputs.types),
              values: JSON.stringify(inputs.values),
            };
            child.keys.add(inputs.key);
            firstOfKey = true;
          }
          message.reset = child.unit !== job.unit;
        }
        child.unit = job.unit;
        job.expect = {
          id: message.id,
          kind: message.t,
          inputs: job.inputs?.values.length ?? 0,
          maxEvents: message.t === "job" ? message.maxEvents : 0,
          firstOfKey,
        };
        child.jobs.push(job);
        this.startTimer(child);
        lines.push(`${JSON.stringify(message)}\n`);
      }
      if (lines.length > 0) child.channel.write(lines.join(""));
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
