/** The bag-of-features encoder's parts: its feature extractor and its body (README.md). */
export { type AnchorSettings, BagBody, type BagSettings } from "./body.js";
export {
  ANCHOR_GROUP_WEIGHTS,
  anchorBagOf,
  type Bag,
  bagOf,
  charGrams,
  FEATURE_GROUPS,
  type FeatureGroup,
  featureGrams,
  featureRow,
  fitIdf,
  nodeTypes,
  type RawFeatures,
  rawFeatures,
  typeGrams,
} from "./features.js";
