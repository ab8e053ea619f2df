/**
 * The paper's claims C1–C9, each decided from the sweep's metrics by rules written here and
 * printed in the report. A claim has parts; each part is a test on a per-seed number (seeds
 * paired across the configurations it compares), which holds in all, some or none of the seeds.
 * The claim's verdict combines its measured parts: holds / partly / does not hold, or not
 * measured when none of its parts has finished runs.
 */
import type { MetricsRow, RunConfig } from "../experiments/index.js";
import { QUICK_EPOCH_SCALE } from "../experiments/index.js";
import {
  finalValue,
  firstEpoch,
  type Spread,
  spearman,
  speed,
  spikes,
  spread,
  values,
} from "./aggregate.js";
import { datasetTraceDiversity, datasetValClasses, type TraceDiversity } from "./diversity.js";
import type { Group, Sweep } from "./load.js";
import { THRESHOLDS as T } from "./thresholds.js";

export const CLAIM_IDS = ["C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8", "C9"] as const;
export type ClaimId = (typeof CLAIM_IDS)[number];

export const PART_STATUSES = ["holds", "partly", "fails", "not measured"] as const;
export type PartStatus = (typeof PART_STATUSES)[number];
export const VERDICTS = ["holds", "partly", "does not hold", "not measured"] as const;
export type Verdict = (typeof VERDICTS)[number];

export interface Part {
  test: string;
  /** The paper's figure for this part, when it gives one. */
  paper: string | null;
  status: PartStatus;
  /** Seeds evaluated (finished in every configuration the part reads), and how many hold. */
  seeds: number;
  seedsHolding: number;
  /** The per-seed number the test reads, over seeds; null when undefined in every seed. */
  value: Spread | null;
  /** The number as text, with the figures it was computed from. */
  measured: string;
}

export interface Claim {
  id: ClaimId;
  /** Where the paper says it. */
  figure: string;
  /** The paper's words. */
  quote: string;
  /** The paper's numbers, in short. */
  paperFigure: string;
  /** How the claim is tested. */
  definition: string;
  parts: Part[];
  verdict: Verdict;
}

/** Holds when every measured part holds in every seed; does not hold when none holds in any. */
export function verdictOf(parts: readonly Part[]): Verdict {
  const measured = parts.filter((p) => p.status !== "not measured");
  if (measured.length === 0) return "not measured";
  if (measured.every((p) => p.status === "holds")) return "holds";
  if (measured.every((p) => p.status === "fails")) return "does not hold";
  return "partly";
}

/** The paper's reading of its figures, quoted, and the numbers it gives. */
const PAPER: Record<ClaimId, { figure: string; quote: string; paperFigure: string }> = {
  C1: {
    figure: "Fig. 1(a)",
    quote: "All runs reach zero train loss by ≈ 15 epochs",
    paperFigure: "train loss 0 by epoch ≈ 15",
  },
  C2: {
    figure: "Fig. 1(a), §5",
    quote: "validation loss remains noisy with intermittent spikes",
    paperFigure: "spikes (not counted)",
  },
  C3: {
    figure: "Fig. 1(b)",
    quote: "Retrieval accuracy jumps to 1.0 at epochs {8, 10, 12} for E = {10, 30, 50}",
    paperFigure: "top-1 = 1.0 at epoch 8 / 10 / 12 for E = 10 / 30 / 50",
  },
  C4: {
    figure: "Fig. 2",
    quote:
      "Hard negatives slow convergence and yield val accuracy ≈ 0.8, while random negatives quickly reach ≈ 1.0 but show loss spikes.",
    paperFigure: "hard ≈ 0.8; random ≈ 1.0",
  },
  C5: {
    figure: "Fig. 3",
    quote:
      "Euclidean converges faster and more stably; cosine shows higher validation-loss variance and delayed accuracy gains.",
    paperFigure: "no number; cosine noisy after ≈ 20 epochs",
  },
  C6: {
    figure: "Fig. 4, §5",
    quote:
      "dim 16 plateaus at ≈ 0.5 accuracy, while dims ≥ 64 converge almost instantly … Dimensions ≥ 64 reach zero loss and 100% accuracy within ≈ 5 epochs",
    paperFigure: "dim 16 ≈ 0.5; dims ≥ 64: 1.0 within ≈ 5 epochs",
  },
  C7: {
    figure: "Fig. 5",
    quote: "Joint model yields highest retrieval accuracy on synthetic task.",
    paperFigure: "no number",
  },
  C8: {
    figure: "Fig. 6",
    quote:
      "larger margins slow convergence and reduce final accuracy on the synthetic retrieval task",
    paperFigure: "no number",
  },
  C9: {
    figure: "Fig. 7",
    quote:
      "performance remains near-perfect, confirming trace grouping is unaffected by superficial code edits",
    paperFigure: "near-perfect (no number)",
  },
};

