import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cliRunner } from "../../test/helpers/cli.js";
import { familyRow, TINY_FAMILIES } from "../../test/helpers/families.js";
import { writeTinyDataset } from "../../test/helpers/tiny-dataset.js";
import { DEFAULT_PREPARE_OPTIONS } from "../realcode/index.js";
import { logLine, variantSplit } from "./train.js";

const data = writeTinyDataset(6, 4, "tracecode-cli-train-");
afterAll(() => rmSync(data, { recursive: true, force: true }));

const cli = cliRunner({ timeoutMs: 60_000 });

describe("tracecode train and embed", () => {
  const run = join(data, "run");

  it("trains, then embeds as jsonl and as .npy", () => {
    const t = cli(
      "train",
      "--data",
      data,
      "--out",
      run,
      "--epochs",
      "2",
      "--dim",
      "8",
      "--encoder",
      "joint",
    );
    expect(t.status, t.stderr).toBe(0);
    expect(t.stdout).toMatch(/trained joint for 2 epochs .* val top-1 \d\.\d{3}/);
    const fns = join(data, "functions.jsonl");
    const traces = join(data, "traces.jsonl");
    /** `embed` of the dataset's functions with `tracesFile`, into `data/out`. */
    const embedWith = (tracesFile: string, out: string) =>
      cli("embed", "--model", run, "--in", fns, "--traces", tracesFile, "--out", join(data, out));
    const noTraces = cli("embed", "--model", run, "--in", fns, "--out", join(data, "e.jsonl"));
    expect(noTraces.status).toBe(1);
    expect(noTraces.stderr).toMatch(/reads traces: pass --traces/);
    const j = embedWith(traces, "e.jsonl");
    expect(j.status, j.stderr).toBe(0);
    // Traces matched by id: another file's are refused, a few missing are said.
    const lines = readFileSync(traces, "utf8").trim().split("\n");
    const other = join(data, "other.traces.jsonl");
    writeFileSync(other, lines.map((l) => l.replace(/"id":"/, '"id":"x')).join("\n"));
    const foreign = embedWith(other, "f.jsonl");
    expect(foreign.status).toBe(1);
    expect(foreign.stderr).toContain(`--traces ${other}: no trace for any row of --in ${fns}`);
    const fewer = join(data, "fewer.traces.jsonl");
    writeFileSync(fewer, lines.slice(1).join("\n"));
    const partial = embedWith(fewer, "p.jsonl");
    expect(partial.status, partial.stderr).toBe(0);
    expect(partial.stderr).toContain(
      `1 row of --in ${fns} has no trace in --traces ${fewer} (g0/v0)`,
    );
    const rows = readFileSync(join(data, "e.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(rows).toHaveLength(24);
    expect(rows[0].id).toBe("g0/v0");
    expect(rows[0].embedding).toHaveLength(8);
    const n = embedWith(traces, "e.npy");
    // .npy by the output's extension, as trace picks Parquet by its.
    expect(n.status, n.stderr).toBe(0);
    const npy = readFileSync(join(data, "e.npy"));
    expect(npy.subarray(1, 6).toString()).toBe("NUMPY");
    const headerLen = npy.readUInt16LE(8);
    expect(npy.subarray(10, 10 + headerLen).toString()).toContain("'shape': (24, 8)");
    expect((10 + headerLen) % 64).toBe(0);
    expect(npy.length).toBe(10 + headerLen + 24 * 8 * 4);
    const first = new Float32Array(
      npy.buffer.slice(npy.byteOffset + 10 + headerLen, npy.byteOffset + 10 + headerLen + 32),
    );
    expect(Array.from(first)).toEqual(rows[0].embedding.map((v: number) => Math.fround(v)));
    // A Python file, or a file without one valid row, is an error, not "embedded 0 rows".
    const py = join(data, "q.py");
    writeFileSync(py, "def f(x):\n    return x\n");
    const fromPy = cli("embed", "--model", run, "--in", py, "--out", join(data, "q.jsonl"));
    expect(fromPy.status).toBe(1);
    expect(fromPy.stderr).toMatch(/q\.py: no valid functions row .* runs and embeds them/);
    const trainPy = cli("train", "--data", py, "--out", join(data, "run-py"));
    expect(trainPy.status).toBe(2);
    expect(trainPy.stderr).toMatch(/--data .*q\.py: a Python file; .* runs and embeds them/);
    const junk = join(data, "junk.jsonl");
    writeFileSync(junk, "not json\n");
    const fromJunk = cli("embed", "--model", run, "--in", junk, "--out", join(data, "q.jsonl"));
    expect(fromJunk.status).toBe(1);
    expect(fromJunk.stderr).toMatch(
      /junk\.jsonl: no valid functions row \(.*junk\.jsonl:1: not valid JSON/,
    );
  });

  it("rejects bad flags and bad inputs with a clear message", () => {
    const bad = cli("train", "--data", data, "--out", run, "--encoder", "cnn");
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/--encoder/);
    const missing = cli("train", "--data", join(data, "nope"), "--out", join(data, "r2"));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/tracecode: error: .*not a dataset/);
    // Nothing is left behind: no r2/config.json naming data that was never read.
    expect(existsSync(join(data, "r2"))).toBe(false);
    const train = (...flags: string[]) => cli("train", "--data", data, "--out", run, ...flags);
    // `run` holds the finished run of the first test: not replaced unless asked.
    const again = train("--epochs", "1", "--dim", "8");
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/holds a finished run: .*--overwrite/);
    // A failed --overwrite leaves the finished run's config.json as it was.
    const config = readFileSync(join(run, "config.json"), "utf8");
    const over = cli("train", "--data", join(data, "nope"), "--out", run, "--overwrite");
    expect(over.status).toBe(1);
    expect(readFileSync(join(run, "config.json"), "utf8")).toBe(config);
    // An existing empty --out stays (this command did not make it), without a config.json.
    const empty = join(data, "empty-out");
    mkdirSync(empty);
    expect(cli("train", "--data", join(data, "nope"), "--out", empty).status).toBe(1);
    expect(readdirSync(empty)).toEqual([]);
    const weight = train("--encoder", "bag", "--bag-anchor", "4", "--bag-anchor-weight", "1");
    // Malformed values and flags that do not go together are usage errors: exit 2.
    expect(weight.status).toBe(2);
    expect(weight.stderr).toMatch(
      /tracecode: error: option '--bag-anchor-weight <w>' argument '1' is invalid\. expected a number between 0 and 1, got "1"/,
    );
    const groups = train("--encoder", "bag", "--bag-weights", "1,1");
    expect(groups.status).toBe(2);
    expect(groups.stderr).toMatch(/--bag-weights .*expected three non-negative numbers/);
    const lone = train("--encoder", "bag", "--bag-anchor-weight", "0.3");
    expect(lone.status).toBe(2);
    expect(lone.stderr).toMatch(/--bag-anchor-weight needs --bag-anchor/);
    const notBag = train("--bag-anchor", "4");
    expect(notBag.status).toBe(2);
    expect(notBag.stderr).toMatch(/the --bag-\* options need --encoder bag/);
  });
});

describe("tracecode train on real code", () => {
  const rows = TINY_FAMILIES;

  it("--allow-leak warns in real lines, and --variants N tries N variants per function", () => {
    const file = join(data, "fams.jsonl");
    writeFileSync(file, `${rows.join("\n")}\n`);
    // The holdout holds one of the training functions, renamed: a leak.
    const holdout = join(data, "dev.jsonl");
    writeFileSync(
      holdout,
      `${familyRow("rev-dev/0", "rev-dev", "flip", ["list[int]"], "def flip(items: list[int]) -> list[int]:\n    return items[::-1]\n")}\n`,
    );
    const t = cli(
      "train",
      "--data",
      file,
      "--out",
      join(data, "real"),
      "--holdout",
      holdout,
      "--allow-leak",
      "--variants",
      "1",
      "--epochs",
      "1",
      "--dim",
      "8",
      "--val-fraction",
      "0.34",
    );
    expect(t.status, t.stderr).toBe(0);
    const warning = t.stderr.slice(t.stderr.indexOf("train: warning:"));
    expect(warning).not.toContain("\\n");
    const lines = warning.split("\n");
    expect(lines[0]).toMatch(/^train: warning: .*fams\.jsonl overlaps .*dev\.jsonl:$/);
    expect(lines[1]).toMatch(/^ {4}rev\/0 = rev-dev\/0 \(same normalised code\)$/);
    expect(lines[2]).toBe("  training anyway (--allow-leak)");
    // 6 functions × 1 variant: 6 tried, not 6 × (1 + 2 structural) = 18.
    expect(t.stderr).toMatch(/variants kept \d of 6 tried/);
  });

  it("splits --variants between every transform and the structural rewrites", () => {
    const { variants, structural } = DEFAULT_PREPARE_OPTIONS;
    // The default prepares what it always did: 3 + 2.
    expect(variantSplit(variants + structural)).toEqual({ variants, structural });
    expect([0, 1, 2, 3, 4, 10].map((n) => variantSplit(n))).toEqual([
      { variants: 0, structural: 0 },
      { variants: 1, structural: 0 },
      { variants: 1, structural: 1 },
      { variants: 2, structural: 1 },
      { variants: 2, structural: 2 },
      { variants: 6, structural: 4 },
    ]);
    const help = cli("train", "--help");
    expect(help.stdout.replace(/\s+/g, " ")).toMatch(
      /--variants <n> real code: variants tried per function, all kinds together: 3 in 5 drawn from every transform, 2 in 5 structural \(block-changing rewrites only\) \(default: 5\)/,
    );
  });

  it("logs multi-line text with its line breaks, escaping control characters", () => {
    expect(logLine("a:\n  b\nc \x1b[2J")).toBe("train: a:\n    b\n  c \\x1b[2J\n");
  });
});
