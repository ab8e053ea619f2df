import { describe, expect, it } from "vitest";
import { CosineSimilarity } from "../distances/cosine-similarity.js";
import {
  averagePrecisionAtR,
  precisionAt1,
  rankQueries,
  reciprocalRank,
  retrievalMetrics,
  rPrecision,
  selfRetrievalMetrics,
} from "./retrieval.js";

const ranked = (relevant: number[], r: number) => ({ relevant: Uint8Array.from(relevant), r });
const column = (xs: number[]) => ({ data: Float32Array.from(xs), shape: [xs.length, 1] });

describe("per-query metrics", () => {
  it("follow their definitions on a worked example (R = 3)", () => {
    const q = ranked([1, 0, 1, 0, 0, 1], 3);
    expect(precisionAt1(q)).toBe(1);
    expect(rPrecision(q)).toBeCloseTo(2 / 3, 12);
    // (1/R)·(P(1)·1 + P(2)·0 + P(3)·1) = (1 + 2/3)/3; the hit at rank 6 is past R.
    expect(averagePrecisionAtR(q)).toBeCloseTo(5 / 9, 12);
    expect(reciprocalRank(q)).toBe(1);
  });

  it("MAP@R separates rankings that R-precision cannot (the Reality Check's argument)", () => {
    const early = ranked([1, 1, 0, 0, 1, 1], 4);
    const late = ranked([0, 0, 1, 1, 1, 1], 4);
    expect(rPrecision(early)).toBe(0.5);
    expect(rPrecision(late)).toBe(0.5);
    expect(averagePrecisionAtR(early)).toBeCloseTo((1 + 1) / 4, 12);
    expect(averagePrecisionAtR(late)).toBeCloseTo((1 / 3 + 2 / 4) / 4, 12);
    expect(reciprocalRank(late)).toBeCloseTo(1 / 3, 12);
    expect(averagePrecisionAtR(ranked([1, 1, 1, 1, 0], 4))).toBe(1);
  });
});

describe("selfRetrievalMetrics", () => {
  // 1-D points; label 2 has one member, so its query has R = 0 and is skipped.
  const e = column([0, 2, 3, 1, 10, 50]);
  const labels = [0, 0, 0, 1, 1, 2];

  it("averages over queries with R > 0, ties by index (hand-computed)", () => {
    // q0 (0): ranks 3,1,2,… → rel 0,1,1 (R=2): P@1 0, AP 1/4, RP 1/2, RR 1/2
    // q1 (2): 2 and 3 tie at 1 → 2 first → rel 1,0,1: 1, 1/2, 1/2, 1
    // q2 (3): 1,3,0 → rel 1,0,1: 1, 1/2, 1/2, 1
    // q3 (1): 0,1 tie at 1, then 2, 4 → rel 0,0,0,1 (R=1): 0, 0, 0, 1/4
    // q4 (10): 2,1,3 → rel 0,0,1 (R=1): 0, 0, 0, 1/3
    const m = selfRetrievalMetrics(e, labels);
    expect(m.queries).toBe(5);
    expect(m.skipped).toBe(1);
    expect(m.precisionAt1).toBeCloseTo(2 / 5, 12);
    expect(m.mapAtR).toBeCloseTo(1.25 / 5, 12);
    expect(m.rPrecision).toBeCloseTo(1.5 / 5, 12);
    expect(m.mrr).toBeCloseTo((1 / 2 + 1 + 1 + 1 / 4 + 1 / 3) / 5, 12);
  });

  it("pessimistic ties put the irrelevant reference first", () => {
    // Only q1 changes: 3 before 2 → rel 0,1,1: P@1 0, AP 1/4, RP 1/2, RR 1/2.
    const m = selfRetrievalMetrics(e, labels, { tieBreak: "pessimistic" });
    expect(m.precisionAt1).toBeCloseTo(1 / 5, 12);
    expect(m.mapAtR).toBeCloseTo(1 / 5, 12);
    expect(m.mrr).toBeCloseTo((1 / 2 + 1 / 2 + 1 + 1 / 4 + 1 / 3) / 5, 12);
  });

  it("excludes the query by index, even when another item has the same embedding", () => {
    // Items 0 and 1 coincide; dropping "the first result" would drop item 0 and keep the
    // query itself, scoring P@1 = 1 for query 1.
    const [, q1] = rankQueries(column([0, 0, 3]), [0, 1, 1], column([0, 0, 3]), [0, 1, 1], true);
    expect(Array.from(q1.relevant)).toEqual([0, 1]);
    expect(q1.r).toBe(1);
    expect(selfRetrievalMetrics(column([0, 0, 3]), [0, 1, 1]).precisionAt1).toBe(0);
  });

  it("shows why collapsed embeddings need pessimistic ties", () => {
    const collapsed = column([1, 1, 1, 1]);
    const sorted = [0, 0, 1, 1];
    expect(selfRetrievalMetrics(collapsed, sorted).precisionAt1).toBe(0.5);
    expect(selfRetrievalMetrics(collapsed, sorted, { tieBreak: "pessimistic" }).mapAtR).toBe(0);
  });

  it("ranks by similarity for cosine (larger = closer)", () => {
    const deg = Math.PI / 180;
    const pts = [0, 20, 90, 100].map((a) => [Math.cos(a * deg), Math.sin(a * deg)]);
    const m = selfRetrievalMetrics({ data: pts.flat(), shape: [4, 2] }, [0, 0, 1, 1], {
      distance: new CosineSimilarity(),
    });
    expect(m).toEqual({
      precisionAt1: 1,
      mapAtR: 1,
      rPrecision: 1,
      mrr: 1,
      queries: 4,
      skipped: 0,
    });
  });

  it("gives zeros when every query is alone in its class", () => {
    const m = selfRetrievalMetrics(column([0, 1, 2]), [0, 1, 2]);
    expect(m).toEqual({
      precisionAt1: 0,
      mapAtR: 0,
      rPrecision: 0,
      mrr: 0,
      queries: 0,
      skipped: 3,
    });
  });
});

