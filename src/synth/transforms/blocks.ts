/**
 * Block-structure transforms (behind `--block-transforms`): they keep behaviour but change
 * the basic blocks executed or the branch outcomes, so variants stay in their function's `io`
 * class but leave its `trace` class. They assume the parameters are ints, as in every
 * generated family.
 */
import type { Random } from "../../random/index.js";
import { freshName, identifiersIn } from "../names.js";
import { intNames, isIntArithmetic } from "../scope.js";
import {
  applyEdits,
  blocksIn,
  descendants,
  type Edit,
  hasMultilineString,
  insertAt,
  lineStart,
  type Node,
  namedChildren,
  ownLineIndent,
  statementsOf,
} from "../syntax.js";
import {
  indentUnit,
  isDocstring,
  nonBlankLineStarts,
  onFunction,
  type Parsed,
  type Snippet,
} from "./common.js";

/** Conditions true for every int `p` that the compiler does not fold away. */
function alwaysTrue(p: string, rng: Random): string {
  return rng.pick([`${p} == ${p}`, `${p} * ${p} >= 0`, `${p} - ${p} == 0`, `${p} + 1 > ${p}`]);
}

function ownLineStatements(p: Parsed): Node[] {
  return blocksIn(p.body).flatMap((b) =>
    statementsOf(b).filter(
      (s, i) =>
        ownLineIndent(p.code, s) !== undefined &&
        !(i === 0 && b.id === p.body.id && isDocstring(s)),
    ),
  );
}

/** `S` → `if x > K: S else: S` for a one-line return or assignment S. */
export function duplicateBranch(snippet: Snippet, rng: Random): Snippet | null {
  return onFunction(snippet, (p) => {
    const unit = indentUnit(p);
    if (!unit || p.scope.params.length === 0) return null;
    const candidates = ownLineStatements(p).filter(
      (s) =>
        (s.type === "return_statement" || s.type === "expression_statement") &&
        !s.text.includes("\n"),
    );
    if (candidates.length === 0) return null;
    const s = rng.pick(candidates);
    const ind = ownLineIndent(p.code, s) ?? "";
    const param = rng.pick(p.scope.params);
    const text =
      `if ${param} > ${rng.int(-50, 50)}:\n${ind}${unit}${s.text}\n` +
      `${ind}else:\n${ind}${unit}${s.text}`;
    return {
      code: applyEdits(p.code, [{ start: s.startIndex, end: s.endIndex, text }]),
      entry: p.entry,
    };
  });
}

/** Wraps a run of statements in an `if` whose condition always holds. */
export function alwaysTrueIf(snippet: Snippet, rng: Random): Snippet | null {
  return onFunction(snippet, (p) => {
    const unit = indentUnit(p);
    if (!unit || p.scope.params.length === 0) return null;
    const blocks = blocksIn(p.body);
    const block = rng.pick(blocks);
    const stmts = statementsOf(block);
    const skip = block.id === p.body.id && stmts[0] && isDocstring(stmts[0]) ? 1 : 0;
    if (stmts.length <= skip) return null;
    const i = rng.int(skip, stmts.length - 1);
    const j = rng.int(i, stmts.length - 1);
    const first = stmts[i];
    const ind = ownLineIndent(p.code, first);
    if (ind === undefined || stmts.slice(i, j + 1).some((s) => hasMultilineString(s))) return null;
    const from = lineStart(p.code, first.startIndex);
    const header = `${ind}if ${alwaysTrue(rng.pick(p.scope.params), rng)}:\n`;
    const edits: Edit[] = nonBlankLineStarts(p.code, from, stmts[j].endIndex).map((at) =>
      insertAt(at, at === from ? header + unit : unit),
    );
    return { code: applyEdits(p.code, edits), entry: p.entry };
  });
}

