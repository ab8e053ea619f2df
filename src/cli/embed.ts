/** `tracecode embed`: a trained model + a functions file → one embedding per row. */
import type { Command } from "commander";
import {
  formatOf,
  readAllRows,
  readJsonlLenient,
  TraceRow,
  writeFileAtomic,
  writeJsonl,
} from "../data/index.js";
import { embedItems, encoderReady, loadEncoder } from "../models/index.js";
import { readFunctionsFile } from "./input.js";
import { checkFormatAgrees, choiceOption } from "./options.js";
import { checkNotInput, checkOutput } from "./output.js";
import { count, term } from "./terminal.js";

interface EmbedFlags {
  model: string;
  in: string;
  out: string;
  traces?: string;
  /** Unset: from --out's extension (`.npy`, else JSONL). */
  format?: "jsonl" | "npy";
}

/** A float32 little-endian .npy (format 1.0) holding a [rows, dim] matrix. */
export function npyBytes(rows: readonly Float32Array[], dim: number): Uint8Array {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows.length}, ${dim}), }`;
  const total = 10 + header.length + 1;
  header += " ".repeat((64 - (total % 64)) % 64);
  header += "\n";
  const out = new Uint8Array(10 + header.length + rows.length * dim * 4);
  out.set([0x93, ...Buffer.from("NUMPY"), 1, 0], 0);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(Buffer.from(header, "latin1"), 10);
  const body = new Float32Array(out.buffer, 10 + header.length, rows.length * dim);
  rows.forEach((r, i) => {
    body.set(r, i * dim);
  });
  return out;
}

export async function runEmbed(flags: EmbedFlags): Promise<void> {
  checkOutput("--out", flags.out, "file");
  checkFormatAgrees(flags.out, flags.format, ["jsonl", "npy"]);
  const format = flags.format ?? (/\.npy$/i.test(flags.out) ? "npy" : "jsonl");
  if (format === "npy") checkOutput("--out", `${flags.out}.ids.txt`, "file");
  const inputs = [
    ["--in", flags.in],
    ["--traces", flags.traces],
  ] as const;
  checkNotInput("--out", flags.out, inputs);
  if (format === "npy") checkNotInput("--out", `${flags.out}.ids.txt`, inputs);
  const encoder = loadEncoder(flags.model);
  await encoderReady(encoder);
  const { rows } = await readFunctionsFile(flags.in, "embed", "--in");
  let traces = new Map<string, TraceRow>();
  if (encoder.needsTrace) {
    if (!flags.traces) {
      throw new Error(
        `the ${encoder.spec.encoder} model in ${flags.model} reads traces: pass --traces FILE (from tracecode trace)`,
      );
    }
    const read =
      formatOf(flags.traces) === "parquet"
        ? await readAllRows(flags.traces, "traces")
        : readJsonlLenient(flags.traces, TraceRow);
    traces = new Map(read.rows.map((t) => [t.id, t]));
    // A row without a trace is embedded by its status alone ("not traced"): fine for a few,
    // but none at all means the traces of another file.
    const missing = rows.filter((r) => !traces.has(r.id));
    if (missing.length === rows.length)
      throw new Error(
        term`--traces ${flags.traces}: no trace for any row of --in ${flags.in} (traces are matched by id): trace this file with tracecode trace --in ${flags.in}`,
      );
    if (missing.length > 0)
      process.stderr.write(
        term`tracecode embed: warning: ${count(missing.length, "row")} of --in ${flags.in} ${missing.length === 1 ? "has" : "have"} no trace in --traces ${flags.traces} (${missing
          .slice(0, 3)
          .map((r) => r.id)
          .join(", ")}${missing.length > 3 ? ", …" : ""}): embedded as not traced\n`,
      );
  }
  const vectors = embedItems(
    encoder,
    rows.map((r) => ({ code: r.code, trace: traces.get(r.id) })),
  );
  if (format === "jsonl") {
    writeJsonl(
      flags.out,
      rows.map((r, i) => ({ id: r.id, embedding: Array.from(vectors[i]) })),
    );
  } else {
    writeFileAtomic(flags.out, npyBytes(vectors, encoder.spec.dim));
    writeFileAtomic(`${flags.out}.ids.txt`, `${rows.map((r) => r.id).join("\n")}\n`);
  }
  const missing = encoder.needsTrace ? rows.filter((r) => !traces.has(r.id)).length : 0;
  process.stdout.write(
    `embedded ${count(rows.length, "row")} (dim ${encoder.spec.dim}, ${encoder.spec.encoder})` +
      `${missing > 0 ? `, ${missing} without a trace` : ""}` +
      term` → ${flags.out}\n`,
  );
}

export function registerEmbed(program: Command): void {
  program
    .command("embed")
    .description("embed every row of a functions file with a trained model (jsonl or .npy)")
    .requiredOption("--model <dir>", "run or model directory (model.safetensors + model.json)")
    .requiredOption("--in <file>", "functions file (JSONL or Parquet rows with id and code)")
    .requiredOption("--out <file>", "embeddings file to write")
    .option(
      "--traces <file>",
      "traces file (JSONL or Parquet, from tracecode trace), for trace and joint models",
    )
    .option(
      "--format <f>",
      "jsonl ({id, embedding}) | npy (float32 [rows, dim] + FILE.ids.txt) (default: npy for an --out ending in .npy, else jsonl)",
      choiceOption("--format", ["jsonl", "npy"] as const),
    )
    .action(runEmbed);
}
