/** `tracecode report`: a sweep directory → REPORT.md, index.html, figures, claims.json. */
import { join } from "node:path";
import type { Command } from "commander";
import { type Verdict, writeReport } from "../report/index.js";
import { checkOutput } from "./output.js";
import { count, term } from "./terminal.js";

const VERDICTS: readonly Verdict[] = ["holds", "partly", "does not hold", "not measured"];
/** A verdict after a count other than 1: "2 hold", "3 do not hold". */
const PLURAL: Partial<Record<Verdict, string>> = { holds: "hold", "does not hold": "do not hold" };

export async function runReportCommand(sweepDir: string, flags: { out: string }): Promise<void> {
  checkOutput("--out", flags.out, "dir");
  const t0 = performance.now();
  const r = await writeReport(sweepDir, flags.out);
  const verdicts = VERDICTS.map((v) => [v, r.claims.filter((c) => c.verdict === v).length] as const)
    .filter(([, n]) => n > 0)
    .map(([v, n]) => `${n} ${n === 1 ? v : (PLURAL[v] ?? v)}`)
    .join(", ");
  const seconds = ((performance.now() - t0) / 1000).toFixed(1);
  process.stdout.write(
    `report: ${count(r.figures.length, "figure")}, ${count(r.claims.length, "claim")} (${verdicts})` +
      `${r.missing > 0 ? `, ${count(r.missing, "run")} missing` : ""} in ${seconds} s` +
      term` → ${join(flags.out, "REPORT.md")}\n`,
  );
}

export function registerReport(program: Command): void {
  program
    .command("report")
    .description(
      "write the reproduction report of a sweep: REPORT.md, index.html, figures/*.svg + *.png " +
        "(one per paper figure) and claims.json (each claim's measured figures and verdict)",
    )
    .argument("<sweep-dir>", "directory written by tracecode sweep")
    .requiredOption("--out <dir>", "report directory to write")
    .action(runReportCommand);
}
