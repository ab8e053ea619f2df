/**
 * Training on real code in one call: leak check against the holdout files, preparation of the
 * training set (verified variants, behaviour classes by execution; reused when unchanged), the
 * usual `trainRun`, and a fingerprint of the training code saved with the model.
 *
 *   RUN_DIR/…                 what trainRun writes (config.json's `data` is the prepared dir)
 *   RUN_DIR/fingerprint.json  hashes and MinHash signatures of the training functions
 *   RUN_DIR/realcode.json     source file and SHA-256, holdout files, leak report, preparation report
 */
import { basename, isAbsolute, join, relative, resolve, sep } from "node:path";
import {
  DataError,
  FunctionRow,
  formatOf,
  readAllRows,
  readJsonl,
  writeFileAtomic,
} from "../data/index.js";
import {
  type CorpusManifest,
  checkLeaks,
  DEFAULT_PREPARE_OPTIONS,
  describeLeaks,
  type LeakReport,
  NEAR_DUPLICATE,
  type PrepareOptions,
  prepareRealCode,
  reusablePreparation,
  sha256File,
  writeFingerprint,
  writePreparedCorpus,
} from "../realcode/index.js";
import { RunConfig, type RunConfig as RunConfigT } from "./schemas.js";
import { type TrainOptions, trainRun } from "./train.js";

/** Encoders that read only code: what a model for search over unexecuted code must be. */
export const CODE_ONLY_ENCODERS = ["lstm", "transformer"] as const;

/**
 * Defaults for real code where the paper's (for 2-line synthetic functions) do not fit: whole
 * functions are hundreds of characters, so no 50-token truncation. Chosen on the validation
 * families of the shipped corpus (src/experiments/README.md, "Real code").
 */
export const REALCODE_DEFAULTS = {
  encoder: "transformer",
  maxLength: 128,
  pooling: "mean",
  epochs: 4,
} satisfies Partial<RunConfigT>;

export interface RealCodeOptions extends TrainOptions {
  /** Files of evaluation functions the training file must not overlap. */
  holdout: readonly string[];
  /** Train even when the leak check finds overlap (it is then reported through `log`). */
  allowLeak?: boolean;
  /** Where the prepared dataset goes; default RUN_DIR/data. */
  prepared?: string;
  prepare?: Partial<Omit<PrepareOptions, "seed">>;
  onPrepareProgress?: (done: number, total: number) => void;
}

export interface RealCodeResult {
  rows: Awaited<ReturnType<typeof trainRun>>;
  leaks: LeakReport[];
  corpus: CorpusManifest;
}

export class LeakError extends Error {
  constructor(
    message: string,
    readonly reports: LeakReport[],
  ) {
    super(message);
    this.name = "LeakError";
  }
}

/**
 * A path as realcode.json records it (it is committed with models/default): relative to the
 * working folder when inside it, else `…/` and its name; never an absolute local folder.
 */
export function recordedPath(path: string): string {
  const inside = relative(process.cwd(), resolve(path));
  if (inside === "") return ".";
  const outside = inside === ".." || inside.startsWith(`..${sep}`) || isAbsolute(inside);
  return outside ? `…/${basename(path)}` : inside;
}

/** A real-code corpus, JSONL or Parquet (by extension); the first invalid row is an error. */
export async function readFunctionsFile(path: string): Promise<FunctionRow[]> {
  if (formatOf(path) === "jsonl") return readJsonl(path, FunctionRow);
  const { rows, errors } = await readAllRows(path, "functions");
  if (errors.length > 0) throw new DataError(errors[0]);
  return rows;
}

/** The leak check of `train` against every holdout file; throws a LeakError on overlap unless allowed. */
export async function leakCheckFiles(
  trainFile: string,
  holdout: readonly string[],
  allowLeak: boolean,
  log: (line: string) => void = () => {},
): Promise<LeakReport[]> {
  const rows = await readFunctionsFile(trainFile);
  const reports: LeakReport[] = [];
  for (const h of holdout) reports.push(checkLeaks(rows, await readFunctionsFile(h)));
  const leaking = reports
    .map((r, i) => ({ r, file: holdout[i] }))
    .filter(({ r }) => r.matches.length > 0);
  if (leaking.length === 0) return reports;
  const text = leaking
    .map(({ r, file }) => `${trainFile} overlaps ${file}:\n${describeLeaks(r)}`)
    .join("\n");
  if (!allowLeak) {
    throw new LeakError(
      `${text}\nrefusing to train on evaluation code (remove those rows, or pass --allow-leak)`,
      reports,
    );
  }
  log(`warning: ${text}\ntraining anyway (--allow-leak)`);
  return reports;
}

export async function trainRealCode(
  file: string,
  config: Omit<RunConfigT, "data">,
  runDir: string,
  options: RealCodeOptions,
): Promise<RealCodeResult> {
  const log = options.log ?? (() => {});
  if (!(CODE_ONLY_ENCODERS as readonly string[]).includes(config.encoder)) {
    throw new Error(
      `real code trains code-only encoders (${CODE_ONLY_ENCODERS.join(", ")}), not ${config.encoder}: search must embed code without running it`,
    );
  }
  const leaks = await leakCheckFiles(file, options.holdout, options.allowLeak ?? false, log);
  const sources = await readFunctionsFile(file);
  const dataDir = options.prepared ?? join(runDir, "data");
  const prepareOptions = { ...DEFAULT_PREPARE_OPTIONS, ...options.prepare, seed: config.seed };
  const sha256 = sha256File(file);
  let corpus = reusablePreparation(dataDir, sha256, prepareOptions);
  if (corpus) log(`reusing the prepared data in ${dataDir}`);
  else {
    const prepared = await prepareRealCode(sources, {
      ...prepareOptions,
      onProgress: options.onPrepareProgress,
    });
    const manifest = { source: file, sha256, options: prepareOptions };
    writePreparedCorpus(dataDir, prepared, manifest);
    corpus = { ...manifest, report: prepared.report };
  }
  const r = corpus.report;
  log(
    `${r.functions} functions in ${r.families} families → ${r.classes} behaviour classes; ` +
      `variants kept ${r.variants.kept} of ${r.variants.tried} tried (${r.variants.unchanged} unchanged or repeated, ` +
      `${r.variants.droppedNotRunning + r.variants.droppedDifferentOutputs} failed verification); ` +
      `${r.rows.train} train and ${r.rows.val} val snippets`,
  );
  for (const n of r.notRun) log(`${n.id} does not run (${n.status}: ${n.error ?? ""}): left out`);
  for (const s of r.splitFamilies) {
    log(
      `family ${s.family} splits into ${s.classes.length} behaviour classes: ${s.classes.map((c) => c.join(" ")).join(" | ")}`,
    );
  }

  const rows = await trainRun(RunConfig.parse({ ...config, data: dataDir }), runDir, options);
  writeFingerprint(runDir, sources);
  writeFileAtomic(
    join(runDir, "realcode.json"),
    `${JSON.stringify(
      {
        source: recordedPath(file),
        sha256,
        holdout: options.holdout.map(recordedPath),
        nearDuplicateThreshold: NEAR_DUPLICATE,
        leaks: leaks.map((l, i) => ({
          holdout: recordedPath(options.holdout[i]),
          matches: l.matches,
          closest: l.closest,
        })),
        allowLeak: options.allowLeak ?? false,
        corpus: { ...corpus, source: recordedPath(corpus.source) },
      },
      null,
      2,
    )}\n`,
  );
  return { rows, leaks, corpus };
}
