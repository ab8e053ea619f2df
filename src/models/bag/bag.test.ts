import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { initPython } from "../../synth/index.js";
import { Encoder } from "../encoders.js";
import { embedItems, loadEncoder, saveEncoder } from "../io.js";
import type { ModelSpec } from "../spec.js";
import { anchorBagOf, bagOf, featureGrams, featureRow, fitIdf, rawFeatures } from "./features.js";

beforeAll(() => initPython());

const SNIPPETS = [
  "def f(a):\n    return a + 1\n",
  "def total(xs):\n    s = 0\n    for x in xs:\n        s += x\n    return s\n",
  "def g(xs):\n    return sum(xs)\n",
  "def maxSum(values):\n    best = None\n    for v in values:\n        if best is None or v > best:\n            best = v\n    return best\n",
];

function spec(width: number, seed = 0, buckets = 4096): ModelSpec {
  return {
    encoder: "bag",
    dim: width,
    pooling: "mean",
    maxLength: 0,
    vocab: [],
    traceEncoding: { runs: 8, blocks: 30, buckets: 1024, maxEvents: 256 },
    distance: "cosine",
    seed,
    bag: {
      buckets,
      width,
      groupWeights: { chars: 1, tokens: 1, tree: 1 },
      idf: fitIdf(
        SNIPPETS.map((c) => rawFeatures(c, buckets)),
        buckets,
      ),
    },
  };
}

/**
 * Saves `enc`, loads it back and checks it embeds the snippets as before; returns the saved
 * architecture.json and tokenizer.json.
 */
