/**
 * The embedding map: every stored embedding projected to 2-D by UMAP in a worker thread
 * (started with the server, so the page usually finds it ready), coloured by behaviour class.
 * Queries are placed with the fitted projection (`transform`), embedded by the index's model.
 */
import { Worker } from "node:worker_threads";
import { packagePath } from "../python/pool.js";
import type { Embedder } from "../search/index.js";
import type { LiveIndex } from "./live-index.js";

export interface MapPayload {
  status: "ready";
  /**
   * Function ids, coordinates (parallel arrays) and each point's class: an index into classes;
   * -1: none (not run), -2: none because it raised on every input (it ran).
   */
  ids: number[];
  x: number[];
  y: number[];
  cls: number[];
  names: string[];
  classes: { key: string; size: number; args: string }[];
  seconds: number;
}

export type MapState =
  | MapPayload
  | { status: "computing"; done: number; total: number; points: number }
  | { status: "failed"; error: string }
  | { status: "unavailable"; reason: string };

const round = (v: number) => Math.round(v * 1000) / 1000;

/** The index's model for the map, or why there is none. */
export interface MapModel {
  embedder: Embedder | null;
  reason?: string;
}

/** A placement was asked while the map is not ready (or is being projected again). */
export class MapNotReadyError extends Error {
  override name = "MapNotReadyError";
}

/**
 * Which state of the index a map shows: its change counter (`generation`, bumped by every
 * `tracecode index` transaction that adds or removes functions; the search library compares it
 * with the ANN graph's the same way), its model (a new model re-embeds every function) and its
 * file (an index deleted and built again starts its counter again).
 */
export function indexVersion(index: LiveIndex): string {
  const store = index.current;
  return `${index.file}|${store.getMeta("generation") ?? "0"}|${store.getMeta("model_id") ?? ""}`;
}

export class EmbeddingMap {
  private state: MapState = { status: "computing", done: 0, total: 0, points: 0 };
  private worker?: Worker;
  private embedder: Embedder | null = null;
  /** The index version projected (undefined until started). */
  private version?: string;
  private seed = 0;
  private nextId = 1;
  private readonly placing = new Map<
    number,
    { resolve: (p: { x: number; y: number }) => void; reject: (e: Error) => void }
  >();

  /** `model` is asked again whenever the index changed (its model may have changed too). */
  constructor(
    private readonly index: LiveIndex,
    private readonly model: () => MapModel,
  ) {}

  /** Starts the projection in a worker thread (returns at once). */
  start(seed = 0): void {
    this.seed = seed;
    this.version = indexVersion(this.index);
    try {
      const { embedder, reason } = this.model();
      this.embedder = embedder;
      if (!embedder) {
        this.state = { status: "unavailable", reason: reason ?? "no model" };
        return;
      }
      this.fit(embedder, seed);
    } catch (e) {
      this.state = { status: "failed", error: (e as Error).message };
    }
  }

  private fit(embedder: Embedder, seed: number): void {
    const t0 = performance.now();
    const { ids, data } = this.index.current.embeddings(embedder.dim);
    if (ids.length === 0) {
      this.state = { status: "unavailable", reason: "the index holds no embeddings" };
      return;
    }
    if (embedder.distance === "cosine") normaliseRows(data, embedder.dim);
    const fns = this.index.current.functions(ids);
    const classIndex = new Map<string, number>();
    const classes: MapPayload["classes"] = [];
    const cls = fns.map((f) => {
      if (!f.behaviour) return f.status === "always_raises" ? -2 : -1;
      let i = classIndex.get(f.behaviour);
      if (i === undefined) {
        i = classes.length;
        classIndex.set(f.behaviour, i);
        classes.push({ key: f.behaviour, size: 0, args: f.args ?? "" });
      }
      classes[i].size++;
      return i;
    });
    this.state = { status: "computing", done: 0, total: 0, points: ids.length };
    const worker = new Worker(packagePath("dist", "serve", "projection-worker.js"));
    worker.unref();
    this.worker = worker;
    worker.on("message", (m) => {
      // A worker replaced after the index changed may still answer: its map is not this one.
      if (this.worker !== worker) return;
      if (m.t === "progress" && this.state.status === "computing") {
        this.state = { ...this.state, done: m.done, total: m.total };
      } else if (m.t === "done") {
        const c = m.coords as Float32Array;
        this.state = {
          status: "ready",
          ids,
          x: ids.map((_, i) => round(c[2 * i])),
          y: ids.map((_, i) => round(c[2 * i + 1])),
          cls,
          names: fns.map((f) => f.name),
          classes,
          seconds: (performance.now() - t0) / 1000,
        };
      } else if (m.t === "placed") {
        this.placing.get(m.id)?.resolve({ x: round(m.x), y: round(m.y) });
        this.placing.delete(m.id);
      } else if (m.t === "error") {
        if (m.id !== undefined) {
          this.placing.get(m.id)?.reject(new Error(m.message));
          this.placing.delete(m.id);
        } else this.state = { status: "failed", error: m.message };
      }
    });
    worker.on("error", (e) => {
      if (this.worker === worker) this.state = { status: "failed", error: String(e) };
    });
    worker.postMessage({ t: "fit", n: ids.length, dim: embedder.dim, data, seed }, [
      data.buffer as ArrayBuffer,
    ]);
  }

  get current(): MapState {
    return this.state;
  }

  /**
   * The map of the index as it is now: when the index changed since the projection (a
   * `tracecode index` while the server runs), the old projection is dropped and a new one
   * started, so the answer is `computing` until it is done, never the old points.
   */
  refreshed(): MapState {
    if (this.version !== undefined && indexVersion(this.index) !== this.version) {
      void this.stop("the index changed: the map is being projected again");
      this.start(this.seed);
    }
    return this.state;
  }

  /** Ends the worker and refuses the placements it had not answered. */
  private async stop(why: string): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    for (const p of this.placing.values()) p.reject(new MapNotReadyError(why));
    this.placing.clear();
    await worker?.terminate();
  }

  /** Where a query's code lands on the map (the map must be ready). */
  place(code: string): Promise<{ x: number; y: number }> {
    if (this.state.status !== "ready" || !this.worker || !this.embedder)
      return Promise.reject(new MapNotReadyError(`the map is not ready (${this.state.status})`));
    const vector = this.embedder.embed([code])[0];
    if (this.embedder.distance === "cosine") normaliseRows(vector, this.embedder.dim);
    const id = this.nextId++;
    const worker = this.worker;
    return new Promise((resolve, reject) => {
      this.placing.set(id, { resolve, reject });
      worker.postMessage({ t: "place", id, vector });
    });
  }

  close(): Promise<void> {
    return this.stop("the server is closing");
  }
}

/** Scales each row to unit length, so UMAP's Euclidean distance orders like the cosine. */
function normaliseRows(data: Float32Array, dim: number): void {
  for (let i = 0; i < data.length; i += dim) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += data[i + j] ** 2;
    const norm = Math.sqrt(s) || 1;
    for (let j = 0; j < dim; j++) data[i + j] /= norm;
  }
}
