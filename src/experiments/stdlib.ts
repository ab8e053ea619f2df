/**
 * Training on a stdlib corpus (`tracecode corpus`, src/realcode/corpus): the corpus's train
 * functions are checked against the holdout files, `trainRun` trains on the directory, and the
 * model gets the fingerprint of its training code and a `realcode.json` naming the corpus.
 */
import { join } from "node:path";
import { FunctionRow, readJsonl, writeFileAtomic } from "../data/index.js";
import { readStdlibManifest, type StdlibManifest } from "../realcode/corpus/index.js";
import { checkLeaks, describeLeaks, NEAR_DUPLICATE, writeFingerprint } from "../realcode/index.js";
import { LeakError, type RealCodeOptions, recordedPath } from "./realcode.js";
import { RunConfig, type RunConfig as RunConfigT } from "./schemas.js";
import { trainRun } from "./train.js";

export async function trainStdlibCorpus(
  dir: string,
  config: Omit<RunConfigT, "data">,
  runDir: string,
  options: Omit<RealCodeOptions, "prepared" | "prepare" | "onPrepareProgress">,
): Promise<{ rows: Awaited<ReturnType<typeof trainRun>>; corpus: StdlibManifest }> {
  const log = options.log ?? (() => {});
  const corpus = readStdlibManifest(dir);
  if (!corpus) throw new Error(`${dir} is not a stdlib corpus (no corpus.json of kind stdlib)`);
  const sources = readJsonl(join(dir, "functions.jsonl"), FunctionRow).filter(
    (r) =>
      r.transforms.length === 0 &&
      r.split === "train" &&
      (config.families === undefined || (r.family ?? "").startsWith(config.families)),
  );
  // The corpus removed near-duplicates of the holdout it was built with; others are checked here.
  const leaks = options.holdout.map((h) => checkLeaks(sources, readJsonl(h, FunctionRow)));
  const leaking = leaks.flatMap((l, i) =>
    l.matches.length > 0 ? [`${dir} overlaps ${options.holdout[i]}:\n${describeLeaks(l)}`] : [],
  );
  if (leaking.length > 0 && !options.allowLeak)
    throw new LeakError(
      `${leaking.join("\n")}\nrebuild the corpus with --holdout, or pass --allow-leak`,
      leaks,
    );
  if (leaking.length > 0) log(`warning: ${leaking.join("\n")}\ntraining anyway (--allow-leak)`);
  const r = corpus.report;
  log(
    `corpus: ${r.rows.train} train and ${r.rows.val} val snippets from ${r.modules.train.length} + ${r.modules.val.length} modules; ` +
      `${r.classes} classes, ${r.sharedClasses} shared by several functions`,
  );
  const rows = await trainRun(RunConfig.parse({ ...config, data: dir }), runDir, options);
  writeFingerprint(runDir, sources);
  writeFileAtomic(
    join(runDir, "realcode.json"),
    `${JSON.stringify(
      {
        source: recordedPath(dir),
        kind: "stdlib",
        sha256: corpus.sha256,
        holdout: options.holdout.map(recordedPath),
        nearDuplicateThreshold: NEAR_DUPLICATE,
        leaks: leaks.map((l, i) => ({
          holdout: recordedPath(options.holdout[i]),
          matches: l.matches,
          closest: l.closest,
        })),
        allowLeak: options.allowLeak ?? false,
        corpus,
      },
      null,
      2,
    )}\n`,
  );
  return { rows, corpus };
}
