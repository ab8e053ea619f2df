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
import { dropoutScale } from "./dropout.js";

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
  const tensors = names.map((name) => params[name]);
  const needsGrad = isGradEnabled() && [x, ...tensors].some((t) => t.requiresGrad);
  const out = new Float32Array(x.size);
  const run = (words: Int32Array[] | null) =>
    kernels().encoderForward(
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
          dropout && words
            ? {
                threshold: dropout.p * 4294967296,
                keepScale: dropoutScale(dropout.p),
                words: {
                  attention: words[0],
                  attentionOut: words[1],
                  hidden: words[2],
                  ffOut: words[3],
                },
              }
            : null,
      },
      out,
      needsGrad,
    );
  const tape =
    dropout && dropout.p > 0
      ? streams([dropout.attention, dropout.attentionOut, dropout.hidden, dropout.ffOut], (words) =>
          run(words),
        )
      : run(null);
  return record(out, x.shape, [x, ...tensors], (g) => {
    if (!tape) return;
    const grads = { x: new Float32Array(x.size) } as EncoderGradients;
    for (const name of names) grads[name] = new Float32Array(params[name].size);
    kernels().encoderBackward(tape, g, grads);
    addGrad(x, grads.x);
    for (const name of names) addGrad(params[name], grads[name]);
  });
}

/** Runs fn on the generators' words, each continued by the kernel (Random.stream). */
function streams<T>(rngs: Random[], fn: (words: Int32Array[]) => T, got: Int32Array[] = []): T {
  if (got.length === rngs.length) return fn(got);
  return rngs[got.length].stream((words) => streams(rngs, fn, [...got, words]));
}

/** t's gradient += g; a first gradient is taken as it is. */
function addGrad(t: Tensor, g: Float32Array): void {
  if (!t.requiresGrad) return;
  if (t.grad === null) t.grad = g;
  else t.accumulateGrad(g);
}
