/**
 * Argument types for families-file rows that give none. The schema's default (`["int"]`) suits
 * the generator's rows; a user's own functions are inferred from their code instead, as
 * `tracecode search` infers a query's: hints, doctests and how each parameter is used, and when
 * that leaves a choice, up to three candidate signatures run on a few inputs, the one whose
 * calls return most often kept. Only plain functions called as they are.
 */
import { type ArgType, FunctionRow } from "../../data/index.js";
import { type TracerPool, traceFunctions } from "../../python/index.js";
import {
  describeSignature,
  REAL_INT_RANGE,
  type SignatureCandidate,
} from "../../realcode/index.js";
import { successShare } from "../build.js";
import { queryFunction, SearchError } from "../query.js";

export type InferredArgs =
  | { id: string; args: ArgType[]; signature: string; probed: boolean }
  | { id: string; problem: string };

/** Inputs per candidate when several signatures are possible (as the index probes). */
const PROBE_INPUTS = 8;

/** Each row's most likely argument types from its code, or why there are none; in row order. */
export async function inferRowArgs(
  rows: readonly FunctionRow[],
  options: { pool?: TracerPool } = {},
): Promise<InferredArgs[]> {
  const choices: (SignatureCandidate[] | string)[] = [];
  for (const row of rows) {
    try {
      const { inference, problem } = await queryFunction(row.module ?? row.code, {
        entry: row.entry,
      });
      if (inference.candidates.length === 0)
        choices.push(problem ?? "no signature could be inferred");
      else if (inference.wrapper || inference.entry !== row.entry)
        choices.push(`${row.entry} is not a plain function: give its "args"`);
      else
        choices.push(
          inference.certain
            ? inference.candidates.slice(0, 1)
            : inference.candidates.filter((c) => !c.wrapper).slice(0, 3),
        );
    } catch (e) {
      if (!(e instanceof SearchError)) throw e;
      choices.push(e.message.replace(/the query/g, "the code"));
    }
  }
  // Rows with a choice run every candidate on a few inputs, all in one batch.
  const probes: { row: number; k: number }[] = [];
  choices.forEach((c, row) => {
    if (typeof c !== "string" && c.length > 1)
      for (let k = 0; k < c.length; k++) probes.push({ row, k });
  });
  const traced =
    probes.length > 0
      ? await traceFunctions(
          probes.map(({ row, k }) =>
            FunctionRow.parse({
              ...rows[row],
              id: `${rows[row].id}#${k}`,
              args: (choices[row] as SignatureCandidate[])[k].args,
            }),
          ),
          { inputs: PROBE_INPUTS, seed: 0, range: REAL_INT_RANGE, level: "io", pool: options.pool },
        )
      : [];
  // Per row, the most likely candidate unless another returns more often (probes are in order).
  const best = new Map<number, { k: number; share: number }>();
  probes.forEach(({ row, k }, i) => {
    const share = successShare(traced[i]);
    const b = best.get(row);
    if (!b || share > Math.max(b.share, 0)) best.set(row, { k, share });
  });
  return rows.map((row, i) => {
    const c = choices[i];
    if (typeof c === "string") return { id: row.id, problem: c };
    const chosen = c[best.get(i)?.k ?? 0];
    return {
      id: row.id,
      args: chosen.args,
      signature: describeSignature(chosen),
      probed: c.length > 1,
    };
  });
}
