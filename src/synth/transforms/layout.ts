/**
 * Layout-only transforms: comments, docstrings, blank lines, spacing and indentation. They
 * change no statement, so behaviour and traces are unchanged.
 */
import type { Random } from "../../random/index.js";
import {
  applyEdits,
  childrenOf,
  descendants,
  type Edit,
  hasMultilineString,
  insertAt,
  lineStart,
  ownLineIndent,
  statementsOf,
} from "../syntax.js";
import {
  indentUnit,
  insertionPoints,
  isDocstring,
  lineAt,
  nonBlankLineStarts,
  onFunction,
  type Snippet,
} from "./common.js";

const PHRASES: readonly string[] = [
  "compute the result",
  "shift the input",
  "main computation",
  "update the value",
  "return the answer",
  "helper value",
  "keep the running total",
  "apply the offset",
  "simple arithmetic",
  "TODO: simplify",
];

/** A `#` comment on its own line, or at the end of a statement's line. */
export function addComment(snippet: Snippet, rng: Random): Snippet | null {
  return onFunction(snippet, (p) => {
    const text = `# ${rng.pick(PHRASES)}`;
    if (rng.bool()) {
      const points = insertionPoints(p);
      if (points.length === 0) return null;
      const at = rng.pick(points);
      return { code: applyEdits(p.code, [insertAt(at.index, lineAt(at, text))]), entry: p.entry };
    }
    // a trailing comment goes only where the statement's line has nothing after it
    const ends = descendants(p.body).filter(
      (n) => n.parent?.type === "block" && n.type !== "comment" && p.code[n.endIndex] === "\n",
    );
    if (ends.length === 0) return null;
    const stmt = rng.pick(ends);
    return { code: applyEdits(p.code, [insertAt(stmt.endIndex, `  ${text}`)]), entry: p.entry };
  });
}

/** Adds a docstring, or rewords the existing one. */
export function docstring(snippet: Snippet, rng: Random): Snippet | null {
  return onFunction(snippet, (p) => {
    const first = statementsOf(p.body)[0];
    const indent = first && ownLineIndent(p.code, first);
    if (!first || indent === undefined) return null;
    const phrase = rng.pick(PHRASES);
    const text = `"""${phrase[0].toUpperCase()}${phrase.slice(1)}."""`;
    const edit: Edit = isDocstring(first)
      ? { start: first.startIndex, end: first.endIndex, text }
      : insertAt(lineStart(p.code, first.startIndex), `${indent}${text}\n`);
    return { code: applyEdits(p.code, [edit]), entry: p.entry };
  });
}

/** Inserts one or two blank lines inside the function. */
export function blankLines(snippet: Snippet, rng: Random): Snippet | null {
  return onFunction(snippet, (p) => {
    const starts = descendants(p.body)
      .filter((s) => s.parent?.type === "block" && ownLineIndent(p.code, s) !== undefined)
      .map((s) => lineStart(p.code, s.startIndex));
    const unique = [...new Set(starts)];
    if (unique.length === 0) return null;
    const chosen = rng.sample(unique, Math.min(unique.length, rng.int(1, 2)));
    return {
      code: applyEdits(
        p.code,
        chosen.map((i) => insertAt(i, "\n")),
      ),
      entry: p.entry,
    };
  });
}

const SYMBOLIC_OPERATORS = new Set([
  "+", "-", "*", "%", "//", "/", "**", "<", ">", "<=", ">=", "==", "!=", "=",
  "+=", "-=", "*=", "%=", "//=",
]); // biome-ignore format: a table reads better packed

/** Respaces some binary operators (`x + 1` → `x+1`), or re-indents with another unit. */
export function whitespace(snippet: Snippet, rng: Random): Snippet | null {
  return rng.bool(0.6) ? respace(snippet, rng) : reindent(snippet, rng);
}

function respace(snippet: Snippet, rng: Random): Snippet | null {
  return onFunction(snippet, (p) => {
    const edits: Edit[] = [];
    const spaceOnly = (a: number, b: number) => [...p.code.slice(a, b)].every((c) => c === " ");
    for (const n of descendants(p.fn)) {
      if (
        !["binary_operator", "comparison_operator", "assignment", "augmented_assignment"].includes(
          n.type,
        )
      )
        continue;
      const kids = childrenOf(n);
      kids.forEach((op, i) => {
        if (op.isNamed || !SYMBOLIC_OPERATORS.has(op.type) || i === 0 || i === kids.length - 1)
          return;
        if (!rng.bool(0.5)) return;
        const before = kids[i - 1];
        const after = kids[i + 1];
        if (!spaceOnly(before.endIndex, op.startIndex) || !spaceOnly(op.endIndex, after.startIndex))
          return;
        const gap = rng.pick(["", " ", "  "]);
        edits.push({ start: before.endIndex, end: op.startIndex, text: gap });
        edits.push({ start: op.endIndex, end: after.startIndex, text: gap });
      });
    }
    const code = applyEdits(p.code, edits);
    return code === p.code ? null : { code, entry: p.entry };
  });
}

function reindent(snippet: Snippet, rng: Random): Snippet | null {
  return onFunction(snippet, (p) => {
    const unit = indentUnit(p);
    const defIndent = ownLineIndent(p.code, p.fn);
    if (!unit || defIndent !== "" || hasMultilineString(p.fn)) return null;
    const next = rng.pick(["  ", "   ", "        ", "\t"].filter((u) => u !== unit));
    const edits: Edit[] = [];
    for (const start of nonBlankLineStarts(p.code, p.fn.startIndex, p.fn.endIndex)) {
      let end = start;
      while (p.code[end] === " " || p.code[end] === "\t") end++;
      const indent = p.code.slice(start, end);
      const depth = indent.length / unit.length;
      if (!Number.isInteger(depth) || indent !== unit.repeat(depth)) return null;
      if (depth > 0) edits.push({ start, end, text: next.repeat(depth) });
    }
    return { code: applyEdits(p.code, edits), entry: p.entry };
  });
}
