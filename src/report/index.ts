/**
 * The paper-reproduction report: figures like the paper's Figures 1–7 (Vega-Lite → SVG/PNG),
 * the claims table computed from a sweep's metrics, the protocol table. See README.md.
 */
export {
  type Claim,
  evaluateClaims,
  type Part,
  type ProtocolRow,
  protocolTable,
  spearman,
  type Verdict,
  verdictOf,
} from "./claims.js";
export { FIGURES, figureSpec, renderPng, renderSvg } from "./figures.js";
export { type Group, loadSweep, type RunData, type Sweep } from "./load.js";
export { band, finalValue, firstEpoch, meanOver, perSeed, spikes, THRESHOLDS } from "./series.js";
export { type TruncationStats, truncationStats } from "./truncation.js";
export { type ReportOptions, type ReportResult, writeReport } from "./write.js";
