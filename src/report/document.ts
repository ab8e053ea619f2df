/**
 * The report as a list of blocks, built once from the computed results and written twice: as
 * REPORT.md and as index.html. Text in blocks may use `**bold**`, `` `code` `` and "\n" (a line
 * break inside a paragraph or table cell).
 */
import type { Spread } from "./aggregate.js";
import {
  budgetsSharePrefix,
  type Claim,
  claimInputs,
  formatSpread,
  formatValue,
  type Part,
} from "./claims.js";
import type { FigureDef } from "./figures.js";
import type { MissingRun, Sweep } from "./load.js";
import { portableCommand, portablePath } from "./paths.js";
import { CHOICE_INFO, changesLevel, PROTOCOL_CHOICES, type ProtocolRow } from "./protocol.js";
import { THRESHOLDS as T, THRESHOLD_MEANINGS } from "./thresholds.js";
import type { TruncationStats } from "./truncation.js";

export type Block =
  | { kind: "heading"; level: 1 | 2 | 3; text: string }
  | { kind: "paragraph"; text: string }
  | { kind: "list"; items: string[] }
  | { kind: "table"; head: string[]; rows: string[][] }
  | { kind: "figure"; name: string; title: string };

export interface ReportContent {
  sweep: Sweep;
  claims: Claim[];
  protocol: ProtocolRow[];
  truncation: TruncationStats | null;
  figures: FigureDef[];
}

const MARK: Record<Part["status"], string> = {
  holds: "✓",
  partly: "◐",
  fails: "✗",
  "not measured": "–",
};

export const VERDICT_RULE =
  "A part of a claim is a test on one number per seed (seeds paired across the configurations it compares); it holds in all, some or none of the seeds, or is not measured when its runs are missing. A claim holds when every measured part holds in every seed, does not hold when no measured part holds in any seed, holds partly otherwise, and is not measured when none of its parts is.";

export const DEFINITIONS = {
  final: `the mean val top-1 of the last ${T.finalEpochs} epochs of a run`,
  converged: `the first epoch with val top-1 ≥ ${T.converged}`,
  speed:
    "the mean val top-1 over all epochs of a run (the area under the top-1 curve per epoch): of two runs with the same plateau, the one that gets there sooner has the higher speed",
  spike: `an epoch where val loss is more than ${T.spikeRelative * 100}% and more than ${T.spikeAbsolute} above its minimum so far; consecutive spiking epochs count once`,
  spread: "mean over seeds, with [min, max] over seeds in brackets",
} as const;

function hours(sweep: Sweep): { finished: number; planned: number; hours: number } {
  const finished = new Map<string, number>();
  for (const g of sweep.groups)
    for (const r of g.runs)
      finished.set(
        r.run,
        r.rows.reduce((s, row) => s + row.seconds, 0),
      );
  const planned = new Set(sweep.manifest.entries.map((e) => e.run)).size;
  const seconds = [...finished.values()].reduce((a, b) => a + b, 0);
  return { finished: finished.size, planned, hours: seconds / 3600 };
}

function missingTable(missing: readonly MissingRun[]): string[][] {
  const byConfig = new Map<string, MissingRun[]>();
  for (const m of missing) {
    const key = `${m.preset}\u0000${m.label}`;
    byConfig.set(key, [...(byConfig.get(key) ?? []), m]);
  }
  return [...byConfig.values()].map((ms) => {
    const byWhy = new Map<string, number[]>();
    for (const m of ms) byWhy.set(m.why, [...(byWhy.get(m.why) ?? []), m.seed]);
    const why = [...byWhy].map(([w, seeds]) => `seed ${seeds.join(", ")}: ${w}`).join("\n");
    return [ms[0].preset, ms[0].label, String(ms.length), why];
  });
}

function partLine(p: Part): string {
  const paper = p.paper ? ` (paper: ${p.paper})` : "";
  return `${MARK[p.status]} ${p.test}${paper}: ${p.measured}`;
}

const epochs = (s: Spread | null, reached: number, seeds: number) =>
  s === null
    ? `not reached (0/${seeds})`
    : `${formatSpread(s, "epoch")} (${reached}/${seeds} seeds reach it)`;

