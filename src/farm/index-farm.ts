/**
 * `tracecode index … --redis URL`: the index's execution on the farm. The executor plans every
 * batch's functions into index chunks (files whole), runs them through the same coordinator as
 * `trace --redis` (content-hash ids, retries, narrowing, dead letters, progress), then hands
 * the results back batch by batch, in the order the index writes them. A function whose file
 * was given up on gets status `limit` with the reason.
 */
import type { Executor } from "../search/index.js";
import { DEFAULT_INDEX_CHUNK } from "./chunks.js";
import {
  deadRow,
  type FarmRunOptions,
  type FarmSummary,
  resultsInOrder,
  runOnFarm,
  storedResult,
} from "./coordinator.js";
import { decodeIndexResult, planIndexChunks } from "./index-chunks.js";

export interface FarmIndexOptions extends Omit<FarmRunOptions, "jobName"> {
  chunkRows?: number;
  /** Leave the results in Redis after the index is written (default: they are deleted). */
  keep?: boolean;
  /** Called once every chunk is finished or given up, before the index is written. */
  onFarmDone?: (summary: FarmSummary) => void;
}

export function farmExecutor(options: FarmIndexOptions): Executor {
  return async function* (batches, settings) {
    const items = batches.flat();
    if (items.length === 0) {
      for (const _ of batches) yield [];
      return;
    }
    const plan = planIndexChunks(items, settings, options.chunkRows ?? DEFAULT_INDEX_CHUNK);
    const run = await runOnFarm(plan, items.length, { ...options, jobName: "index" });
    try {
      options.onFarmDone?.(run.summary);
      const results = resultsInOrder(run, items.length, async (chunk, letter) =>
        letter
          ? chunk.data.rows.map((r) => ({ trace: deadRow(r.id, "io", letter.reason) }))
          : decodeIndexResult(chunk, await storedResult(run.redis, chunk.id)),
      );
      for (const batch of batches) {
        const out = [];
        for (let k = 0; k < batch.length; k++) {
          const next = await results.next();
          if (next.done) throw new Error("the farm's results ended before the index's functions");
          out.push(next.value);
        }
        yield out;
      }
      if (!options.keep) await run.deleteResults();
    } finally {
      await run.close();
    }
  };
}
