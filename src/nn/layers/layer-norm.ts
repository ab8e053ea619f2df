/** `nn.LayerNorm` over the last dimension, elementwise affine (weight ones, bias zeros). */
import { Module } from "../module.js";
import { layerNorm } from "../ops/norm.js";
import { Tensor } from "../tensor.js";

export class LayerNorm extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor;

  constructor(
    readonly normalizedShape: number,
    readonly eps = 1e-5,
  ) {
    super();
    this.weight = this.param("weight", Tensor.full([normalizedShape], 1));
    this.bias = this.param("bias", Tensor.zeros([normalizedShape]));
  }

  forward(x: Tensor): Tensor {
    return layerNorm(x, this.weight, this.bias, this.eps);
  }
}
