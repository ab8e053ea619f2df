/** writeReport: a sweep directory → REPORT.md, index.html, figures/*.svg + *.png, claims.json. */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../data/index.js";
import { type Claim, evaluateClaims } from "./claims.js";
import { DEFINITIONS, reportDocument, VERDICT_RULE } from "./document.js";
import { FIGURES, type FigureDef, figureSpec, renderPng, renderSvg } from "./figures.js";
import { toHtml } from "./html.js";
import { loadSweep } from "./load.js";
import { toMarkdown } from "./markdown.js";
import { portableCommand, portablePath } from "./paths.js";
import { type ProtocolRow, protocolTable } from "./protocol.js";
import { ClaimsFile } from "./schema.js";
import { THRESHOLD_MEANINGS, THRESHOLDS } from "./thresholds.js";
import { datasetTruncation, type TruncationStats } from "./truncation.js";

export interface ReportOptions {
  /** Write PNGs too (default true); at most `pngLimit` of them (default all), for quick tests. */
  png?: boolean;
  pngLimit?: number;
}

export interface ReportResult {
  claims: Claim[];
  protocol: ProtocolRow[];
  truncation: TruncationStats | null;
  /** Names of the figures written (presets without finished runs have none). */
  figures: string[];
  /** Preset entries without a finished run. */
  missing: number;
}

export async function writeReport(
  sweepDir: string,
  outDir: string,
  options: ReportOptions = {},
): Promise<ReportResult> {
  const sweep = loadSweep(sweepDir);
  const claims = evaluateClaims(sweep);
  const protocol = protocolTable(sweep);
  const truncation = datasetTruncation(sweep.manifest.data, THRESHOLDS.truncationChars);

  mkdirSync(join(outDir, "figures"), { recursive: true });
  const svgs = new Map<string, string>();
  const made: FigureDef[] = [];
  let pngs = options.png === false ? 0 : (options.pngLimit ?? Number.POSITIVE_INFINITY);
  for (const def of FIGURES) {
    const spec = figureSpec(sweep, def);
    if (!spec) continue;
    const svg = await renderSvg(spec);
    svgs.set(def.name, svg);
    made.push(def);
    const base = join(outDir, "figures", def.name);
    writeFileAtomic(`${base}.svg`, svg);
    writeFileAtomic(`${base}.vl.json`, `${JSON.stringify(spec, null, 1)}\n`);
    if (pngs-- > 0) writeFileAtomic(`${base}.png`, renderPng(svg));
  }

  const blocks = reportDocument({ sweep, claims, protocol, truncation, figures: made });
  writeFileAtomic(join(outDir, "REPORT.md"), toMarkdown(blocks));
  writeFileAtomic(join(outDir, "index.html"), toHtml(blocks, svgs));
  const m = sweep.manifest;
  const json: ClaimsFile = ClaimsFile.parse({
    sweep: {
      dir: portablePath(sweepDir),
      presets: m.presets,
      seeds: m.seeds,
      quick: m.quick,
      data: portablePath(m.data),
      command: portableCommand(m.command),
    },
    thresholds: THRESHOLDS,
    definitions: { verdicts: VERDICT_RULE, terms: DEFINITIONS, thresholds: THRESHOLD_MEANINGS },
    claims,
    protocol,
    truncation,
    missing: sweep.missing,
  } satisfies ClaimsFile);
  writeFileAtomic(join(outDir, "claims.json"), `${JSON.stringify(json, null, 2)}\n`);
  return {
    claims,
    protocol,
    truncation,
    figures: made.map((f) => f.name),
    missing: sweep.missing.length,
  };
}
