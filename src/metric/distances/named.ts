/** The distances a model or a run names in its configuration, declared once. */
import { CosineSimilarity } from "./cosine-similarity.js";
import type { Distance } from "./distance.js";
import { LpDistance } from "./lp-distance.js";

export const DISTANCE_NAMES = ["euclidean", "cosine"] as const;
export type DistanceName = (typeof DISTANCE_NAMES)[number];

/** The distance object for a configured name: Euclidean (L2) or cosine similarity. */
export function distanceNamed(name: DistanceName): Distance {
  return name === "cosine" ? new CosineSimilarity() : new LpDistance();
}
