/** `nn.Linear`: y = x·Wᵀ + b with weight [out, in] and bias [out], PyTorch's keys and init. */
import { Random } from "../../random/index.js";
import { linearInit } from "../init.js";
import { Module } from "../module.js";
import { affine } from "../ops/affine.js";
import { Tensor } from "../tensor.js";

export interface LinearOptions {
  /** Default true, as PyTorch. */
  bias?: boolean;
  /** Source of the initial weights. */
  rng?: Random;
}

export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  constructor(
    inFeatures: number,
    outFeatures: number,
    { bias = true, rng = new Random(0) }: LinearOptions = {},
  ) {
    super();
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.weight = this.param("weight", Tensor.zeros([outFeatures, inFeatures]));
    this.bias = bias ? this.param("bias", Tensor.zeros([outFeatures])) : null;
    linearInit(this.weight, this.bias, rng);
  }

  /** x[..., in] → [..., out]. */
  forward(x: Tensor): Tensor {
    return affine(x, this.weight, this.bias);
  }
}
