/**
 * The paper's claims, each decided from the sweep's numbers by a rule written here (and printed
 * in the report). A claim has parts; the verdict is "holds" when every part holds, "partly"
 * when some do, "does not hold" when none does, and "not measured" when its runs are missing.
 */
import type { MetricsRow } from "../experiments/index.js";
import type { Group, Sweep } from "./load.js";
import {
  finalValue,
  firstEpoch,
  fmt,
  meanOver,
  perSeed,
  type Spread,
  spikes,
  THRESHOLDS as T,
  values,
} from "./series.js";

export type Verdict = "holds" | "partly" | "does not hold" | "not measured";

export interface Part {
  test: string;
  measured: string;
  holds: boolean;
}

export interface Claim {
  id: string;
  paper: string;
  definition: string;
  parts: Part[];
  verdict: Verdict;
}

export function verdictOf(parts: readonly Part[]): Verdict {
  if (parts.length === 0) return "not measured";
  const n = parts.filter((p) => p.holds).length;
  return n === parts.length ? "holds" : n === 0 ? "does not hold" : "partly";
}

const top1 = (rows: MetricsRow[]) => values(rows, "valTop1");
const finalTop1 = (g: Group) => perSeed(g, (r) => finalValue(top1(r)));
const convergedAt = (g: Group) => perSeed(g, (r) => firstEpoch(top1(r), (v) => v >= T.converged));
const zeroLossAt = (g: Group) =>
  perSeed(g, (r) => firstEpoch(values(r, "trainLoss"), (v) => v <= T.lossZero));
const valSpikes = (g: Group) => perSeed(g, (r) => spikes(values(r, "valLoss")));
const meanTop1 = (g: Group) => perSeed(g, (r) => meanOver(top1(r)));
/** Seeds (of all) that reached the event. */
const reached = (g: Group, s: (rows: MetricsRow[]) => number | null) =>
  `${g.runs.filter((r) => s(r.rows) !== null).length}/${g.runs.length}`;
const convergedEpoch = (r: MetricsRow[]) => firstEpoch(top1(r), (v) => v >= T.converged);

function find(sweep: Sweep, preset: string, label: string): Group | null {
  const g = sweep.groups.find((x) => x.preset === preset && x.label === label);
  return g && g.runs.length > 0 ? g : null;
}

function byPreset(sweep: Sweep, preset: string): Group[] {
  return sweep.groups.filter((g) => g.preset === preset && g.runs.length > 0);
}

const approx = (s: Spread, x: number) => Math.abs(s.mean - x) <= T.approx;

function claim(id: string, paper: string, definition: string, parts: Part[] | null): Claim {
  const p = parts ?? [];
  return { id, paper, definition, parts: p, verdict: verdictOf(p) };
}

/** Spearman rank correlation (average ranks for ties). */
export function spearman(x: readonly number[], y: readonly number[]): number {
  const rank = (v: readonly number[]) => {
    const order = v.map((val, i) => [val, i] as const).sort((a, b) => a[0] - b[0]);
    const r = new Array<number>(v.length);
    for (let i = 0; i < order.length; ) {
      let j = i;
      while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
      for (let k = i; k <= j; k++) r[order[k][1]] = (i + j) / 2;
      i = j + 1;
    }
    return r;
  };
  const rx = rank(x);
  const ry = rank(y);
  const mx = meanOver(rx);
  const my = meanOver(ry);
  let num = 0;
  let dx = 0;
  let dy = 0;
  for (let i = 0; i < x.length; i++) {
    num += (rx[i] - mx) * (ry[i] - my);
    dx += (rx[i] - mx) ** 2;
    dy += (ry[i] - my) ** 2;
  }
  return dx === 0 || dy === 0 ? 0 : num / Math.sqrt(dx * dy);
}