/** The paper's epoch of the top-1 jump per budget E (C3). */
const PAPER_JUMP: Record<number, number> = { 10: 8, 30: 10, 50: 12 };
/** The paper's accuracy levels (C4, C6). */
const PAPER_LEVEL = { random: 1.0, hard: 0.8, smallDim: 0.5 } as const;

/** The configurations each claim reads, found by their config values (never by label). */
export interface ClaimInputs {
  /** The epochs preset, shortest budget first. */
  budgets: Group[];
  random: Group | null;
  hard: Group | null;
  euclidean: Group | null;
  cosine: Group | null;
  /** The dim preset, smallest first. */
  dims: Group[];
  transformer: Group | null;
  lstm: Group | null;
  joint: Group | null;
  /** The trace encoder alone (shown beside C7, not one of its parts). */
  trace: Group | null;
  /** The margin preset, smallest first. */
  margins: Group[];
  renamingBoth: Group | null;
  trainPlainTestRenamed: Group | null;
  trainRenamedTestPlain: Group | null;
  /** True for a quick sweep: budgets are the paper's × QUICK_EPOCH_SCALE. */
  quick: boolean;
  /** Whether traces differ inside the data's behaviour classes (C7); null when unknown. */
  diversity: TraceDiversity | null;
  /** Behaviour classes of the held-out functions; null when unknown. */
  valClasses: { snippets: number; classes: number } | null;
}

function presetGroups(sweep: Sweep, preset: string, key?: (c: RunConfig) => number): Group[] {
  const groups = sweep.groups.filter((g) => g.preset === preset);
  if (!key) return groups;
  const k = (g: Group) => (g.config ? key(g.config) : Number.POSITIVE_INFINITY);
  return [...groups].sort((a, b) => k(a) - k(b));
}

function findGroup(sweep: Sweep, preset: string, match: (c: RunConfig) => boolean): Group | null {
  return sweep.groups.find((g) => g.preset === preset && g.config && match(g.config)) ?? null;
}

export function claimInputs(sweep: Sweep): ClaimInputs {
  const find = (preset: string, match: (c: RunConfig) => boolean) =>
    findGroup(sweep, preset, match);
  return {
    budgets: presetGroups(sweep, "epochs", (c) => c.epochs),
    random: find("negatives", (c) => c.negatives === "random"),
    hard: find("negatives", (c) => c.negatives === "hard"),
    euclidean: find("distance", (c) => c.distance === "euclidean"),
    cosine: find("distance", (c) => c.distance === "cosine"),
    dims: presetGroups(sweep, "dim", (c) => c.dim),
    transformer: find("architecture", (c) => c.encoder === "transformer"),
    lstm: find("architecture", (c) => c.encoder === "lstm"),
    joint: find("architecture", (c) => c.encoder === "joint"),
    trace: find("architecture", (c) => c.encoder === "trace"),
    margins: presetGroups(sweep, "margin", (c) => c.margin),
    renamingBoth: find("renaming", (c) => c.renaming === "both"),
    trainPlainTestRenamed: find("renaming", (c) => c.renaming === "train-plain-test-renamed"),
    trainRenamedTestPlain: find("renaming", (c) => c.renaming === "train-renamed-test-plain"),
    quick: sweep.manifest.quick,
    diversity: datasetTraceDiversity(sweep.manifest.data),
    valClasses: datasetValClasses(sweep.manifest.data),
  };
}

// ---------------------------------------------------------------------------------------------
// Parts: a test on a per-seed number, over the seeds finished in every configuration it reads.

