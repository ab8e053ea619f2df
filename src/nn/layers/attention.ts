/**
 * `nn.MultiheadAttention` for self-attention with `batch_first=True`: the packed input
 * projection (`in_proj_weight` [3E, E], `in_proj_bias`), the fused attention core, and
 * `out_proj`. Attention-weight dropout applies in training only. Initialisation as PyTorch:
 * xavier_uniform on `in_proj_weight`, zeros on both biases, Linear's default on `out_proj.weight`.
 */
import { Random } from "../../random/index.js";
import { uniformTensor } from "../init.js";
import { Module } from "../module.js";
import { affine } from "../ops/affine.js";
import { selfAttention } from "../ops/attention.js";
import { Tensor } from "../tensor.js";
import { Linear } from "./linear.js";

export interface MultiheadAttentionOptions {
  /** Dropout on the attention weights (training only). Default 0, as PyTorch. */
  dropout?: number;
  /** Source of the initial weights and of the dropout masks. */
  rng?: Random;
}

export class MultiheadAttention extends Module {
  readonly inProjWeight: Tensor;
  readonly inProjBias: Tensor;
  readonly outProj: Linear;
  readonly dropout: number;
  /** Source of the attention-weight dropout masks. */
  readonly dropoutRng: Random;

  constructor(
    readonly embedDim: number,
    readonly numHeads: number,
    { dropout = 0, rng = new Random(0) }: MultiheadAttentionOptions = {},
  ) {
    super();
    if (embedDim % numHeads !== 0) {
      throw new RangeError(`embed dim ${embedDim} is not divisible by ${numHeads} heads`);
    }
    const init = rng.fork("init");
    this.dropout = dropout;
    this.dropoutRng = this.random("dropout", rng.fork("dropout"));
    // xavier_uniform_ on [3E, E]: bound √(6/(fan_in + fan_out)) = √(6/(4E)).
    const xavier = Math.sqrt(6 / (4 * embedDim));
    this.inProjWeight = this.param(
      "in_proj_weight",
      uniformTensor([3 * embedDim, embedDim], xavier, init),
    );
    this.inProjBias = this.param("in_proj_bias", Tensor.zeros([3 * embedDim]));
    this.outProj = this.child("out_proj", new Linear(embedDim, embedDim, { rng: init }));
    this.outProj.bias?.data.fill(0);
  }

  /**
   * x[B, T, E] → [B, T, E]. `keyPaddingMask` is [B·T] (row-major [B, T]), truthy = padding,
   * as PyTorch's boolean `key_padding_mask`: padded keys get no attention. Padded queries are
   * still computed (PyTorch's standard path does the same).
   */
  forward(x: Tensor, keyPaddingMask: ArrayLike<number | boolean> | null = null): Tensor {
    if (x.ndim !== 3 || x.shape[2] !== this.embedDim) {
      throw new RangeError(
        `MultiheadAttention expects x[B, T, ${this.embedDim}], got [${x.shape}]`,
      );
    }
    const qkv = affine(x, this.inProjWeight, this.inProjBias);
    const heads = selfAttention(qkv, {
      heads: this.numHeads,
      keyPaddingMask,
      dropout: this.training ? this.dropout : 0,
      rng: this.training ? this.dropoutRng : null,
    });
    return this.outProj.forward(heads);
  }
}