// biome-ignore lint/suspicious/noExplicitAny: the two files are read as plain JSON
function savedAndLoaded(enc: Encoder): { arch: any; tok: any } {
  const dir = mkdtempSync(join(tmpdir(), "bag-"));
  try {
    saveEncoder(dir, enc);
    const items = SNIPPETS.map((code) => ({ code }));
    expect(embedItems(loadEncoder(dir), items)).toEqual(embedItems(enc, items));
    const read = (name: string) => JSON.parse(readFileSync(join(dir, name), "utf8"));
    return { arch: read("architecture.json"), tok: read("tokenizer.json") };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("bag features", () => {
  it("are the exact character, token and syntax-tree grams of a tiny snippet", () => {
    expect(featureGrams("x = a_bC\n")).toEqual({
      chars: [
        ...["x =", " = ", "= a", " a_", "a_b", "_bC", "bC "],
        ...["x = ", " = a", "= a_", " a_b", "a_bC", "_bC "],
        ...["x = a", " = a_", "= a_b", " a_bC", "a_bC "],
      ],
      tokens: [
        ...["x", "=", "a_bC", "<nl>"],
        ...["x =", "= a_bC", "a_bC <nl>"],
        ...["part a", "part b", "part c"],
      ],
      tree: [
        ...["module", "expression_statement", "assignment", "identifier", "=", "identifier"],
        ...["module expression_statement", "expression_statement assignment"],
        ...["assignment identifier", "identifier =", "= identifier"],
        "module expression_statement assignment",
        "expression_statement assignment identifier",
        "assignment identifier =",
        "identifier = identifier",
      ],
    });
  });

  it("count rows per group, and weigh each group to length √(its weight)", () => {
    const raw = rawFeatures("x = x\n", 1 << 20);
    expect(raw.tree.get(featureRow("tree", "identifier", 1 << 20))).toBe(2);
    const idf = new Array(1 << 20).fill(2);
    const bag = bagOf(raw, idf, { chars: 4, tokens: 1, tree: 0 });
    const n = [raw.chars.size, raw.tokens.size, raw.tree.size];
    const norm = (from: number, to: number) => Math.hypot(...bag.weights.slice(from, to));
    expect(bag.ids.length).toBe(n[0] + n[1] + n[2]);
    expect(norm(0, n[0])).toBeCloseTo(2, 6);
    expect(norm(n[0], n[0] + n[1])).toBeCloseTo(1, 6);
    expect(norm(n[0] + n[1], bag.ids.length)).toBe(0);
  });

  it("fit IDF as the baselines do: ln((1 + N) / (1 + df)) + 1", () => {
    const docs = ["a = 1\n", "a = 2\n"].map((c) => rawFeatures(c, 64));
    const idf = fitIdf(docs, 64);
    const shared = featureRow("tree", "module", 64);
    expect(idf[shared]).toBeCloseTo(Math.log(3 / 3) + 1, 12);
  });
});

describe("bag encoder", () => {
  it("embeds [n, dim], the same alone as in any batch", () => {
    const enc = new Encoder(spec(32));
    const together = enc.forward(SNIPPETS.map((code) => ({ code })));
    expect(together.shape).toEqual([4, 32]);
    const alone = embedItems(
      enc,
      SNIPPETS.map((code) => ({ code })),
      1,
      { raw: true },
    );
    const reversed = embedItems(
      enc,
      [...SNIPPETS].reverse().map((code) => ({ code })),
      3,
      {
        raw: true,
      },
    ).reverse();
    for (let i = 0; i < 4; i++) {
      const row = together.data.slice(i * 32, (i + 1) * 32);
      for (let k = 0; k < 32; k++) {
        expect(alone[i][k]).toBeCloseTo(row[k], 5);
        expect(reversed[i][k]).toBeCloseTo(row[k], 5);
      }
    }
  });

  it("is deterministic for a seed and differs for another", () => {
    const code = [{ code: SNIPPETS[1] }];
    const a = embedItems(new Encoder(spec(16, 7)), code)[0];
    const b = embedItems(new Encoder(spec(16, 7)), code)[0];
    const c = embedItems(new Encoder(spec(16, 8)), code)[0];
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
  });

  it("starts as a projection of the TF-IDF vectors: cosines close to the exact ones", () => {
    const s = spec(2048, 3, 1024);
    const enc = new Encoder(s);
    const v = embedItems(
      enc,
      SNIPPETS.map((code) => ({ code })),
    ); // unit vectors (cosine)
    const sparse = SNIPPETS.map((c) => {
      const b = bagOf(rawFeatures(c, s.bag!.buckets), s.bag!.idf, s.bag!.groupWeights);
      const m = new Map<number, number>();
      b.ids.forEach((id, i) => {
        m.set(id, (m.get(id) ?? 0) + b.weights[i]);
      });
      return m;
    });
    const cos = (a: Map<number, number>, b: Map<number, number>) => {
      let dot = 0;
      for (const [k, w] of a) dot += w * (b.get(k) ?? 0);
      const n = (m: Map<number, number>) => Math.hypot(...m.values());
      return dot / (n(a) * n(b));
    };
    for (let i = 0; i < 4; i++)
      for (let j = i + 1; j < 4; j++) {
        let dot = 0;
        for (let k = 0; k < 2048; k++) dot += v[i][k] * v[j][k];
        expect(Math.abs(dot - cos(sparse[i], sparse[j]))).toBeLessThan(0.1);
      }
  });

  it("saves and loads: same vectors, PyTorch keys, portable descriptions", () => {
    const enc = new Encoder(spec(16, 1, 256));
    const { arch, tok } = savedAndLoaded(enc);
    expect(enc.namedParameters().map(([k, t]) => [k, t.shape])).toEqual([
      ["code.bag.weight", [256, 16]],
      ["proj.weight", [16, 16]],
      ["proj.bias", [16]],
    ]);
    expect(arch.bodies[0]).toMatchObject({
      type: "bag_of_features",
      bag: { num_embeddings: 256, embedding_dim: 16, mode: "sum" },
    });
    expect(tok.code).toBeNull();
    expect(tok.bag_features.idf).toHaveLength(256);
  });

  it("with an anchor: cosine = (1 − w)·trained + w·frozen lexical projection, anchor untouched by a step", () => {
    const s = spec(24, 2, 512);
    const anchored: ModelSpec = {
      ...s,
      bag: { ...s.bag!, width: 16, anchor: { width: 8, weight: 0.3 } },
    };
    const enc = new Encoder(anchored);
    const items = SNIPPETS.map((code) => ({ code }));
    const v = enc.forward(items).data;
    const body = enc.bodies[0] as unknown as {
      anchor: { weight: { data: Float32Array; requiresGrad: boolean } };
      anchorFeatures: (i: typeof items) => { data: Float32Array };
      features: (i: typeof items) => { data: Float32Array };
    };
    const unit = (x: Float32Array, i: number, w: number) => {
      const row = Array.from(x.slice(i * w, (i + 1) * w));
      const n = Math.hypot(...row);
      return row.map((r) => r / n);
    };
    const dot = (a: number[], b: number[]) => a.reduce((t, x, k) => t + x * b[k], 0);
    const trained = enc.proj.forward(enc.bodies[0].features(items, "real")).data;
    const lexical = body.anchorFeatures(items).data;
    for (let i = 0; i < 4; i++) {
      const vi = Array.from(v.slice(i * 24, (i + 1) * 24));
      expect(Math.hypot(...vi)).toBeCloseTo(1, 5);
      for (let j = i + 1; j < 4; j++) {
        const vj = Array.from(v.slice(j * 24, (j + 1) * 24));
        const mix =
          0.7 * dot(unit(trained, i, 16), unit(trained, j, 16)) +
          0.3 * dot(unit(lexical, i, 8), unit(lexical, j, 8));
        expect(dot(vi, vj)).toBeCloseTo(mix, 5);
      }
    }
    // The anchor reads the character n-grams alone, at unit length.
    const bag = anchorBagOf(rawFeatures(SNIPPETS[1], 512), anchored.bag!.idf);
    const chars = rawFeatures(SNIPPETS[1], 512).chars;
    expect(bag.ids).toEqual([...chars.keys()]);
    expect(Math.hypot(...bag.weights)).toBeCloseTo(1, 6);
    // A gradient step moves the trained table and leaves the anchor as it was.
    expect(body.anchor.weight.requiresGrad).toBe(false);
    const before = Float32Array.from(body.anchor.weight.data);
    const trainedBefore = Float32Array.from(enc.bodies[0].parameters()[0].data);
    enc.forward(items).backward(Float32Array.from({ length: 4 * 24 }, (_, k) => (k % 5) - 2));
    for (const p of enc.parameters())
      if (p.grad) for (let k = 0; k < p.size; k++) p.data[k] -= 0.1 * p.grad[k];
    expect(Array.from(body.anchor.weight.data)).toEqual(Array.from(before));
    expect(Array.from(enc.bodies[0].parameters()[0].data)).not.toEqual(Array.from(trainedBefore));
    expect(() => new Encoder({ ...anchored, dim: 16 })).toThrow(
      /width 16 \+ anchor width 8 is not dim 16/,
    );
  });

  it("with an anchor saves and loads: both tables under PyTorch keys, described", () => {
    const s = spec(12, 1, 256);
    const enc = new Encoder({
      ...s,
      bag: { ...s.bag!, width: 8, anchor: { width: 4, weight: 0.5 } },
    });
    const { arch } = savedAndLoaded(enc);
    expect(enc.namedParameters().map(([k, t]) => [k, t.shape])).toEqual([
      ["code.bag.weight", [256, 8]],
      ["code.anchor.weight", [256, 4]],
      ["proj.weight", [8, 8]],
      ["proj.bias", [8]],
    ]);
    expect(arch.bodies[0].anchor).toEqual({
      num_embeddings: 256,
      embedding_dim: 4,
      mode: "sum",
      weight: 0.5,
    });
    expect(arch.proj).toMatchObject({ in_features: 8, out_features: 8 });
  });

  it("refuses a spec whose IDF does not fit its table", () => {
    const s = spec(8);
    expect(() => new Encoder({ ...s, bag: { ...s.bag!, idf: [1, 2] } })).toThrow(
      /2 IDF values for 4096 buckets/,
    );
    expect(() => new Encoder({ ...s, bag: undefined })).toThrow(/needs its `bag` settings/);
  });
});