type Format = "epoch" | "top1" | "count" | "rho" | "delta";

interface Role {
  /** How the report names the configuration when it is missing, e.g. "negatives hard". */
  name: string;
  group: Group | null;
}

interface PartSpec {
  test: string;
  paper?: string;
  roles: Role[];
  /** The deciding number for one seed, from each role's metrics of that seed (role order). */
  value: (rows: readonly MetricsRow[][]) => number | null;
  holds: (v: number) => boolean;
  format: Format;
  /** What a null value means, e.g. "not reached". */
  undefinedAs?: string;
  /** More numbers for the reader, computed when every role has runs. */
  context?: (groups: Group[]) => string | null;
  /**
   * Why the numbers, though measured, cannot decide the part (it is then not measured); a
   * function words it after the outcome (seeds where the test held, of seeds measured).
   */
  undecidable?: string | ((holding: number, seeds: number) => string);
}

/** One number: 2 decimals (1 for epochs and counts; integral epochs as integers), a real minus, "+" on positive deltas. */
export function formatValue(v: number, format: Format): string {
  if (format === "epoch" && Number.isInteger(v)) return String(v);
  const digits = format === "epoch" || format === "count" ? 1 : 2;
  return (format === "delta" && v > 0 ? "+" : "") + v.toFixed(digits).replace("-", "−");
}

/** `0.43 [0.37, 0.48]`: mean [min, max] over seeds; one number when they agree. */
export function formatSpread(s: Spread | null, format: Format): string {
  if (!s) return "—";
  const mean = formatValue(s.mean, format);
  return s.min === s.max
    ? mean
    : `${mean} [${formatValue(s.min, format)}, ${formatValue(s.max, format)}]`;
}

const UNIT: Record<Format, (text: string) => string> = {
  epoch: (t) => `epoch ${t}`,
  top1: (t) => t,
  count: (t) => `${t} spikes`,
  rho: (t) => `ρ = ${t}`,
  delta: (t) => `Δ ${t}`,
};

function notMeasured(spec: PartSpec, why: string): Part {
  return {
    test: spec.test,
    paper: spec.paper ?? null,
    status: "not measured",
    seeds: 0,
    seedsHolding: 0,
    value: null,
    measured: why,
  };
}

function evaluatePart(spec: PartSpec): Part {
  const absent = spec.roles.filter((r) => !r.group || r.group.runs.length === 0);
  if (absent.length > 0)
    return notMeasured(spec, `no finished run of ${absent.map((r) => r.name).join(", ")}`);
  const groups = spec.roles.map((r) => r.group as Group);
  const seeds = groups[0].runs
    .map((r) => r.seed)
    .filter((s) => groups.every((g) => g.runs.some((r) => r.seed === s)));
  if (seeds.length === 0) return notMeasured(spec, "no seed finished in every configuration");
  const perSeed = seeds.map((s) =>
    spec.value(groups.map((g) => g.runs.find((r) => r.seed === s)!.rows)),
  );
  const holding = perSeed.filter((v) => v !== null && Number.isFinite(v) && spec.holds(v)).length;
  const value = spread(perSeed);
  const undefinedSeeds = perSeed.length - (value?.n ?? 0);
  const notes = [
    value ? UNIT[spec.format](formatSpread(value, spec.format)) : null,
    undefinedSeeds > 0
      ? `${spec.undefinedAs ?? "undefined"} in ${undefinedSeeds}/${seeds.length} seeds`
      : null,
    `holds in ${holding}/${seeds.length} seeds`,
    spec.context?.(groups) ?? null,
  ];
  const measured = notes.filter((n) => n !== null).join("; ");
  if (spec.undecidable) {
    const why =
      typeof spec.undecidable === "string"
        ? spec.undecidable
        : spec.undecidable(holding, seeds.length);
    return { ...notMeasured(spec, `${why}; ${measured}`), seeds: seeds.length, value };
  }
  return {
    test: spec.test,
    paper: spec.paper ?? null,
    status: holding === seeds.length ? "holds" : holding === 0 ? "fails" : "partly",
    seeds: seeds.length,
    seedsHolding: holding,
    value,
    measured,
  };
}

