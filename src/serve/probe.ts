/**
 * Which lines of a function ran on an input. The tracer's block ids are canonical (numbered by
 * first execution, with no offset or line: see src/python/README.md), so they cannot be put on
 * the code by themselves. Instead a probed copy of the code runs in the sandbox: before every
 * statement of every body (functions, branches, loops, handlers) a probe sets the statement's
 * original line in a bit mask, and a wrapper entry calls the function and returns the mask.
 * The probe is a plain statement (no call), so it adds no block events; the original
 * function's own result and blocks come from the tracer run beside it.
 */
import { withTree } from "../synth/index.js";

/** Name of the wrapper entry the probed copy adds. */
export const PROBE_ENTRY = "_tracecode_probe_entry";
const MASK = "_tracecode_lines";
/** Bits per int in the wrapper's answer; 32 ints (the value encoding's list cap) → 1920 lines. */
const CHUNK_BITS = 60;
export const MAX_PROBED_LINE = 32 * CHUNK_BITS - 1;

const COMPOUND = new Set([
  "if_statement",
  "for_statement",
  "while_statement",
  "try_statement",
  "with_statement",
  "function_definition",
  "class_definition",
  "decorated_definition",
  "match_statement",
]);
const DEFINITIONS = new Set(["function_definition", "class_definition"]);

/** A probed copy of `code` whose entry `PROBE_ENTRY` calls `entry` and returns the line mask. */
export function probedCopy(code: string, entry: string): string {
  return withTree(code, (root) => {
    const edits: { at: number; text: string }[] = [];
    const blocks = root.descendantsOfType("block");
    for (const block of blocks) {
      if (!block) continue;
      const statements = block.namedChildren.filter((s) => s !== null && s.type !== "comment");
      statements.forEach((s, i) => {
        if (!s) return;
        // A docstring stays the first statement, so the function's __doc__ is unchanged.
        if (
          i === 0 &&
          DEFINITIONS.has(block.parent?.type ?? "") &&
          s.type === "expression_statement" &&
          s.namedChildCount === 1 &&
          s.namedChild(0)?.type === "string"
        )
          return;
        const line = s.startPosition.row + 1;
        if (line > MAX_PROBED_LINE) return;
        const lineStart = code.lastIndexOf("\n", s.startIndex - 1) + 1;
        const before = code.slice(lineStart, s.startIndex);
        const probe = `${MASK}[0] |= 1 << ${line}`;
        if (/^[ \t]*$/.test(before)) edits.push({ at: s.startIndex, text: `${probe}\n${before}` });
        else if (!COMPOUND.has(s.type)) edits.push({ at: s.startIndex, text: `${probe}; ` });
      });
    }
    // The mask is defined first, after any `from __future__` imports (which must lead).
    const futures = root.namedChildren.filter((n) => n?.type === "future_import_statement");
    const last = futures[futures.length - 1];
    const headerAt = last ? last.endIndex : 0;
    edits.push({
      at: headerAt,
      text: last ? `\n${MASK} = [0]\n` : `${MASK} = [0]\n`,
    });
    edits.sort((a, b) => b.at - a.at);
    let out = code;
    for (const e of edits) out = out.slice(0, e.at) + e.text + out.slice(e.at);
    const mask = (1n << BigInt(CHUNK_BITS)) - 1n;
    return `${out}

def ${PROBE_ENTRY}(*args):
    ${MASK}[0] = 0
    try:
        ${entry}(*args)
    except Exception:
        pass
    m = ${MASK}[0]
    out = []
    while m and len(out) < 32:
        out.append(m & ${mask})
        m >>= ${CHUNK_BITS}
    return out
`;
  });
}

/**
 * Lines set in a probed copy's answer (`[c0,c1,…]`, the encoding of a list of ints), and after
 * it what the call left in an instance or its arguments (`;self:…`), which is not the mask.
 */
export function linesOf(output: string): number[] | undefined {
  const m = /^\[([0-9,]*)\](?:;|$)/.exec(output);
  if (!m) return undefined;
  const chunks = m[1] === "" ? [] : m[1].split(",").map((s) => BigInt(s));
  const lines: number[] = [];
  chunks.forEach((c, i) => {
    for (let b = 0; b < CHUNK_BITS; b++) if ((c >> BigInt(b)) & 1n) lines.push(i * CHUNK_BITS + b);
  });
  return lines;
}