describe("retrievalMetrics (separate query and reference sets)", () => {
  it("keeps a reference equal to the query, and skips queries whose label is absent", () => {
    const refs = column([0, 1, 5, 6]);
    const refLabels = [0, 1, 1, 0];
    // q (0, label 0): refs 0,1,2,3 → rel 1,0,0,1 (R=2): P@1 1, AP 1/2, RP 1/2, RR 1.
    // q (5.4, label 1): refs 2 (0.4), 3 (0.6), 1, 0 → rel 1,0,1,0: 1, 1/2, 1/2, 1.
    // q (label 7): skipped.
    const m = retrievalMetrics(column([0, 5.4, 2]), [0, 1, 7], refs, refLabels);
    expect(m).toEqual({
      precisionAt1: 1,
      mapAtR: 0.5,
      rPrecision: 0.5,
      mrr: 1,
      queries: 2,
      skipped: 1,
    });
  });

  it("rejects mismatched shapes and labels", () => {
    expect(() => retrievalMetrics(column([0]), [0, 1], column([0]), [0])).toThrow(RangeError);
    expect(() => retrievalMetrics({ data: [0, 0], shape: [1, 2] }, [0], column([0]), [0])).toThrow(
      RangeError,
    );
  });
});

describe("rankByDissimilarity", () => {
  it("gives the same metrics as embedding retrieval when fed the same distances", async () => {
    const { LpDistance } = await import("../distances/lp-distance.js");
    const { metricsOf, rankByDissimilarity, selfRetrievalMetrics } = await import("./retrieval.js");
    const emb = { data: Float32Array.from([0, 0, 0.1, 0, 5, 5, 5.2, 5, 0.05, 0.3]), shape: [5, 2] };
    const labels = [0, 0, 1, 1, 0];
    const dis = new LpDistance().matrix(emb);
    expect(metricsOf(rankByDissimilarity(dis, labels, labels, true))).toEqual(
      selfRetrievalMetrics(emb, labels),
    );
    expect(() => rankByDissimilarity(dis, labels, [0], false)).toThrow(/do not fit/);
  });
});
