import { affineFamily } from "./affine.js";
import type { Family } from "./family.js";
import { loopFamily } from "./loop.js";
import { piecewiseFamily } from "./piecewise.js";

export { AFFINE_CONSTANTS, affine } from "./affine.js";
export type { Family, SourceFunction } from "./family.js";

export const FAMILY_NAMES = ["affine", "piecewise", "loop"] as const;
export type FamilyName = (typeof FAMILY_NAMES)[number];

export const FAMILIES: Record<FamilyName, Family> = {
  affine: affineFamily,
  piecewise: piecewiseFamily,
  loop: loopFamily,
};
