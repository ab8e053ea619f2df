/**
 * The second kind of chunk: a part of `tracecode index`'s execution. Its rows are the functions
 * of whole files (the index's unit of trust; with `--isolation row` each function alone), each
 * with everything its execution needs (`ExecItem`); a worker runs them through `executeItems`,
 * the very code a local index runs, and stores one `ExecResult` per row.
 */
import { gunzipSync } from "node:zlib";
import { z } from "zod";
import { ArgType } from "../data/index.js";
import { buildId, type ExecItem, type ExecResult, type ExecSettings } from "../search/index.js";
import { type Chunk, chunkId, packUnits, traceRowProblem, unitNames } from "./chunks.js";

const IntRange = z
  .object({ min: z.number().int(), max: z.number().int(), edges: z.boolean().optional() })
  .strict();

const IndexSettings = z
  .object({
    seed: z.number().int().min(0),
    maxSteps: z.number().int().min(1).optional(),
    timeoutMs: z.number().int().min(1).optional(),
    isolation: z.enum(["file", "row"]),
  })
  .strict();

const IndexItem = z
  .object({
    file: z.string().min(1),
    line: z.number().int().min(0),
    name: z.string().min(1),
    kind: z.enum(["function", "method", "staticmethod", "classmethod", "property"]).optional(),
    code: z.string(),
    definition: z.object({ line: z.number().int(), text: z.string() }).strict().optional(),
    /** The package folder the file is in (its modules importable): see src/realcode. */
    package: z
      .object({ path: z.string(), files: z.record(z.string(), z.string()) })
      .strict()
      .optional(),
    args: z.array(ArgType),
    inference: z
      .object({
        entry: z.string().min(1),
        wrapper: z.string().optional(),
        certain: z.boolean(),
        alternatives: z.array(z.array(ArgType)),
        wrappers: z.array(z.string().nullable()).optional(),
      })
      .strict()
      .optional(),
    inputs: z.number().int().min(1),
    range: IntRange,
    maxSteps: z.number().int().min(1).optional(),
  })
  .strict();

export const IndexChunkData = z
  .object({
    kind: z.literal("index"),
    build: z.string(),
    settings: IndexSettings,
    /** The modules (whole files) the rows run in, each once: a file's functions share it. */
    modules: z.array(z.string()),
    rows: z
      .array(
        z
          .object({
            id: z.string().min(1),
            unit: z.string(),
            /** Index into `modules`, when the function runs inside its module. */
            module: z.number().int().min(0).optional(),
            item: IndexItem,
          })
          .strict(),
      )
      .min(1),
  })
  .strict()
  .superRefine((d, ctx) => {
    if (d.rows.some((r) => r.module !== undefined && r.module >= d.modules.length)) {
      ctx.addIssue({ code: "custom", message: "a row names a module the chunk does not hold" });
    }
  });
export type IndexChunkData = z.infer<typeof IndexChunkData>;

/** The name a function goes by in a chunk and in the dead letters: `file:line name`. */
export const itemId = (item: ExecItem) => `${item.file}:${item.line} ${item.name}`;

/**
 * Cuts the items into chunks of about `chunkRows` functions, files whole (each function alone
 * with `--isolation row`).
 */
export function planIndexChunks(
  items: readonly ExecItem[],
  settings: ExecSettings,
  chunkRows: number,
  build = buildId(),
): Chunk<IndexChunkData>[] {
  const unitOf = (i: number) =>
    settings.isolation === "row" ? `row:${i}` : `file:${items[i].file}`;
  return packUnits(items.length, unitOf, chunkRows).map(({ index, units }) => {
    const names = unitNames((k) => unitOf(index[k]), index.length);
    const modules: string[] = [];
    const moduleIndex = new Map<string, number>();
    const rows = index.map((i, k) => {
      const { module, ...item } = items[i];
      let m: number | undefined;
      if (module !== undefined) {
        m = moduleIndex.get(module);
        if (m === undefined) {
          m = modules.push(module) - 1;
          moduleIndex.set(module, m);
        }
      }
      return {
        id: itemId(items[i]),
        unit: names[k],
        ...(m !== undefined ? { module: m } : {}),
        item,
      };
    });
    const data: IndexChunkData = { kind: "index", build, settings, modules, rows };
    return { id: chunkId(data), data, index, units };
  });
}

/** The items of a chunk, their modules in place. */
export function itemsOf(data: IndexChunkData): ExecItem[] {
  return data.rows.map((r) =>
    r.module !== undefined ? { ...r.item, module: data.modules[r.module] } : { ...r.item },
  );
}

const Tried = z
  .object({ args: z.array(z.string()), share: z.number(), inputs: z.number().int() })
  .strict();
const Doctest = z
  .object({
    examples: z.number().int().min(0),
    agree: z.number().int().min(0),
    mismatches: z.array(
      z.object({ call: z.string(), expected: z.string(), got: z.string() }).strict(),
    ),
  })
  .strict();
const ResultRest = z
  .object({
    trace: z.unknown(),
    chosen: z.number().int().min(1).optional(),
    tried: z.array(Tried).optional(),
    doctest: Doctest.optional(),
  })
  .strict();

/**
 * Decodes a stored index result and checks it against the chunk: one well-formed result per row,
 * its trace a valid trace row, a chosen signature among the row's alternatives. Throws naming
 * the chunk, the row and the problem.
 */
export function decodeIndexResult(chunk: Chunk<IndexChunkData>, stored: Buffer): ExecResult[] {
  let text: string;
  try {
    text = gunzipSync(stored).toString("utf8");
  } catch (e) {
    throw new Error(`result of chunk ${chunk.id} is not gzip data (${(e as Error).message})`);
  }
  const lines = text.split("\n");
  const rows = chunk.data.rows;
  if (lines.length !== rows.length) {
    throw new Error(`result of chunk ${chunk.id} has ${lines.length} rows for ${rows.length}`);
  }
  return lines.map((line, k) => {
    const where = `result of chunk ${chunk.id}, row ${k + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new Error(`${where}: not JSON`);
    }
    const parsed = ResultRest.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`${where}: ${issue.message} at ${issue.path.join(".") || "the row"}`);
    }
    const problem = traceRowProblem(parsed.data.trace);
    if (problem) throw new Error(`${where}: trace: ${problem}`);
    const chosen = parsed.data.chosen;
    const alternatives = rows[k].item.inference?.alternatives.length ?? 0;
    if (chosen !== undefined && chosen >= alternatives) {
      throw new Error(`${where}: chose signature ${chosen} of ${alternatives}`);
    }
    return value as ExecResult;
  });
}
