/** Chunk planning and the coordinator's check of a stored result (no Redis, no sandbox). */
import { describe, expect, it } from "vitest";
import { FunctionRow, TraceRow } from "../data/index.js";
import {
  type ChunkSettings,
  decodeResult,
  encodeResult,
  planChunks,
  splitChunk,
  traceRowProblem,
} from "./chunks.js";

const settings: ChunkSettings = {
  inputs: 5,
  range: { min: -5, max: 5 },
  seed: 0,
  maxSteps: 1000,
  timeoutMs: 1000,
  level: "trace",
};
const rows = Array.from({ length: 10 }, (_, i) =>
  FunctionRow.parse({ id: `r${i}`, group: `g${i % 3}`, code: `def f(x):\n    return x + ${i}\n` }),
);
const byGroup = (r: FunctionRow) => r.group;

describe("chunks", () => {
  it("keep units whole, in input order within a chunk, with ids that depend only on content", () => {
    const chunks = planChunks(rows, byGroup, settings, 4, "b");
    expect(chunks.map((c) => c.index)).toEqual([
      [0, 3, 6, 9],
      [1, 4, 7],
      [2, 5, 8],
    ]);
    expect(planChunks(rows, byGroup, settings, 4, "b").map((c) => c.id)).toEqual(
      chunks.map((c) => c.id),
    );
    expect(planChunks(rows, byGroup, { ...settings, seed: 1 }, 4, "b")[0].id).not.toBe(
      chunks[0].id,
    );
    const two = planChunks(rows, byGroup, settings, 8, "b")[0];
    expect(two.units).toBe(2);
    expect(splitChunk(two).map((c) => c.index)).toEqual([
      [0, 3, 6, 9],
      [1, 4, 7],
    ]);
  });

  it("check a stored result: one valid row per chunk row, ids in order, no unknown keys", () => {
    const [chunk] = planChunks(rows.slice(0, 2), (_r, i) => `u${i}`, settings, 8, "b");
    const good = chunk.data.rows.map(
      (r): TraceRow => ({
        id: r.id,
        status: "ok",
        level: "trace",
        traceClass: "c",
        ioClass: "i",
        runs: [{ input: ["1"], blocks: [0, 1], values: ["", "2"], output: "2", truncated: false }],
      }),
    );
    const decoded = decodeResult(chunk, encodeResult(good));
    expect(decoded.rows).toEqual(good);
    expect(decoded.lines).toEqual(good.map((g) => JSON.stringify(g)));
    for (const g of good) expect(TraceRow.safeParse(g).success && !traceRowProblem(g)).toBe(true);
    const bad: [unknown, RegExp][] = [
      [{ ...good[0], extra: 1 }, /unknown key extra/],
      [{ ...good[0], status: "fine" }, /unknown status/],
      [{ ...good[0], runs: [{ ...good[0].runs[0], blocks: [0.5, 1] }] }, /blocks/],
      [{ ...good[0], runs: [{ ...good[0].runs[0], shell: "x" }] }, /exactly input/],
    ];
    for (const [row, why] of bad) {
      expect(() => decodeResult(chunk, encodeResult([row as TraceRow, good[1]]))).toThrow(why);
    }
    expect(() => decodeResult(chunk, encodeResult([good[1], good[0]]))).toThrow(/id r1 where r0/);
    expect(() => decodeResult(chunk, encodeResult([good[0]]))).toThrow(/1 rows for 2/);
    expect(() => decodeResult(chunk, Buffer.from("plain"))).toThrow(/not gzip/);
  });
});
