/**
 * `nn.TransformerEncoderLayer` and `nn.TransformerEncoder` with PyTorch 1.13 semantics,
 * `batch_first=True` only. Post-norm (default):
 *   x = norm1(x + dropout1(self_attn(x)));  x = norm2(x + dropout2(linear2(dropout(act(linear1(x))))))
 * Pre-norm (`normFirst`): x = x + dropout1(self_attn(norm1(x))); x = x + dropout2(ff(norm2(x))).
 */
import { Random } from "../../random/index.js";
import { Module } from "../module.js";
import { gelu } from "../ops/activation.js";
import { add } from "../ops/elementwise.js";
import { encoderLayer } from "../ops/encoder-layer.js";
import type { Tensor } from "../tensor.js";
import { MultiheadAttention } from "./attention.js";
import { Dropout } from "./dropout.js";
import { LayerNorm } from "./layer-norm.js";
import { Linear } from "./linear.js";

export type Activation = "relu" | "gelu";

export interface TransformerEncoderLayerOptions {
  dModel: number;
  nhead: number;
  /** Default 2048, as PyTorch. */
  dimFeedforward?: number;
  /** Default 0.1, as PyTorch; used by the attention weights and the three dropout sites. */
  dropout?: number;
  activation?: Activation;
  layerNormEps?: number;
  normFirst?: boolean;
  /** Source of the initial weights and the dropout masks. */
  rng?: Random;
}

export class TransformerEncoderLayer extends Module {
  readonly selfAttn: MultiheadAttention;
  readonly linear1: Linear;
  readonly dropout: Dropout;
  readonly linear2: Linear;
  readonly norm1: LayerNorm;
  readonly norm2: LayerNorm;
  readonly dropout1: Dropout;
  readonly dropout2: Dropout;
  readonly activation: Activation;
  readonly normFirst: boolean;

  constructor({
    dModel,
    nhead,
    dimFeedforward = 2048,
    dropout = 0.1,
    activation = "relu",
    layerNormEps = 1e-5,
    normFirst = false,
    rng = new Random(0),
  }: TransformerEncoderLayerOptions) {
    super();
    this.activation = activation;
    this.normFirst = normFirst;
    // Registration order gives PyTorch's state_dict order.
    this.selfAttn = this.child(
      "self_attn",
      new MultiheadAttention(dModel, nhead, { dropout, rng: rng.fork("self_attn") }),
    );
    const init = rng.fork("init");
    const drop = (name: string) => this.child(name, new Dropout(dropout, rng.fork(name)));
    this.linear1 = this.child("linear1", new Linear(dModel, dimFeedforward, { rng: init }));
    this.dropout = drop("dropout");
    this.linear2 = this.child("linear2", new Linear(dimFeedforward, dModel, { rng: init }));
    this.norm1 = this.child("norm1", new LayerNorm(dModel, layerNormEps));
    this.norm2 = this.child("norm2", new LayerNorm(dModel, layerNormEps));
    this.dropout1 = drop("dropout1");
    this.dropout2 = drop("dropout2");
  }

  /**
   * src[B, T, dModel] → [B, T, dModel]; `keyPaddingMask` [B·T], truthy = padding. A ReLU layer
   * runs as one fused node (ops/encoder-layer.ts); a GELU one is built from ops.
   */
  forward(src: Tensor, keyPaddingMask: ArrayLike<number | boolean> | null = null): Tensor {
    if (this.activation === "relu") return this.fused(src, keyPaddingMask);
    let x = src;
    if (this.normFirst) {
      x = add(x, this.saBlock(this.norm1.forward(x), keyPaddingMask));
      x = add(x, this.ffBlock(this.norm2.forward(x)));
    } else {
      x = this.norm1.forward(add(x, this.saBlock(x, keyPaddingMask)));
      x = this.norm2.forward(add(x, this.ffBlock(x)));
    }
    return x;
  }

  private fused(src: Tensor, keyPaddingMask: ArrayLike<number | boolean> | null): Tensor {
    const sa = this.selfAttn;
    const p = this.dropout.p;
    return encoderLayer(
      src,
      {
        inProjWeight: sa.inProjWeight,
        inProjBias: sa.inProjBias,
        outProjWeight: sa.outProj.weight,
        outProjBias: sa.outProj.bias as Tensor,
        linear1Weight: this.linear1.weight,
        linear1Bias: this.linear1.bias as Tensor,
        linear2Weight: this.linear2.weight,
        linear2Bias: this.linear2.bias as Tensor,
        norm1Weight: this.norm1.weight,
        norm1Bias: this.norm1.bias,
        norm2Weight: this.norm2.weight,
        norm2Bias: this.norm2.bias,
      },
      {
        heads: sa.numHeads,
        normFirst: this.normFirst,
        eps: this.norm1.eps,
        keyPaddingMask,
        dropout:
          this.training && p > 0
            ? {
                p,
                attention: sa.dropoutRng,
                attentionOut: this.dropout1.rng,
                hidden: this.dropout.rng,
                ffOut: this.dropout2.rng,
              }
            : null,
      },
    );
  }

  private saBlock(x: Tensor, keyPaddingMask: ArrayLike<number | boolean> | null): Tensor {
    return this.dropout1.forward(this.selfAttn.forward(x, keyPaddingMask));
  }

  private ffBlock(x: Tensor): Tensor {
    const hidden = this.linear1.forward(x);
    return this.dropout2.forward(this.linear2.forward(this.dropout.forward(gelu(hidden))));
  }
}

export interface TransformerEncoderOptions {
  /** Add a final LayerNorm (`norm.weight`, `norm.bias`), like passing `norm=` to PyTorch. */
  finalNorm?: boolean;
  /**
   * PyTorch deep-copies one layer `numLayers` times, so every layer starts with the same
   * weights; that is the default here too. `true` draws each layer's weights afresh.
   */
  independentInit?: boolean;
}

/** A stack of encoder layers, keys `layers.{i}.…` (and `norm.…` with `finalNorm`). */
export class TransformerEncoder extends Module {
  readonly layers: TransformerEncoderLayer[] = [];
  readonly norm: LayerNorm | null;

  constructor(
    layer: TransformerEncoderLayerOptions,
    numLayers: number,
    { finalNorm = false, independentInit = false }: TransformerEncoderOptions = {},
  ) {
    super();
    const rng = layer.rng ?? new Random(0);
    const holder = new LayerList();
    this.child("layers", holder);
    for (let i = 0; i < numLayers; i++) {
      const made = new TransformerEncoderLayer({ ...layer, rng: rng.fork(`layers.${i}`) });
      if (i > 0 && !independentInit) made.loadStateDict(this.layers[0].stateDict());
      this.layers.push(holder.add(`${i}`, made));
    }
    this.norm = finalNorm
      ? this.child("norm", new LayerNorm(layer.dModel, layer.layerNormEps ?? 1e-5))
      : null;
  }

  forward(src: Tensor, keyPaddingMask: ArrayLike<number | boolean> | null = null): Tensor {
    let x = src;
    for (const l of this.layers) x = l.forward(x, keyPaddingMask);
    return this.norm ? this.norm.forward(x) : x;
  }
}

/** `nn.ModuleList`'s naming: children registered as "0", "1", …. */
class LayerList extends Module {
  add<M extends Module>(name: string, module: M): M {
    return this.child(name, module);
  }
}
