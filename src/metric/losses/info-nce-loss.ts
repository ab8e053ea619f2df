import { record, Tensor } from "../../nn/index.js";
import { CosineSimilarity } from "../distances/cosine-similarity.js";
import type { Distance } from "../distances/distance.js";
import { checkLabels, matrixSize } from "../matrix.js";

/**
 * "standard": −log( e^{z_p} / (e^{z_p} + Σ_n e^{z_n}) ) — CPC / NT-Xent (PML's NTXentLoss),
 * the positive in the denominator, so the loss is ≥ 0.
 * "paper": −log( e^{z_p} / Σ_n e^{z_n} ) — the paper's Section 3 equation as printed, whose
 * denominator sums over negatives only; it can go below 0 and has no lower bound.
 */
export type InfoNceForm = "standard" | "paper";

export interface InfoNceLossOptions {
  /** τ; default 0.1. */
  temperature?: number;
  /** Default cosine similarity. A distance d is used as the similarity −d. */
  distance?: Distance;
  form?: InfoNceForm;
}

/**
 * InfoNCE / NT-Xent over a labelled batch. Every ordered pair (a, p), a ≠ p with the same label,
 * is a positive pair; all items with another label are a's negatives. With logits
 * z_j = sim(h_a, h_j) / τ, each positive pair contributes the `form`'s term and the loss is the
 * mean over positive pairs. Pairs whose anchor has no negative in the batch are left out (they
 * carry no contrast; the paper's form is undefined for them); a batch without any gives 0.
 */
export class InfoNCELoss {
  readonly temperature: number;
  readonly distance: Distance;
  readonly form: InfoNceForm;

  constructor({
    temperature = 0.1,
    distance = new CosineSimilarity(),
    form = "standard",
  }: InfoNceLossOptions = {}) {
    if (!(temperature > 0)) throw new RangeError(`temperature must be > 0, got ${temperature}`);
    this.temperature = temperature;
    this.distance = distance;
    this.form = form;
  }

  /** embeddings [N, D], one integer label per row → scalar. */
  forward(embeddings: Tensor, labels: ArrayLike<number>): Tensor {
    const { rows } = matrixSize(embeddings);
    checkLabels(labels, rows);
    const sim = this.distance.pairwise(embeddings);
    const scale = (this.distance.isInverted ? 1 : -1) / this.temperature;
    return infoNceFromMatrix(sim, labels, scale, this.form);
  }
}

/**
 * Fused loss over a [N, N] similarity (or distance) matrix m, with logits z = scale·m. Per
 * anchor a with negatives N(a): L_N = logsumexp_{n∈N(a)} z_n, and per positive p:
 *   standard: ℓ = −z_p + logaddexp(z_p, L_N)    ∂ℓ/∂z_p = σ_p − 1, ∂ℓ/∂z_n = e^{z_n − L_p}
 *   paper:    ℓ = −z_p + L_N                     ∂ℓ/∂z_p = −1,     ∂ℓ/∂z_n = e^{z_n − L_N}
 * where L_p = logaddexp(z_p, L_N) and σ_p = e^{z_p − L_p}. Float64 throughout.
 */
export function infoNceFromMatrix(
  m: Tensor,
  labels: ArrayLike<number>,
  scale: number,
  form: InfoNceForm,
): Tensor {
  const n = m.shape[0];
  if (m.ndim !== 2 || m.shape[1] !== n) throw new RangeError(`need [N, N], got [${m.shape}]`);
  checkLabels(labels, n);
  const z = (a: number, j: number) => scale * m.data[a * n + j];
  // Per anchor: logsumexp over its negatives (NaN when it has none), reused by the backward.
  const lseNeg = new Float64Array(n).fill(Number.NaN);
  let total = 0;
  let pairs = 0;
  for (let a = 0; a < n; a++) {
    let max = -Infinity;
    for (let j = 0; j < n; j++) if (labels[j] !== labels[a]) max = Math.max(max, z(a, j));
    if (max === -Infinity) continue;
    let s = 0;
    for (let j = 0; j < n; j++) if (labels[j] !== labels[a]) s += Math.exp(z(a, j) - max);
    const lse = max + Math.log(s);
    lseNeg[a] = lse;
    for (let p = 0; p < n; p++) {
      if (p === a || labels[p] !== labels[a]) continue;
      const zp = z(a, p);
      total += form === "paper" ? lse - zp : logAddExp(zp, lse) - zp;
      pairs++;
    }
  }
  if (pairs === 0) return Tensor.scalar(0);
  return record(Float32Array.of(total / pairs), [], [m], (g) => {
    const gm = m.gradBuffer();
    const k = (g[0] / pairs) * scale;
    for (let a = 0; a < n; a++) {
      const lse = lseNeg[a];
      if (Number.isNaN(lse)) continue;
      // Σ over this anchor's positives of e^{L_N − L_p} (1 each in the paper's form): the
      // negatives' shared factor, shifted by L_N so that no exponent is positive.
      let negWeight = 0;
      for (let p = 0; p < n; p++) {
        if (p === a || labels[p] !== labels[a]) continue;
        if (form === "paper") {
          gm[a * n + p] -= k;
          negWeight += 1;
        } else {
          const lp = logAddExp(z(a, p), lse);
          gm[a * n + p] += k * (Math.exp(z(a, p) - lp) - 1);
          negWeight += Math.exp(lse - lp);
        }
      }
      for (let j = 0; j < n; j++) {
        if (labels[j] === labels[a]) continue;
        gm[a * n + j] += k * Math.exp(z(a, j) - lse) * negWeight;
      }
    }
  });
}

function logAddExp(x: number, y: number): number {
  const hi = Math.max(x, y);
  return hi + Math.log(Math.exp(x - hi) + Math.exp(y - hi));
}
