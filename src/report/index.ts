/**
 * The paper-reproduction report of a sweep: figures like the paper's Figures 1–7 (Vega-Lite →
 * SVG/PNG), the claims C1–C9 decided from the metrics, the protocol table, the truncation
 * statistics; written as REPORT.md, index.html and claims.json. See README.md.
 */
export {
  band,
  finalValue,
  firstEpoch,
  type Spread,
  spearman,
  speed,
  spikes,
  spread,
} from "./aggregate.js";
export {
  CLAIM_IDS,
  type Claim,
  type ClaimId,
  claimInputs,
  evaluateClaim,
  evaluateClaims,
  type Part,
  type PartStatus,
  type Verdict,
  verdictOf,
} from "./claims.js";
export { defaultFonts, FIGURES, figureSpec, renderPng, renderSvg } from "./figures.js";
export { type Group, loadSweep, type MissingRun, type Sweep } from "./load.js";
export { PROTOCOL_CHOICES, type ProtocolRow, protocolTable } from "./protocol.js";
export { ClaimsFile } from "./schema.js";
export { THRESHOLDS } from "./thresholds.js";
export { datasetTruncation, type TruncationStats, truncationStats } from "./truncation.js";
export { type ReportOptions, type ReportResult, writeReport } from "./write.js";
