/**
 * `tracecode train`: flags → RunConfig → `trainRun` → RUN_DIR, with a live progress bar. A
 * `.jsonl` file as `--data` is real code: leak check, preparation, then the same training.
 */
import { existsSync, readFileSync, rmdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { type Command, InvalidArgumentError } from "commander";
import { writeFileAtomic } from "../data/index.js";
import {
  BAG_DEFAULTS,
  Distance,
  Encoder,
  HoldOut,
  Loss,
  MiningScope,
  Negatives,
  Pooling,
  REALCODE_DEFAULTS,
  Renaming,
  RunConfig,
  trainRealCode,
  trainRun,
  trainStdlibCorpus,
} from "../experiments/index.js";
import { packagePath } from "../python/pool.js";
import { readStdlibManifest } from "../realcode/corpus/index.js";
import { DEFAULT_PREPARE_OPTIONS } from "../realcode/index.js";
import { UsageError } from "./errors.js";
import {
  applySandboxFlags,
  choiceOption,
  floatOption,
  intOption,
  unsafeOption,
} from "./options.js";
import { checkOutput } from "./output.js";
import { progressBar } from "./progress.js";
import { message, term } from "./terminal.js";

/** The shipped evaluation functions: the leak check's holdout unless --holdout is given. */
export const DEFAULT_HOLDOUT = packagePath("data", "realcode-dev.jsonl");

interface TrainFlags {
  unsafeNoIsolation: boolean;
  data: string;
  out: string;
  encoder: RunConfig["encoder"];
  loss: RunConfig["loss"];
  negatives: RunConfig["negatives"];
  distance: RunConfig["distance"];
  dim: number;
  margin: number;
  temperature: number;
  epochs: number;
  batch: number;
  lr: number;
  seed: number;
  maxLength: number;
  holdOut: RunConfig["holdOut"];
  pooling: RunConfig["pooling"];
  miningScope: RunConfig["miningScope"];
  renaming: RunConfig["renaming"];
  resume: boolean;
  overwrite: boolean;
  holdout?: string[];
  allowLeak: boolean;
  prepared?: string;
  variants: number;
  valFraction: number;
  distillFrom?: string;
  distillWeight: number;
  families?: string;
  nameFreeTrain: boolean;
  bagBuckets?: number;
  bagWeights?: number[];
  bagAnchor?: number;
  bagAnchorWeight?: number;
}

const isFile = (path: string) => {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
};

export async function runTrain(flags: TrainFlags, command?: Command): Promise<void> {
  const { out, resume, overwrite, holdout, allowLeak, prepared, variants, valFraction, ...rest } =
    flags;
  const {
    unsafeNoIsolation,
    distillFrom,
    distillWeight,
    nameFreeTrain,
    bagBuckets,
    bagWeights,
    bagAnchor,
    bagAnchorWeight,
    ...configFlags
  } = rest;
  applySandboxFlags({ unsafeNoIsolation });
  checkOutput("--out", out, "dir");
  if (prepared !== undefined) checkOutput("--prepared", prepared, "dir");
  if (/\.py$/i.test(flags.data) && isFile(flags.data))
    throw new UsageError(
      term`--data ${flags.data}: a Python file; train reads a functions file (JSONL rows with family, entry, args, code), a dataset or a corpus folder: for Python files, tracecode index FILES --out DIR runs and embeds them`,
    );
  const realCode = isFile(flags.data);
  const stdlib = !realCode && readStdlibManifest(flags.data) !== null;
  if ((realCode || stdlib) && command) {
    // Real code has its own defaults (see REALCODE_DEFAULTS); flags given explicitly win.
    for (const [key, value] of Object.entries(REALCODE_DEFAULTS)) {
      if (command.getOptionValueSource(key) === "default")
        Object.assign(configFlags, { [key]: value });
    }
  }
  const config = RunConfig.parse({
    ...configFlags,
    ...(distillFrom ? { distill: { teacher: distillFrom, weight: distillWeight } } : {}),
    ...(nameFreeTrain ? { nameFree: true } : {}),
    ...bagConfig(flags.encoder, bagBuckets, bagWeights, bagAnchor, bagAnchorWeight),
  });
  if (!resume && !overwrite && existsSync(join(out, "DONE")))
    throw new Error(
      term`--out ${out} holds a finished run: choose another --out, or pass --overwrite to train it again`,
    );
  const before = runDirState(out);
  const bar = progressBar("train", config.epochs, " | loss {loss} | val top-1 {top1}");
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once("SIGINT", stop);
  const t0 = performance.now();
  let rows: Awaited<ReturnType<typeof trainRun>>;
  try {
    const options = {
      resume,
      signal: controller.signal,
      log: (line: string) => process.stderr.write(logLine(line)),
      onEpoch: (r: { trainLoss: number; valTop1: number }) =>
        bar.tick(1, { loss: r.trainLoss.toFixed(4), top1: r.valTop1.toFixed(3) }),
    };
    const holdoutFiles = holdout && holdout.length > 0 ? holdout : [DEFAULT_HOLDOUT];
    rows = stdlib
      ? (
          await trainStdlibCorpus(flags.data, config, out, {
            ...options,
            holdout: holdoutFiles,
            allowLeak,
          })
        ).rows
      : realCode
        ? (
            await trainRealCode(flags.data, config, out, {
              ...options,
              holdout: holdoutFiles,
              allowLeak,
              prepared,
              prepare: { ...variantSplit(variants), valFraction },
            })
          ).rows
        : await trainRun(config, out, options);
  } catch (e) {
    undoFailedStart(out, before);
    if (controller.signal.aborted) {
      throw new Error(term`interrupted; continue with: tracecode train ... --out ${out} --resume`);
    }
    throw e;
  } finally {
    bar.stop();
    process.off("SIGINT", stop);
  }
  const last = rows[rows.length - 1];
  const seconds = ((performance.now() - t0) / 1000).toFixed(1);
  process.stdout.write(
    `trained ${config.encoder} for ${rows.length} epoch${rows.length === 1 ? "" : "s"} in ${seconds} s: train loss ` +
      `${last.trainLoss.toFixed(4)}, val loss ${last.valLoss.toFixed(4)}, val top-1 ` +
      `${last.valTop1.toFixed(3)}, MAP@R ${last.valMapAtR.toFixed(3)}, MRR ${last.valMrr.toFixed(3)}` +
      (last.valMapAtRNameFree !== undefined
        ? `, name-free MAP@R ${last.valMapAtRNameFree.toFixed(3)}`
        : "") +
      term` → ${out}\n`,
  );
}

/** What a start that fails must leave as it was: --out, its config.json, its saved epochs. */
interface RunDirState {
  existed: boolean;
  config: Buffer | null;
  /** Size and time of metrics.jsonl and the checkpoint: they change once an epoch is saved. */
  epochs: string;
}

export function runDirState(out: string): RunDirState {
  const stamp = (file: string) => {
    try {
      const st = statSync(join(out, file));
      return `${st.size}@${st.mtimeMs}`;
    } catch {
      return "-";
    }
  };
  let config: Buffer | null = null;
  try {
    config = readFileSync(join(out, "config.json"));
  } catch {}
  return {
    existed: existsSync(out),
    config,
    epochs: ["metrics.jsonl", "checkpoint.safetensors"].map(stamp).join(" "),
  };
}

/**
 * After a failed run that saved no epoch (unreadable data, too few snippets, …): training wrote
 * config.json before reading the data, so put back the one that was there, remove one that was
 * not, and remove --out again if this command made it and nothing else is in it. A failure after
 * an epoch was saved keeps everything: the run resumes from it.
 */
export function undoFailedStart(out: string, before: RunDirState): void {
  const now = runDirState(out);
  if (now.epochs !== before.epochs) return;
  const config = join(out, "config.json");
  if (before.config === null) rmSync(config, { force: true });
  else if (!now.config?.equals(before.config)) writeFileAtomic(config, before.config);
  if (!before.existed) {
    try {
      rmdirSync(out); // only when empty
    } catch {}
  }
}

/**
 * A line of training's log for stderr: a multi-line one (the leak warning names each pair on its
 * own line) keeps its line breaks, its later lines indented; control characters are escaped.
 */
export function logLine(line: string): string {
  return `train: ${message(line)}\n`;
}

/** `--variants` when not given: the preparation's transformed and structural variants together. */
export const DEFAULT_VARIANTS =
  DEFAULT_PREPARE_OPTIONS.variants + DEFAULT_PREPARE_OPTIONS.structural;

/**
 * `--variants N` of real code: N variants tried per function in all, split between variants drawn
 * from every transform and structural ones (block-changing rewrites only) in the preparation's
 * default proportion (3 + 2 of the default 5, which therefore prepares the same data as before).
 * N counted only the former once, and the structural ones came on top: `--variants 1` tried 3 per
 * function ("variants kept 25 of 33 tried" for 11 functions). Counting all of them is what the
 * flag's name says, what the summary's "tried" counts, and what `tracecode corpus --variants`
 * already means.
 */
export function variantSplit(n: number): { variants: number; structural: number } {
  const structural = Math.round((n * DEFAULT_PREPARE_OPTIONS.structural) / DEFAULT_VARIANTS);
  return { variants: n - structural, structural };
}

/** The `--bag-*` flags as the config's `bag` (only for the bag encoder). */
function bagConfig(
  encoder: string,
  buckets?: number,
  weights?: number[],
  anchorWidth?: number,
  anchorWeight?: number,
) {
  if (anchorWeight !== undefined && anchorWidth === undefined)
    throw new UsageError("--bag-anchor-weight needs --bag-anchor");
  if (buckets === undefined && weights === undefined && anchorWidth === undefined) return {};
  if (encoder !== "bag") throw new UsageError("the --bag-* options need --encoder bag");
  const [chars, tokens, tree] = weights ?? [
    BAG_DEFAULTS.groupWeights.chars,
    BAG_DEFAULTS.groupWeights.tokens,
    BAG_DEFAULTS.groupWeights.tree,
  ];
  return {
    bag: {
      buckets: buckets ?? BAG_DEFAULTS.buckets,
      groupWeights: { chars, tokens, tree },
      ...(anchorWidth !== undefined
        ? { anchor: { width: anchorWidth, weight: anchorWeight ?? DEFAULT_ANCHOR_WEIGHT } }
        : {}),
    },
  };
}

/**
 * The anchor's share of the cosine when `--bag-anchor-weight` is not given: 0.3, better than 0.5
 * on val in every pair measured (README, "A lexical anchor beside the trained bag").
 */
const DEFAULT_ANCHOR_WEIGHT = 0.3;

/** `--bag-anchor-weight`: strictly between 0 and 1. */
function anchorWeightOption(value: string): number {
  const w = Number(value);
  if (!(w > 0 && w < 1))
    throw new InvalidArgumentError(`expected a number between 0 and 1, got "${value}"`);
  return w;
}

/** `a,b,c`: three non-negative numbers, not all zero. */
function groupWeightsOption(value: string): number[] {
  const parts = value.split(",").map(Number);
  if (
    parts.length !== 3 ||
    parts.some((p) => !Number.isFinite(p) || p < 0) ||
    parts.every((p) => p === 0)
  ) {
    throw new InvalidArgumentError(
      `expected three non-negative numbers for chars,tokens,tree (not all 0), got "${value}"`,
    );
  }
  return parts;
}

export function registerTrain(program: Command): void {
  const d = RunConfig.parse({ data: "" });
  const command = program
    .command("train")
    .description(
      "train a contrastive encoder on a dataset (functions.jsonl + traces.jsonl): positives " +
        "share a trace class; per epoch, val loss and retrieval on held-out functions → RUN_DIR. " +
        "With a real-code .jsonl file (rows with family, entry, args, code): leak check against " +
        "--holdout, verified transform variants, behaviour classes by execution, code-only encoder",
    )
    .requiredOption(
      "--data <path>",
      "dataset directory with functions.jsonl and traces.jsonl, or a real-code .jsonl file",
    )
    .requiredOption("--out <dir>", "run directory to write")
    .option(
      "--encoder <kind>",
      `lstm | transformer | trace | joint | bag (hashed code features, TF-IDF-weighted EmbeddingBag); real code: ${REALCODE_DEFAULTS.encoder} unless given`,
      choiceOption("--encoder", Encoder.options),
      d.encoder,
    )
    .option("--loss <loss>", "triplet | infonce", choiceOption("--loss", Loss.options), d.loss)
    .option(
      "--negatives <how>",
      "random | hard (top-5) | semihard",
      choiceOption("--negatives", Negatives.options),
      d.negatives,
    )
    .option(
      "--distance <d>",
      "euclidean | cosine",
      choiceOption("--distance", Distance.options),
      d.distance,
    )
    .option("--dim <n>", "embedding dimension", intOption("--dim", 1, 4096), d.dim)
    .option("--margin <m>", "triplet margin", floatOption("--margin", 0), d.margin)
    .option(
      "--temperature <t>",
      "InfoNCE temperature",
      floatOption("--temperature", 1e-6),
      d.temperature,
    )
    .option(
      "--epochs <n>",
      `epochs; real code: ${REALCODE_DEFAULTS.epochs} unless given`,
      intOption("--epochs", 1, 100_000),
      d.epochs,
    )
    .option(
      "--batch <n>",
      "triplets per step (3 × batch snippets)",
      intOption("--batch", 1, 100_000),
      d.batch,
    )
    .option("--lr <lr>", "Adam learning rate", floatOption("--lr", 1e-12, 10), d.lr)
    .option(
      "--seed <n>",
      "seed of init, batching, dropout and mining",
      intOption("--seed", 0, 2 ** 32 - 1),
      d.seed,
    )
    .option(
      "--max-length <n>",
      `code tokens kept (chars for lstm); 0 = no truncation; real code: ${REALCODE_DEFAULTS.maxLength} unless given`,
      intOption("--max-length", 0),
      d.maxLength,
    )
    .option(
      "--hold-out <what>",
      "validate on held-out functions | variants of seen functions",
      choiceOption("--hold-out", HoldOut.options),
      d.holdOut,
    )
    .option(
      "--pooling <how>",
      `last (paper-literal) | last-valid | mean; real code: ${REALCODE_DEFAULTS.pooling} unless given`,
      choiceOption("--pooling", Pooling.options),
      d.pooling,
    )
    .option(
      "--mining-scope <s>",
      "hard negatives mined per batch | per epoch",
      choiceOption("--mining-scope", MiningScope.options),
      d.miningScope,
    )
    .option(
      "--renaming <r>",
      "both | train-plain-test-renamed | train-renamed-test-plain",
      choiceOption("--renaming", Renaming.options),
      d.renaming,
    )
    .option("--resume", "continue an interrupted run in --out", false)
    .option(
      "--overwrite",
      "train again into an --out that holds a finished run (its model and metrics are replaced)",
      false,
    )
    .option(
      "--holdout <file>",
      "real code: evaluation functions the training file must not overlap (repeatable; default: the shipped data/realcode-dev.jsonl)",
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option("--allow-leak", "real code: train despite overlap with --holdout (warns)", false)
    .option("--prepared <dir>", "real code: where the prepared dataset goes (default RUN_DIR/data)")
    .option(
      "--variants <n>",
      `real code: variants tried per function, all kinds together: ${DEFAULT_PREPARE_OPTIONS.variants} in ${DEFAULT_VARIANTS} drawn from every transform, ${DEFAULT_PREPARE_OPTIONS.structural} in ${DEFAULT_VARIANTS} structural (block-changing rewrites only)`,
      intOption("--variants", 0, 1000),
      DEFAULT_VARIANTS,
    )
    .option(
      "--val-fraction <f>",
      "real code: share of families held out for validation",
      floatOption("--val-fraction", 0, 1),
      DEFAULT_PREPARE_OPTIONS.valFraction,
    )
    .option(
      "--families <prefix>",
      "train and validate only on rows whose family starts with this (e.g. realcode-train.jsonl: in a corpus built with --functions)",
    )
    .option(
      "--distill-from <dir>",
      "a frozen model (e.g. a trace or joint encoder) whose distances between train snippets the encoder also learns (relational distillation)",
    )
    .option(
      "--distill-weight <w>",
      "weight of the distillation loss beside the contrastive one",
      floatOption("--distill-weight", 1e-9),
      1,
    )
    .option(
      "--name-free-train",
      "also train on each train snippet's name-free form (docstrings and comments removed, defined names renamed), labelled as its original",
      false,
    )
    .option(
      "--bag-buckets <n>",
      `bag encoder: rows of its hashed feature table (default ${BAG_DEFAULTS.buckets})`,
      intOption("--bag-buckets", 1, 2 ** 24),
    )
    .option(
      "--bag-weights <c,t,s>",
      "bag encoder: weights of the character n-gram, token and syntax-tree feature groups (default 1,1,1)",
      groupWeightsOption,
    )
    .option(
      "--bag-anchor <width>",
      "bag encoder: also embed with a frozen random projection of the character n-gram TF-IDF (the lexical baseline), this wide, beside the trained part (dim less this wide)",
      intOption("--bag-anchor", 1, 2 ** 16),
    )
    .option(
      "--bag-anchor-weight <w>",
      `bag encoder: the anchor's share of the embedding's cosine, between 0 and 1 (default ${DEFAULT_ANCHOR_WEIGHT})`,
      anchorWeightOption,
    );
  unsafeOption(command).action(runTrain);
}
