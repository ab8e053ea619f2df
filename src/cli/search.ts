/** `tracecode search`: a snippet in, the nearest indexed functions and how they behave out. */
import { readFileSync } from "node:fs";
import { type Command, InvalidArgumentError } from "commander";
import { type ArgType, fileErrorText, parseArgTypes } from "../data/index.js";
import { pythonText } from "../realcode/index.js";
import { type Behaviour, type SearchResult, searchIndex } from "../search/index.js";
import { UsageError } from "./errors.js";
import { displayPath } from "./index-cmd.js";
import { applySandboxFlags, intOption, unsafeOption } from "./options.js";
import { count, escapeControl, term } from "./terminal.js";

interface SearchFlags {
  code?: string;
  file?: string;
  entry?: string;
  k: number;
  args?: ArgType[];
  exact: boolean;
  run: boolean;
  json: boolean;
  maxExact?: number;
  unsafeNoIsolation: boolean;
}

function argsOption(text: string): ArgType[] {
  try {
    return parseArgTypes(text);
  } catch (e) {
    throw new InvalidArgumentError(
      `--args: ${(e as Error).message}; composites such as list[int], dict[str,int] or tuple[int,str] as in the README`,
    );
  }
}

function behaviourText(b: Behaviour): string {
  if (b.kind === "not-compared") return b.reason;
  const head = `equal on ${b.equal}/${b.shared} inputs`;
  if (!b.firstDifference) return head;
  const d = b.firstDifference;
  return `${head}; first difference at (${d.input.join(", ")}): query ${d.query}, hit ${d.hit}`;
}

const RANKING = {
  ann: "embeddings, approximate (HNSW)",
  exact: "embeddings, exact scan",
  lexical: "lexical similarity (character n-gram TF-IDF)",
};

const GROUP_TITLE = {
  same: "same behaviour as the query",
  partial: "equal on some inputs",
  similar: "similar code",
};

function table(r: SearchResult): string {
  const q = r.query;
  const signature = `${q.entry}(${q.args ? q.args.join(", ") : "?"})`;
  const ran =
    q.status === "ok"
      ? "ran on the index's inputs"
      : q.status === "always_raises"
        ? `ran on the index's inputs and ${q.reason ?? "raised on every one"}`
        : `not run (${q.reason ?? q.status})`;
  const lines = [
    term`query ${signature}: ${ran}; ` +
      `${count(r.indexed, "function")} indexed; ranked by ${RANKING[r.ranking]}${
        r.model ? term` (${r.model.kind} model)` : ""
      }`,
  ];
  if (q.signature) lines.push(term`query signature: ${q.signature}`);
  if (r.note) lines.push(term`note: ${r.note}`);
  if (r.noEquivalent) lines.push(term`${r.noEquivalent}`);
  else if (q.status === "ok")
    lines.push(
      r.exactCount > 0
        ? `${r.exactCount} indexed function${r.exactCount === 1 ? " has" : "s have"} exactly the query's behaviour${
            r.sameBehaviour.length > 0 ? ` (${r.exactCount - r.sameBehaviour.length} shown)` : ""
          }`
        : term`${r.noExact ?? "no indexed function has the query's behaviour"}`,
    );
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
    lines.push(fmt(header));
    let group: string | undefined;
    r.hits.forEach((h, i) => {
      if (q.status === "ok" && h.group !== group) {
        group = h.group;
        lines.push(`— ${GROUP_TITLE[h.group]}`);
      }
      lines.push(fmt(rows[i]));
      if (h.signature) lines.push(term`     signature: ${h.signature}`);
    });
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
      code = pythonText(readFileSync(flags.file));
    } catch (e) {
      throw new Error(term`--file ${flags.file}: ${fileErrorText(e)}`);
    }
  }
  const result = await searchIndex(dir, code, {
    entry: flags.entry,
    k: flags.k,
    args: flags.args,
    exact: flags.exact,
    noExecute: !flags.run,
    maxExact: flags.maxExact,
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
    .option(
      "--entry <name>",
      "function of the query to search for, or a method as Class.method (default: the last top-level function)",
    )
    .option("--k <n>", "results", intOption("--k", 1, 1000), 10)
    .option(
      "--args <types>",
      "argument types of the query, comma-separated (default: its type hints, else inferred from its code as indexing does)",
      argsOption,
    )
    .option(
      "--max-exact <n>",
      "list at most N functions of the query's exact behaviour (default: all)",
      intOption("--max-exact", 0, 1_000_000),
    )
    .option("--exact", "scan every embedding instead of the approximate graph", false)
    .option("--no-run", "do not run the query (no behaviour comparison)")
    .option("--json", "print the result as JSON", false);
  unsafeOption(command).action(runSearch);
}
