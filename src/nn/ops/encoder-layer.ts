/**
 * A whole `nn.TransformerEncoderLayer` with ReLU as one graph node: x[B, T, E] → [B, T, E] in
 * `kernels().encoderForward`, whose tape keeps what the backward pass needs
 * (`kernels().encoderBackward`). The same arithmetic as the layer built from ops (affine,
 * selfAttention, dropout, relu, add, layerNorm; formulas in src/nn/kernels/types.ts,
 * EncoderLayer), without a node, a JavaScript array and a copy into the kernels per step: the
 * WebAssembly backend keeps every intermediate in its linear memory.
 */
import type { Random } from "../../random/index.js";
import { type EncoderGradients, type EncoderWeights, kernels } from "../kernels/index.js";
import { isGradEnabled, record, type Tensor } from "../tensor.js";
import { dropoutScale, keepMask } from "./dropout.js";

export type EncoderLayerParams = { [K in keyof EncoderWeights]: Tensor };

export interface EncoderLayerOptions {
  heads: number;
  normFirst: boolean;
  eps: number;
  /** [B·T] (row-major over [B, T]), truthy = padding: that key is ignored by every query. */
  keyPaddingMask?: ArrayLike<number | boolean> | null;
  /** Dropout at the four sites, each drawing its mask from its own stream; none when null. */
  dropout?: {
    p: number;
    attention: Random;
    attentionOut: Random;
    hidden: Random;
    ffOut: Random;
  } | null;
}

export function encoderLayer(
  x: Tensor,
  params: EncoderLayerParams,
  options: EncoderLayerOptions,
): Tensor {
  const { heads, normFirst, eps, keyPaddingMask = null, dropout = null } = options;
  const [outDim, dModel] = params.outProjWeight.shape;
  const ff = params.linear1Weight.shape[0];
  if (x.ndim !== 3 || x.shape[2] !== dModel || outDim !== dModel) {
    throw new RangeError(`encoderLayer: x [${x.shape}] does not fit d_model ${dModel}`);
  }
  if (!Number.isInteger(heads) || heads < 1 || dModel % heads !== 0) {
    throw new RangeError(`encoderLayer: d_model ${dModel} is not divisible by ${heads} heads`);
  }
  const [batch, steps] = x.shape;
  const rows = batch * steps;
  if (keyPaddingMask && keyPaddingMask.length !== rows) {
    throw new RangeError(
      `encoderLayer: key padding mask has ${keyPaddingMask.length} entries, expected ${batch}·${steps}`,
    );
  }
  const names = Object.keys(params) as (keyof EncoderWeights)[];
  const weights = {} as EncoderWeights;
  for (const name of names) weights[name] = params[name].data;
  const useDropout = dropout !== null && dropout.p > 0;
  const drop = (n: number, rng: Random) => keepMask(n, (dropout as { p: number }).p, rng);
  const tensors = names.map((name) => params[name]);
  const needsGrad = isGradEnabled() && [x, ...tensors].some((t) => t.requiresGrad);
  const out = new Float32Array(x.size);
  const tape = kernels().encoderForward(
    {
      batch,
      steps,
      heads,
      dModel,
      ff,
      normFirst,
      eps,
      x: x.data,
      keyPadding: keyPaddingMask ? Uint8Array.from(keyPaddingMask, (m) => (m ? 1 : 0)) : null,
      weights,
      dropout:
        useDropout && dropout
          ? {
              keepScale: dropoutScale(dropout.p),
              attention: drop(batch * heads * steps * steps, dropout.attention),
              attentionOut: drop(rows * dModel, dropout.attentionOut),
              hidden: drop(rows * ff, dropout.hidden),
              ffOut: drop(rows * dModel, dropout.ffOut),
            }
          : null,
    },
    out,
    needsGrad,
  );
  return record(out, x.shape, [x, ...tensors], (g) => {
    if (!tape) return;
    const grads = { x: new Float32Array(x.size) } as EncoderGradients;
    for (const name of names) grads[name] = new Float32Array(params[name].size);
    kernels().encoderBackward(tape, g, grads);
    addGrad(x, grads.x);
    for (const name of names) addGrad(params[name], grads[name]);
  });
}

/** t's gradient += g; a first gradient is taken as it is. */
function addGrad(t: Tensor, g: Float32Array): void {
  if (!t.requiresGrad) return;
  if (t.grad === null) t.grad = g;
  else t.accumulateGrad(g);
}