function protocolBlocks(rows: readonly ProtocolRow[]): Block[] {
  const out: Block[] = [
    { kind: "heading", level: 2, text: "Protocol choices the paper leaves unstated" },
  ];
  if (rows.length === 0) {
    out.push({
      kind: "paragraph",
      text: "Not measured: the sweep has no finished `protocol` runs.",
    });
    return out;
  }
  out.push({
    kind: "paragraph",
    text:
      `Each option is compared with the paper-literal reading (for the mining scope: hard negatives mined per batch). ` +
      `Epochs to converge = ${DEFINITIONS.converged}. "Claims on this run": the claims decidable from this one configuration, re-decided with it in place of the reference — C1–C3 on its own curves as the only epoch budget, and for the mining scope C4 with it as the hard-negative run. ` +
      `Claims comparing several configurations would need the whole ablation under the option. An option **changes the answer** to a claim when that verdict differs from the reference's; a final top-1 difference above ${T.differs} is noted as a change of level.`,
  });
  for (const choice of PROTOCOL_CHOICES) {
    const rs = rows.filter((r) => r.choice === choice);
    if (rs.length === 0) continue;
    out.push({
      kind: "heading",
      level: 3,
      text: `\`${choice}\`: ${CHOICE_INFO[choice].what} — paper-literal: ${CHOICE_INFO[choice].paperReading}`,
    });
    out.push({
      kind: "table",
      head: [
        "option",
        "configuration",
        "seeds",
        "final val top-1",
        "epochs to converge",
        "Δ final",
        "claims on this run",
        "changes the answer?",
      ],
      rows: rs.map((r) => {
        const verdicts = Object.entries(r.verdicts)
          .map(([id, v]) => `${id} ${v}`)
          .join("\n");
        const changed = r.changes.map((id) => `${id}`).join(", ");
        const level = changesLevel(r) ? `level (|Δ| > ${T.differs})` : "";
        const answer =
          r.reference === null
            ? "reference"
            : [changed ? `**yes**: ${changed}` : "no claim", level].filter((x) => x).join("; ");
        return [
          `\`${r.option}\``,
          r.label,
          String(r.seeds),
          formatSpread(r.finalTop1, "top1"),
          epochs(r.convergedAt, r.reached, r.seeds),
          r.deltaFinal === null ? "—" : formatValue(r.deltaFinal, "delta"),
          verdicts,
          answer,
        ];
      }),
    });
  }
  return out;
}

function truncationBlocks(t: TruncationStats | null, data: string): Block[] {
  const out: Block[] = [
    { kind: "heading", level: 2, text: `Truncation at ${T.truncationChars} characters` },
  ];
  if (!t) {
    out.push({
      kind: "paragraph",
      text: `Not measured: no \`functions.jsonl\` in the sweep's dataset \`${data}\`.`,
    });
    return out;
  }
  const pct = (n: number, of: number) => (of === 0 ? "—" : `${((100 * n) / of).toFixed(1)}%`);
  const judged = t.longer - t.unjudged;
  out.push({
    kind: "table",
    head: [
      "snippets",
      "longer than the limit",
      "constants all cut",
      "some constant cut",
      "not judged",
    ],
    rows: [
      [
        String(t.snippets),
        `${t.longer} (${pct(t.longer, t.snippets)})`,
        `${t.allCut} (${pct(t.allCut, t.snippets)} of all, ${pct(t.allCut, judged)} of the longer)`,
        `${t.someCut} (${pct(t.someCut, t.snippets)} of all, ${pct(t.someCut, judged)} of the longer)`,
        String(t.unjudged),
      ],
    ],
  });
  out.push({
    kind: "paragraph",
    text:
      `Heuristic: a snippet's distinguishing constants are the integer literals of its group's source function (the group's row without transforms; for the affine family the \`c\` of \`return x + c\`). ` +
      `A constant is cut when no occurrence of it in the snippet, as a whole integer literal, ends within the first ${t.limit} characters. ` +
      `"All cut": the truncated text shows none of the source's constants, so it cannot tell the function from others of the same shape; "some cut": at least one is missing. ` +
      `Occurrences are matched in the text, so the same number written elsewhere (a dead assignment, a comment) counts as shown: the figures are lower bounds. ` +
      `"Not judged": longer snippets whose source has no integer literal or is not in the file.`,
  });
  return out;
}

