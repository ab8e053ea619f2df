import { ops, type Tensor } from "../../nn/index.js";

/** PyTorch's `reduction` argument: mean or sum over the per-item losses, or none. */
export type Reduction = "mean" | "sum" | "none";

export function reduce(perItem: Tensor, reduction: Reduction): Tensor {
  if (reduction === "none") return perItem;
  return reduction === "sum" ? ops.sum(perItem) : ops.mean(perItem);
}