/** `if C: A else: B` → `if not (C): B else: A`. */
export function invertIf(snippet: Snippet, rng: Random): Snippet | null {
  return onFunction(snippet, (p) => {
    const candidates = descendants(p.body).filter((n) => {
      if (n.type !== "if_statement") return false;
      const alternatives = namedChildren(n).filter((c) => c.type.endsWith("_clause"));
      return alternatives.length === 1 && alternatives[0].type === "else_clause";
    });
    if (candidates.length === 0) return null;
    const n = rng.pick(candidates);
    const condition = n.childForFieldName("condition");
    const then = n.childForFieldName("consequence");
    const other = namedChildren(n)
      .find((c) => c.type === "else_clause")
      ?.childForFieldName("body");
    if (!condition || !then || !other || condition.text.includes("\n")) return null;
    const negated =
      condition.type === "not_operator"
        ? (condition.childForFieldName("argument")?.text ?? null)
        : `not (${condition.text})`;
    if (negated === null) return null;
    const edits: Edit[] = [
      { start: condition.startIndex, end: condition.endIndex, text: negated },
      { start: then.startIndex, end: then.endIndex, text: other.text },
      { start: other.startIndex, end: other.endIndex, text: then.text },
    ];
    return { code: applyEdits(p.code, edits), entry: p.entry };
  });
}

/**
 * `for i in range(a, b): body` → `i = a; while i < b: body; i += 1`, when the body has no
 * break/continue, does not assign i, and i is not used outside the loop; a non-literal bound
 * is computed once into a fresh name first, as `range` does.
 */
export function forToWhile(snippet: Snippet, rng: Random): Snippet | null {
  return onFunction(snippet, (p) => {
    const ints = intNames(p.scope);
    const bound = new Set([...p.scope.params, ...p.scope.locals]);
    for (const loop of rng.shuffle(descendants(p.body).filter((n) => n.type === "for_statement"))) {
      const edits = loopEdits(p, loop, ints, bound, rng);
      if (edits) return { code: applyEdits(p.code, edits), entry: p.entry };
    }
    return null;
  });
}

function loopEdits(
  p: Parsed,
  loop: Node,
  ints: Set<string>,
  bound: Set<string>,
  rng: Random,
): Edit[] | null {
  const left = loop.childForFieldName("left");
  const right = loop.childForFieldName("right");
  const body = loop.childForFieldName("body");
  const loopIndent = ownLineIndent(p.code, loop);
  const first = body && statementsOf(body)[0];
  const bodyIndent = first && ownLineIndent(p.code, first);
  if (!left || !right || !body || loopIndent === undefined || bodyIndent === undefined) return null;
  if (left.type !== "identifier" || loop.childForFieldName("alternative")) return null;
  if (right.type !== "call" || right.childForFieldName("function")?.text !== "range") return null;
  if (bound.has("range")) return null;
  const args = namedChildren(right.childForFieldName("arguments")!);
  if (args.length < 1 || args.length > 2 || !args.every((a) => isIntArithmetic(a, ints, INT_OPS)))
    return null;
  const i = left.text;
  const inBody = descendants(body);
  if (inBody.some((n) => n.type === "break_statement" || n.type === "continue_statement"))
    return null;
  const usedOutside = descendants(p.fn).some(
    (n) =>
      n.type === "identifier" &&
      n.text === i &&
      n.id !== left.id &&
      (n.startIndex < body.startIndex || n.endIndex > body.endIndex),
  );
  const assignedInBody = inBody.some(
    (n) =>
      (n.type === "assignment" ||
        n.type === "augmented_assignment" ||
        n.type === "for_statement") &&
      descendants(n.childForFieldName("left")!).some((d) => d.text === i),
  );
  if (usedOutside || assignedInBody) return null;
  const start = args.length === 2 ? args[0].text : "0";
  const stopArg = args[args.length - 1];
  let prelude = "";
  let stop = stopArg.text;
  if (stopArg.type !== "integer") {
    stop = freshName(rng, identifiersIn(p.root));
    prelude = `${stop} = ${stopArg.text}\n${loopIndent}`;
  }
  const header = `${prelude}${i} = ${start}\n${loopIndent}while ${i} < ${stop}:`;
  return [
    { start: loop.startIndex, end: body.startIndex, text: `${header}\n${bodyIndent}` },
    insertAt(body.endIndex, `\n${bodyIndent}${i} += 1`),
  ];
}

const INT_OPS = new Set(["+", "-", "*", "%", "//"]);
