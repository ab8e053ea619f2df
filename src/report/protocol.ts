/**
 * The protocol table: for each choice the paper leaves unstated, every option the sweep ran
 * against the paper-literal reading, with its final top-1 and epochs to converge, and whether
 * the option changes the answer to a claim. Options are recognised from config.json (which
 * field differs from the defaults), never from labels.
 */
import { RunConfig } from "../experiments/index.js";
import type { Spread } from "./aggregate.js";
import {
  type ClaimId,
  type ClaimInputs,
  claimInputs,
  convergence,
  evaluateClaim,
  type Verdict,
} from "./claims.js";
import type { Group, Sweep } from "./load.js";
import { THRESHOLDS as T } from "./thresholds.js";

export const PROTOCOL_CHOICES = ["holdOut", "pooling", "maxLength", "miningScope"] as const;
export type ProtocolChoice = (typeof PROTOCOL_CHOICES)[number];

/** What each choice decides, and how this implementation reads the paper by default. */
export const CHOICE_INFO: Record<ProtocolChoice, { what: string; paperReading: string }> = {
  holdOut: {
    what: "what validation holds out",
    paperReading: 'whole functions ("a held-out 20% of functions")',
  },
  pooling: {
    what: "which LSTM output stands for the snippet",
    paperReading: "the last time step (unstated)",
  },
  maxLength: {
    what: "truncation of the code",
    paperReading: '50 characters ("padded to length 50")',
  },
  miningScope: {
    what: "where hard negatives are mined (hard negatives only)",
    paperReading: "within the batch (unstated)",
  },
};

/** Fields a non-mining choice may change; hard-negative runs belong to the miningScope choice. */
const SINGLE_FIELDS = ["holdOut", "pooling", "maxLength"] as const;

function optionOf(choice: ProtocolChoice, c: RunConfig): string {
  if (choice === "maxLength") return c.maxLength === 0 ? "none (0)" : String(c.maxLength);
  return String(c[choice]);
}

/** The choice a protocol configuration varies, "reference" for the paper-literal one, or null. */
function classify(c: RunConfig): ProtocolChoice | "reference" | null {
  const defaults = RunConfig.parse({ data: c.data });
  const changed = SINGLE_FIELDS.filter((k) => c[k] !== defaults[k]);
  if (c.negatives === "hard") return changed.length === 0 ? "miningScope" : null;
  if (c.negatives !== defaults.negatives) return null;
  if (changed.length === 0) return c.miningScope === defaults.miningScope ? "reference" : null;
  return changed.length === 1 ? changed[0] : null;
}

export interface ProtocolRow {
  choice: ProtocolChoice;
  option: string;
  label: string;
  /** Label of the configuration this one is compared with; null on the reference row. */
  reference: string | null;
  seeds: number;
  finalTop1: Spread | null;
  convergedAt: Spread | null;
  /** Seeds whose val top-1 reached THRESHOLDS.converged. */
  reached: number;
  /** Final top-1 minus the reference's (means over seeds). */
  deltaFinal: number | null;
  /** The claims re-decided with this configuration in place of the reference. */
  verdicts: Partial<Record<ClaimId, Verdict>>;
  /** Claims whose verdict differs from the reference's. */
  changes: ClaimId[];
}

/**
 * Claims decidable from one configuration: C1–C3 read only the budget runs, so they are
 * re-decided on the option's run alone; for the mining scope C4 is re-decided with the option
 * as the hard-negative run. Claims comparing several configurations would need the whole
 * ablation under the option, which the sweep does not run.
 */
function verdictsOn(
  choice: ProtocolChoice,
  g: Group,
  base: ClaimInputs,
): Partial<Record<ClaimId, Verdict>> {
  const single: ClaimInputs = { ...base, budgets: [g] };
  const out: Partial<Record<ClaimId, Verdict>> = {};
  for (const id of ["C1", "C2", "C3"] as const) out[id] = evaluateClaim(id, single).verdict;
  if (choice === "miningScope") out.C4 = evaluateClaim("C4", { ...base, hard: g }).verdict;
  return out;
}

export function protocolTable(sweep: Sweep): ProtocolRow[] {
  const groups = sweep.groups.filter((g) => g.preset === "protocol" && g.config !== null);
  const kinds = groups.map((g) => ({ g, kind: classify(g.config!) }));
  const literal = kinds.find((k) => k.kind === "reference")?.g ?? null;
  const inputs = claimInputs(sweep);
  const base: ClaimInputs = { ...inputs, random: inputs.random ?? literal };
  const rows: ProtocolRow[] = [];
  for (const choice of PROTOCOL_CHOICES) {
    const options = kinds.filter((k) => k.kind === choice).map((k) => k.g);
    const reference =
      choice === "miningScope"
        ? (options.find((g) => g.config!.miningScope === "batch") ?? null)
        : literal;
    const others = options.filter((g) => g !== reference);
    if (!reference || others.length === 0) continue;
    const ref = convergence(reference);
    const refVerdicts = verdictsOn(choice, reference, base);
    for (const g of [reference, ...others]) {
      const c = g === reference ? ref : convergence(g);
      const verdicts = g === reference ? refVerdicts : verdictsOn(choice, g, base);
      const measured = (id: ClaimId) =>
        verdicts[id] !== "not measured" && refVerdicts[id] !== "not measured";
      rows.push({
        choice,
        option: optionOf(choice, g.config!),
        label: g.label,
        reference: g === reference ? null : reference.label,
        seeds: g.runs.length,
        ...c,
        deltaFinal:
          g !== reference && c.finalTop1 && ref.finalTop1
            ? c.finalTop1.mean - ref.finalTop1.mean
            : null,
        verdicts,
        changes: (Object.keys(verdicts) as ClaimId[]).filter(
          (id) => measured(id) && verdicts[id] !== refVerdicts[id],
        ),
      });
    }
  }
  return rows;
}

/** A final top-1 difference large enough to count as a different accuracy level. */
export const changesLevel = (r: ProtocolRow) =>
  r.deltaFinal !== null && Math.abs(r.deltaFinal) > T.differs;
