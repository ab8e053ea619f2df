import { ops, record, Tensor } from "../../nn/index.js";
import type { Distance } from "../distances/distance.js";
import { LpDistance } from "../distances/lp-distance.js";
import { matrixSize } from "../matrix.js";
import type { Triplets } from "../miners/triplets.js";
import { type Reduction, reduce } from "./reduction.js";

export interface TripletMarginLossOptions {
  /** The paper's m = 0.2 by default (PyTorch's default is 1.0). */
  margin?: number;
  /** Default `new LpDistance()`: p = 2, eps = 1e-6 inside the norm, as PyTorch. */
  distance?: Distance;
  /** Use min(d(a,n), d(p,n)) as the negative distance (Balntas et al.; PyTorch's `swap`). */
  swap?: boolean;
  reduction?: Reduction;
}

/**
 * Triplet margin loss with `nn.TripletMarginLoss` semantics:
 *   ℓ_i = max(d(a_i, p_i) − d(a_i, n_i) + margin, 0),   loss = mean_i ℓ_i
 * with d(x, y) = ‖x − y + eps‖_p. For a similarity s (isInverted, e.g. cosine) the violation is
 * s(a,n) − s(a,p) + margin — PML's convention, and the same number as using 1 − s as distance.
 */
export class TripletMarginLoss {
  readonly margin: number;
  readonly distance: Distance;
  readonly swap: boolean;
  readonly reduction: Reduction;

  constructor({
    margin = 0.2,
    distance = new LpDistance(),
    swap = false,
    reduction = "mean",
  }: TripletMarginLossOptions = {}) {
    this.margin = margin;
    this.distance = distance;
    this.swap = swap;
    this.reduction = reduction;
  }

  /** anchor, positive, negative: [B, D] each → scalar (or [B] with reduction "none"). */
  forward(anchor: Tensor, positive: Tensor, negative: Tensor): Tensor {
    const d = this.distance;
    const ap = d.paired(anchor, positive);
    let an = d.paired(anchor, negative);
    if (this.swap) {
      an = closer(an, d.paired(positive, negative), d.isInverted);
    }
    const violation = d.isInverted ? ops.sub(an, ap) : ops.sub(ap, an);
    return reduce(ops.clamp(ops.addScalar(violation, this.margin), 0), this.reduction);
  }

  /**
   * The loss on mined triplets of one batch (PML's `loss(embeddings, labels, indices_tuple)`).
   * No triplets gives a constant 0 (PyTorch's mean of nothing would be NaN).
   */
  mined(embeddings: Tensor, triplets: Triplets): Tensor {
    matrixSize(embeddings);
    if (triplets.anchors.length === 0) return Tensor.scalar(0);
    return this.forward(
      ops.gather(embeddings, triplets.anchors),
      ops.gather(embeddings, triplets.positives),
      ops.gather(embeddings, triplets.negatives),
    );
  }
}

/**
 * Element-wise closer of two values: the minimum of distances, the maximum of similarities.
 * The gradient follows torch.minimum/maximum, which split it evenly on ties — and swap makes
 * ties real: when the anchor equals the positive, d(a,n) and d(p,n) are the same number.
 */
function closer(x: Tensor, y: Tensor, inverted: boolean): Tensor {
  const n = x.size;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const a = x.data[i];
    const b = y.data[i];
    out[i] = inverted ? Math.max(a, b) : Math.min(a, b);
  }
  return record(out, x.shape, [x, y], (g) => {
    const gx = x.requiresGrad ? x.gradBuffer() : null;
    const gy = y.requiresGrad ? y.gradBuffer() : null;
    for (let i = 0; i < n; i++) {
      const a = x.data[i];
      const b = y.data[i];
      const toX = a === b ? 0.5 : (inverted ? a > b : a < b) ? 1 : 0;
      if (gx) gx[i] += g[i] * toX;
      if (gy) gy[i] += g[i] * (1 - toX);
    }
  });
}
