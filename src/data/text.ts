/**
 * Text shown to a person: control characters made visible. A terminal acts on C0 and C1 controls
 * and on the escape sequences they start (clear the screen, move the cursor, set the title), DEL
 * erases, a line break starts what looks like a new row of a table, and Unicode direction
 * overrides reorder what is displayed. So a file name, an exception text, a value or code printed
 * raw can forge output. Whatever such text reaches a terminal or the HTML report goes through
 * `escapeControl`; JSON and JSONL keep text exact.
 */

// C0, DEL, C1, and the bidirectional formatting characters (ALM, LRM, RLM, LRE…RLO, LRI…PDI).
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Readonly<Record<string, string>> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/**
 * `text` with every control character written as an escape: `\n`, `\r`, `\t`, `\xHH` (so ESC is
 * `\x1b` and an ANSI sequence prints as harmless text) or `\uHHHH`. Characters in `keep` (say
 * "\n" for a multi-line message of our own) pass through.
 */
export function escapeControl(text: string, keep = ""): string {
  return text.replace(CONTROL, (c) => {
    if (keep.includes(c)) return c;
    const named = NAMED[c];
    if (named) return named;
    const code = c.charCodeAt(0);
    return code <= 0xff
      ? `\\x${code.toString(16).padStart(2, "0")}`
      : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}
