import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Resvg } from "@resvg/resvg-js";
import { afterAll, describe, expect, it } from "vitest";
import { EIGHTY, FAST, SPIKY, writeSweepDir } from "../../test/helpers/report.js";
import { renderPng } from "./figures.js";
import { ClaimsFile } from "./schema.js";
import { THRESHOLDS } from "./thresholds.js";
import { writeReport } from "./write.js";

const dir = mkdtempSync(join(tmpdir(), "tracecode-report-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** A two-preset sweep with one unfinished run, over a two-row dataset. */
function tinySweep(): string {
  const sweep = join(dir, "sweep");
  const data = join(dir, "data");
  writeSweepDir(sweep, data, [
    { preset: "epochs", label: "short", seed: 0, config: {}, rows: FAST.slice(0, 3), done: true },
    { preset: "epochs", label: "long", seed: 0, config: {}, rows: FAST, done: true },
    { preset: "epochs", label: "long", seed: 1, config: {}, rows: SPIKY, done: true },
    { preset: "negatives", label: "rnd", seed: 0, config: {}, rows: FAST, done: true },
    {
      preset: "negatives",
      label: "hrd",
      seed: 0,
      config: { negatives: "hard" },
      rows: EIGHTY,
      done: true,
    },
    {
      preset: "negatives",
      label: "hrd",
      seed: 1,
      config: { negatives: "hard", epochs: 6 },
      rows: EIGHTY.slice(0, 2),
      done: false,
    },
  ]);
  // The command as `tracecode sweep` records it: with the absolute paths it was given.
  const manifest = JSON.parse(readFileSync(join(sweep, "sweep.json"), "utf8"));
  manifest.command = `tracecode sweep epochs negatives --data ${data} --out ${sweep} --seeds 2`;
  writeFileSync(join(sweep, "sweep.json"), JSON.stringify(manifest));
  mkdirSync(data);
  writeFileSync(
    join(data, "functions.jsonl"),
    [
      { id: "a/v0", group: "a", code: "def f(x):\n    return x + 7\n" },
      {
        id: "a/v1",
        group: "a",
        code: `def f(x):\n    # ${"x".repeat(40)}\n    return x + 7\n`,
        transforms: ["comment"],
      },
    ]
      .map((r) => `${JSON.stringify(r)}\n`)
      .join(""),
  );
  return sweep;
}

describe("writeReport", () => {
  it("writes REPORT.md, a self-contained index.html, figures and a valid claims.json", async () => {
    const out = join(dir, "report");
    const r = await writeReport(tinySweep(), out, { pngLimit: 1 });
    expect(r.figures).toEqual(["fig1-epochs", "fig2-negatives"]);
    expect(r.missing).toBe(1);

    const md = readFileSync(join(out, "REPORT.md"), "utf8");
    expect(md).toContain("| negatives | hrd | 1 | seed 1: unfinished (2 of 6 epochs) |");
    // seed 1 of "long" never gets its train loss to 0
    expect(md).toMatch(
      /\| C1 \| “All runs reach zero train loss by ≈ 15 epochs” .*\| \*\*partly\*\* \|/,
    );
    expect(md).toMatch(/\| C4 \| .* \| \*\*holds\*\* \|/); // random ≈ 1.0 with a spike; hard ≈ 0.8, slower
    expect(md).toMatch(/\| C5 \| .* \| \*\*not measured\*\* \|/);
    expect(md).toContain("shorter epoch budgets' metrics equal the first epochs");
    expect(md).toContain("| 2 | 1 (50.0%) | 1 (50.0% of all, 100.0% of the longer) |");
    expect(md).toContain(
      "![Figure 2: random vs hard (top-5) negatives](figures/fig2-negatives.svg)",
    );

    for (const name of r.figures) {
      const svg = readFileSync(join(out, "figures", `${name}.svg`), "utf8");
      expect(new Resvg(svg).width).toBeGreaterThan(300); // parses as SVG
      expect(svg).toContain("<text");
      JSON.parse(readFileSync(join(out, "figures", `${name}.vl.json`), "utf8"));
    }
    const png = readFileSync(join(out, "figures", "fig1-epochs.png"));
    expect([...png.subarray(0, 8)]).toEqual(PNG_MAGIC);
    expect(existsSync(join(out, "figures", "fig2-negatives.png"))).toBe(false); // pngLimit 1

    const html = readFileSync(join(out, "index.html"), "utf8");
    expect(html.match(/<svg/g)).toHaveLength(2);
    expect(html).not.toMatch(/<img|<link|<script/); // nothing to fetch
    expect(html).toContain("<td><b>holds</b></td>");

    const claims = ClaimsFile.parse(JSON.parse(readFileSync(join(out, "claims.json"), "utf8")));
    const c4 = claims.claims.find((c) => c.id === "C4")!;
    expect(c4.verdict).toBe("holds");
    expect(c4.parts[2]).toMatchObject({
      status: "holds",
      seeds: 1,
      value: { mean: expect.closeTo(0.8) },
    });
    expect(claims.thresholds.lossZero).toBe(0.02);
    expect(claims.missing).toEqual([
      {
        preset: "negatives",
        label: "hrd",
        seed: 1,
        run: "run5",
        why: "unfinished (2 of 6 epochs)",
      },
    ]);
    expect(claims.truncation).toMatchObject({ snippets: 2, longer: 1, allCut: 1 });

    // Committed reports carry no absolute local folder (the sweep is outside the working folder).
    expect(claims.sweep).toMatchObject({
      dir: "…/sweep",
      data: "…/data",
      command: "tracecode sweep epochs negatives --data …/data --out …/sweep --seeds 2",
    });
    expect(md).toContain(", data `…/data`;");
    expect(md).toContain("Command: `tracecode sweep epochs negatives --data …/data --out …/sweep");
    const claimsText = readFileSync(join(out, "claims.json"), "utf8");
    for (const text of [md, html, claimsText]) {
      expect(text).not.toContain(dir);
      expect(text).not.toContain(process.cwd());
    }
  });

  it("fails clearly without a sweep manifest", async () => {
    await expect(writeReport(join(dir, "nothing"), join(dir, "r2"))).rejects.toThrow(
      /is not a sweep: .*sweep\.json is missing/,
    );
  });
});

describe("renderPng", () => {
  it("skips font files that do not exist instead of failing", async () => {
    const svg =
      '<svg xmlns="http://www.w3.org/2000/svg" width="60" height="20"><text x="2" y="15" font-family="No Such Font">a</text></svg>';
    const png = renderPng(svg, { files: ["/nonexistent/font.ttf"], system: false });
    expect([...png.subarray(0, 8)]).toEqual(PNG_MAGIC);
  });
});

describe("README", () => {
  it("lists every threshold with its value", () => {
    const readme = readFileSync(new URL("./README.md", import.meta.url), "utf8");
    for (const [name, value] of Object.entries(THRESHOLDS))
      expect(readme).toMatch(
        new RegExp(`\\| \`${name}\` +\\| ${String(value).replace(".", "\\.")} +\\|`),
      );
  });
});
