/**
 * The PyTorch loader (python/tracecode_torch.py) against our embedding code. The fixture
 * (test/fixtures/loader/embeddings.json, from tools/parity/parts/loader.py) holds what the
 * loader computes for models/default and a tiny model of every kind and pooling, so the first
 * suite runs everywhere; the second runs the loader itself where /usr/bin/python3 has torch.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { type TraceRow, writeRows } from "../src/data/index.js";
import {
  bagOf,
  charTokens,
  type EncoderItem,
  embedItems,
  loadEncoder,
  type ModelSpec,
  pythonTokens,
  rawFeatures,
  saveEncoder,
  traceEvents,
  Vocabulary,
  writeSpecFiles,
} from "../src/models/index.js";
import { initPython } from "../src/synth/index.js";
import { LOADER_MODELS, loaderModel, writeLoaderModels } from "../tools/parity/loader-models.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const defaultModel = join(root, "models", "default");

interface ModelFixture {
  sha256: string;
  embeddings: number[][];
  ids?: number[][];
  /** A bag model's (rows, weights) of each code. */
  bags?: [number[], number[]][];
  events?: [number[], number[]][];
}
interface LoaderFixture {
  torch: string;
  codes: string[];
  traces: (TraceRow | null)[];
  models: Record<string, ModelFixture>;
}
const fixture = JSON.parse(
  readFileSync(join(root, "test", "fixtures", "loader", "embeddings.json"), "utf8"),
) as LoaderFixture;
const REGENERATE = "/usr/bin/python3 tools/parity/make_fixtures.py loader";

/** Embeddings agree to this (float32 through two layers or an LSTM; measured ≈ 1e-6). */
const TOLERANCE = 1e-5;

