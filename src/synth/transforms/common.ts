/** Shared pieces of the transforms: the state they map, and layout helpers. */
import type { Random } from "../../random/index.js";
import { analyseFunction, type FunctionScope } from "../scope.js";
import {
  blocksIn,
  findFunction,
  lineStart,
  type Node,
  ownLineIndent,
  statementsOf,
  withTree,
} from "../syntax.js";

/** What a transform maps: the code, and the name of the function to call. */
export interface Snippet {
  code: string;
  entry: string;
}

/** A transform returns the new snippet, or null when it does not apply to this one. */
export type TransformFn = (snippet: Snippet, rng: Random) => Snippet | null;

/** Everything a transform usually needs about the entry function, from one parse. */
export interface Parsed {
  code: string;
  entry: string;
  root: Node;
  fn: Node;
  body: Node;
  scope: FunctionScope;
}

/** Parses `snippet` and runs `use` on its entry function; null when there is no usable one. */
export function onFunction<T>(snippet: Snippet, use: (p: Parsed) => T | null): T | null {
  return withTree(snippet.code, (root) => {
    const fn = findFunction(root, snippet.entry);
    const body = fn?.childForFieldName("body");
    const scope = fn && analyseFunction(fn);
    if (!fn || !body || !scope) return null;
    return use({ code: snippet.code, entry: snippet.entry, root, fn, body, scope });
  });
}

/** The indentation step of a function: its first body line's indent minus the `def` line's. */
export function indentUnit(p: Parsed): string | undefined {
  const first = statementsOf(p.body)[0];
  const defIndent = ownLineIndent(p.code, p.fn);
  const bodyIndent = first && ownLineIndent(p.code, first);
  if (defIndent === undefined || bodyIndent === undefined) return undefined;
  if (!bodyIndent.startsWith(defIndent) || bodyIndent.length === defIndent.length) return undefined;
  return bodyIndent.slice(defIndent.length);
}

export function isDocstring(stmt: Node): boolean {
  return stmt.type === "expression_statement" && stmt.namedChild(0)?.type === "string";
}

const TERMINATORS = new Set([
  "return_statement",
  "raise_statement",
  "break_statement",
  "continue_statement",
]);

/** True when control never continues past `stmt` (a jump, or an if/else whose branches all jump). */
export function alwaysExits(stmt: Node): boolean {
  if (TERMINATORS.has(stmt.type)) return true;
  if (stmt.type !== "if_statement") return false;
  const branches = [stmt.childForFieldName("consequence")];
  let hasElse = false;
  for (const clause of stmt.namedChildren) {
    if (clause?.type === "elif_clause") branches.push(clause.childForFieldName("consequence"));
    if (clause?.type === "else_clause") {
      hasElse = true;
      branches.push(clause.childForFieldName("body"));
    }
  }
  return (
    hasElse &&
    branches.every((b) => {
      const stmts = b ? statementsOf(b) : [];
      return stmts.length > 0 && alwaysExits(stmts[stmts.length - 1]);
    })
  );
}

/** A place where a new line-statement can go, and the indentation it needs there. */
export interface InsertionPoint {
  index: number;
  indent: string;
  /** Text to put before the statement (a newline when inserting after a block's last line). */
  lead: string;
}

/**
 * Places inside the function body where a statement can be inserted without becoming
 * unreachable or displacing a docstring: before any own-line statement that does not follow
 * a statement that always exits, and after the last statement of a block if that one does
 * not always exit.
 */
export function insertionPoints(p: Parsed): InsertionPoint[] {
  const out: InsertionPoint[] = [];
  for (const block of blocksIn(p.body)) {
    const stmts = statementsOf(block);
    stmts.forEach((s, i) => {
      const indent = ownLineIndent(p.code, s);
      if (indent === undefined) return;
      if (i === 0 && block.id === p.body.id && isDocstring(s)) return;
      if (i > 0 && alwaysExits(stmts[i - 1])) return;
      out.push({ index: lineStart(p.code, s.startIndex), indent, lead: "" });
    });
    const last = stmts[stmts.length - 1];
    const indent = last && ownLineIndent(p.code, last);
    if (last && indent !== undefined && !alwaysExits(last)) {
      const eol = p.code.indexOf("\n", last.endIndex);
      out.push({ index: eol === -1 ? p.code.length : eol, indent, lead: "\n" });
    }
  }
  return out;
}

/** The text that inserts `line` at `at`. */
export function lineAt(at: InsertionPoint, line: string): string {
  return at.lead === "" ? `${at.indent}${line}\n` : `\n${at.indent}${line}`;
}

/** Indices of the line starts in `[from, to)`, skipping blank lines. */
export function nonBlankLineStarts(code: string, from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i < to; i = code.indexOf("\n", i) + 1) {
    let j = i;
    while (j < code.length && (code[j] === " " || code[j] === "\t")) j++;
    if (j < code.length && code[j] !== "\n") out.push(i);
    if (code.indexOf("\n", i) === -1) break;
  }
  return out;
}