export function evaluateClaims(sweep: Sweep): Claim[] {
  const epochs = byPreset(sweep, "epochs");
  const longest = epochs.reduce<Group | null>(
    (best, g) => (!best || (g.config?.epochs ?? 0) > (best.config?.epochs ?? 0) ? g : best),
    null,
  );
  const claims: Claim[] = [];

  claims.push(
    claim(
      "C1",
      "All runs reach zero train loss by ≈ 15 epochs (Fig. 1a).",
      `first epoch with train loss ≤ ${T.lossZero}, per budget E (epochs preset), mean over seeds; holds when it is ≤ ${T.early}`,
      epochs.length === 0
        ? null
        : epochs.map((g) => ({
            test: `${g.label}: train loss ≤ ${T.lossZero} by epoch ${T.early}`,
            measured: `epoch ${fmt(zeroLossAt(g), 1)}; seeds reaching ${reached(g, (r) => firstEpoch(values(r, "trainLoss"), (v) => v <= T.lossZero))}`,
            holds: g.runs.every((r) => {
              const e = firstEpoch(values(r.rows, "trainLoss"), (v) => v <= T.lossZero);
              return e !== null && e <= T.early;
            }),
          })),
    ),
  );

  claims.push(
    claim(
      "C2",
      "Validation loss plateaus, noisy with intermittent spikes (Fig. 1a).",
      `a spike is an epoch where val loss rises more than ${T.spikeRelative * 100}% and more than ${T.spikeAbsolute} above its running minimum (consecutive spiking epochs count once); holds when the longest budget shows ≥ 1 spike in every seed`,
      longest === null
        ? null
        : [
            {
              test: `${longest.label}: ≥ 1 val-loss spike per seed`,
              measured: `${fmt(valSpikes(longest), 1)} spikes per run`,
              holds: longest.runs.every((r) => spikes(values(r.rows, "valLoss")) >= 1),
            },
          ],
    ),
  );

  claims.push(
    claim(
      "C3",
      "Top-1 jumps to 1.0 early: at epochs 8/10/12 for E = 10/30/50 (Fig. 1b).",
      `first epoch with val top-1 ≥ ${T.converged} per budget; holds when every seed of every budget gets there by epoch ${T.early}`,
      epochs.length === 0
        ? null
        : epochs.map((g) => ({
            test: `${g.label}: top-1 ≥ ${T.converged} by epoch ${T.early}`,
            measured: `epoch ${fmt(convergedAt(g), 1)}; seeds reaching ${reached(g, convergedEpoch)}; final top-1 ${fmt(finalTop1(g))}`,
            holds: g.runs.every((r) => {
              const e = convergedEpoch(r.rows);
              return e !== null && e <= T.early;
            }),
          })),
    ),
  );

  const random = find(sweep, "negatives", "random");
  const hard = find(sweep, "negatives", "hard");
  claims.push(
    claim(
      "C4",
      "Hard negatives learn more slowly and end lower (≈ 0.8); random negatives reach ≈ 1.0 but with late loss spikes (Fig. 2).",
      `final = mean val top-1 of the last ${T.finalEpochs} epochs; "slower" = lower mean top-1 over all epochs; ≈ means within ${T.approx}`,
      random && hard
        ? [
            {
              test: "random: final top-1 ≈ 1.0",
              measured: fmt(finalTop1(random)),
              holds: approx(finalTop1(random), 1),
            },
            {
              test: "hard: final top-1 ≈ 0.8",
              measured: fmt(finalTop1(hard)),
              holds: approx(finalTop1(hard), 0.8),
            },
            {
              test: "hard slower than random (mean top-1 over epochs)",
              measured: `hard ${fmt(meanTop1(hard))} vs random ${fmt(meanTop1(random))}`,
              holds: meanTop1(hard).mean < meanTop1(random).mean,
            },
            {
              test: "random: ≥ 1 val-loss spike per seed",
              measured: `${fmt(valSpikes(random), 1)} spikes per run`,
              holds: random.runs.every((r) => spikes(values(r.rows, "valLoss")) >= 1),
            },
          ]
        : null,
    ),
  );

  const euclid = find(sweep, "distance", "euclidean");
  const cosine = find(sweep, "distance", "cosine");
  claims.push(
    claim(
      "C5",
      "Euclidean distance converges faster and more stably than cosine, whose val loss is noisy after ≈ 20 epochs (Fig. 3).",
      `"faster" = higher mean val top-1 over epochs; "more stably" = fewer val-loss spikes`,
      euclid && cosine
        ? [
            {
              test: "euclidean faster (mean top-1 over epochs)",
              measured: `euclidean ${fmt(meanTop1(euclid))} vs cosine ${fmt(meanTop1(cosine))}`,
              holds: meanTop1(euclid).mean > meanTop1(cosine).mean,
            },
            {
              test: "euclidean more stable (fewer val-loss spikes)",
              measured: `euclidean ${fmt(valSpikes(euclid), 1)} vs cosine ${fmt(valSpikes(cosine), 1)} spikes per run`,
              holds: valSpikes(euclid).mean < valSpikes(cosine).mean,
            },
          ]
        : null,
    ),
  );

  const dims = byPreset(sweep, "dim");
  const dim16 = dims.find((g) => g.config?.dim === 16) ?? null;
  const big = dims.filter((g) => (g.config?.dim ?? 0) >= 64);
  claims.push(
    claim(
      "C6",
      "Dim 16 plateaus at ≈ 0.5 top-1, while dims ≥ 64 converge almost instantly (100% within ≈ 5 epochs) (Fig. 4).",
      `dim 16 final top-1 within ${T.approx} of 0.5; each dim ≥ 64 reaches top-1 ≥ ${T.converged} by epoch 5 in every seed`,
      dim16 || big.length > 0
        ? [
            ...(dim16
              ? [
                  {
                    test: "dim 16: final top-1 ≈ 0.5",
                    measured: fmt(finalTop1(dim16)),
                    holds: approx(finalTop1(dim16), 0.5),
                  },
                ]
              : []),
            ...big.map((g) => ({
              test: `${g.label}: top-1 ≥ ${T.converged} by epoch 5`,
              measured: `epoch ${fmt(convergedAt(g), 1)}; seeds reaching ${reached(g, convergedEpoch)}; final ${fmt(finalTop1(g))}`,
              holds: g.runs.every((r) => {
                const e = convergedEpoch(r.rows);
                return e !== null && e <= 5;
              }),
            })),
          ]
        : null,
    ),
  );

  const joint = find(sweep, "architecture", "joint");
  const others = ["transformer", "lstm"].map((l) => find(sweep, "architecture", l));
  claims.push(
    claim(
      "C7",
      "The joint (code + trace) model yields the highest retrieval accuracy (Fig. 5).",
      "joint's final val top-1 above the transformer-only and the lstm-only final top-1",
      joint
        ? others
            .filter((g): g is Group => g !== null)
            .map((g) => ({
              test: `joint > ${g.label}`,
              measured: `joint ${fmt(finalTop1(joint))} vs ${g.label} ${fmt(finalTop1(g))}`,
              holds: finalTop1(joint).mean > finalTop1(g).mean,
            }))
        : null,
    ),
  );

  const margins = byPreset(sweep, "margin").filter((g) => g.config !== null);
  const m = margins.map((g) => g.config!.margin);
  claims.push(
    claim(
      "C8",
      "Larger margins slow convergence and lower accuracy (Fig. 6).",
      "Spearman correlation over the margin preset between the margin and (a) mean val top-1 over epochs (speed), (b) final val top-1; each part holds when ρ ≤ −0.5",
      margins.length >= 3
        ? [
            {
              test: "larger margin → slower (ρ(margin, mean top-1) ≤ −0.5)",
              measured: `ρ = ${spearman(
                m,
                margins.map((g) => meanTop1(g).mean),
              ).toFixed(
                2,
              )} over ${margins.map((g) => `${g.config!.margin}: ${fmt(meanTop1(g))}`).join(", ")}`,
              holds:
                spearman(
                  m,
                  margins.map((g) => meanTop1(g).mean),
                ) <= -0.5,
            },
            {
              test: "larger margin → lower final top-1 (ρ ≤ −0.5)",
              measured: `ρ = ${spearman(
                m,
                margins.map((g) => finalTop1(g).mean),
              ).toFixed(
                2,
              )} over ${margins.map((g) => `${g.config!.margin}: ${fmt(finalTop1(g))}`).join(", ")}`,
              holds:
                spearman(
                  m,
                  margins.map((g) => finalTop1(g).mean),
                ) <= -0.5,
            },
          ]
        : null,
    ),
  );

  const renaming = ["train-plain-test-renamed", "train-renamed-test-plain"]
    .map((l) => find(sweep, "renaming", l))
    .filter((g): g is Group => g !== null);
  claims.push(
    claim(
      "C9",
      "Renaming invariance is near-perfect (Fig. 7).",
      `trained without renamed variants and tested on renamed ones (and the reverse): final val top-1 ≥ ${(1 - T.approx / 2).toFixed(2)}`,
      renaming.length > 0
        ? renaming.map((g) => ({
            test: `${g.label}: final top-1 ≥ ${(1 - T.approx / 2).toFixed(2)}`,
            measured: fmt(finalTop1(g)),
            holds: finalTop1(g).mean >= 1 - T.approx / 2,
          }))
        : null,
    ),
  );
  return claims;
}

/**
 * The protocol preset: each unstated choice against its reference — the paper-literal run, or
 * for hard negatives mined per epoch, hard negatives mined per batch (the choice in question).
 */
export interface ProtocolRow {
  label: string;
  against: string;
  finalTop1: string;
  convergedAt: string;
  delta: number;
  changes: boolean;
}

export function protocolTable(sweep: Sweep): ProtocolRow[] {
  const groups = byPreset(sweep, "protocol");
  const reference = (label: string) =>
    groups.find(
      (g) => g.label === (label === "hard, per epoch" ? "hard, per batch" : "paper-literal"),
    );
  return groups.flatMap((g) => {
    const base = reference(g.label);
    if (!base) return [];
    const f = finalTop1(g);
    const delta = f.mean - finalTop1(base).mean;
    return [
      {
        label: g.label,
        against: base.label,
        finalTop1: fmt(f),
        convergedAt: `${fmt(convergedAt(g), 1)} (${reached(g, convergedEpoch)} seeds)`,
        delta,
        changes: Math.abs(delta) > T.differs,
      },
    ];
  });
}
