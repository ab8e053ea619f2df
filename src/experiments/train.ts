/**
 * One training run: a RunConfig in, a run directory out (docs/ARCHITECTURE.md, "Data on disk").
 *
 * Each step takes `batch` anchors (the epoch's shuffled order), one random positive per anchor
 * (same behaviour class) and one negative per anchor, chosen by `negatives`:
 *   random    a uniformly random snippet of another class;
 *   hard      one of the anchor's 5 closest other-class snippets (the paper's top-5), by the
 *             current embeddings — among the batch's 3×batch snippets (`miningScope: batch`) or
 *             among all train snippets embedded once at the start of the epoch (`epoch`);
 *   semihard  one of the other-class snippets farther than the positive but within the margin,
 *             else a random one.
 * The triplet loss reads the (anchor, positive, negative) triplets; InfoNCE reads the whole
 * 3×batch as a labelled batch. Every epoch's randomness comes from (seed, epoch), and the
 * checkpoint holds the weights, Adam's moments and the dropout streams, so a resumed run
 * writes the same metrics as one that never stopped. Only `seconds` depends on the machine.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { openDataset, writeFileAtomic, writeJsonl } from "../data/index.js";
import {
  type Distance,
  dissimilarity,
  distanceNamed,
  InfoNCELoss,
  RelationalDistillationLoss,
  selfRetrievalMetrics,
  TripletMarginLoss,
} from "../metric/index.js";
import {
  charTokens,
  DEFAULT_TRACE_ENCODING,
  Encoder,
  embedItems,
  fitIdf,
  loadEncoder,
  pythonTokens,
  rawFeatures,
  saveEncoder,
} from "../models/index.js";
import { Adam, loadSafetensors, noGrad, ops, saveSafetensors, Tensor } from "../nn/index.js";
import { Random } from "../random/index.js";
import { initPython, NameFreeError, nameFree } from "../synth/index.js";
import { type Example, positivesOf, splitExamples } from "./examples.js";
import { BAG_DEFAULTS, MetricsRow, RunConfig, type RunConfig as RunConfigT } from "./schemas.js";

/**
 * Validation and epoch-level mining read the model as the paper's protocol does: `last` pooling
 * at the padded batch's last position, raw vectors (embed, index and search read real positions
 * and unit vectors for cosine models instead).
 */
const PROTOCOL_READING = { positions: "paper", raw: true } as const;
export interface TrainOptions {
  /** Continue from the run's checkpoint (a finished run is returned as it is). */
  resume?: boolean;
  onEpoch?: (row: MetricsRow) => void;
  /** Stops after the current step; the last finished epoch stays resumable. */
  signal?: AbortSignal;
  log?: (line: string) => void;
}

/** The paper's top-k for hard negatives. */
export const HARD_K = 5;

const CHECKPOINT = "checkpoint.safetensors";

