/**
 * The shipped training corpus: every family's implementations behave the same on the seeded
 * real-code inputs, different families behave differently, and none overlaps the dev set.
 */
import { describe, expect, it } from "vitest";
import { FunctionRow, readJsonl } from "../src/data/index.js";
import { traceFunctions } from "../src/python/index.js";
import { packagePath } from "../src/python/pool.js";
import { checkLeaks, REAL_INT_RANGE } from "../src/realcode/index.js";

const train = readJsonl(packagePath("data", "realcode-train.jsonl"), FunctionRow);
const dev = readJsonl(packagePath("data", "realcode-dev.jsonl"), FunctionRow);

describe("data/realcode-train.jsonl", () => {
  it("has families whose members agree on 200 seeded inputs, and differ from each other", async () => {
    const traces = await traceFunctions(train, {
      inputs: 200,
      range: REAL_INT_RANGE,
      level: "io",
      timeoutMs: 5000,
    });
    const classes = new Map<string, Set<string>>();
    traces.forEach((t, i) => {
      expect(t.status, `${t.id}: ${t.error}`).toBe("ok");
      const fam = train[i].family as string;
      classes.set(fam, (classes.get(fam) ?? new Set()).add(t.ioClass as string));
    });
    for (const [fam, set] of classes) expect(set.size, fam).toBe(1);
    const all = [...classes.values()].map((s) => [...s][0]);
    expect(new Set(all).size).toBe(classes.size);
  });

  it("shares no family or code with the dev set", () => {
    const devFamilies = new Set(dev.map((r) => r.family));
    expect(train.filter((r) => devFamilies.has(r.family))).toEqual([]);
    expect(checkLeaks(train, dev).matches).toEqual([]);
  });
});
