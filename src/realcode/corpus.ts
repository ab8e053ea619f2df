/**
 * A prepared real-code training set on disk: a dataset directory (`functions.jsonl`,
 * `traces.jsonl`, what `train` reads) plus `corpus.json`, saying what it was made from (the
 * source file's SHA-256 and the options) and the preparation report. A directory made from the
 * same file with the same options is reused rather than run again.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic, writeJsonl } from "../data/index.js";
import type { PreparedCorpus, PrepareOptions, PrepareReport } from "./prepare.js";

export const CORPUS_FILE = "corpus.json";

export interface CorpusManifest {
  /** The source file as given, and the SHA-256 of its bytes. */
  source: string;
  sha256: string;
  options: Omit<PrepareOptions, "pool" | "onProgress">;
  report: PrepareReport;
}

export function sha256File(path: string): string {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

export function writePreparedCorpus(
  dir: string,
  prepared: PreparedCorpus,
  manifest: Omit<CorpusManifest, "report">,
): void {
  mkdirSync(dir, { recursive: true });
  writeJsonl(join(dir, "functions.jsonl"), prepared.functions);
  writeJsonl(join(dir, "traces.jsonl"), prepared.traces);
  // Written last: its presence means the dataset beside it is complete.
  writeFileAtomic(
    join(dir, CORPUS_FILE),
    `${JSON.stringify({ ...manifest, report: prepared.report }, null, 2)}\n`,
  );
}

/** The manifest of `dir` when it was prepared from the same bytes with the same options. */
export function reusablePreparation(
  dir: string,
  sha256: string,
  options: CorpusManifest["options"],
): CorpusManifest | null {
  const path = join(dir, CORPUS_FILE);
  if (!existsSync(path)) return null;
  const saved = JSON.parse(readFileSync(path, "utf8")) as CorpusManifest;
  const same = saved.sha256 === sha256 && JSON.stringify(saved.options) === JSON.stringify(options);
  return same ? saved : null;
}
