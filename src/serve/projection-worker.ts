/**
 * Worker thread of the map: fits UMAP (umap-js) to the index's embeddings off the server's
 * event loop, then places new points (queries) with the fitted model's `transform`.
 * Messages: `fit` → `progress`…, `done` | `error`; then `place` → `placed`.
 */
import { parentPort } from "node:worker_threads";
import { UMAP } from "umap-js";
import { Random } from "../random/index.js";

type In =
  | { t: "fit"; n: number; dim: number; data: Float32Array; seed: number }
  | { t: "place"; id: number; vector: Float32Array };

const port = parentPort!;
let umap: UMAP | undefined;
let points: number[][] = [];
let coords = new Float32Array(0);

function rows(data: Float32Array, n: number, dim: number): number[][] {
  return Array.from({ length: n }, (_, i) => Array.from(data.subarray(i * dim, (i + 1) * dim)));
}

function nearestIndex(v: number[]): number {
  let best = 0;
  let bestD = Infinity;
  points.forEach((p, i) => {
    let d = 0;
    for (let j = 0; j < p.length; j++) d += (p[j] - v[j]) ** 2;
    if (d < bestD) [best, bestD] = [i, d];
  });
  return best;
}

function project(m: Extract<In, { t: "fit" }>): void {
  points = rows(m.data, m.n, m.dim);
  coords = new Float32Array(m.n * 2);
  if (m.n < 4) {
    // Too few points for a neighbour graph: a row, in index order.
    for (let i = 0; i < m.n; i++) coords[2 * i] = i;
    port.postMessage({ t: "done", coords });
    return;
  }
  const random = new Random(m.seed).fork("map-umap");
  umap = new UMAP({
    nComponents: 2,
    nNeighbors: Math.min(15, m.n - 1),
    minDist: 0.1,
    random: () => random.float(),
  });
  const epochs = umap.initializeFit(points);
  for (let e = 0; e < epochs; e++) {
    umap.step();
    if (e % 10 === 0) port.postMessage({ t: "progress", done: e, total: epochs });
  }
  umap.getEmbedding().forEach(([x, y], i) => {
    coords[2 * i] = x;
    coords[2 * i + 1] = y;
  });
  port.postMessage({ t: "done", coords });
}

port.on("message", (m: In) => {
  try {
    if (m.t === "fit") project(m);
    else {
      const v = Array.from(m.vector);
      let x: number;
      let y: number;
      if (umap) [[x, y]] = umap.transform([v]);
      else {
        const i = nearestIndex(v);
        [x, y] = [coords[2 * i], coords[2 * i + 1]];
      }
      port.postMessage({ t: "placed", id: m.id, x, y });
    }
  } catch (e) {
    port.postMessage({ t: "error", id: m.t === "place" ? m.id : undefined, message: String(e) });
  }
});
