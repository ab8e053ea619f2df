/**
 * `nn.LSTM(inputSize, hiddenSize, numLayers, dropout=…, batch_first=True)`: a stack of fused
 * LSTM layers (see ops/lstm.ts) with PyTorch's parameter names and init, dropout on the output
 * of every layer but the last in training mode only, and padded batches run as packed
 * sequences through `lengths`.
 */
import { Random } from "../../random/index.js";
import { lstmInit } from "../init.js";
import { Module } from "../module.js";
import { dropout } from "../ops/dropout.js";
import { lstmLayer, type Tokens } from "../ops/lstm.js";
import { concat, reshape } from "../ops/shape.js";
import { Tensor } from "../tensor.js";

export interface LstmOptions {
  /** Default 1. */
  numLayers?: number;
  /** Dropout probability between layers, in training only. Default 0. */
  dropout?: number;
  /** Only batch-first layout is supported; the flag exists to say so explicitly. */
  batchFirst?: true;
  /** Source of the initial weights and of the inter-layer dropout masks. */
  rng?: Random;
}

export interface LstmOutput {
  /** [B, T, H]: last layer's hidden states, zero at padded positions. */
  output: Tensor;
  /** [L, B, H]: each layer's hidden state after each sequence's last valid step. */
  hN: Tensor;
  /** [L, B, H]: the same for the cell states. */
  cN: Tensor;
}

interface LayerParams {
  weightIh: Tensor;
  weightHh: Tensor;
  biasIh: Tensor;
  biasHh: Tensor;
}

export class LSTM extends Module {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly dropout: number;
  readonly layers: readonly LayerParams[];
  private readonly dropoutRng: Random;

  constructor(
    inputSize: number,
    hiddenSize: number,
    { numLayers = 1, dropout = 0, rng = new Random(0) }: LstmOptions = {},
  ) {
    super();
    if (!(dropout >= 0 && dropout <= 1)) {
      throw new RangeError(`dropout probability ${dropout} is not in [0, 1]`);
    }
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.numLayers = numLayers;
    this.dropout = dropout;
    const g4 = 4 * hiddenSize;
    // Registration order = PyTorch's state_dict order: w_ih, w_hh, b_ih, b_hh per layer.
    const layers: LayerParams[] = [];
    for (let k = 0; k < numLayers; k++) {
      const inDim = k === 0 ? inputSize : hiddenSize;
      layers.push({
        weightIh: this.param(`weight_ih_l${k}`, Tensor.zeros([g4, inDim])),
        weightHh: this.param(`weight_hh_l${k}`, Tensor.zeros([g4, hiddenSize])),
        biasIh: this.param(`bias_ih_l${k}`, Tensor.zeros([g4])),
        biasHh: this.param(`bias_hh_l${k}`, Tensor.zeros([g4])),
      });
    }
    this.layers = layers;
    lstmInit(this.parameters(), hiddenSize, rng.fork("init"));
    this.dropoutRng = this.random("dropout", rng.fork("dropout"));
  }

  /**
   * x[B, T, inputSize], or tokens whose embedding rows are x (Embedding.tokens); `lengths[b]`
   * (default T) valid leading steps of sequence b.
   */
  forward(x: Tensor | Tokens, lengths: ArrayLike<number> | null = null): LstmOutput {
    const hs: Tensor[] = [];
    const cs: Tensor[] = [];
    let output: Tensor | null = null;
    for (const weights of this.layers) {
      let input = output ?? x;
      if (output && this.training && this.dropout > 0) {
        input = dropout(output, this.dropout, this.dropoutRng);
      }
      const layer = lstmLayer(input, lengths, weights);
      hs.push(layer.hN);
      cs.push(layer.cN);
      output = layer.output;
    }
    const [batch] = x.shape;
    const stack = (states: Tensor[]) =>
      concat(
        states.map((s) => reshape(s, [1, batch, this.hiddenSize])),
        0,
      );
    return { output: output as Tensor, hN: stack(hs), cN: stack(cs) };
  }
}
