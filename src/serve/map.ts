/**
 * The embedding map: every stored embedding projected to 2-D by UMAP in a worker thread
 * (started with the server, so the page usually finds it ready), coloured by behaviour class.
 * Queries are placed with the fitted projection (`transform`), embedded by the index's model.
 */
import { Worker } from "node:worker_threads";
import { packagePath } from "../python/pool.js";
import type { Embedder, IndexStore } from "../search/index.js";

export interface MapPayload {
  status: "ready";
  /** Function ids, coordinates (parallel arrays) and each point's class (index into classes; -1: none). */
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

export class EmbeddingMap {
  private state: MapState;
  private worker?: Worker;
  private nextId = 1;
  private readonly placing = new Map<
    number,
    { resolve: (p: { x: number; y: number }) => void; reject: (e: Error) => void }
  >();

  constructor(
    private readonly store: IndexStore,
    private readonly embedder: Embedder | null,
    unavailable?: string,
  ) {
    this.state = unavailable
      ? { status: "unavailable", reason: unavailable }
      : { status: "computing", done: 0, total: 0, points: 0 };
  }

  /** Starts the projection in a worker thread (returns at once). */
  start(seed = 0): void {
    if (this.state.status !== "computing" || !this.embedder) return;
    const t0 = performance.now();
    const { ids, data } = this.store.embeddings(this.embedder.dim);
    if (ids.length === 0) {
      this.state = { status: "unavailable", reason: "the index holds no embeddings" };
      return;
    }
    if (this.embedder.distance === "cosine") normaliseRows(data, this.embedder.dim);
    const fns = this.store.functions(ids);
    const classIndex = new Map<string, number>();
    const classes: MapPayload["classes"] = [];
    const cls = fns.map((f) => {
      if (!f.behaviour) return -1;
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
      this.state = { status: "failed", error: String(e) };
    });
    worker.postMessage({ t: "fit", n: ids.length, dim: this.embedder.dim, data, seed }, [
      data.buffer as ArrayBuffer,
    ]);
  }

  get current(): MapState {
    return this.state;
  }

  /** Where a query's code lands on the map (the map must be ready). */
  place(code: string): Promise<{ x: number; y: number }> {
    if (this.state.status !== "ready" || !this.worker || !this.embedder)
      return Promise.reject(new Error("the map is not ready"));
    const vector = this.embedder.embed([code])[0];
    if (this.embedder.distance === "cosine") normaliseRows(vector, this.embedder.dim);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.placing.set(id, { resolve, reject });
      this.worker!.postMessage({ t: "place", id, vector });
    });
  }

  async close(): Promise<void> {
    for (const p of this.placing.values()) p.reject(new Error("the server is closing"));
    this.placing.clear();
    await this.worker?.terminate();
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