export function reportDocument(c: ReportContent): Block[] {
  const { sweep, claims } = c;
  const m = sweep.manifest;
  const data = portablePath(m.data);
  const h = hours(sweep);
  const blocks: Block[] = [
    { kind: "heading", level: 1, text: "TraceCode: paper reproduction report" },
  ];
  blocks.push({
    kind: "paragraph",
    text:
      `Sweep of \`${m.presets.join(" ")}\` with ${m.seeds} seed(s) per configuration${m.quick ? " — **quick** (epoch budgets × 0.3)" : ""}, data \`${data}\`; ` +
      `${h.finished} of ${h.planned} runs finished (${m.entries.length - sweep.missing.length} of ${m.entries.length} preset entries), ${h.hours.toFixed(2)} h of training summed over runs.\n` +
      `Command: \`${portableCommand(m.command)}\``,
  });
  if (sweep.missing.length > 0) {
    blocks.push({ kind: "heading", level: 2, text: "Missing runs" });
    blocks.push({
      kind: "paragraph",
      text: `${sweep.missing.length} entries have no finished run; the figures and claims use the finished runs only, and a claim whose runs are all missing is **not measured**.`,
    });
    blocks.push({
      kind: "table",
      head: ["preset", "configuration", "seeds missing", "why"],
      rows: missingTable(sweep.missing),
    });
  }

  blocks.push({ kind: "heading", level: 2, text: "Claims" });
  blocks.push({
    kind: "paragraph",
    text: `Numbers: ${DEFINITIONS.spread}. Parts: ✓ holds in every seed, ◐ in some, ✗ in none, – not measured. The tests are defined below the table.`,
  });
  blocks.push({
    kind: "table",
    head: ["claim", "the paper says", "paper's figure", "measured here", "verdict"],
    rows: claims.map((cl) => {
      const unmeasured = cl.parts.filter((p) => p.status === "not measured").length;
      const note =
        unmeasured > 0 && unmeasured < cl.parts.length
          ? `\n(${unmeasured} of ${cl.parts.length} parts not measured)`
          : "";
      return [
        cl.id,
        `“${cl.quote}” (${cl.figure})`,
        cl.paperFigure,
        cl.parts.map(partLine).join("\n") + note,
        `**${cl.verdict}**`,
      ];
    }),
  });
  if (budgetsSharePrefix(claimInputs(sweep).budgets))
    blocks.push({
      kind: "paragraph",
      text: "Note: in every seed the shorter epoch budgets' metrics equal the first epochs of the longest budget's (training has no learning-rate schedule and draws each epoch's randomness from (seed, epoch)), so the budgets differ only in length; the paper's different jump epochs per budget (8/10/12) cannot arise here from the budget itself.",
    });

  blocks.push({ kind: "heading", level: 3, text: "How each claim is tested" });
  blocks.push({
    kind: "list",
    items: [
      `**final** = ${DEFINITIONS.final}; **converged** = ${DEFINITIONS.converged}; **speed** = ${DEFINITIONS.speed}; **spike** = ${DEFINITIONS.spike}.`,
      ...claims.map((cl) => `**${cl.id}** (${cl.figure}): ${cl.definition}.`),
    ],
  });
  blocks.push({ kind: "paragraph", text: VERDICT_RULE });
  blocks.push({
    kind: "table",
    head: ["threshold", "value", "meaning"],
    rows: Object.entries(T).map(([k, v]) => [
      `\`${k}\``,
      String(v),
      THRESHOLD_MEANINGS[k as keyof typeof T],
    ]),
  });

  blocks.push(...protocolBlocks(c.protocol));
  blocks.push(...truncationBlocks(c.truncation, data));

  blocks.push({ kind: "heading", level: 2, text: "Figures" });
  blocks.push({
    kind: "paragraph",
    text: "Per configuration: loss (train solid, val dashed) and val top-1 per epoch; line = mean over seeds, band = min–max over seeds. Each figure is also in `figures/` as `.svg`, `.png` and its Vega-Lite spec `.vl.json`.",
  });
  const absent = m.presets.filter((p) => !c.figures.some((f) => f.preset === p));
  if (absent.length > 0)
    blocks.push({
      kind: "paragraph",
      text: `No figure for ${absent.map((p) => `\`${p}\``).join(", ")}: no finished run.`,
    });
  for (const f of c.figures) {
    blocks.push({ kind: "heading", level: 3, text: f.title });
    blocks.push({ kind: "figure", name: f.name, title: f.title });
  }
  return blocks;
}
