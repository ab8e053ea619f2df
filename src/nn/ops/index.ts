export { broadcastShape } from "./broadcast.js";
export * from "./elementwise.js";
export { matmul } from "./matmul.js";
export { mean, sum } from "./reduce.js";
export { concat, gather, reshape, transpose } from "./shape.js";
