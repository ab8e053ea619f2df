/**
 * The run and sweep directories (docs/ARCHITECTURE.md, "Data on disk"): what `train` and `sweep`
 * write and `report` reads. A run is fully described by its `config.json`.
 *
 *   SWEEP_DIR/sweep.json                    presets, seeds, data dir, command
 *   SWEEP_DIR/runs/<runName>/config.json    RunConfig
 *   SWEEP_DIR/runs/<runName>/metrics.jsonl  one MetricsRow per epoch
 *   SWEEP_DIR/runs/<runName>/model.safetensors
 *   SWEEP_DIR/runs/<runName>/DONE           written last
 */
import { z } from "zod";
import { EncoderKind, ModelSpec, Pooling } from "../models/index.js";

/** What the model is (encoder, distance, pooling) is declared once, in its spec (models/spec.ts). */
export const Encoder = EncoderKind;
export const Loss = z.enum(["triplet", "infonce"]);
export const Negatives = z.enum(["random", "hard", "semihard"]);
export const Distance = ModelSpec.shape.distance;
/** Protocol choices the paper leaves unstated; defaults are the paper-literal reading. */
export const HoldOut = z.enum(["functions", "variants"]);
export { Pooling };
export const MiningScope = z.enum(["batch", "epoch"]);
/** Renaming ablation: which side sees renaming variants. */
export const Renaming = z.enum(["both", "train-plain-test-renamed", "train-renamed-test-plain"]);

export const RunConfig = z.object({
  data: z.string(),
  encoder: Encoder.default("lstm"),
  loss: Loss.default("triplet"),
  negatives: Negatives.default("random"),
  distance: Distance.default("euclidean"),
  dim: z.number().int().positive().default(64),
  margin: z.number().nonnegative().default(0.2),
  temperature: z.number().positive().default(0.1),
  epochs: z.number().int().positive().default(50),
  batch: z.number().int().positive().default(32),
  lr: z.number().positive().default(1e-3),
  seed: z.number().int().default(0),
  maxLength: z.number().int().nonnegative().default(50),
  holdOut: HoldOut.default("functions"),
  pooling: Pooling.default("last"),
  miningScope: MiningScope.default("batch"),
  renaming: Renaming.default("both"),
  /**
   * Distillation: a frozen model (any encoder, e.g. one that reads traces) embeds every train
   * snippet once, and each step adds `weight` × the relational distillation loss between the
   * batch's embeddings and the teacher's. Absent: none (configs without it are unchanged).
   */
  distill: z.object({ teacher: z.string(), weight: z.number().positive() }).optional(),
  /**
   * The `bag` encoder's feature table: rows (hash buckets) and the weight of each feature group
   * (models/bag/features.ts). Its width is `dim` (less the anchor's). Absent: BAG_DEFAULTS (and configs of the
   * other encoders are unchanged).
   */
  bag: z
    .object({
      buckets: z.number().int().positive(),
      groupWeights: z.object({ chars: z.number(), tokens: z.number(), tree: z.number() }),
      /**
       * A frozen random projection of the character n-grams' TF-IDF (the lexical baseline),
       * `width` wide, beside the trained table, with `weight` of the embedding's cosine; the
       * trained table is then `dim − width` wide. Absent: none.
       */
      anchor: z
        .object({ width: z.number().int().positive(), weight: z.number().gt(0).lt(1) })
        .optional(),
    })
    .optional(),
  /**
   * Also train on the name-free form of every train snippet (synth's nameFree: docstrings and
   * comments removed, defined names renamed), labelled as its original; snippets it cannot
   * rename are kept as they are. Absent: false.
   */
  nameFree: z.boolean().optional(),
  /** Only the rows whose `family` starts with this (a part of a corpus, e.g. one functions file). */
  families: z.string().optional(),
  /** Sweep bookkeeping: the preset and the label of this configuration within it. */
  preset: z.string().optional(),
  label: z.string().optional(),
});
export type RunConfig = z.infer<typeof RunConfig>;

/** The bag encoder's table when a config does not say. */
export const BAG_DEFAULTS = {
  buckets: 16_384,
  groupWeights: { chars: 1, tokens: 1, tree: 1 },
} as const;

export const MetricsRow = z.object({
  epoch: z.number().int().positive(),
  trainLoss: z.number(),
  valLoss: z.number(),
  valTop1: z.number(),
  valMapAtR: z.number(),
  valMrr: z.number(),
  /**
   * With `nameFree`: val MAP@R of the val snippets made name-free (each labelled as its original;
   * one without a name-free form as it is), so a run can be chosen on behaviour, not on names.
   */
  valMapAtRNameFree: z.number().optional(),
  seconds: z.number(),
});
export type MetricsRow = z.infer<typeof MetricsRow>;

/** One run of a sweep: which preset and configuration label it serves, with which seed. */
export const SweepEntry = z.object({
  preset: z.string(),
  /** Human label of the configuration within the preset, e.g. `E=10`, `hard`, `dim 16`. */
  label: z.string(),
  seed: z.number().int(),
  /** Run directory name under `SWEEP_DIR/runs/`; presets that ask for the same config share it. */
  run: z.string(),
});
export type SweepEntry = z.infer<typeof SweepEntry>;

export const SweepManifest = z.object({
  presets: z.array(z.string()),
  seeds: z.number().int().positive(),
  data: z.string(),
  command: z.string(),
  /** True when epochs were reduced for a quick sweep (`npm start`). */
  quick: z.boolean().default(false),
  entries: z.array(SweepEntry),
});
export type SweepManifest = z.infer<typeof SweepManifest>;
