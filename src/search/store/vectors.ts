/**
 * Nearest embeddings: an approximate HNSW graph (hnswlib) saved beside the database for
 * corpora too large to scan, and the exact brute-force scan it is measured against. Labels are
 * the functions' database ids, which SQLite never reuses, so a graph entry always means one
 * function.
 */
import { renameSync, rmSync } from "node:fs";
import hnswlib from "hnswlib-node";
import type { ModelSpec } from "../../models/index.js";

export const ANN_FILE = "vectors.hnsw";

/** The distance a model was trained with. */
export type Distance = ModelSpec["distance"];

export interface Neighbour {
  id: number;
  /** The model's distance: Euclidean, or 1 − cosine similarity. */
  distance: number;
}

/** Graph degree and build effort: hnswlib's usual defaults, which keep recall high here. */
const M = 16;
const EF_CONSTRUCTION = 200;
/** Candidates kept while searching (at least k); more means higher recall, slower queries. */
const EF_SEARCH = 100;

const spaceOf = (d: Distance) => (d === "cosine" ? "cosine" : "l2");

export class AnnIndex {
  /** Live (not deleted) vectors, kept here: asking the graph lists every label. */
  private live: number;

  private constructor(
    private readonly graph: hnswlib.HierarchicalNSW,
    readonly distance: Distance,
  ) {
    this.live = graph.getIdsList().length;
  }

  static build(distance: Distance, dim: number, ids: readonly number[], data: Float32Array) {
    const graph = new hnswlib.HierarchicalNSW(spaceOf(distance), dim);
    graph.initIndex({
      maxElements: Math.max(ids.length, 16),
      m: M,
      efConstruction: EF_CONSTRUCTION,
      randomSeed: 100,
      allowReplaceDeleted: true,
    });
    const index = new AnnIndex(graph, distance);
    index.add(ids, data, dim);
    return index;
  }

  static load(path: string, distance: Distance, dim: number): AnnIndex {
    const graph = new hnswlib.HierarchicalNSW(spaceOf(distance), dim);
    graph.readIndexSync(path, true);
    return new AnnIndex(graph, distance);
  }

  get size(): number {
    return this.live;
  }

  /** Adds vectors (reusing the slots of removed ones), growing the graph as needed. */
  add(ids: readonly number[], data: Float32Array, dim: number): void {
    const need = this.graph.getCurrentCount() + ids.length;
    if (need > this.graph.getMaxElements()) {
      this.graph.resizeIndex(Math.max(need, Math.ceil(this.graph.getMaxElements() * 1.5)));
    }
    ids.forEach((id, i) => {
      this.graph.addPoint(Array.from(data.subarray(i * dim, (i + 1) * dim)), id, true);
    });
    this.live += ids.length;
  }

  remove(ids: readonly number[]): void {
    const present = new Set(this.graph.getIdsList());
    for (const id of ids) {
      if (!present.has(id)) continue;
      this.graph.markDelete(id);
      this.live--;
    }
  }

  /** Written to a temporary file, then renamed: a reader never sees a half-written graph. */
  save(path: string): void {
    const tmp = `${path}.tmp-${process.pid}`;
    try {
      this.graph.writeIndexSync(tmp);
      renameSync(tmp, path);
    } catch (e) {
      rmSync(tmp, { force: true });
      throw e;
    }
  }

  nearest(query: Float32Array, k: number): Neighbour[] {
    const n = Math.min(k, this.size);
    if (n === 0) return [];
    this.graph.setEf(Math.max(EF_SEARCH, n));
    const { neighbors, distances } = this.graph.searchKnn(Array.from(query), n);
    // hnswlib's l2 space gives squared distances.
    return neighbors.map((id, i) => ({
      id,
      distance: this.distance === "cosine" ? distances[i] : Math.sqrt(distances[i]),
    }));
  }
}

/** Exact k nearest by scanning every vector (the reference the graph is measured against). */
export function exactNearest(
  query: Float32Array,
  ids: readonly number[],
  data: Float32Array,
  dim: number,
  distance: Distance,
  k: number,
): Neighbour[] {
  let qNorm = 0;
  for (let j = 0; j < dim; j++) qNorm += query[j] * query[j];
  qNorm = Math.sqrt(qNorm);
  const best: Neighbour[] = [];
  for (let i = 0; i < ids.length; i++) {
    const o = i * dim;
    let d: number;
    if (distance === "cosine") {
      let dot = 0;
      let norm = 0;
      for (let j = 0; j < dim; j++) {
        const x = data[o + j];
        dot += x * query[j];
        norm += x * x;
      }
      const denom = Math.sqrt(norm) * qNorm;
      d = 1 - (denom > 0 ? dot / denom : 0);
    } else {
      let s = 0;
      for (let j = 0; j < dim; j++) {
        const t = data[o + j] - query[j];
        s += t * t;
      }
      d = Math.sqrt(s);
    }
    if (best.length < k || d < best[best.length - 1].distance) {
      // Insertion into the sorted top-k (k is small).
      let at = best.length < k ? best.length : best.length - 1;
      if (best.length < k) best.push({ id: ids[i], distance: d });
      while (at > 0 && best[at - 1].distance > d) {
        best[at] = best[at - 1];
        at--;
      }
      best[at] = { id: ids[i], distance: d };
    }
  }
  return best;
}
