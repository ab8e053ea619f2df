import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { writeTinyDataset } from "../../test/helpers/tiny-dataset.js";
import { loadDataset } from "../data/index.js";
import { RelationalDistillationLoss } from "../metric/index.js";
import { embedItems, loadEncoder } from "../models/index.js";
import { Tensor } from "../nn/index.js";
import { splitExamples } from "./examples.js";
import { type MetricsRow, RunConfig } from "./schemas.js";
import { trainRun } from "./train.js";

const data = writeTinyDataset(6, 4);
afterAll(() => rmSync(data, { recursive: true, force: true }));
const base = RunConfig.parse({
  data,
  epochs: 3,
  batch: 4,
  dim: 8,
  lr: 0.01,
  encoder: "transformer",
});
const withoutSeconds = (rows: MetricsRow[]) => rows.map(({ seconds: _s, ...r }) => r);

/** The distillation loss between two models' embeddings of every train snippet. */
function relationalGap(studentDir: string, teacherDir: string): number {
  const train = splitExamples(loadDataset(data), base).train;
  const matrix = (dir: string) => {
    const rows = embedItems(loadEncoder(dir), train);
    return Tensor.from(
      rows.flatMap((r) => [...r]),
      [rows.length, rows[0].length],
    );
  };
  return new RelationalDistillationLoss().forward(matrix(studentDir), matrix(teacherDir)).item();
}

describe("distillation from a frozen teacher", () => {
  const teacher = join(data, "runs", "teacher");
  const run = (name: string) => join(data, "runs", name);

  it("brings the student's distances nearer the teacher's than plain training, deterministically", async () => {
    await trainRun({ ...base, encoder: "joint", dim: 6, seed: 3 }, teacher);
    const distill = { teacher, weight: 20 };
    const plain = await trainRun(base, run("plain"));
    const a = await trainRun({ ...base, distill }, run("distilled"));
    const b = await trainRun({ ...base, distill }, run("distilled-again"));
    expect(withoutSeconds(b)).toEqual(withoutSeconds(a));
    expect(a[0].trainLoss).not.toBe(plain[0].trainLoss);
    expect(relationalGap(run("distilled"), teacher)).toBeLessThan(
      relationalGap(run("plain"), teacher),
    );
  });

  it("leaves configs without a teacher as they were, and names a missing teacher", async () => {
    expect("distill" in RunConfig.parse({ data })).toBe(false);
    await expect(
      trainRun({ ...base, distill: { teacher: run("nowhere"), weight: 1 } }, run("bad")),
    ).rejects.toThrow(/nowhere is not a model directory/);
  });
});