export async function trainRun(
  input: RunConfigT,
  runDir: string,
  options: TrainOptions = {},
): Promise<MetricsRow[]> {
  const config = RunConfig.parse(input);
  const log = options.log ?? (() => {});
  mkdirSync(runDir, { recursive: true });
  const configPath = join(runDir, "config.json");
  const configText = `${JSON.stringify(config, null, 2)}\n`;
  if (options.resume && existsSync(configPath)) {
    const saved = readFileSync(configPath, "utf8");
    if (saved !== configText) {
      const was = JSON.parse(saved) as Record<string, unknown>;
      const now = config as Record<string, unknown>;
      const differ = [...new Set([...Object.keys(was), ...Object.keys(now)])]
        .filter((k) => JSON.stringify(was[k]) !== JSON.stringify(now[k]))
        .map((k) => `${k} ${JSON.stringify(was[k])} → ${JSON.stringify(now[k])}`);
      throw new Error(
        `${configPath} differs from the requested config (${differ.join(", ")}): a run resumes only with the settings it started with`,
      );
    }
    if (existsSync(join(runDir, "DONE"))) return readRows(runDir);
  } else if (options.resume) log(`nothing to resume in ${runDir}: training from the start`);
  writeFileAtomic(configPath, configText);

  const ds = await openDataset(config.data);
  const { train: plainTrain, val, untraced } = splitExamples(ds, config);
  if (untraced > 0) log(`${untraced} snippets without an ok trace left out`);
  // Both read syntax trees: the bag encoder's features, the name-free forms.
  if (config.encoder === "bag" || config.nameFree) await initPython();
  const train = config.nameFree ? withNameFree(plainTrain, log) : plainTrain;
  const valNameFree = config.nameFree ? val.map((e) => nameFreeForm(e) ?? e) : null;
  if (train.length < 2 || val.length < 2) {
    // A corpus is split by module when it is built; generated data by these settings.
    const split = existsSync(join(config.data, "corpus.json"))
      ? "the corpus's split by module: build it with more modules or another --val-fraction"
      : `holdOut ${config.holdOut}, renaming ${config.renaming}`;
    throw new Error(
      `${config.data}: ${train.length} train and ${val.length} val snippets after the split ` +
        `(${split}); need at least 2 of each`,
    );
  }
  const valClasses = new Set(val.map((e) => e.label)).size;
  if (valClasses < 2)
    log(
      `warning: the ${val.length} val snippets share one class, so every val retrieval is right whatever the model: val figures say nothing (more functions, or a larger val share, give val several)`,
    );
  const trainPositives = positivesOf(train);
  const trainLabels = train.map((e) => e.label);
  const anchors = train.map((_, i) => i).filter((i) => trainPositives[i].length > 0);
  if (anchors.length === 0) throw new Error(`${config.data}: no train snippet has a positive`);
  // Every anchor needs a negative of another class (randomNegative would draw forever).
  if (new Set(trainLabels).size < 2)
    throw new Error(
      `${config.data}: the ${train.length} train snippets share one class, so no anchor has a negative; train on more functions`,
    );

  const encoder = new Encoder({
    encoder: config.encoder,
    dim: config.dim,
    pooling: config.pooling,
    maxLength: config.maxLength,
    vocab: vocabularyOf(config.encoder, train),
    traceEncoding: DEFAULT_TRACE_ENCODING,
    distance: config.distance,
    seed: config.seed,
    ...(config.encoder === "bag" ? { bag: bagSettings(config, train) } : {}),
  });
  // A bag encoder's anchor is frozen: only what requires a gradient is trained.
  const optimizer = new Adam(
    encoder.parameters().filter((p) => p.requiresGrad),
    { lr: config.lr },
  );
  const distance: Distance = distanceNamed(config.distance);
  const loss = lossOf(config, distance);
  const valTriplets = fixedTriplets(val, new Random(config.seed).fork("val-triplets"));
  const teacher = config.distill ? teacherTargets(config.distill.teacher, train, log) : null;
  const distillLoss = new RelationalDistillationLoss();

  let rows: MetricsRow[] = [];
  const checkpoint = join(runDir, CHECKPOINT);
  if (options.resume && existsSync(checkpoint)) {
    rows = restore(checkpoint, encoder, optimizer);
    log(`resuming after epoch ${rows.length}`);
  }

  for (let epoch = rows.length + 1; epoch <= config.epochs; epoch++) {
    const t0 = performance.now();
    const rng = new Random(config.seed).fork(`epoch ${epoch}`);
    const order = rng.shuffle(anchors);
    const epochTable =
      config.negatives !== "random" && config.miningScope === "epoch"
        ? dissimilarity(
            distance,
            matrixOf(embedItems(encoder, train, undefined, PROTOCOL_READING), config.dim),
          )
        : null;
    encoder.train();
    let lossSum = 0;
    let steps = 0;
    for (let s = 0; s < order.length; s += config.batch) {
      if (options.signal?.aborted) throw new Error("training interrupted");
      const a = order.slice(s, s + config.batch);
      const p = a.map((i) => rng.pick(trainPositives[i]));
      const n = a.map((i, k) =>
        epochTable
          ? chooseNegative(config, epochTable, trainLabels, i, p[k], rng)
          : randomNegative(train, i, rng),
      );
      const batch = [...a, ...p, ...n];
      const emb = encoder.forward(batch.map((i) => train[i]));
      const triplet = a.map((_, k) => [k, a.length + k, 2 * a.length + k] as const);
      if (config.negatives !== "random" && config.miningScope === "batch") {
        const dis = dissimilarity(distance, emb);
        const labels = batch.map((i) => train[i].label);
        for (let k = 0; k < a.length; k++) {
          const local = chooseNegative(config, dis, labels, k, a.length + k, rng);
          triplet[k] = [k, a.length + k, local];
        }
      }
      let value = lossValue(
        loss,
        emb,
        triplet,
        batch.map((i) => train[i].label),
      );
      if (teacher && config.distill) {
        const targets = ops.gather(teacher, batch);
        value = ops.add(value, ops.scale(distillLoss.forward(emb, targets), config.distill.weight));
      }
      value.backward();
      optimizer.step();
      optimizer.zeroGrad();
      lossSum += value.data[0];
      steps++;
      await yieldToEventLoop();
    }
    const evaluation = evaluate(encoder, val, valTriplets, loss, distance, config.batch);
    const nameFreeMapAtR = valNameFree
      ? retrieval(encoder, valNameFree, distance).mapAtR
      : undefined;
    const row = MetricsRow.parse({
      epoch,
      trainLoss: lossSum / Math.max(1, steps),
      ...evaluation,
      ...(nameFreeMapAtR !== undefined ? { valMapAtRNameFree: nameFreeMapAtR } : {}),
      seconds: (performance.now() - t0) / 1000,
    });
    rows.push(row);
    save(checkpoint, encoder, optimizer, rows);
    writeJsonl(join(runDir, "metrics.jsonl"), rows);
    options.onEpoch?.(row);
  }
  saveEncoder(runDir, encoder);
  writeJsonl(join(runDir, "metrics.jsonl"), rows);
  writeFileAtomic(join(runDir, "DONE"), `${new Date().toISOString()}\n`);
  rmSync(checkpoint, { force: true });
  return rows;
}

