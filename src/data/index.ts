export {
  CorpusFunctionRow,
  formatOf,
  IndexFunctionRow,
  openRowWriter,
  ROW_FORMATS,
  type RowBatch,
  type RowFormat,
  type RowKind,
  type RowWriter,
  readAllRows,
  readRows,
  writeRows,
} from "./columnar.js";
export { type Dataset, datasetDigest, loadDataset, openDataset } from "./dataset.js";
export { fileErrorText } from "./files.js";
export { DataError, readJsonl, readJsonlLenient, writeFileAtomic, writeJsonl } from "./jsonl.js";
export * from "./schemas.js";
export { escapeControl } from "./text.js";
