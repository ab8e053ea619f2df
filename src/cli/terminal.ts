/**
 * Everything printed to a terminal goes through here: text from outside — file names, function
 * names, exception texts, values, code — has its control characters escaped (src/data
 * `escapeControl`), so it can neither send escape sequences nor forge lines of a table. JSON
 * output (`--json`) is printed as JSON and keeps text exact.
 */
import { escapeControl } from "../data/index.js";

export { escapeControl };

/**
 * A template tag: the literal parts are ours and kept as written (line breaks included); every
 * interpolated value is escaped. `` term`indexed ${file}\n` ``.
 */
export function term(strings: TemplateStringsArray, ...values: unknown[]): string {
  let out = strings[0];
  values.forEach((v, i) => {
    out += escapeControl(String(v)) + strings[i + 1];
  });
  return out;
}

/**
 * A message of several lines whose text may come from outside (an error): line breaks stay, but
 * every line after the first is indented, so no line of it can pass for other output.
 */
export function message(text: string): string {
  return escapeControl(text, "\n").replace(/\n/g, "\n  ");
}

/** `n` and the noun, plural unless n is 1: "1 function", "3 functions", "2 classes". */
export function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`;
}
