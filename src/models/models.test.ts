import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { TraceRow } from "../data/index.js";
import { ops } from "../nn/index.js";
import {
  DEFAULT_TRACE_ENCODING,
  Encoder,
  type EncoderKind,
  embedItems,
  loadEncoder,
  type ModelSpec,
  padBatch,
  pythonTokens,
  saveEncoder,
  traceEvents,
  Vocabulary,
} from "./index.js";

const trace = (out: number): TraceRow => ({
  id: "t",
  status: "ok",
  level: "trace",
  traceClass: "c",
  ioClass: "i",
  runs: [
    {
      input: ["1"],
      blocks: [0, 1],
      values: ["True", `${out}`],
      output: `${out}`,
      truncated: false,
    },
  ],
});

const spec = (encoder: EncoderKind, extra: Partial<ModelSpec> = {}): ModelSpec => ({
  encoder,
  dim: 8,
  pooling: "last-valid",
  maxLength: 50,
  vocab:
    encoder === "lstm"
      ? [..."def f(x):\n return+1234567890"]
      : ["def", "f", "(", "x", ")", ":", "return", "+", "<num>", "1", "2"],
  traceEncoding: DEFAULT_TRACE_ENCODING,
  distance: "euclidean",
  seed: 3,
  ...extra,
});

const items = [
  { code: "def f(x):\n    return x + 1\n", trace: trace(2) },
  { code: "def f(x):\n    return x + 12\n", trace: trace(13) },
  { code: "", trace: undefined },
];

describe("tokenizers", () => {
  it("spell numbers digit by digit, drop comments, collapse strings, mark lines and indents", () => {
    expect(pythonTokens("def f(x):  # hi\n    return x + 42 * 's'\n")).toEqual([
      "def",
      "f",
      "(",
      "x",
      ")",
      ":",
      "<nl>",
      "<indent>",
      "return",
      "x",
      "+",
      "<num>",
      "4",
      "2",
      "*",
      "<str>",
      "<nl>",
    ]);
  });

  it("pad and truncate, with unknowns mapped to 1 and padding 0", () => {
    const v = new Vocabulary(["a", "b"]);
    const b = padBatch([[..."abz"].map((c) => v.id(c)), []], 2);
    expect(Array.from(b.ids)).toEqual([2, 3, 0, 0]);
    expect(Array.from(b.lengths)).toEqual([2, 1]);
  });

  it("encode equal traces equally and missing traces by status", () => {
    expect(traceEvents(trace(5), DEFAULT_TRACE_ENCODING)).toEqual(
      traceEvents(trace(5), DEFAULT_TRACE_ENCODING),
    );
    expect(traceEvents(trace(5), DEFAULT_TRACE_ENCODING).values).not.toEqual(
      traceEvents(trace(6), DEFAULT_TRACE_ENCODING).values,
    );
    expect(traceEvents(undefined, DEFAULT_TRACE_ENCODING).blocks).toEqual([1]);
  });
});

describe("encoders", () => {
  for (const kind of ["lstm", "transformer", "trace", "joint"] as const) {
    it(`${kind}: embeds a batch, back-propagates into every parameter, and round-trips through disk`, () => {
      const enc = new Encoder(spec(kind));
      const out = enc.forward(items);
      expect(out.shape).toEqual([3, 8]);
      ops.sum(ops.square(out)).backward();
      for (const [name, p] of enc.namedParameters()) {
        expect(p.grad, name).not.toBeNull();
        expect(
          p.grad!.some((g) => g !== 0),
          name,
        ).toBe(true);
      }
      const dir = mkdtempSync(join(tmpdir(), "tracecode-model-"));
      try {
        saveEncoder(dir, enc);
        const again = loadEncoder(dir);
        const a = embedItems(enc, items);
        const b = embedItems(again, items);
        expect(b).toEqual(a);
        expect(again.needsTrace).toBe(kind === "trace" || kind === "joint");
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  it("training's `last` reads the padding; embedding reads real positions, so the batch does not matter", () => {
    const last = new Encoder(spec("lstm", { pooling: "last" }));
    const valid = new Encoder(spec("lstm", { pooling: "last-valid" }));
    // Same weights (same seed); only the pooling differs. Batched with a longer snippet, the
    // short one is padded: the paper's `last` reads its state after the padding.
    const batch = [items[0], { code: `${items[0].code}${"#".repeat(30)}` }];
    const [paper] = embedItems(last, batch, 64, { positions: "paper" });
    const [validInBatch] = embedItems(valid, batch, 64, { positions: "paper" });
    expect(Array.from(paper)).not.toEqual(Array.from(validInBatch));
    for (const encoder of [last, valid]) {
      const [inBatch] = embedItems(encoder, batch);
      const [alone] = embedItems(encoder, [items[0]]);
      for (let i = 0; i < alone.length; i++) expect(inBatch[i]).toBeCloseTo(alone[i], 6);
      for (let i = 0; i < alone.length; i++) expect(validInBatch[i]).toBeCloseTo(alone[i], 6);
    }
  });

  it.each(["lstm", "transformer", "joint"] as const)(
    "a %s model gives a snippet the same vector alone and in any batch, whatever its pooling",
    (kind) => {
      for (const pooling of ["last", "last-valid", "mean"] as const) {
        const encoder = new Encoder(spec(kind, { pooling }));
        const all = [...items, { code: `${items[0].code}\n${"# pad\n".repeat(20)}` }];
        const batched = embedItems(encoder, all);
        all.forEach((item, k) => {
          const [alone] = embedItems(encoder, [item]);
          for (let i = 0; i < alone.length; i++) expect(batched[k][i]).toBeCloseTo(alone[i], 5);
        });
      }
    },
  );

  it("a cosine model gives unit vectors", () => {
    const encoder = new Encoder(spec("transformer", { distance: "cosine" }));
    for (const v of embedItems(encoder, items)) {
      expect(Math.hypot(...v)).toBeCloseTo(1, 5);
    }
  });

  it("a model directory without its files fails clearly", () => {
    expect(() => loadEncoder("/nonexistent-model")).toThrow(/not a model directory/);
  });
});
