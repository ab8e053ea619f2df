/**
 * A stdlib corpus on disk: a dataset directory `train` reads (`functions.jsonl`,
 * `traces.jsonl`) and `corpus.json` last (the zip's SHA-256, the options with the SHA-256 of
 * the other sources' files, the report), so a build from the same bytes with the same options
 * is reused rather than run again.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic, writeJsonl } from "../../data/index.js";
import { CORPUS_FILE } from "../corpus.js";
import type { StdlibCorpus, StdlibCorpusOptions, StdlibCorpusReport } from "./build.js";
import type { Stdlib } from "./zip.js";

export interface StdlibManifest {
  kind: "stdlib";
  /** `python_stdlib.zip` of the Pyodide package, and the SHA-256 of its bytes. */
  source: string;
  sha256: string;
  options: Omit<StdlibCorpusOptions, "pool" | "onProgress" | "holdout" | "extra" | "debian"> & {
    /** Evaluation files the leak check ran against, with the SHA-256 of their bytes. */
    holdout: { file: string; sha256: string }[];
    /** Functions files added, with the SHA-256 of their bytes. */
    extra: { file: string; sha256: string }[];
    /**
     * Debian's packages added: the folder, how its units were chosen, and the SHA-256 of the
     * files used (paths and bytes), so a rebuild after a package changed is not reused.
     */
    debian?: { source: string; only?: string[]; maxUnits?: number; sha256: string };
  };
  report: StdlibCorpusReport;
}

export const stdlibSha256 = (stdlib: Stdlib) =>
  createHash("sha256").update(stdlib.bytes).digest("hex");

export function writeStdlibCorpus(
  dir: string,
  corpus: StdlibCorpus,
  manifest: Omit<StdlibManifest, "report" | "kind">,
): void {
  mkdirSync(dir, { recursive: true });
  writeJsonl(join(dir, "functions.jsonl"), corpus.functions);
  writeJsonl(join(dir, "traces.jsonl"), corpus.traces);
  // Written last: its presence means the dataset beside it is complete.
  writeFileAtomic(
    join(dir, CORPUS_FILE),
    `${JSON.stringify({ kind: "stdlib", ...manifest, report: corpus.report }, null, 2)}\n`,
  );
}

/** The manifest of a stdlib corpus in `dir`, or null when there is none. */
export function readStdlibManifest(dir: string): StdlibManifest | null {
  const path = join(dir, CORPUS_FILE);
  if (!existsSync(path)) return null;
  const saved = JSON.parse(readFileSync(path, "utf8")) as Partial<StdlibManifest>;
  return saved.kind === "stdlib" ? (saved as StdlibManifest) : null;
}

/** The manifest of `dir` when it was built from the same zip with the same options. */
export function reusableStdlibCorpus(
  dir: string,
  sha256: string,
  options: StdlibManifest["options"],
): StdlibManifest | null {
  const saved = readStdlibManifest(dir);
  const same =
    saved?.sha256 === sha256 && JSON.stringify(saved.options) === JSON.stringify(options);
  return same ? saved : null;
}
