/** `tracecode search`: a snippet in, the nearest indexed functions and how they behave out. */
import { readFileSync } from "node:fs";
import { type Command, InvalidArgumentError } from "commander";
import { ARG_TYPES, type ArgType } from "../data/index.js";
import { type Behaviour, type SearchResult, searchIndex } from "../search/index.js";
import { UsageError } from "./errors.js";
import { displayPath } from "./index-cmd.js";
import { applySandboxFlags, intOption, unsafeOption } from "./options.js";
import { escapeControl, term } from "./terminal.js";

interface SearchFlags {
  code?: string;
  file?: string;
  entry?: string;
  k: number;
  args?: ArgType[];
  exact: boolean;
  run: boolean;
  json: boolean;
  unsafeNoIsolation: boolean;
}

function argsOption(text: string): ArgType[] {
  const parts = text.split(",").map((s) => s.trim());
  for (const p of parts) {
    if (!(ARG_TYPES as readonly string[]).includes(p))
      throw new InvalidArgumentError(
        `--args: unknown type "${p}" (types: ${ARG_TYPES.join(", ")})`,
      );
  }
  return parts as ArgType[];
}

function behaviourText(b: Behaviour): string {
  if (b.kind === "not-compared") return b.reason;
  const head = `equal on ${b.equal}/${b.shared} inputs`;
  if (!b.firstDifference) return head;
  const d = b.firstDifference;
  return `${head}; first difference at (${d.input.join(", ")}): ${d.query} vs ${d.hit}`;
}

const RANKING = {
  ann: "embeddings, approximate (HNSW)",
  exact: "embeddings, exact scan",
  lexical: "lexical similarity (character n-gram TF-IDF)",
};

function table(r: SearchResult): string {
  const q = r.query;
  const signature = `${q.entry}(${q.args ? q.args.join(", ") : "?"})`;
  const ran = q.status === "ok" ? "ran on the index's inputs" : `not run (${q.reason ?? q.status})`;
  const lines = [
    term`query ${signature}: ${ran}; ` +
      `${r.indexed} functions indexed; ranked by ${RANKING[r.ranking]}${
        r.model ? term` (${r.model.kind} model)` : ""
      }`,
  ];
  if (r.note) lines.push(term`note: ${r.note}`);
  if (r.hits.length === 0) lines.push("no functions in the index");
  else {
    const rows = r.hits.map((h) =>
      [
        String(h.rank),
        h.similarity.toFixed(3),
        `${displayPath(h.file)}:${h.line}`,
        h.name,
        behaviourText(h.behaviour),
      ].map((cell) => escapeControl(cell)),
    );
    const header = ["#", "similarity", "location", "function", "behaviour"];
    const widths = header.map((t, i) => Math.max(t.length, ...rows.map((row) => row[i].length)));
    const fmt = (row: string[]) =>
      row
        .map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i])))
        .join("  ")
        .trimEnd();
    lines.push(fmt(header), ...rows.map(fmt));
  }
  if (r.sameBehaviour.length > 0) {
    lines.push(
      `also equal on every input: ${r.sameBehaviour
        .map((s) => term`${displayPath(s.file)}:${s.line} ${s.name}`)
        .join(", ")}`,
    );
  }
  return lines.join("\n");
}

export async function runSearch(dir: string, flags: SearchFlags): Promise<void> {
  if ((flags.code === undefined) === (flags.file === undefined))
    throw new UsageError("give the query as exactly one of --code SNIPPET or --file F.py");
  applySandboxFlags(flags);
  let code = flags.code ?? "";
  if (flags.file !== undefined) {
    try {
      code = readFileSync(flags.file, "utf8");
    } catch (e) {
      throw new Error(`cannot read ${flags.file}: ${(e as NodeJS.ErrnoException).code ?? e}`);
    }
  }
  const result = await searchIndex(dir, code, {
    entry: flags.entry,
    k: flags.k,
    args: flags.args,
    exact: flags.exact,
    noExecute: !flags.run,
  });
  process.stdout.write(`${flags.json ? JSON.stringify(result, null, 2) : table(result)}\n`);
}

export function registerSearch(program: Command): void {
  const command = program
    .command("search")
    .description(
      "find the indexed functions nearest to a Python snippet, and whether each behaves the same " +
        "(outputs on the index's inputs) when the snippet can run",
    )
    .argument("<index>", "index directory made by tracecode index")
    .option("--code <snippet>", "the query as Python source")
    .option("--file <file>", "the query as a .py file")
    .option("--entry <name>", "function of the query to search for (default: the last one)")
    .option("--k <n>", "results", intOption("--k", 1, 1000), 10)
    .option(
      "--args <types>",
      "argument types of the query, comma-separated (default: its type hints)",
      argsOption,
    )
    .option("--exact", "scan every embedding instead of the approximate graph", false)
    .option("--no-run", "do not run the query (no behaviour comparison)")
    .option("--json", "print the result as JSON", false);
  unsafeOption(command).action(runSearch);
}
