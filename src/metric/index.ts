/**
 * `metric`: distances, losses, miners and retrieval metrics as separate, swappable objects, in
 * the shape of pytorch-metric-learning. A loss takes any distance; a miner feeds any loss.
 */
export * from "./distances/index.js";
export * from "./losses/index.js";
export type { Matrix } from "./matrix.js";
export * from "./metrics/index.js";
export * from "./miners/index.js";