// ---------------------------------------------------------------------------------------------
// Per-run statistics the claims read.

const top1 = (rows: readonly MetricsRow[]) => values(rows, "valTop1");
const finalTop1 = (rows: readonly MetricsRow[]) => finalValue(top1(rows));
const speedTop1 = (rows: readonly MetricsRow[]) => speed(top1(rows));
const convergedAt = (rows: readonly MetricsRow[]) =>
  firstEpoch(top1(rows), (v) => v >= T.converged);
const lossZeroAt = (rows: readonly MetricsRow[]) =>
  firstEpoch(values(rows, "trainLoss"), (v) => v <= T.lossZero);
const valSpikes = (rows: readonly MetricsRow[]) => spikes(values(rows, "valLoss"));

/** Mean [min, max] over a group's seeds of a per-run statistic. */
function over(g: Group, stat: (rows: readonly MetricsRow[]) => number | null, f: Format): string {
  return formatSpread(spread(g.runs.map((r) => stat(r.rows))), f);
}

const role = (name: string, group: Group | null): Role => ({ name, group });
const named = (g: Group) => role(`${g.preset} ${g.label}`, g);
const near = (x: number) => (v: number) => Math.abs(v - x) <= T.approx;

/** The paper's budget E for a budget of this sweep (quick sweeps scale E by 0.3). */
function paperBudget(g: Group, quick: boolean): number | null {
  if (!g.config) return null;
  return quick ? Math.round(g.config.epochs / QUICK_EPOCH_SCALE) : g.config.epochs;
}

/** "By ≈ 15 epochs", or by the end of a shorter budget. */
const byEpoch = (g: Group | null) => Math.min(T.earlyEpoch, g?.config?.epochs ?? T.earlyEpoch);

/** The configurations, or one null standing for all of them when there are none (not measured). */
const orNone = (groups: readonly Group[]): (Group | null)[] =>
  groups.length > 0 ? [...groups] : [null];

/** "traces differ inside 20 of 20 classes (3.0 distinct traces per class)". */
function diversityText(d: TraceDiversity | null): string {
  if (!d) return "trace diversity unknown (no traces with runs beside the data)";
  return `traces differ inside ${d.diverse} of ${d.classes} classes (${d.meanTraces.toFixed(1)} distinct traces per class)`;
}

// ---------------------------------------------------------------------------------------------
// The claims: definitions (printed in the report) and part specs, one entry per claim id.

interface ClaimRule {
  definition: string;
  parts: (x: ClaimInputs) => PartSpec[];
}

const epochsPreset = role("the epochs preset", null);

