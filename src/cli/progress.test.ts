import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import {
  ETA_MIN_MS,
  EtaEstimate,
  fillFields,
  formatDuration,
  formatProgressLine,
  progressBar,
} from "./progress.js";

const line = (over: Partial<Parameters<typeof formatProgressLine>[0]> = {}) =>
  formatProgressLine({
    label: "train",
    value: 0,
    total: 10,
    bar: "░░░░",
    etaSeconds: null,
    extra: " | loss {loss} | val top-1 {top1}",
    payload: {},
    ...over,
  });

describe("progress line", () => {
  it("shows – for fields and an ETA without a value yet, never a {placeholder}", () => {
    expect(line()).toBe("train [░░░░] 0/10 0% | eta – | loss – | val top-1 –");
    expect(line({ label: "sweep epochs", extra: " | runs {runs}" })).not.toMatch(/[{}]/);
    expect(
      line({ value: 3, bar: "█░░░", etaSeconds: 64, payload: { loss: "0.1234", top1: "0.500" } }),
    ).toBe("train [█░░░] 3/10 30% | eta 1m04s | loss 0.1234 | val top-1 0.500");
    // A field given once keeps its value; one never given stays –.
    expect(fillFields("{workers} workers, {dead} given up", { workers: 2 })).toBe(
      "2 workers, – given up",
    );
    // Done is done: nothing left, whatever was measured.
    expect(line({ total: 0 })).toMatch(/ 0\/0 100% \| eta 0s /);
    expect(line({ value: 10, etaSeconds: null })).toMatch(/ 10\/10 100% \| eta 0s /);
  });

  it("formats durations, and an impossible one as –, not NaN or INF", () => {
    expect([0, 9.4, 59.6, 65, 3599, 7170, 14_100].map(formatDuration)).toEqual([
      "0s",
      "9s",
      "1m00s",
      "1m05s",
      "59m59s",
      "2h00m",
      "3h55m",
    ]);
    for (const bad of [null, Number.NaN, Number.POSITIVE_INFINITY, -1])
      expect(formatDuration(bad)).toBe("–");
  });
});

describe("EtaEstimate", () => {
  it("leaves out the start-up before the first item and waits for enough to measure", () => {
    // `index` at 1/452: the first item came after 53 s of sandbox start-up, then 50 ms each.
    const eta = new EtaEstimate();
    expect(eta.seconds(452)).toBeNull();
    eta.record(1, 53_000);
    expect(eta.seconds(452)).toBeNull(); // one item says nothing about the rate
    eta.record(2, 53_050);
    expect(eta.seconds(452)).toBeNull(); // 50 ms is too little to measure
    let ms = 53_050;
    let value = 2;
    while (ms - 53_000 < ETA_MIN_MS) {
      ms += 50;
      value++;
      eta.record(value, ms);
    }
    // 50 ms an item for the rest: about 20 s, not the 3h55m of 53 s an item.
    const left = (452 - value) * 0.05;
    expect(eta.seconds(452)).toBeCloseTo(left, 6);
  });

  it("slow items: known after the second, from the time between them", () => {
    const eta = new EtaEstimate();
    eta.record(1, 90_000); // epoch 1 after data loading
    eta.record(2, 120_000); // 30 s an epoch
    expect(eta.seconds(10)).toBe(240);
    eta.record(10, 360_000);
    expect(eta.seconds(10)).toBe(0);
  });

  it("ignores ticks that add nothing (a payload update), so no rate of 0 or NaN", () => {
    const eta = new EtaEstimate();
    eta.record(0, 1000);
    eta.record(0, 5000);
    expect(eta.seconds(5)).toBeNull();
    eta.record(1, 6000);
    eta.record(1, 9000);
    expect(eta.seconds(5)).toBeNull();
  });
});

describe("progressBar", () => {
  /** A terminal that records what is written to it. */
  const terminal = () => {
    const frames: string[] = [];
    const stream = Object.assign(
      new Writable({
        write(chunk, _enc, done) {
          frames.push(String(chunk));
          done();
        },
      }),
      { isTTY: true, columns: 200 },
    );
    return { stream, text: () => frames.join("") };
  };

  it("draws its first frame with – for fields without a value, and the given ones", () => {
    const t = terminal();
    const bar = progressBar("train", 4, " | loss {loss} | val top-1 {top1}", {}, t.stream);
    bar.stop();
    expect(t.text()).toContain("train [");
    expect(t.text()).toContain("0/4 0% | eta – | loss – | val top-1 –");
    expect(t.text()).not.toMatch(/\{loss\}|\{top1\}|NaN|INF|NF/);
    const s = terminal();
    const sweep = progressBar("sweep epochs", 6, " | runs {runs}", { runs: "0/2" }, s.stream);
    sweep.tick(0, { runs: "0/2" });
    sweep.stop();
    expect(s.text()).toContain("0/6 0% | eta – | runs 0/2");
    expect(s.text()).not.toMatch(/\{runs\}|NaN|INF|NF/);
  });

  it("writes a plain line at each tenth where stderr is not a terminal (a log)", () => {
    const t = terminal();
    Object.assign(t.stream, { isTTY: false });
    const bar = progressBar("index", 40, " | {workers} workers", {}, t.stream);
    for (let i = 0; i < 40; i++) bar.tick(1, i === 20 ? { workers: 2 } : undefined);
    bar.stop();
    const lines = t.text().trim().split("\n");
    expect(lines).toHaveLength(10);
    expect(lines[0]).toBe("index: 4/40 (10%) | – workers");
    expect(lines[9]).toBe("index: 40/40 (100%) | 2 workers");
    // A few items: one line each.
    const s = terminal();
    Object.assign(s.stream, { isTTY: false });
    const few = progressBar("trace", 3, "", {}, s.stream);
    few.tick();
    few.tick();
    few.tick();
    expect(s.text()).toBe("trace: 1/3 (33%)\ntrace: 2/3 (66%)\ntrace: 3/3 (100%)\n");
  });
});
