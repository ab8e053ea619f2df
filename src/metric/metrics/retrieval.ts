import type { Distance } from "../distances/distance.js";
import { dissimilarity } from "../distances/distance.js";
import { LpDistance } from "../distances/lp-distance.js";
import { checkLabels, type Matrix, matrixSize } from "../matrix.js";

/**
 * Retrieval metrics over labelled embeddings, with pytorch-metric-learning's definitions
 * (AccuracyCalculator; MAP@R from Musgrave et al., "A Metric Learning Reality Check", §3.2).
 *
 * For each query the references are ranked closest first — all of them, never a truncated
 * top-k, so MAP@R and R-precision always see R results. When queries and references are the
 * same set, the query itself is removed from its ranking by index (not by dropping rank 1,
 * which is wrong when another item has the same embedding). R is the number of references
 * that share the query's label; queries with R = 0 are skipped and counted in `skipped`.
 * Every metric is the mean over the remaining queries (0 if there are none).
 */
export interface RetrievalMetrics {
  precisionAt1: number;
  mapAtR: number;
  rPrecision: number;
  mrr: number;
  /** Queries that entered the means. */
  queries: number;
  /** Queries with no relevant reference (R = 0), left out of the means. */
  skipped: number;
}

/**
 * How equal distances are ordered. "index": the lower reference index first (deterministic,
 * but collapsed embeddings then score whatever the data order gives). "pessimistic":
 * irrelevant references first among equals, then by index — a floor that collapse cannot lift.
 */
export type TieBreak = "index" | "pessimistic";

export interface RetrievalOptions {
  /** Default Euclidean. Ranking uses `Distance.matrix`: float64, no eps. */
  distance?: Distance;
  tieBreak?: TieBreak;
}

/** One query's ranked relevance (1 = same label), and R. */
export interface RankedQuery {
  relevant: Uint8Array;
  r: number;
}

/** P@1: is the nearest reference relevant? (1 or 0) */
export function precisionAt1({ relevant }: RankedQuery): number {
  return relevant[0] ?? 0;
}

/** R-precision: the fraction of the first R results that are relevant. */
export function rPrecision({ relevant, r }: RankedQuery): number {
  let hits = 0;
  for (let i = 0; i < r; i++) hits += relevant[i];
  return hits / r;
}

/**
 * AP@R: (1/R) Σ_{i=1..R} P(i)·rel(i), where P(i) is the precision of the first i results and
 * rel(i) whether the i-th is relevant. Like R-precision it looks at the first R results only,
 * but rewards relevant results ranked earlier; it is 1 only for a perfect ranking.
 */
export function averagePrecisionAtR({ relevant, r }: RankedQuery): number {
  let hits = 0;
  let sum = 0;
  for (let i = 0; i < r; i++) {
    if (!relevant[i]) continue;
    hits++;
    sum += hits / (i + 1);
  }
  return sum / r;
}

/** Reciprocal rank: 1 / (rank of the first relevant result), 0 if none. */
export function reciprocalRank({ relevant }: RankedQuery): number {
  const first = relevant.indexOf(1);
  return first < 0 ? 0 : 1 / (first + 1);
}

/** Metrics over a query set and a separate reference set (nothing is excluded). */
export function retrievalMetrics(
  queries: Matrix,
  queryLabels: ArrayLike<number>,
  references: Matrix,
  referenceLabels: ArrayLike<number>,
  options: RetrievalOptions = {},
): RetrievalMetrics {
  return evaluate(queries, queryLabels, references, referenceLabels, false, options);
}

/** Metrics where every item queries all the others (each query excluded from its results). */
export function selfRetrievalMetrics(
  embeddings: Matrix,
  labels: ArrayLike<number>,
  options: RetrievalOptions = {},
): RetrievalMetrics {
  return evaluate(embeddings, labels, embeddings, labels, true, options);
}

/** The per-query rankings the metrics are computed from (exposed for inspection and tests). */
export function rankQueries(
  queries: Matrix,
  queryLabels: ArrayLike<number>,
  references: Matrix,
  referenceLabels: ArrayLike<number>,
  excludeSelf: boolean,
  { distance = new LpDistance(), tieBreak = "index" }: RetrievalOptions = {},
): RankedQuery[] {
  const { rows: nq, dim } = matrixSize(queries, "queries");
  const { rows: nr, dim: dr } = matrixSize(references, "references");
  if (dim !== dr) throw new RangeError(`query width ${dim} ≠ reference width ${dr}`);
  checkLabels(queryLabels, nq, "query labels");
  checkLabels(referenceLabels, nr, "reference labels");
  if (excludeSelf && nq !== nr) throw new RangeError("self-retrieval needs one set");
  const dis = dissimilarity(distance, queries, references);
  return rankByDissimilarity(dis, queryLabels, referenceLabels, excludeSelf, tieBreak);
}

/**
 * Rankings from a precomputed [nq, nr] "smaller is closer" matrix, for similarities that are
 * not embedding distances (e.g. agreement of execution outputs).
 */
export function rankByDissimilarity(
  dis: ArrayLike<number>,
  queryLabels: ArrayLike<number>,
  referenceLabels: ArrayLike<number>,
  excludeSelf: boolean,
  tieBreak: TieBreak = "index",
): RankedQuery[] {
  const nq = queryLabels.length;
  const nr = referenceLabels.length;
  if (dis.length !== nq * nr)
    throw new RangeError(`${dis.length} values do not fit [${nq}, ${nr}]`);
  if (excludeSelf && nq !== nr) throw new RangeError("self-retrieval needs one set");
  const out: RankedQuery[] = [];
  for (let q = 0; q < nq; q++) {
    const label = queryLabels[q];
    const row = q * nr;
    const order: number[] = [];
    for (let j = 0; j < nr; j++) if (!(excludeSelf && j === q)) order.push(j);
    const rel = (j: number) => (referenceLabels[j] === label ? 1 : 0);
    order.sort(
      (i, j) =>
        dis[row + i] - dis[row + j] || (tieBreak === "pessimistic" ? rel(i) - rel(j) : 0) || i - j,
    );
    const relevant = Uint8Array.from(order, rel);
    let r = 0;
    for (const v of relevant) r += v;
    out.push({ relevant, r });
  }
  return out;
}

/** The means of every metric over rankings, queries without a relevant reference skipped. */
export function metricsOf(ranked: readonly RankedQuery[]): RetrievalMetrics {
  const counted = ranked.filter((q) => q.r > 0);
  const mean = (f: (q: RankedQuery) => number) =>
    counted.length === 0 ? 0 : counted.reduce((s, q) => s + f(q), 0) / counted.length;
  const averages = Object.fromEntries(
    Object.entries(perQuery).map(([name, f]) => [name, mean(f)]),
  ) as Record<MetricName, number>;
  return { ...averages, queries: counted.length, skipped: ranked.length - counted.length };
}

function evaluate(
  queries: Matrix,
  queryLabels: ArrayLike<number>,
  references: Matrix,
  referenceLabels: ArrayLike<number>,
  excludeSelf: boolean,
  options: RetrievalOptions,
): RetrievalMetrics {
  return metricsOf(
    rankQueries(queries, queryLabels, references, referenceLabels, excludeSelf, options),
  );
}

type MetricName = Exclude<keyof RetrievalMetrics, "queries" | "skipped">;

/** Each reported metric and its per-query definition; a metric without one does not compile. */
const perQuery: Record<MetricName, (q: RankedQuery) => number> = {
  precisionAt1,
  mapAtR: averagePrecisionAtR,
  rPrecision,
  mrr: reciprocalRank,
};
