/**
 * Tokenizers: text or traces → id sequences. Each is plain data (`toJSON`/`fromJSON`) saved in
 * the model's config, so a saved model tokenizes new input exactly as in training.
 * Id 0 is padding and 1 unknown in every vocabulary.
 */
import type { TraceRow } from "../data/index.js";
import { hashString } from "../random/index.js";

export const PAD = 0;
export const UNK = 1;

/** A batch of padded id sequences, row-major [batch, steps], with each row's valid length. */
export interface IdBatch {
  ids: Int32Array;
  lengths: Int32Array;
  batch: number;
  steps: number;
}

/**
 * Pads sequences to the longest one (at least 1 step). `maxLength` > 0 truncates first — the
 * paper's 50 characters; 0 keeps everything.
 */
export function padBatch(seqs: readonly number[][], maxLength: number): IdBatch {
  const cut = seqs.map((s) => (maxLength > 0 ? s.slice(0, maxLength) : s));
  const steps = Math.max(1, ...cut.map((s) => s.length));
  const ids = new Int32Array(cut.length * steps);
  const lengths = new Int32Array(cut.length);
  cut.forEach((s, b) => {
    ids.set(s, b * steps);
    lengths[b] = Math.max(1, s.length); // an empty snippet reads one pad step
  });
  return { ids, lengths, batch: cut.length, steps };
}

/** Vocabulary over strings; built from training data, unknown entries map to UNK. */
export class Vocabulary {
  private readonly index: Map<string, number>;

  constructor(readonly entries: readonly string[]) {
    this.index = new Map(entries.map((e, i) => [e, i + 2]));
  }

  get size(): number {
    return this.entries.length + 2;
  }

  id(entry: string): number {
    return this.index.get(entry) ?? UNK;
  }

  /** Entries seen at least `minCount` times, most frequent first, ties by code point order. */
  static build(items: Iterable<string>, minCount = 1, maxSize = 50_000): Vocabulary {
    const counts = new Map<string, number>();
    for (const t of items) counts.set(t, (counts.get(t) ?? 0) + 1);
    const kept = [...counts]
      .filter(([, n]) => n >= minCount)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .slice(0, maxSize)
      .map(([t]) => t);
    return new Vocabulary(kept);
  }
}

/** Characters of the source text, as the paper tokenizes code. */
export function charTokens(code: string): string[] {
  return [...code];
}

/**
 * Python tokens for the Transformer encoder: identifiers/keywords, numbers (each digit its own
 * token after a `<num>` marker, so unseen constants are still spelled out), string literals
 * (collapsed to `<str>`), operators (longest first) and `<nl>` for each non-empty line break.
 * Comments are dropped; indentation is kept as `<indent>` per leading 4-space step or tab.
 * A lexer rather than a parse, so broken code still tokenizes.
 *
 * The pattern is written to mean the same in ECMAScript and in Python's `re` (it is saved in
 * every model's tokenizer.json): `[0-9]` rather than `\d` (Unicode digits in Python), an
 * escaped character as any character but a line terminator (what ECMAScript's `.` means), and
 * `[` escaped inside the operator class.
 */
const PY_TOKEN =
  /(#[^\n]*)|("""[\s\S]*?"""|'''[\s\S]*?'''|"(?:\\[^\n\r\u2028\u2029]|[^"\\\n])*"|'(?:\\[^\n\r\u2028\u2029]|[^'\\\n])*')|([A-Za-z_][A-Za-z_0-9]*)|([0-9][0-9_]*(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?)|(\*\*=|\/\/=|>>=|<<=|->|:=|==|!=|<=|>=|\*\*|\/\/|<<|>>|\+=|-=|\*=|\/=|%=|&=|\|=|\^=|[-+*/%@&|^~<>()[\]{}.,:;=])|(\n[ \t]*)/g;

/** Spaces one `<indent>` stands for; a tab counts as this many spaces. */
export const INDENT_WIDTH = 4;

/**
 * The Python lexer as data, for the tokenizer.json saved with every model: the pattern's
 * source and what each of its six capture groups emits.
 */
export const PYTHON_LEXER = {
  pattern: PY_TOKEN.source,
  groups: ["comment", "string", "name", "number", "operator", "newline"],
  indentWidth: INDENT_WIDTH,
} as const;

export function pythonTokens(code: string): string[] {
  const out: string[] = [];
  for (const m of code.matchAll(PY_TOKEN)) {
    const [, comment, str, name, num, op, newline] = m;
    if (comment !== undefined) continue;
    if (str !== undefined) out.push("<str>");
    else if (name !== undefined) out.push(name);
    else if (num !== undefined) out.push("<num>", ...num);
    else if (op !== undefined) out.push(op);
    else if (newline !== undefined) {
      if (out.length > 0 && out[out.length - 1] !== "<nl>") out.push("<nl>");
      const indent = newline.slice(1).replace(/\t/g, " ".repeat(INDENT_WIDTH));
      for (let i = 0; i + INDENT_WIDTH <= indent.length; i += INDENT_WIDTH) out.push("<indent>");
    }
  }
  return out;
}

/**
 * A trace as a sequence of (block, value) events: the first `runs` runs of a traced snippet,
 * each its block ids (capped at `blocks` − 1) paired with the hash bucket of the value that
 * block produced, then an end event carrying the output's bucket. Ids: block 0 is padding,
 * block 1 the run separator/end marker, block b + 2 block b; value 0 padding, value v + 1
 * bucket v; at most `maxEvents` events. Hashing keeps values name-free and bounded; equal traces give equal sequences.
 */
export interface TraceEncoding {
  runs: number;
  blocks: number;
  buckets: number;
  /** Events kept in all (the sequence is cut after this many). */
  maxEvents: number;
}

export const DEFAULT_TRACE_ENCODING: TraceEncoding = {
  runs: 8,
  blocks: 30,
  buckets: 1024,
  maxEvents: 256,
};

export function traceEvents(
  trace: TraceRow | undefined,
  enc: TraceEncoding,
): { blocks: number[]; values: number[] } {
  const blocks: number[] = [];
  const values: number[] = [];
  const bucket = (v: string) => 1 + (hashString(v) % enc.buckets);
  if (trace === undefined || trace.status !== "ok") {
    // No trace: one end event carrying the status, so failures still differ from each other.
    blocks.push(1);
    values.push(bucket(`status:${trace?.status ?? "missing"}`));
    return { blocks, values };
  }
  for (const run of trace.runs.slice(0, enc.runs)) {
    run.blocks.forEach((b, i) => {
      blocks.push(2 + Math.min(b, enc.blocks - 1));
      values.push(bucket(run.values[i] ?? ""));
    });
    blocks.push(1);
    values.push(bucket(`out:${run.output}`));
  }
  return { blocks: blocks.slice(0, enc.maxEvents), values: values.slice(0, enc.maxEvents) };
}