const RULES: Record<ClaimId, ClaimRule> = {
  C1: {
    definition: `per budget E of the epochs preset: the first epoch with train loss ≤ ${T.lossZero} ("≈ 0"); holds in a seed when it is ≤ ${T.earlyEpoch} (or ≤ E for a shorter budget)`,
    parts: (x) =>
      orNone(x.budgets).map((g) => ({
        test: `${g?.label ?? "each budget"}: train loss ≤ ${T.lossZero} by epoch ${byEpoch(g)}`,
        paper: "by ≈ 15",
        roles: [g ? named(g) : epochsPreset],
        value: ([r]) => lossZeroAt(r),
        holds: (v) => v <= byEpoch(g),
        format: "epoch",
        undefinedAs: "not reached",
      })),
  },
  C2: {
    definition: `in the longest budget of the epochs preset (the most epochs to spike in), count val-loss spikes: epochs where val loss is more than ${T.spikeRelative * 100}% and more than ${T.spikeAbsolute} above its running minimum, consecutive spiking epochs counting once; holds in a seed with ≥ 1 spike`,
    parts: (x) => {
      const withRuns = x.budgets.filter((g) => g.runs.length > 0);
      const longest = withRuns[withRuns.length - 1] ?? null;
      return [
        {
          test: `${longest?.label ?? "longest budget"}: ≥ 1 val-loss spike`,
          paper: "spikes",
          roles: [longest ? named(longest) : epochsPreset],
          value: ([r]) => valSpikes(r),
          holds: (v) => v >= 1,
          format: "count",
        },
      ];
    },
  },
  C3: {
    definition: `per budget E: the first epoch with val top-1 ≥ ${T.converged} ("1.0"); holds in a seed when it is ≤ ${T.earlyEpoch} ("early"; or ≤ E for a shorter budget). The paper's epoch for the budget is shown beside ours`,
    parts: (x) =>
      orNone(x.budgets).map((g) => {
        const paper = g ? PAPER_JUMP[paperBudget(g, x.quick) ?? -1] : undefined;
        return {
          test: `${g?.label ?? "each budget"}: val top-1 ≥ ${T.converged} by epoch ${byEpoch(g)}`,
          paper: paper ? `epoch ${paper}` : undefined,
          roles: [g ? named(g) : epochsPreset],
          value: ([r]) => convergedAt(r),
          holds: (v) => v <= byEpoch(g),
          format: "epoch",
          undefinedAs: "not reached",
          context: ([grp]) => `final top-1 ${over(grp, finalTop1, "top1")}`,
        };
      }),
  },
  C4: {
    definition: `final = mean val top-1 of the last ${T.finalEpochs} epochs; "≈ x" = within ${T.approx} of x; "slower" = lower speed, where speed = mean val top-1 over all epochs (seeds paired); a spike as in C2`,
    parts: (x) => {
      const random = role("negatives random", x.random);
      const hard = role("negatives hard", x.hard);
      return [
        {
          test: `random: final top-1 ≈ ${PAPER_LEVEL.random.toFixed(1)}`,
          paper: "≈ 1.0",
          roles: [random],
          value: ([r]) => finalTop1(r),
          holds: near(PAPER_LEVEL.random),
          format: "top1",
        },
        {
          test: "random: ≥ 1 val-loss spike",
          paper: "loss spikes",
          roles: [random],
          value: ([r]) => valSpikes(r),
          holds: (v) => v >= 1,
          format: "count",
        },
        {
          test: `hard: final top-1 ≈ ${PAPER_LEVEL.hard}`,
          paper: "≈ 0.8",
          roles: [hard],
          value: ([h]) => finalTop1(h),
          holds: near(PAPER_LEVEL.hard),
          format: "top1",
        },
        {
          test: "hard slower than random (speed hard − random < 0)",
          paper: "slower",
          roles: [hard, random],
          value: ([h, r]) => speedTop1(h) - speedTop1(r),
          holds: (v) => v < 0,
          format: "delta",
          context: ([h, r]) =>
            `speed hard ${over(h, speedTop1, "top1")} vs random ${over(r, speedTop1, "top1")}`,
        },
      ];
    },
  },
  C5: {
    definition: `"faster" = higher speed (mean val top-1 over all epochs); "more stably" = fewer val-loss spikes (as in C2); seeds paired`,
    parts: (x) => {
      const euclidean = role("distance euclidean", x.euclidean);
      const cosine = role("distance cosine", x.cosine);
      return [
        {
          test: "euclidean faster (speed euclidean − cosine > 0)",
          roles: [euclidean, cosine],
          value: ([e, c]) => speedTop1(e) - speedTop1(c),
          holds: (v) => v > 0,
          format: "delta",
          context: ([e, c]) =>
            `speed euclidean ${over(e, speedTop1, "top1")} vs cosine ${over(c, speedTop1, "top1")}`,
        },
        {
          test: "euclidean more stable (spikes cosine − euclidean > 0)",
          paper: "cosine noisy after ≈ 20 epochs",
          roles: [euclidean, cosine],
          value: ([e, c]) => valSpikes(c) - valSpikes(e),
          holds: (v) => v > 0,
          format: "delta",
          context: ([e, c]) =>
            `spikes euclidean ${over(e, valSpikes, "count")} vs cosine ${over(c, valSpikes, "count")}`,
        },
      ];
    },
  },
  C6: {
    definition: `dim ${T.smallDim}: final val top-1 within ${T.approx} of ${PAPER_LEVEL.smallDim}; every dim ≥ ${T.largeDim}: val top-1 ≥ ${T.converged} by epoch ${T.instantEpochs}`,
    parts: (x) => {
      const small = x.dims.find((g) => g.config?.dim === T.smallDim) ?? null;
      const large = x.dims.filter((g) => (g.config?.dim ?? 0) >= T.largeDim);
      return [
        {
          test: `dim ${T.smallDim}: final top-1 ≈ ${PAPER_LEVEL.smallDim}`,
          paper: "≈ 0.5",
          roles: [role(`dim ${T.smallDim}`, small)],
          value: ([r]) => finalTop1(r),
          holds: near(PAPER_LEVEL.smallDim),
          format: "top1",
        },
        ...orNone(large).map(
          (g): PartSpec => ({
            test: `${g?.label ?? `dims ≥ ${T.largeDim}`}: val top-1 ≥ ${T.converged} by epoch ${T.instantEpochs}`,
            paper: "within ≈ 5 epochs",
            roles: [g ? named(g) : role(`dims ≥ ${T.largeDim}`, null)],
            value: ([r]) => convergedAt(r),
            holds: (v) => v <= T.instantEpochs,
            format: "epoch",
            undefinedAs: "not reached",
            context: ([grp]) => `final top-1 ${over(grp, finalTop1, "top1")}`,
          }),
        ),
      ];
    },
  },
  C7: {
    definition: `final val top-1 (mean of the last ${T.finalEpochs} epochs) of joint minus that of transformer-only, and of lstm-only, seeds paired; holds in a seed when > 0. Decided only on data whose traces differ inside behaviour classes (some class has snippets with two distinct traces): on the default data every variant of a function runs the same blocks with the same values, so traces are identical inside every class and the trace alone names the class: a joint win there would be trivial, so the claim is not measured there; the harder preset (\`tracecode generate --hard\`, traced at level io) decides it`,
    parts: (x) =>
      (
        [
          ["transformer", x.transformer],
          ["lstm", x.lstm],
        ] as const
      ).map(([name, other]) => ({
        test: `joint beats ${name} (final top-1 joint − ${name} > 0)`,
        roles: [role("architecture joint", x.joint), role(`architecture ${name}`, other)],
        value: ([j, o]) => finalTop1(j) - finalTop1(o),
        holds: (v) => v > 0,
        format: "delta",
        context: ([j, o]) =>
          `joint ${over(j, finalTop1, "top1")} vs ${name} ${over(o, finalTop1, "top1")}` +
          (x.trace && x.trace.runs.length > 0
            ? `, trace alone ${over(x.trace, finalTop1, "top1")}`
            : "") +
          `; ${diversityText(x.diversity)}`,
        undecidable:
          x.diversity?.diverse === 0
            ? (holding: number, seeds: number) =>
                `traces are identical inside every behaviour class of this data (${x.diversity!.classes} classes): the trace names the class, so ` +
                (holding === seeds
                  ? "joint wins trivially"
                  : holding === 0
                    ? `a joint win would be trivial, and joint did not beat ${name} here`
                    : `a joint win would be trivial; joint beat ${name} in only ${holding} of ${seeds} seeds here`)
            : undefined,
      })),
  },
  C8: {
    definition: `per seed, the Spearman correlation ρ between the margin and (a) speed (mean val top-1 over epochs), (b) final val top-1, over the margins of the margin preset (≥ ${T.minMargins} needed); each holds in a seed when ρ ≤ ${T.rankCorrelation}`,
    parts: (x) => {
      const margins = x.margins.filter((g) => g.config && g.runs.length > 0);
      const roles =
        margins.length >= T.minMargins
          ? margins.map(named)
          : [role(`≥ ${T.minMargins} margins of the margin preset`, null)];
      const m = margins.map((g) => g.config!.margin);
      const rho =
        (stat: (rows: readonly MetricsRow[]) => number) => (rows: readonly MetricsRow[][]) =>
          spearman(m, rows.map(stat));
      const list = (stat: (rows: readonly MetricsRow[]) => number) => (gs: Group[]) =>
        gs.map((g) => `${g.config!.margin}: ${over(g, stat, "top1")}`).join(", ");
      return [
        {
          test: `larger margin → slower (ρ(margin, speed) ≤ ${T.rankCorrelation})`,
          paper: "slower",
          roles,
          value: rho(speedTop1),
          holds: (v) => v <= T.rankCorrelation,
          format: "rho",
          context: (gs) => `speed per margin ${list(speedTop1)(gs)}`,
        },
        {
          test: `larger margin → lower final top-1 (ρ(margin, final) ≤ ${T.rankCorrelation})`,
          paper: "lower",
          roles,
          value: rho(finalTop1),
          holds: (v) => v <= T.rankCorrelation,
          format: "rho",
          context: (gs) => `final per margin ${list(finalTop1)(gs)}`,
        },
      ];
    },
  },
  C9: {
    definition: `trained without renamed variants and validated only on renamed ones, and the reverse: final val top-1 ≥ ${T.nearPerfect} ("near-perfect"); the run with renamed variants on both sides is shown for reference`,
    parts: (x) =>
      (
        [
          ["train-plain-test-renamed", x.trainPlainTestRenamed],
          ["train-renamed-test-plain", x.trainRenamedTestPlain],
        ] as const
      ).map(([name, g]) => ({
        test: `${name}: final top-1 ≥ ${T.nearPerfect}`,
        paper: "near-perfect",
        roles: [role(`renaming ${name}`, g)],
        value: ([r]) => finalTop1(r),
        holds: (v) => v >= T.nearPerfect,
        format: "top1",
        context: () =>
          x.renamingBoth && x.renamingBoth.runs.length > 0
            ? `both: ${over(x.renamingBoth, finalTop1, "top1")}`
            : null,
      })),
  },
};

