/**
 * Helper extraction and inlining. Extraction moves an operator expression into a local
 * function defined at the top of the body, every name it reads passed as an argument
 * (`def h(a, b): return a * b + 1` … `h(x, y)`), so it is evaluated once, at the same point,
 * on the same values. Inlining takes such a one-line local function back into its calls when
 * every call passes plain positional arguments without calls, a non-atomic argument feeds a
 * parameter used exactly once, and no name the helper reads is rebound by a comprehension or
 * lambda around a call.
 */
import type { Random } from "../../../random/index.js";
import { freshName } from "../../names.js";
import { variableIdentifiers } from "../../scope.js";
import {
  descendants,
  type Edit,
  type Node,
  namedChildren,
  ownLineIndent,
  statementsOf,
} from "../../syntax.js";
import type { Snippet } from "../common.js";
import {
  bodyStatements,
  type Def,
  isAtom,
  onDef,
  paren,
  refs,
  unitOf,
  wholeLines,
} from "./common.js";

const EXPRESSIONS = [
  "binary_operator",
  "boolean_operator",
  "comparison_operator",
  "unary_operator",
  "not_operator",
];
/** Constructs an extracted or inlined expression must not hold: scopes, bindings, frame access. */
const BARRIERS = [
  "lambda",
  "list_comprehension",
  "set_comprehension",
  "dictionary_comprehension",
  "generator_expression",
  "yield",
  "await",
  "named_expression",
];
const FRAME_CALLS = ["super", "locals", "globals", "vars", "eval", "exec", "dir"];

function extractable(n: Node): boolean {
  if (!EXPRESSIONS.includes(n.type)) return false;
  return !descendants(n).some(
    (c) =>
      BARRIERS.includes(c.type) ||
      (c.type === "call" && FRAME_CALLS.includes(c.childForFieldName("function")?.text ?? "")),
  );
}

/** Names read by `expr`, in order of first appearance. */
function readNames(expr: Node): string[] {
  return [...new Set(variableIdentifiers(expr).map((n) => n.text))];
}

export function extractHelper(snippet: Snippet, rng: Random): Snippet | null {
  return onDef(snippet, (d) => {
    const unit = unitOf(d);
    const first = bodyStatements(d)[0];
    const indent = first && ownLineIndent(d.code, first);
    if (!unit || !first || indent === undefined) return null;
    const nested = descendants(d.body).filter((o) =>
      ["function_definition", "class_definition"].includes(o.type),
    );
    const candidates = descendants(d.body).filter(
      (n) =>
        extractable(n) &&
        !nested.some((o) => n.startIndex >= o.startIndex && n.endIndex <= o.endIndex),
    );
    for (const expr of rng.shuffle(candidates)) {
      const names = readNames(expr);
      if (names.length === 0) continue;
      const helper = freshName(rng, d.taken, "function");
      const body = expr.text.includes("\n") ? `(${expr.text})` : expr.text;
      const def = `def ${helper}(${names.join(", ")}):\n${indent}${unit}return ${body}\n${indent}`;
      const edits: Edit[] = [
        { start: first.startIndex, end: first.startIndex, text: def },
        { start: expr.startIndex, end: expr.endIndex, text: `${helper}(${names.join(", ")})` },
      ];
      return { code: apply(d.code, edits), entry: d.entry };
    }
    return null;
  });
}

function apply(code: string, edits: Edit[]): string {
  let out = code;
  // from the end, and at one index the longer edit first, so earlier offsets stay valid
  for (const e of [...edits].sort((a, b) => b.start - a.start || b.end - a.end)) {
    out = out.slice(0, e.start) + e.text + out.slice(e.end);
  }
  return out;
}

/** A local `def h(p, …): return e` with plain parameters: its name, parameters and expression. */
function oneLineHelper(def: Node): { name: string; params: string[]; expr: Node } | undefined {
  if (def.type !== "function_definition" || def.text.startsWith("async")) return undefined;
  const name = def.childForFieldName("name")?.text;
  const params = def.childForFieldName("parameters");
  const body = def.childForFieldName("body");
  const stmts = body ? statementsOf(body) : [];
  const ret = stmts[0];
  const expr = ret?.type === "return_statement" ? ret.namedChild(0) : null;
  if (!name || !params || stmts.length !== 1 || !expr) return undefined;
  const ps = namedChildren(params);
  if (!ps.every((p) => p.type === "identifier")) return undefined;
  if (descendants(expr).some((c) => BARRIERS.includes(c.type))) return undefined;
  return { name, params: ps.map((p) => p.text), expr };
}

function inlineEdits(d: Def, def: Node): Edit[] | null {
  const helper = oneLineHelper(def);
  if (!helper || def.parent?.id !== d.body.id) return null;
  const { name, params, expr } = helper;
  const uses = refs(d.root, name).filter((n) => n.id !== def.childForFieldName("name")?.id);
  if (uses.length === 0) return null;
  const free = readNames(expr).filter((n) => !params.includes(n));
  const rebound = descendants(d.fn).flatMap((n) => {
    const target =
      n.type === "for_in_clause"
        ? n.childForFieldName("left")
        : n.type === "lambda"
          ? n.childForFieldName("parameters")
          : null;
    return target ? descendants(target).map((t) => t.text) : [];
  });
  if (free.some((f) => rebound.includes(f))) return null;
  const edits: Edit[] = [wholeLines(d.code, def)];
  for (const use of uses) {
    const call = use.parent;
    if (call?.type !== "call" || call.childForFieldName("function")?.id !== use.id) return null;
    if (call.startIndex >= def.startIndex && call.endIndex <= def.endIndex) return null;
    const argList = call.childForFieldName("arguments");
    const args = argList ? namedChildren(argList).filter((a) => a.type !== "comment") : [];
    if (argList?.type !== "argument_list" || args.length !== params.length) return null;
    const substitution = new Map<string, Node>();
    for (const [i, arg] of args.entries()) {
      if (["keyword_argument", "list_splat", "dictionary_splat"].includes(arg.type)) return null;
      if (descendants(arg).some((c) => c.type === "call" || BARRIERS.includes(c.type))) return null;
      const count = refs(expr, params[i]).length;
      if (count !== 1 && !isAtom(arg)) return null;
      substitution.set(params[i], arg);
    }
    const inner: Edit[] = variableIdentifiers(expr)
      .filter((n) => substitution.has(n.text))
      .map((n) => ({
        start: n.startIndex - expr.startIndex,
        end: n.endIndex - expr.startIndex,
        text: paren(substitution.get(n.text) as Node),
      }));
    edits.push({
      start: call.startIndex,
      end: call.endIndex,
      text: `(${apply(expr.text, inner)})`,
    });
  }
  return edits;
}

export function inlineHelper(snippet: Snippet, rng: Random): Snippet | null {
  return onDef(snippet, (d) => {
    const defs = statementsOf(d.body).filter((s) => s.type === "function_definition");
    for (const def of rng.shuffle(defs)) {
      const edits = inlineEdits(d, def);
      if (edits) return { code: apply(d.code, edits), entry: d.entry };
    }
    return null;
  });
}
