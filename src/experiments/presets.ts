/**
 * Sweep presets: one per ablation of the paper, plus `protocol` for the choices the paper leaves
 * unstated. Each is a small declarative list of labelled overrides over the paper's defaults
 * (RunConfig); the sweep turns them into runs.
 */
import { Renaming, type RunConfig } from "./schemas.js";

export type Overrides = Partial<Omit<RunConfig, "data" | "seed" | "preset" | "label">>;

export interface PresetConfig {
  /** Short and human: `E=10`, `hard`, `dim 16`, `pooling mean`. */
  label: string;
  overrides: Overrides;
}

export interface Preset {
  /** What the preset asks, with the paper figure it reproduces. */
  question: string;
  configs: PresetConfig[];
}

export const PRESETS: Record<string, Preset> = {
  epochs: {
    question: "epoch budget E (Fig. 1)",
    configs: [10, 30, 50].map((epochs) => ({ label: `E=${epochs}`, overrides: { epochs } })),
  },
  negatives: {
    question: "random vs hard top-5 negatives (Fig. 2)",
    configs: [
      { label: "random", overrides: { negatives: "random" } },
      { label: "hard", overrides: { negatives: "hard" } },
    ],
  },
  distance: {
    question: "Euclidean vs cosine distance (Fig. 3)",
    configs: [
      { label: "euclidean", overrides: { distance: "euclidean" } },
      { label: "cosine", overrides: { distance: "cosine" } },
    ],
  },
  dim: {
    question: "embedding dimension (Fig. 4)",
    configs: [16, 32, 64, 128, 256].map((dim) => ({ label: `dim ${dim}`, overrides: { dim } })),
  },
  architecture: {
    question: "Transformer vs LSTM vs joint encoder, and the trace encoder alone (Fig. 5)",
    configs: (["transformer", "lstm", "joint", "trace"] as const).map((encoder) => ({
      label: encoder,
      overrides: { encoder },
    })),
  },
  margin: {
    question: "triplet margin (Fig. 6)",
    configs: [0.05, 0.1, 0.2, 0.5, 1.0].map((margin) => ({
      label: `margin ${margin}`,
      overrides: { margin },
    })),
  },
  renaming: {
    question: "renaming invariance: renamed variants held out of training or of testing (Fig. 7)",
    configs: Renaming.options.map((renaming) => ({ label: renaming, overrides: { renaming } })),
  },
  protocol: {
    question: "choices the paper leaves unstated, each against the paper-literal reading",
    configs: [
      { label: "paper-literal", overrides: {} },
      { label: "held-out variants", overrides: { holdOut: "variants" } },
      { label: "pooling last-valid", overrides: { pooling: "last-valid" } },
      { label: "pooling mean", overrides: { pooling: "mean" } },
      { label: "no truncation", overrides: { maxLength: 0 } },
      { label: "hard, per batch", overrides: { negatives: "hard", miningScope: "batch" } },
      { label: "hard, per epoch", overrides: { negatives: "hard", miningScope: "epoch" } },
    ],
  },
};

export const PRESET_NAMES = [...Object.keys(PRESETS), "all"] as const;

/** `all` expands to every preset, in the order above; duplicates are dropped. */
export function expandPresets(names: readonly string[]): string[] {
  const out: string[] = [];
  for (const name of names) {
    const list = name === "all" ? Object.keys(PRESETS) : [name];
    for (const n of list) {
      if (!(n in PRESETS)) {
        throw new Error(`unknown preset "${n}"; choose from ${PRESET_NAMES.join(", ")}`);
      }
      if (!out.includes(n)) out.push(n);
    }
  }
  return out;
}

/** `epochs 10, negatives hard`, or `paper defaults` for an empty override. */
export function describeOverrides(overrides: Overrides): string {
  const parts = Object.entries(overrides).map(([k, v]) => `${k} ${v}`);
  return parts.length > 0 ? parts.join(", ") : "paper defaults";
}

/**
 * The quick sweep of `npm start`: every epoch budget scaled by 0.3 (E=10/30/50 → 3/9/15), so
 * the epochs preset keeps three distinct budgets in the same ratio and every other run trains
 * 15 epochs — the paper's "≈ 15 epochs" by which train loss reaches zero.
 */
export const QUICK_EPOCH_SCALE = 0.3;

export function quickEpochs(epochs: number): number {
  return Math.max(1, Math.round(epochs * QUICK_EPOCH_SCALE));
}