/**
 * The frozen teacher's embedding of every train snippet (as embed reads a model: real positions,
 * unit vectors for cosine), one [N, E] constant; a teacher that reads traces gets each snippet's.
 */
function teacherTargets(
  dir: string,
  train: readonly Example[],
  log: (line: string) => void,
): Tensor {
  const teacher = loadEncoder(dir);
  const rows = embedItems(teacher, train);
  log(
    `distilling from ${dir} (${teacher.spec.encoder}, ${teacher.spec.dim} wide) over ${rows.length} train snippets`,
  );
  const m = matrixOf(rows, teacher.spec.dim);
  return Tensor.from(m.data, m.shape);
}

function readRows(runDir: string): MetricsRow[] {
  const text = readFileSync(join(runDir, "metrics.jsonl"), "utf8");
  return text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => MetricsRow.parse(JSON.parse(l)));
}

/**
 * `train` and, after it, the name-free form of every snippet that has one (a new code, labelled
 * as its original): names and docstrings stop telling classes apart.
 */
function withNameFree(train: readonly Example[], log: (line: string) => void): Example[] {
  const extra = train.map(nameFreeForm).filter((e): e is Example => e !== null);
  log(`name-free forms of ${extra.length} of ${train.length} train snippets added`);
  return [...train, ...extra];
}

/** A snippet's name-free form as a new example labelled as it, or null when it has none. */
function nameFreeForm(e: Example): Example | null {
  try {
    const nf = nameFree(e.code, e.entry);
    return nf.code === e.code
      ? null
      : { ...e, id: `${e.id}#name-free`, code: nf.code, entry: nf.entry };
  } catch (err) {
    if (!(err instanceof NameFreeError)) throw err;
    return null;
  }
}

/** The bag encoder's table: its rows, width (`dim` less the anchor's), and the IDF over `train`. */
function bagSettings(config: RunConfigT, train: readonly Example[]) {
  const { buckets, groupWeights } = config.bag ?? BAG_DEFAULTS;
  const anchor = config.bag?.anchor;
  if (anchor && anchor.width >= config.dim) {
    throw new Error(
      `bag anchor width ${anchor.width} leaves no trained width in dim ${config.dim}`,
    );
  }
  const idf = fitIdf(
    train.map((e) => rawFeatures(e.code, buckets)),
    buckets,
  );
  return {
    buckets,
    width: config.dim - (anchor?.width ?? 0),
    groupWeights: { ...groupWeights },
    idf,
    ...(anchor ? { anchor: { ...anchor } } : {}),
  };
}

/** The code vocabulary from the training snippets: characters for lstm, tokens otherwise. */
function vocabularyOf(encoder: RunConfigT["encoder"], train: readonly Example[]): string[] {
  if (encoder === "trace" || encoder === "bag") return [];
  const tokenize = encoder === "lstm" ? charTokens : pythonTokens;
  const seen = new Set<string>();
  for (const e of train) for (const t of tokenize(e.code)) seen.add(t);
  return [...seen].sort();
}

type Loss = TripletMarginLoss | InfoNCELoss;

function lossOf(config: RunConfigT, distance: Distance): Loss {
  return config.loss === "triplet"
    ? new TripletMarginLoss({ margin: config.margin, distance })
    : new InfoNCELoss({ temperature: config.temperature, distance });
}

function lossValue(
  loss: Loss,
  emb: Tensor,
  triplets: readonly (readonly [number, number, number])[],
  labels: readonly number[],
): Tensor {
  if (loss instanceof InfoNCELoss) return loss.forward(emb, labels);
  return loss.forward(
    ops.gather(
      emb,
      triplets.map((t) => t[0]),
    ),
    ops.gather(
      emb,
      triplets.map((t) => t[1]),
    ),
    ops.gather(
      emb,
      triplets.map((t) => t[2]),
    ),
  );
}

function randomNegative(examples: readonly Example[], anchor: number, rng: Random): number {
  for (;;) {
    const j = rng.int(0, examples.length - 1);
    if (examples[j].label !== examples[anchor].label) return j;
  }
}

