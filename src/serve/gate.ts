/**
 * The server's one warm sandbox pool and the bounded queue in front of it. Every request that
 * runs Python (a search query, a function's trace) takes a slot: at most `running` operations
 * run at once and at most `queued` wait; past that the request is refused at once (HTTP 503)
 * instead of starting more interpreters or growing an unbounded backlog.
 */
import { type SnippetJob, type SnippetResult, TracerPool } from "../python/index.js";

/** The queue is full: the caller answers 503 with Retry-After. */
export class BusyError extends Error {
  override name = "BusyError";
}

export interface GateOptions {
  /** Sandbox child processes of the one pool (default 2). */
  workers?: number;
  /** Operations running at once (default: twice the workers, so no child waits for a message). */
  running?: number;
  /** Operations waiting for a slot before requests are refused (default 64). */
  queued?: number;
}

export class SandboxGate {
  readonly pool: TracerPool;
  readonly running: number;
  readonly queued: number;
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  /** Operations refused because the queue was full, since start. */
  refused = 0;

  constructor(options: GateOptions = {}, pool?: TracerPool) {
    this.pool = pool ?? new TracerPool({ workers: options.workers ?? 2 });
    this.running = Math.max(1, options.running ?? this.pool.size * 2);
    this.queued = Math.max(0, options.queued ?? 64);
  }

  /** Runs `fn` when a slot is free; throws BusyError at once when the queue is full. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.running) {
      if (this.waiting.length >= this.queued) {
        this.refused++;
        throw new BusyError(
          `the sandbox queue is full (${this.running} running, ${this.queued} waiting): retry shortly`,
        );
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else this.active++;
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }

  /**
   * Starts every child of the pool now (a trivial job each), so the first request does not pay
   * for interpreters starting; fails when the sandbox cannot start (bubblewrap missing, no build).
   */
  async warm(): Promise<void> {
    const inputs = { key: "serve-warm", types: ["int" as const], values: [[0]] };
    const jobs = Array.from({ length: this.pool.size }, () =>
      this.pool.trace({ code: "def f(x):\n    return x\n", entry: "f", inputs }),
    );
    for (const r of await Promise.all(jobs))
      if (r.status !== "ok") throw new Error(`the sandbox did not start: ${r.error ?? r.status}`);
  }

  /** Operations running and waiting now. */
  load(): { running: number; waiting: number } {
    return { running: this.active, waiting: this.waiting.length };
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

/**
 * A pool facade for one request: it runs every job on the gate's warm pool and keeps the
 * results, so a caller of the search library (which takes a `pool`) can read the query's
 * outputs afterwards without running it a second time. It never starts children of its own.
 */
export class RecordingPool extends TracerPool {
  readonly results: SnippetResult[] = [];

  constructor(private readonly shared: TracerPool) {
    super({ workers: 1 });
  }

  override async trace(job: SnippetJob): Promise<SnippetResult> {
    const r = await this.shared.trace(job);
    this.results.push(r);
    return r;
  }

  override basicBlocks(code: string) {
    return this.shared.basicBlocks(code);
  }

  /** The shared pool outlives the request: closing the facade does nothing. */
  override async close(): Promise<void> {}
}
