import { describe, expect, it } from "vitest";
import { Random } from "./index.js";

describe("Random", () => {
  it("repeats a stream for the same seed and differs for another", () => {
    const a = new Random(7);
    const b = new Random(7);
    const c = new Random(8);
    const xs = Array.from({ length: 5 }, () => a.nextUint32());
    expect(Array.from({ length: 5 }, () => b.nextUint32())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.nextUint32())).not.toEqual(xs);
  });

  it("draws a block of uint32s identical to single draws, and continues the stream after it", () => {
    const a = new Random(11);
    const b = new Random(11);
    const block = Array.from(a.uint32s(1000));
    expect(block).toEqual(Array.from({ length: 1000 }, () => b.nextUint32()));
    expect(a.nextUint32()).toBe(b.nextUint32());
    // Into a longer buffer: only the first n are written.
    const into = new Uint32Array(12).fill(7);
    expect(a.uint32s(10, into)).toBe(into);
    expect(Array.from(into.subarray(0, 10))).toEqual(
      Array.from({ length: 10 }, () => b.nextUint32()),
    );
    expect(into[10]).toBe(7);
    expect(() => a.uint32s(13, into)).toThrow(/13 draws/);
  });

  it("forks independent named streams", () => {
    const root = new Random(1);
    const x = root.fork("init").float();
    const y = root.fork("dropout").float();
    expect(x).not.toBe(y);
    expect(new Random(1).fork("init").float()).toBe(x);
  });

  it("draws integers uniformly over an inclusive range", () => {
    const r = new Random(3);
    const counts = new Array(5).fill(0);
    for (let i = 0; i < 50_000; i++) counts[r.int(-2, 2) + 2]++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(400);
  });

  it("draws normals with mean 0 and variance 1", () => {
    const r = new Random(4);
    let s = 0;
    let s2 = 0;
    const n = 40_000;
    for (let i = 0; i < n; i++) {
      const z = r.normal();
      s += z;
      s2 += z * z;
    }
    expect(Math.abs(s / n)).toBeLessThan(0.02);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.03);
  });

  it("shuffles into a permutation", () => {
    const xs = [1, 2, 3, 4, 5, 6, 7, 8];
    const ys = new Random(5).shuffle(xs);
    expect([...ys].sort()).toEqual(xs);
    expect(ys).not.toEqual(xs);
  });

  it("hands its words to a stream continued elsewhere and takes back what is left there", () => {
    const r = new Random(6);
    const other = new Random(7);
    const seen = r.stream((words) => {
      const before = Array.from(words);
      other.stream((theirs) => words.set(theirs)); // continue as `other` from here on
      return before;
    });
    expect(seen).toHaveLength(4);
    expect(r.uint32s(5)).toEqual(other.uint32s(5));
    // Untouched words leave the stream where it was.
    const a = new Random(8);
    a.stream(() => undefined);
    expect(a.nextUint32()).toBe(new Random(8).nextUint32());
  });
});
