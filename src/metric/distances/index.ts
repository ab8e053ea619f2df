export { CosineSimilarity } from "./cosine-similarity.js";
export { type Distance, dissimilarity } from "./distance.js";
export { LpDistance, type LpDistanceOptions, lpPaired, lpPairwise } from "./lp-distance.js";
export { DISTANCE_NAMES, type DistanceName, distanceNamed } from "./named.js";
