export { Adam, type AdamOptions, clipGradNorm, zeroGrad } from "./adam.js";
