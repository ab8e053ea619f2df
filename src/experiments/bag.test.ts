import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { writeTinyDataset } from "../../test/helpers/tiny-dataset.js";
import { Encoder, loadEncoder } from "../models/index.js";
import { type MetricsRow, RunConfig } from "./schemas.js";
import { trainRun } from "./train.js";

const data = writeTinyDataset(6, 4);
afterAll(() => rmSync(data, { recursive: true, force: true }));
const config = RunConfig.parse({
  data,
  encoder: "bag",
  distance: "cosine",
  epochs: 2,
  batch: 4,
  dim: 8,
  lr: 0.01,
  bag: { buckets: 512, groupWeights: { chars: 1, tokens: 1, tree: 1 } },
});
const withoutSeconds = (rows: MetricsRow[]) => rows.map(({ seconds: _s, ...r }) => r);

describe("training the bag encoder", () => {
  it("fits the IDF on the train snippets, saves it, and trains deterministically", async () => {
    const logs: string[] = [];
    const a = await trainRun(config, join(data, "runs", "a"));
    const b = await trainRun(config, join(data, "runs", "b"));
    expect(withoutSeconds(b)).toEqual(withoutSeconds(a));
    const spec = loadEncoder(join(data, "runs", "a")).spec;
    expect(spec.bag?.idf).toHaveLength(512);
    // Rows no train snippet has get the largest IDF, ln(N + 1) + 1 with N = 12 train snippets.
    expect(Math.max(...spec.bag!.idf)).toBeCloseTo(Math.log(13) + 1, 6);
    const nf = await trainRun({ ...config, nameFree: true }, join(data, "runs", "nf"), {
      log: (l) => logs.push(l),
    });
    expect(logs).toContain("name-free forms of 12 of 12 train snippets added");
    // Twice the train snippets: the IDF is fitted on 24.
    const nfSpec = loadEncoder(join(data, "runs", "nf")).spec;
    expect(Math.max(...nfSpec.bag!.idf)).toBeCloseTo(Math.log(25) + 1, 6);
    expect(nf[0].trainLoss).not.toBe(a[0].trainLoss);
    // Val is also measured on its name-free forms, and only then.
    expect(a[0].valMapAtRNameFree).toBeUndefined();
    for (const row of nf) {
      expect(row.valMapAtRNameFree).toBeGreaterThan(0);
      expect(row.valMapAtRNameFree).toBeLessThanOrEqual(1);
    }
  });

  it("with --bag-anchor trains the table beside a frozen lexical projection", async () => {
    const anchored = {
      ...config,
      dim: 12,
      bag: { ...config.bag!, anchor: { width: 4, weight: 0.5 } },
    };
    await trainRun(anchored, join(data, "runs", "anchor"));
    const trained = loadEncoder(join(data, "runs", "anchor"));
    const fresh = new Encoder(trained.spec);
    const weight = (e: Encoder, key: string) =>
      Array.from(e.namedParameters().find(([k]) => k === key)![1].data);
    expect(weight(trained, "code.anchor.weight")).toEqual(weight(fresh, "code.anchor.weight"));
    expect(weight(trained, "code.bag.weight")).not.toEqual(weight(fresh, "code.bag.weight"));
    expect(trained.spec.bag?.width).toBe(8);
    await expect(
      trainRun({ ...anchored, dim: 4 }, join(data, "runs", "anchor-too-wide")),
    ).rejects.toThrow(/anchor width 4 leaves no trained width in dim 4/);
  });
});
