/** `tracecode report`: a sweep directory → REPORT.md, index.html, figures, claims.json. */
import { join } from "node:path";
import type { Command } from "commander";
import { writeReport } from "../report/index.js";

export async function runReportCommand(sweepDir: string, flags: { out: string }): Promise<void> {
  const t0 = performance.now();
  const r = await writeReport(sweepDir, flags.out);
  const counts = new Map<string, number>();
  for (const c of r.claims) counts.set(c.verdict, (counts.get(c.verdict) ?? 0) + 1);
  const verdicts = [...counts].map(([v, n]) => `${n} ${v}`).join(", ");
  const seconds = ((performance.now() - t0) / 1000).toFixed(1);
  process.stdout.write(
    `report: ${r.figures.length} figures, ${r.claims.length} claims (${verdicts})` +
      `${r.missing > 0 ? `, ${r.missing} runs missing` : ""} in ${seconds} s → ${join(flags.out, "REPORT.md")}\n`,
  );
}

export function registerReport(program: Command): void {
  program
    .command("report")
    .description(
      "write the reproduction report of a sweep: REPORT.md, index.html, figures/*.svg + *.png\n" +
        "(one per paper figure) and claims.json (each claim's measured figures and verdict)",
    )
    .argument("<sweep-dir>", "directory written by tracecode sweep")
    .requiredOption("--out <dir>", "report directory to write")
    .action(runReportCommand);
}