/**
 * A hard or semi-hard negative for `anchor` among the n = labels.length candidates, from the
 * n×n "smaller is closer" matrix `dis`.
 */
function chooseNegative(
  config: RunConfigT,
  dis: Float64Array,
  labels: readonly number[],
  anchor: number,
  positive: number,
  rng: Random,
): number {
  const n = labels.length;
  const row = anchor * n;
  const others: number[] = [];
  for (let j = 0; j < n; j++) if (labels[j] !== labels[anchor]) others.push(j);
  if (others.length === 0) throw new Error("no negative available: every snippet has one class");
  others.sort((i, j) => dis[row + i] - dis[row + j] || i - j);
  if (config.negatives === "semihard") {
    const dp = dis[row + positive];
    const band = others.filter((j) => dis[row + j] > dp && dis[row + j] < dp + config.margin);
    return rng.pick(band.length > 0 ? band : others);
  }
  return rng.pick(others.slice(0, HARD_K));
}

/** For each val snippet with a positive: one positive and one random negative, drawn once. */
function fixedTriplets(val: readonly Example[], rng: Random): [number, number, number][] {
  const pos = positivesOf(val);
  const out: [number, number, number][] = [];
  val.forEach((_, i) => {
    if (pos[i].length === 0) return;
    if (val.every((e) => e.label === val[i].label)) return;
    out.push([i, rng.pick(pos[i]), randomNegative(val, i, rng)]);
  });
  return out;
}

function evaluate(
  encoder: Encoder,
  val: readonly Example[],
  triplets: readonly [number, number, number][],
  loss: Loss,
  distance: Distance,
  batch: number,
): Pick<MetricsRow, "valLoss" | "valTop1" | "valMapAtR" | "valMrr"> {
  encoder.eval();
  let lossSum = 0;
  let count = 0;
  noGrad(() => {
    for (let s = 0; s < triplets.length; s += batch) {
      const chunk = triplets.slice(s, s + batch);
      const idx = [...chunk.map((t) => t[0]), ...chunk.map((t) => t[1]), ...chunk.map((t) => t[2])];
      const emb = encoder.forward(idx.map((i) => val[i]));
      const k = chunk.length;
      const local = chunk.map((_, j) => [j, k + j, 2 * k + j] as const);
      lossSum +=
        lossValue(
          loss,
          emb,
          local,
          idx.map((i) => val[i].label),
        ).data[0] * k;
      count += k;
    }
  });
  const m = retrieval(encoder, val, distance);
  return {
    valLoss: count > 0 ? lossSum / count : 0,
    valTop1: m.precisionAt1,
    valMapAtR: m.mapAtR,
    valMrr: m.mrr,
  };
}

/** Each snippet queried against the others: precision@1, MAP@R and MRR over the labels. */
function retrieval(encoder: Encoder, items: readonly Example[], distance: Distance) {
  encoder.eval();
  const emb = matrixOf(embedItems(encoder, items, undefined, PROTOCOL_READING), encoder.spec.dim);
  return selfRetrievalMetrics(
    emb,
    items.map((e) => e.label),
    { distance },
  );
}

function matrixOf(rows: readonly Float32Array[], dim: number) {
  const data = new Float32Array(rows.length * dim);
  rows.forEach((r, i) => {
    data.set(r, i * dim);
  });
  return { data, shape: [rows.length, dim] };
}

/** One file, written atomically: weights, Adam moments, dropout streams and the metrics so far. */
function save(path: string, encoder: Encoder, optimizer: Adam, rows: readonly MetricsRow[]): void {
  const tensors = [
    ...encoder.namedParameters().map(([k, t]) => [`model.${k}`, t] as const),
    ...optimizer.stateTensors().map(([k, t]) => [`optim.${k}`, t] as const),
  ];
  saveSafetensors(path, tensors, {
    rows: JSON.stringify(rows),
    random: JSON.stringify(encoder.randomState()),
  });
}

function restore(path: string, encoder: Encoder, optimizer: Adam): MetricsRow[] {
  const file = loadSafetensors(path);
  const strip = (prefix: string) =>
    new Map(
      [...file.tensors]
        .filter(([k]) => k.startsWith(prefix))
        .map(([k, t]) => [k.slice(prefix.length), t]),
    );
  encoder.loadStateDict(strip("model."));
  optimizer.loadStateTensors(strip("optim."));
  encoder.loadRandomState(JSON.parse(file.metadata.random ?? "{}"));
  return (JSON.parse(file.metadata.rows ?? "[]") as unknown[]).map((r) => MetricsRow.parse(r));
}

/** Lets Ctrl-C and progress output through between steps. */
const yieldToEventLoop = () => new Promise<void>((r) => setImmediate(r));
