/** Held-out splits by whole source function: a group never straddles train and val. */

import type { Split } from "../data/index.js";
import type { Random } from "../random/index.js";

/** Assigns `round(fraction · n)` of the source ids to `val`, chosen by `rng`; the rest to `train`. */
export function splitGroups(
  sourceIds: readonly string[],
  fraction: number,
  rng: Random,
): Map<string, Split> {
  if (!(fraction >= 0 && fraction <= 1))
    throw new RangeError(`val fraction must be in [0, 1], got ${fraction}`);
  const val = new Set(rng.sample(sourceIds, Math.round(fraction * sourceIds.length)));
  return new Map(sourceIds.map((id) => [id, val.has(id) ? "val" : "train"]));
}
