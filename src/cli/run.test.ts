import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cliRunner } from "../../test/helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "tracecode-run-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("tracecode run", () => {
  const cli = cliRunner({ timeoutMs: 180_000 });
  const run = (...args: string[]) => cli("run", ...args);

  it("refuses an unknown preset as a usage error before generating anything", () => {
    const out = join(dir, "never");
    const r = run("--out", out, "--presets", "negatives,foo");
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^tracecode: error: unknown preset "foo"; choose from epochs/);
    expect(r.stdout).toBe("");
    expect(existsSync(out)).toBe(false);
    const none = run("--out", out, "--presets", ",");
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/no preset given/);
  });

  it("--help shows the default presets as all, not as an array", () => {
    const r = run("--help");
    expect(r.status).toBe(0);
    expect(r.stdout.replace(/\s+/g, " ")).toMatch(
      /--presets <list> comma-separated presets .*\(default: all\)/,
    );
    expect(r.stdout).not.toContain('["all"]');
    expect(r.stdout).toMatch(/--epochs-cap <n>/);
  });

  it("runs generate → trace → sweep → report end to end on a small configuration", () => {
    const r = run(
      ...["--out", dir, "--functions", "10", "--variants", "4", "--presets", "negatives"],
      ...["--epochs-cap", "1"],
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/generate: 40 snippets in 10 groups/);
    expect(r.stdout).toMatch(/traced 40 snippets .* ok 40; 10 trace classes/);
    expect(r.stdout).toMatch(/sweep: 2 runs trained, 0 already done, 0 failed/);
    expect(r.stdout).toMatch(/report: 1 figure, 9 claims/);
    const md = readFileSync(join(dir, "report", "REPORT.md"), "utf8");
    expect(md).toMatch(/\| C4 \| .* \| \*\*(holds|partly|does not hold)\*\* \|/);
    expect(existsSync(join(dir, "report", "figures", "fig2-negatives.png"))).toBe(true);
    // --epochs-cap reaches the sweep: every run trained one epoch.
    const runs = readdirSync(join(dir, "sweep", "runs"));
    expect(runs).toHaveLength(2);
    for (const name of runs) {
      const metrics = readFileSync(join(dir, "sweep", "runs", name, "metrics.jsonl"), "utf8");
      expect(metrics.trim().split("\n")).toHaveLength(1);
    }
  });
});
