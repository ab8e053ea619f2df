/**
 * From a dataset to the train and validation examples of one run, following the protocol
 * options of its config. Labels are behaviour classes: snippets with the same `traceClass`
 * are positives of each other, everything else is a negative.
 */
import type { Dataset, FunctionRow, TraceRow } from "../data/index.js";
import type { EncoderItem } from "../models/index.js";
import { Random } from "../random/index.js";
import type { RunConfig } from "./schemas.js";

export interface Example extends EncoderItem {
  id: string;
  group: string;
  /** Behaviour class index (shared by train and val, so equal classes get equal labels). */
  label: number;
  /** The function the snippet defines and calls (name-free training renames it too). */
  entry: string;
}

export interface Examples {
  train: Example[];
  val: Example[];
  /** Rows left out because their trace is missing or not `ok`. */
  untraced: number;
}

/** Share of each seen function's variants held out with `holdOut: variants`. */
export const HELD_OUT_VARIANTS = 0.2;

const renamed = (r: FunctionRow) => r.transforms.includes("rename");

export function splitExamples(ds: Dataset, config: RunConfig): Examples {
  const ok: [FunctionRow, TraceRow][] = [];
  let considered = 0;
  for (const row of ds.rows) {
    const t = ds.traces.get(row.id);
    if (config.families !== undefined && !(row.family ?? "").startsWith(config.families)) continue;
    considered++;
    if (t?.status === "ok" && t.traceClass) ok.push([row, t]);
  }
  const labels = new Map<string, number>();
  const example = ([row, t]: [FunctionRow, TraceRow]): Example => {
    const cls = t.traceClass as string;
    if (!labels.has(cls)) labels.set(cls, labels.size);
    return {
      id: row.id,
      group: row.group,
      code: row.code,
      trace: t,
      label: labels.get(cls)!,
      entry: row.entry,
    };
  };

  let trainRows: [FunctionRow, TraceRow][];
  let valRows: [FunctionRow, TraceRow][];
  if (config.holdOut === "functions") {
    trainRows = ok.filter(([r]) => r.split === "train");
    valRows = ok.filter(([r]) => r.split !== "train");
  } else {
    // Held-out variants of seen functions: a seeded share of every train group's snippets.
    const rng = new Random(config.seed).fork("held-out-variants");
    const byGroup = new Map<string, [FunctionRow, TraceRow][]>();
    for (const pair of ok.filter(([r]) => r.split === "train")) {
      const g = byGroup.get(pair[0].group) ?? [];
      g.push(pair);
      byGroup.set(pair[0].group, g);
    }
    trainRows = [];
    valRows = [];
    for (const members of byGroup.values()) {
      const shuffled = rng.shuffle(members);
      const k = members.length >= 4 ? Math.ceil(members.length * HELD_OUT_VARIANTS) : 0;
      valRows.push(...shuffled.slice(0, k));
      trainRows.push(...shuffled.slice(k));
    }
  }
  if (config.renaming === "train-plain-test-renamed") {
    trainRows = trainRows.filter(([r]) => !renamed(r));
    valRows = valRows.filter(([r]) => renamed(r));
  } else if (config.renaming === "train-renamed-test-plain") {
    trainRows = trainRows.filter(([r]) => renamed(r));
    valRows = valRows.filter(([r]) => !renamed(r));
  }
  return {
    train: trainRows.map(example),
    val: valRows.map(example),
    untraced: considered - ok.length,
  };
}

/** For each example, the indices of its positives (same label, not itself). */
export function positivesOf(examples: readonly Example[]): number[][] {
  const byLabel = new Map<number, number[]>();
  examples.forEach((e, i) => {
    const list = byLabel.get(e.label) ?? [];
    list.push(i);
    byLabel.set(e.label, list);
  });
  return examples.map((e, i) => byLabel.get(e.label)!.filter((j) => j !== i));
}
