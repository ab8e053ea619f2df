/**
 * Sweep presets: one per ablation of the paper, plus `protocol` for the choices the paper leaves
 * unstated. Each yields labelled partial configs over the paper's defaults (RunConfig).
 */
import type { RunConfig } from "./schemas.js";

export type Overrides = Partial<Omit<RunConfig, "data" | "seed" | "preset" | "label">>;

export interface PresetConfig {
  label: string;
  overrides: Overrides;
}

export const PRESETS: Record<string, PresetConfig[]> = {
  epochs: [10, 30, 50].map((epochs) => ({ label: `E=${epochs}`, overrides: { epochs } })),
  negatives: [
    { label: "random", overrides: { negatives: "random" } },
    { label: "hard", overrides: { negatives: "hard" } },
  ],
  distance: [
    { label: "euclidean", overrides: { distance: "euclidean" } },
    { label: "cosine", overrides: { distance: "cosine" } },
  ],
  dim: [16, 32, 64, 128, 256].map((dim) => ({ label: `dim ${dim}`, overrides: { dim } })),
  architecture: (["transformer", "lstm", "joint", "trace"] as const).map((encoder) => ({
    label: encoder,
    overrides: { encoder },
  })),
  margin: [0.05, 0.1, 0.2, 0.5, 1.0].map((margin) => ({
    label: `margin ${margin}`,
    overrides: { margin },
  })),
  renaming: (["both", "train-plain-test-renamed", "train-renamed-test-plain"] as const).map(
    (renaming) => ({ label: renaming, overrides: { renaming } }),
  ),
  protocol: [
    { label: "paper-literal", overrides: {} },
    { label: "held-out variants", overrides: { holdOut: "variants" } },
    { label: "pooling last-valid", overrides: { pooling: "last-valid" } },
    { label: "pooling mean", overrides: { pooling: "mean" } },
    { label: "no truncation", overrides: { maxLength: 0 } },
    { label: "hard, per batch", overrides: { negatives: "hard", miningScope: "batch" } },
    { label: "hard, per epoch", overrides: { negatives: "hard", miningScope: "epoch" } },
  ],
};

export const PRESET_NAMES = [...Object.keys(PRESETS), "all"] as const;

/** `all` expands to every preset, in the order above. */
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

/**
 * The quick sweep of `npm start`: every epoch budget scaled by 0.3 (E=10/30/50 → 3/9/15), so
 * the epochs preset keeps its three budgets and every other run trains 15 epochs — past the
 * paper's "≈15 epochs" where train loss reaches zero.
 */
export const QUICK_EPOCH_SCALE = 0.3;

export function quickEpochs(epochs: number): number {
  return Math.max(1, Math.round(epochs * QUICK_EPOCH_SCALE));
}