export function evaluateClaim(id: ClaimId, inputs: ClaimInputs): Claim {
  // Held-out functions of one class: every val retrieval is right whatever the model, so no
  // part that reads them decides anything (held-out variants are another val set).
  const v = inputs.valClasses;
  const oneClass =
    v && v.classes < 2
      ? `the held-out functions' ${v.snippets} val snippets share ${v.classes === 0 ? "no" : "one"} behaviour class, so every val retrieval is right whatever the model (generate more functions, or a larger --val-fraction)`
      : undefined;
  const readsHeldOutFunctions = (spec: PartSpec) =>
    spec.roles.every((r) => r.group?.config?.holdOut !== "variants");
  const parts = RULES[id]
    .parts(inputs)
    .map((spec) =>
      evaluatePart(
        oneClass && readsHeldOutFunctions(spec) ? { ...spec, undecidable: oneClass } : spec,
      ),
    );
  return {
    id,
    ...PAPER[id],
    definition: RULES[id].definition,
    parts,
    verdict: verdictOf(parts),
  };
}

export function evaluateClaims(sweep: Sweep): Claim[] {
  const inputs = claimInputs(sweep);
  return CLAIM_IDS.map((id) => evaluateClaim(id, inputs));
}

/** Convergence summary of a configuration, for the protocol table. */
export function convergence(g: Group): {
  finalTop1: Spread | null;
  convergedAt: Spread | null;
  reached: number;
} {
  const at = g.runs.map((r) => convergedAt(r.rows));
  return {
    finalTop1: spread(g.runs.map((r) => finalTop1(r.rows))),
    convergedAt: spread(at),
    reached: at.filter((e) => e !== null).length,
  };
}

/**
 * True when, in every seed, each shorter budget's metrics (all but `seconds`) equal the first
 * epochs of the longest budget's: then the budgets differ only in length.
 */
export function budgetsSharePrefix(budgets: readonly Group[]): boolean {
  const withRuns = budgets.filter((g) => g.runs.length > 0);
  if (withRuns.length < 2) return false;
  const longest = withRuns[withRuns.length - 1];
  const same = (a: MetricsRow, b: MetricsRow) =>
    a.trainLoss === b.trainLoss &&
    a.valLoss === b.valLoss &&
    a.valTop1 === b.valTop1 &&
    a.valMapAtR === b.valMapAtR &&
    a.valMrr === b.valMrr;
  return withRuns.slice(0, -1).every((g) =>
    g.runs.every((r) => {
      const long = longest.runs.find((l) => l.seed === r.seed);
      return (
        long !== undefined && r.rows.every((row, i) => long.rows[i] && same(row, long.rows[i]))
      );
    }),
  );
}
