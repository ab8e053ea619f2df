/**
 * The portable spec files (tokenizer.json, architecture.json): the lexer pattern saved in them
 * tokenizes exactly as before it was made portable, each kind describes the inputs it reads,
 * and model directories without the files still load. Their numerical proof is the PyTorch
 * loader's parity test (test/torch-loader.test.ts).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import {
  type ArchitectureFile,
  DEFAULT_TRACE_ENCODING,
  Encoder,
  type EncoderKind,
  embedItems,
  loadEncoder,
  pythonTokens,
  saveEncoder,
  type TokenizerFile,
} from "./index.js";
import { PYTHON_LEXER } from "./tokenizers.js";

const dir = mkdtempSync(join(tmpdir(), "tracecode-spec-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The lexer's pattern as it was before it was written portably (ECMAScript-only escapes). */
const ORIGINAL =
  /(#[^\n]*)|("""[\s\S]*?"""|'''[\s\S]*?'''|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*')|([A-Za-z_][A-Za-z_0-9]*)|(\d[\d_]*(?:\.\d*)?(?:[eE][+-]?\d+)?)|(\*\*=|\/\/=|>>=|<<=|->|:=|==|!=|<=|>=|\*\*|\/\/|<<|>>|\+=|-=|\*=|\/=|%=|&=|\|=|\^=|[-+*/%@&|^~<>()[\]{}.,:;=])|(\n[ \t]*)/g;

const matches = (re: RegExp, text: string) => [...text.matchAll(re)].map((m) => [m.index, ...m]);

describe("the portable lexer pattern", () => {
  const pieces = [
    ..."abc_Z09٣é😀 \t\n\r\u2028\u2029#'\"\\.+-*/%@&|^~<>()[]{},:;=!",
    "'''",
    '"""',
    "**=",
    "1_0.5e-3",
    "    ",
  ];
  it("matches what the original pattern matched, on random text made of the tricky pieces", () => {
    const portable = new RegExp(PYTHON_LEXER.pattern, "g");
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 60 }), (parts) => {
        const text = parts.join("");
        expect(matches(portable, text)).toEqual(matches(ORIGINAL, text));
      }),
      { numRuns: 3000, seed: 16 },
    );
  });

  it("is what pythonTokens scans with: no string after a backslash and U+2028, no Unicode digits", () => {
    expect(pythonTokens("x = '\\\u2028' # c\n\tif y ٣ 12:\n")).toEqual([
      "x",
      "=",
      "<nl>",
      "<indent>",
      "if",
      "y",
      "<num>",
      "1",
      "2",
      ":",
      "<nl>",
    ]);
  });
});

const kinds: EncoderKind[] = ["lstm", "transformer", "trace", "joint"];

describe("tokenizer.json and architecture.json", () => {
  it.each(kinds)("are written with a %s model and describe what it reads", (encoder) => {
    const model = new Encoder({
      encoder,
      dim: 8,
      pooling: "last-valid",
      maxLength: 10,
      vocab: ["a", "b"],
      traceEncoding: DEFAULT_TRACE_ENCODING,
      distance: "cosine",
      seed: 1,
    });
    const out = join(dir, encoder);
    saveEncoder(out, model);
    const tok = JSON.parse(readFileSync(join(out, "tokenizer.json"), "utf8")) as TokenizerFile;
    const arch = JSON.parse(
      readFileSync(join(out, "architecture.json"), "utf8"),
    ) as ArchitectureFile;
    expect(tok.code === null).toBe(encoder === "trace");
    expect(tok.trace === null).toBe(encoder === "lstm" || encoder === "transformer");
    if (tok.code) {
      expect(tok.code.id_to_token).toEqual(["<pad>", "<unk>", "a", "b"]);
      expect(tok.code.type).toBe(encoder === "lstm" ? "characters" : "python_tokens");
      expect(tok.code.lexer === undefined).toBe(encoder === "lstm");
    }
    expect(arch.bodies.map((b) => b.type)).toEqual(
      {
        lstm: ["char_lstm"],
        transformer: ["token_transformer"],
        trace: ["trace_lstm"],
        joint: ["token_transformer", "trace_lstm"],
        bag: ["bag_of_features"],
      }[encoder],
    );
    expect(arch.proj.in_features).toBe(arch.bodies.reduce((w, b) => w + b.width, 0));
    for (const b of arch.bodies) {
      if (b.type === "char_lstm" || b.type === "trace_lstm") expect(b.lstm.packed).toBe(true);
    }
  });

  it("are not needed to load a model saved before they existed", () => {
    const out = join(dir, "lstm");
    const before = embedItems(loadEncoder(out), [{ code: "ab" }]);
    rmSync(join(out, "tokenizer.json"));
    rmSync(join(out, "architecture.json"));
    expect(existsSync(join(out, "model.json"))).toBe(true);
    expect(embedItems(loadEncoder(out), [{ code: "ab" }])).toEqual(before);
  });

  it("a model.json that is not JSON is named in the error", () => {
    const out = join(dir, "lstm");
    writeFileSync(join(out, "model.json"), "{");
    expect(() => loadEncoder(out)).toThrow(`${join(out, "model.json")}: not valid JSON (`);
  });
});