const dir = mkdtempSync(join(tmpdir(), "tracecode-loader-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const tiny = writeLoaderModels(join(dir, "models"));

const sha256 = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");

function maxAbsDiff(ours: ArrayLike<number>[], theirs: number[][]): number {
  expect(ours.length).toBe(theirs.length);
  let worst = 0;
  ours.forEach((row, i) => {
    expect(row.length).toBe(theirs[i].length);
    for (let j = 0; j < row.length; j++) worst = Math.max(worst, Math.abs(row[j] - theirs[i][j]));
  });
  return worst;
}

/** What our encoders feed their code body: token ids, truncated to maxLength. */
function codeIds(spec: ModelSpec, code: string): number[] {
  const vocab = new Vocabulary(spec.vocab);
  const ids = (spec.encoder === "lstm" ? charTokens : pythonTokens)(code).map((t) => vocab.id(t));
  return spec.maxLength > 0 ? ids.slice(0, spec.maxLength) : ids;
}

/** Our token ids, bags and trace events of the fixture's inputs are the loader's. */
async function expectSameInputs(spec: ModelSpec, expected: ModelFixture): Promise<void> {
  if (expected.ids) expect(fixture.codes.map((c) => codeIds(spec, c))).toEqual(expected.ids);
  if (expected.bags) {
    expect(spec.bag).toBeDefined();
    await initPython();
    const bag = spec.bag!;
    fixture.codes.forEach((code, i) => {
      const ours = bagOf(rawFeatures(code, bag.buckets), bag.idf, bag.groupWeights);
      const [rows, weights] = expected.bags![i];
      // Groups of weight 0 add nothing, and the loader leaves their rows out.
      const kept = ours.ids.map((_, j) => j).filter((j) => ours.weights[j] !== 0);
      expect(
        kept.map((j) => ours.ids[j]),
        `rows of code ${i}`,
      ).toEqual(rows);
      for (const [k, j] of kept.entries()) expect(ours.weights[j]).toBeCloseTo(weights[k], 12);
    });
  }
  if (expected.events) {
    const ours = fixture.traces.map((t) => traceEvents(t ?? undefined, spec.traceEncoding));
    expect(ours.map((e) => [e.blocks, e.values])).toEqual(expected.events);
  }
}

const items: EncoderItem[] = fixture.codes.map((code, i) => ({
  code,
  trace: fixture.traces[i] ?? undefined,
}));

/** functions.jsonl and traces.jsonl of the fixture's inputs, for the command-line tools. */
function writeInputs(): { functions: string; traces: string } {
  const functions = join(dir, "functions.jsonl");
  const traces = join(dir, "traces.jsonl");
  writeFileSync(
    functions,
    fixture.codes.map((code, i) => `${JSON.stringify({ id: `c${i}`, code })}\n`).join(""),
  );
  writeFileSync(
    traces,
    fixture.traces
      .filter((t) => t !== null)
      .map((t) => `${JSON.stringify(t)}\n`)
      .join(""),
  );
  return { functions, traces };
}
const inputs = writeInputs();

function readEmbeddingLines(text: string): number[][] {
  return text
    .trim()
    .split("\n")
    .map((line) => (JSON.parse(line) as { embedding: number[] }).embedding);
}

describe("PyTorch loader parity (fixture written by python/tracecode_torch.py)", () => {
  it("the shipped model's tokenizer.json and architecture.json are those its model.json gives", () => {
    const regenerated = join(dir, "default-spec");
    writeSpecFiles(regenerated, loadEncoder(defaultModel));
    for (const file of ["tokenizer.json", "architecture.json"]) {
      expect(readFileSync(join(defaultModel, file), "utf8"), file).toBe(
        readFileSync(join(regenerated, file), "utf8"),
      );
    }
  });

  it("tracecode embed with models/default gives the loader's embeddings", async () => {
    const expected = fixture.models.default;
    expect(sha256(join(defaultModel, "model.safetensors")), `retrained? ${REGENERATE}`).toBe(
      expected.sha256,
    );
    await expectSameInputs(loadEncoder(defaultModel).spec, expected);
    const out = join(dir, "default.jsonl");
    const run = spawnSync(
      process.execPath,
      [
        join(root, "dist", "cli", "main.js"),
        "embed",
        "--model",
        defaultModel,
        "--in",
        inputs.functions,
        "--out",
        out,
      ],
      { encoding: "utf8" },
    );
    expect(run.status, run.stderr).toBe(0);
    const diff = maxAbsDiff(readEmbeddingLines(readFileSync(out, "utf8")), expected.embeddings);
    console.log(
      `models/default: tracecode embed vs PyTorch loader, max |Δ| = ${diff.toExponential(2)}`,
    );
    expect(diff).toBeLessThan(TOLERANCE);
  });

  it.each(Object.keys(LOADER_MODELS))(
    "tiny %s model: same ids, bags, events and embeddings",
    async (name) => {
      const expected = fixture.models[name];
      expect(expected, `no fixture for ${name}: ${REGENERATE}`).toBeDefined();
      expect(sha256(join(tiny[name], "model.safetensors")), `weights changed: ${REGENERATE}`).toBe(
        expected.sha256,
      );
      const spec = LOADER_MODELS[name];
      await expectSameInputs(spec, expected);
      const diff = maxAbsDiff(embedItems(loadEncoder(tiny[name]), items), expected.embeddings);
      console.log(`tiny ${name}: ours vs PyTorch loader, max |Δ| = ${diff.toExponential(2)}`);
      expect(diff).toBeLessThan(TOLERANCE);
    },
  );
});

const PYTHON = "/usr/bin/python3";
const probe = spawnSync(PYTHON, ["-c", "import torch"], { encoding: "utf8" });
const torchMissing =
  probe.status === 0
    ? ""
    : `${PYTHON} -c 'import torch' failed (${(probe.stderr || String(probe.error)).trim().split("\n").pop()})`;
if (torchMissing) console.warn(`skipping the direct PyTorch loader tests: ${torchMissing}`);

describe.skipIf(torchMissing !== "")(
  `python/tracecode_torch.py run directly${torchMissing ? ` — SKIPPED: ${torchMissing}` : ""}`,
  () => {
    const loader = join(root, "python", "tracecode_torch.py");
    const runLoader = (args: string[]) => {
      const run = spawnSync(PYTHON, [loader, ...args], {
        encoding: "utf8",
        env: { ...process.env, OMP_NUM_THREADS: "1", OPENBLAS_NUM_THREADS: "1" },
      });
      expect(run.status, run.stderr).toBe(0);
      return readEmbeddingLines(run.stdout);
    };

    it("embeds --code strings with models/default as we do", () => {
      const codes = ["def f(x):\n    return x * 2\n", "lambda: 0", ""];
      const theirs = runLoader([defaultModel, ...codes.flatMap((c) => ["--code", c])]);
      const ours = embedItems(
        loadEncoder(defaultModel),
        codes.map((code) => ({ code })),
      );
      expect(maxAbsDiff(ours, theirs)).toBeLessThan(TOLERANCE);
    });

    /**
     * The loader's command (`main`) for every tiny model in one Python process: importing torch
     * takes most of a second and a half, once instead of once a model.
     */
    let tinyOutputs: Record<string, string> | undefined;
    const tinyEmbeddings = (name: string) => {
      if (!tinyOutputs) {
        const driver = [
          "import contextlib, io, json, sys",
          "sys.path.insert(0, sys.argv[1])",
          "import tracecode_torch",
          "out = {}",
          "for name, model in json.loads(sys.argv[2]).items():",
          "    text = io.StringIO()",
          "    with contextlib.redirect_stdout(text):",
          "        tracecode_torch.main([model, '--in', sys.argv[3], '--traces', sys.argv[4]])",
          "    out[name] = text.getvalue()",
          "print(json.dumps(out))",
        ].join("\n");
        const run = spawnSync(
          PYTHON,
          [
            "-c",
            driver,
            join(root, "python"),
            JSON.stringify(tiny),
            inputs.functions,
            inputs.traces,
          ],
          {
            encoding: "utf8",
            maxBuffer: 64 * 1024 * 1024,
            env: { ...process.env, OMP_NUM_THREADS: "1", OPENBLAS_NUM_THREADS: "1" },
          },
        );
        expect(run.status, run.stderr).toBe(0);
        tinyOutputs = JSON.parse(run.stdout) as Record<string, string>;
      }
      return readEmbeddingLines(tinyOutputs[name] ?? "");
    };

    it.each(Object.keys(LOADER_MODELS))("embeds with the freshly written tiny %s model", (name) => {
      const theirs = tinyEmbeddings(name);
      const diff = maxAbsDiff(embedItems(loadEncoder(tiny[name]), items), theirs);
      expect(diff).toBeLessThan(TOLERANCE);
    });

    it("gives every snippet the same vector in any batch, as we do, even with pooling 'last'", () => {
      // The first 64 run to 45 characters, the last 6 are short: read at the batch's last padded
      // position, those 6 would depend on the long ones beside them.
      const codes = Array.from({ length: 70 }, (_, i) =>
        i < 64 ? `def f${i}(x):\n    return x * ${"7".repeat(i % 30)}` : `f(${i})`,
      );
      const functions = join(dir, "seventy.jsonl");
      writeFileSync(
        functions,
        codes.map((code, i) => `${JSON.stringify({ id: `${i}`, code })}\n`).join(""),
      );
      const theirs = runLoader([tiny["lstm-last"], "--in", functions]);
      const model = loadEncoder(tiny["lstm-last"]);
      const items = codes.map((code) => ({ code }));
      expect(maxAbsDiff(embedItems(model, items), theirs)).toBeLessThan(TOLERANCE);
      expect(maxAbsDiff(embedItems(model, items, 70), theirs)).toBeLessThan(TOLERANCE);
      const alone = items.slice(64).map((item) => embedItems(model, [item])[0]);
      expect(maxAbsDiff(alone, theirs.slice(64))).toBeLessThan(TOLERANCE);
    });

    it("refuses a model directory without tokenizer.json, naming the fix", () => {
      const old = join(dir, "old-model");
      writeLoaderModels(old);
      const oldLstm = join(old, "lstm-last");
      rmSync(join(oldLstm, "tokenizer.json"));
      const run = spawnSync(PYTHON, [loader, oldLstm, "--code", "x"], { encoding: "utf8" });
      expect(run.status).not.toBe(0);
      expect(run.stderr).toMatch(/tokenizer\.json is missing.*tools\/write-model-spec\.ts/s);
    });

    it("refuses a Parquet --in or --traces in one line, naming tracecode embed and a conversion", async () => {
      const parquet = join(dir, "functions.parquet");
      await writeRows(
        parquet,
        "functions",
        fixture.codes.map((code, i) => ({ id: `c${i}`, code })),
      );
      // Parquet by its first bytes, whatever the name says.
      const disguised = join(dir, "functions-parquet.jsonl");
      writeFileSync(disguised, readFileSync(parquet));
      for (const [flag, file] of [
        ["--in", parquet],
        ["--in", disguised],
      ]) {
        const run = spawnSync(PYTHON, [loader, defaultModel, flag, file], { encoding: "utf8" });
        expect(run.status, run.stderr).toBe(1);
        expect(run.stdout).toBe("");
        expect(run.stderr).not.toMatch(/Traceback|UnicodeDecodeError/);
        expect(run.stderr.trim().split("\n")).toHaveLength(1);
        expect(run.stderr).toContain(
          `tracecode_torch.py: error: ${flag} ${file} is Parquet, which this script does not read`,
        );
        expect(run.stderr).toMatch(/tracecode embed --model .*duckdb .*pd\.read_parquet/);
      }
      const traces = spawnSync(
        PYTHON,
        [loader, tiny["joint-last-valid"], "--in", inputs.functions, "--traces", disguised],
        { encoding: "utf8" },
      );
      expect(traces.status, traces.stderr).toBe(1);
      expect(traces.stderr).toMatch(/^tracecode_torch\.py: error: --traces .* is Parquet/);
    });

    it("warns of rows without a trace and refuses traces of no row, as tracecode embed does", () => {
      const model = tiny["joint-last-valid"];
      // The fixture's traces leave c1 out: embedded as not traced, with a warning naming it.
      const some = spawnSync(
        PYTHON,
        [loader, model, "--in", inputs.functions, "--traces", inputs.traces],
        { encoding: "utf8" },
      );
      expect(some.status, some.stderr).toBe(0);
      expect(readEmbeddingLines(some.stdout)).toHaveLength(fixture.codes.length);
      expect(some.stderr).toBe(
        `tracecode_torch.py: warning: 1 row of --in ${inputs.functions} has no trace in --traces ${inputs.traces} (c1): embedded as not traced\n`,
      );
      // Traces of another file: no id matches, an error in one line.
      const other = join(dir, "other-traces.jsonl");
      writeFileSync(
        other,
        fixture.traces
          .filter((t) => t !== null)
          .map((t) => `${JSON.stringify({ ...t, id: `x-${t!.id}` })}\n`)
          .join(""),
      );
      const none = spawnSync(PYTHON, [loader, model, "--in", inputs.functions, "--traces", other], {
        encoding: "utf8",
      });
      expect(none.status, none.stderr).toBe(1);
      expect(none.stdout).toBe("");
      expect(none.stderr).toBe(
        `tracecode_torch.py: error: --traces ${other}: no trace for any row of --in ${inputs.functions} (traces are matched by id): trace this file with tracecode trace --in ${inputs.functions}\n`,
      );
    });

    it("says a model folder or input file does not exist, without a traceback", () => {
      const cases: [string[], RegExp][] = [
        [[join(dir, "nonexist"), "--code", "x"], /: no such model folder$/],
        [[inputs.functions, "--code", "x"], /is a file, not a model folder/],
        [[defaultModel, "--in", join(dir, "nope.jsonl")], /--in .*nope\.jsonl: no such file$/],
      ];
      for (const [args, expected] of cases) {
        const run = spawnSync(PYTHON, [loader, ...args], { encoding: "utf8" });
        expect(run.status, run.stderr).toBe(1);
        expect(run.stderr).not.toMatch(/Traceback|is missing|write-model-spec/);
        expect(run.stderr.trim()).toMatch(/^tracecode_torch\.py: error: /);
        expect(run.stderr.trim()).toMatch(expected);
      }
      const junk = join(dir, "junk.jsonl");
      writeFileSync(junk, `${JSON.stringify({ id: "a", code: "x" })}\nnot json\n`);
      const bad = spawnSync(PYTHON, [loader, defaultModel, "--in", junk], { encoding: "utf8" });
      expect(bad.status).toBe(1);
      expect(bad.stderr.trim()).toMatch(
        /^tracecode_torch\.py: error: --in .*junk\.jsonl:2: not valid JSON/,
      );
    });

    it("stops quietly when its reader goes away (| head)", () => {
      const many = join(dir, "many.jsonl");
      writeFileSync(
        many,
        Array.from(
          { length: 400 },
          (_, i) => `${JSON.stringify({ id: `${i}`, code: `def f(x):\n    return x + ${i}\n` })}\n`,
        ).join(""),
      );
      const run = spawnSync(
        "/bin/sh",
        ["-c", `"$0" "$1" "$2" --in "$3" | head -n 1`, PYTHON, loader, defaultModel, many],
        { encoding: "utf8" },
      );
      expect(run.status).toBe(0);
      expect(run.stdout.trim().split("\n")).toHaveLength(1);
      expect(JSON.parse(run.stdout).id).toBe("0");
      expect(run.stderr).toBe("");
    });

    it("loads a bag that reads tree-sitter node types but refuses to embed with it, saying why", () => {
      const treeBag = join(dir, "tree-bag");
      const spec = LOADER_MODELS["bag-anchor"];
      const groupWeights = { chars: 1, tokens: 1, tree: 0.5 };
      saveEncoder(treeBag, loaderModel({ ...spec, bag: { ...spec.bag!, groupWeights } }));
      const loads = spawnSync(
        PYTHON,
        [
          "-c",
          `import sys; sys.path.insert(0, ${JSON.stringify(join(root, "python"))}); import tracecode_torch as tt; print(tt.load(sys.argv[1]).architecture["kind"])`,
          treeBag,
        ],
        { encoding: "utf8" },
      );
      expect(loads.stderr).toBe("");
      expect(loads.stdout.trim()).toBe("bag");
      const run = spawnSync(PYTHON, [loader, treeBag, "--code", "x = 1"], { encoding: "utf8" });
      expect(run.status).not.toBe(0);
      expect(run.stderr).toMatch(
        /tree-sitter node types \(its tree group weight is 0\.5\).*--bag-weights C,T,0/s,
      );
    });
  },
);
