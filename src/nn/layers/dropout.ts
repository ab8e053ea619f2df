/** `nn.Dropout`: inverted dropout in training mode, the identity in evaluation mode. */
import { Random } from "../../random/index.js";
import { Module } from "../module.js";
import { dropout } from "../ops/dropout.js";
import type { Tensor } from "../tensor.js";

export class Dropout extends Module {
  readonly p: number;
  /** Source of the masks; pass one forked from the run's seed for reproducible training. */
  readonly rng: Random;

  constructor(p = 0.5, rng: Random = new Random(0)) {
    super();
    if (!(p >= 0 && p <= 1)) throw new RangeError(`dropout probability ${p} is not in [0, 1]`);
    this.p = p;
    this.rng = this.random("rng", rng);
  }

  forward(x: Tensor): Tensor {
    return this.training ? dropout(x, this.p, this.rng) : x;
  }
}
