import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cliRunner } from "../../test/helpers/cli.js";
import { writeTinyDataset } from "../../test/helpers/tiny-dataset.js";

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
    const noTraces = cli("embed", "--model", run, "--in", fns, "--out", join(data, "e.jsonl"));
    expect(noTraces.status).toBe(1);
    expect(noTraces.stderr).toMatch(/reads traces: pass --traces/);
    const j = cli(
      "embed",
      "--model",
      run,
      "--in",
      fns,
      "--traces",
      traces,
      "--out",
      join(data, "e.jsonl"),
    );
    expect(j.status, j.stderr).toBe(0);
    const rows = readFileSync(join(data, "e.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(rows).toHaveLength(24);
    expect(rows[0].id).toBe("g0/v0");
    expect(rows[0].embedding).toHaveLength(8);
    const n = cli(
      "embed",
      "--model",
      run,
      "--in",
      fns,
      "--traces",
      traces,
      "--out",
      join(data, "e.npy"),
    );
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
    expect(fromPy.stderr).toMatch(/q\.py: no valid functions row .* index them/);
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
    const train = (...flags: string[]) => cli("train", "--data", data, "--out", run, ...flags);
    // `run` holds the finished run of the first test: not replaced unless asked.
    const again = train("--epochs", "1", "--dim", "8");
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/holds a finished run: .*--overwrite/);
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
