export {
  InfoNCELoss,
  type InfoNceForm,
  type InfoNceLossOptions,
  infoNceFromMatrix,
} from "./info-nce-loss.js";
export type { Reduction } from "./reduction.js";
export {
  RelationalDistillationLoss,
  type RelationalDistillationLossOptions,
} from "./relational-distillation-loss.js";
export { TripletMarginLoss, type TripletMarginLossOptions } from "./triplet-margin-loss.js";
