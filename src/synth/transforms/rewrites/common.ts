/**
 * What the structural rewrites share. Unlike the trace-preserving transforms they work on
 * general real functions (comprehensions, nested scopes and any argument types allowed), so
 * they parse without the scope analysis and decide locally, from the syntax tree, whether a
 * pattern may be rewritten; execution then verifies every variant.
 */
import type { Random } from "../../../random/index.js";
import { freshName, identifiersIn } from "../../names.js";
import { variableIdentifiers } from "../../scope.js";
import {
  descendants,
  type Edit,
  findFunction,
  hasMultilineString,
  lineStart,
  type Node,
  namedChildren,
  ownLineIndent,
  statementsOf,
  withTree,
} from "../../syntax.js";
import type { Snippet } from "../common.js";

/** The entry function of a snippet, from one parse, with no scope analysis. */
export interface Def {
  code: string;
  entry: string;
  root: Node;
  fn: Node;
  body: Node;
  /** Every identifier spelled in the module: fresh names avoid them all. */
  taken: Set<string>;
}

/** Parses `snippet` and runs `use` on its entry function; null when there is none. */
export function onDef<T>(snippet: Snippet, use: (d: Def) => T | null): T | null {
  return withTree(snippet.code, (root) => {
    if (root.hasError) return null;
    const fn = findFunction(root, snippet.entry);
    const body = fn?.childForFieldName("body");
    if (!fn || !body) return null;
    const taken = identifiersIn(root);
    return use({ code: snippet.code, entry: snippet.entry, root, fn, body, taken });
  });
}

/** The first rewrite site that gives edits, tried in random order; null when none does. */
export function rewriteOne(
  snippet: Snippet,
  rng: Random,
  sites: (d: Def) => Node[],
  edit: (d: Def, site: Node) => Edit[] | null,
): Snippet | null {
  return onDef(snippet, (d) => {
    for (const site of rng.shuffle(sites(d))) {
      const edits = edit(d, site);
      if (edits) return { code: applyAll(d.code, edits), entry: d.entry };
    }
    return null;
  });
}

function applyAll(code: string, edits: Edit[]): string {
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  let out = "";
  let at = 0;
  for (const e of sorted) {
    if (e.start < at) throw new Error(`overlapping edit at ${e.start}`);
    out += code.slice(at, e.start) + e.text;
    at = e.end;
  }
  return out + code.slice(at);
}

/** A fresh variable name for this module. */
export const fresh = (d: Def, rng: Random): string => freshName(rng, d.taken);

/** The function's indentation step (its first body statement's indent minus the `def`'s). */
export function unitOf(d: Def): string | undefined {
  const first = statementsOf(d.body)[0];
  const outer = ownLineIndent(d.code, d.fn);
  const inner = first && ownLineIndent(d.code, first);
  if (outer === undefined || inner === undefined) return undefined;
  if (!inner.startsWith(outer) || inner.length === outer.length) return undefined;
  return inner.slice(outer.length);
}

/**
 * The text of a statement moved from indentation `from` to `to`: its first line as it is,
 * every following line with the prefix swapped. Undefined when a line does not start with
 * `from` or a multi-line string would change.
 */
export function reindent(node: Node, from: string, to: string): string | undefined {
  if (hasMultilineString(node)) return undefined;
  const lines = node.text.split("\n");
  const out = [lines[0]];
  for (const line of lines.slice(1)) {
    if (line.trim() === "") out.push("");
    else if (line.startsWith(from)) out.push(to + line.slice(from.length));
    else return undefined;
  }
  return out.join("\n");
}

/** The statement's whole lines, from its line start to its end (for removal with the newline). */
export function wholeLines(code: string, first: Node, last: Node = first): Edit {
  const start = lineStart(code, first.startIndex);
  const eol = code.indexOf("\n", last.endIndex);
  return { start, end: eol === -1 ? code.length : eol + 1, text: "" };
}

/** Identifier nodes spelled `name` that are variable references inside `node`. */
export function refs(node: Node, name: string): Node[] {
  return variableIdentifiers(node).filter((n) => n.text === name);
}

/** True when `name` is referenced inside `node`. */
export const mentions = (node: Node, name: string): boolean => refs(node, name).length > 0;

/** True when `name` is referenced in `fn` outside every one of `inside`. */
export function usedOutside(fn: Node, name: string, inside: readonly Node[]): boolean {
  return refs(fn, name).some(
    (n) => !inside.some((o) => n.startIndex >= o.startIndex && n.endIndex <= o.endIndex),
  );
}

/** Variable names bound by a `for` target or assignment target (identifiers and tuples of them). */
export function targetNames(target: Node): string[] | undefined {
  if (target.type === "identifier") return [target.text];
  if (target.type === "pattern_list" || target.type === "tuple_pattern") {
    const parts = namedChildren(target).map(targetNames);
    return parts.every((p) => p !== undefined) ? parts.flat() : undefined;
  }
  return undefined;
}

/** The single named expression of a statement like `x = …` / `return …`, or undefined. */
export function assignmentOf(stmt: Node): Node | undefined {
  if (stmt.type !== "expression_statement" || stmt.namedChildCount !== 1) return undefined;
  const inner = stmt.namedChild(0);
  return inner?.type === "assignment" && inner.childForFieldName("type") === null
    ? inner
    : undefined;
}

/** `NAME = value` with a plain identifier target: [name, value]. */
export function simpleAssignment(stmt: Node): [string, Node] | undefined {
  const a = assignmentOf(stmt);
  const left = a?.childForFieldName("left");
  const right = a?.childForFieldName("right");
  return left?.type === "identifier" && right ? [left.text, right] : undefined;
}

/** A `block`'s statements with their own-line indentation, or undefined when one shares a line. */
export function ownLineStatements(code: string, block: Node): [Node, string][] | undefined {
  const out: [Node, string][] = [];
  for (const s of statementsOf(block)) {
    const indent = ownLineIndent(code, s);
    if (indent === undefined) return undefined;
    out.push([s, indent]);
  }
  return out;
}

/** True when `node` contains a construct that changes control flow or binds in the frame. */
export function hasJumpsOrBindings(node: Node): boolean {
  return descendants(node).some((n) =>
    [
      "break_statement",
      "continue_statement",
      "return_statement",
      "yield",
      "await",
      "named_expression",
      "global_statement",
      "nonlocal_statement",
    ].includes(n.type),
  );
}

/** True when `node` is inside a `try` (whose handlers could observe partial state) within `fn`. */
export function insideTry(node: Node, fn: Node): boolean {
  for (let p = node.parent; p && p.id !== fn.id; p = p.parent) {
    if (p.type === "try_statement" || p.type === "with_statement") return true;
  }
  return false;
}

/** Expressions that can be evaluated twice, or moved, without a change: names and literals. */
export function isAtom(node: Node): boolean {
  return ["identifier", "integer", "float", "true", "false", "none"].includes(node.type);
}

/** Wraps a non-atomic expression in parentheses (for substitution into a larger one). */
export function paren(node: Node): string {
  const atomic = [
    "identifier",
    "integer",
    "float",
    "true",
    "false",
    "none",
    "string",
    "call",
    "attribute",
    "subscript",
    "parenthesized_expression",
    "list",
    "tuple",
    "dictionary",
    "set",
  ].includes(node.type);
  return atomic ? node.text : `(${node.text})`;
}

/** The statements of a function body after its docstring. */
export function bodyStatements(d: Def): Node[] {
  const stmts = statementsOf(d.body);
  const first = stmts[0];
  const doc = first?.type === "expression_statement" && first.namedChild(0)?.type === "string";
  return doc ? stmts.slice(1) : stmts;
}

/** The next statement after `stmt` in its block, if any. */
export function nextStatement(stmt: Node): Node | undefined {
  const block = stmt.parent;
  if (block?.type !== "block") return undefined;
  const stmts = statementsOf(block);
  const i = stmts.findIndex((s) => s.id === stmt.id);
  return i >= 0 ? stmts[i + 1] : undefined;
}

/** The previous statement before `stmt` in its block, if any. */
export function previousStatement(stmt: Node): Node | undefined {
  const block = stmt.parent;
  if (block?.type !== "block") return undefined;
  const stmts = statementsOf(block);
  const i = stmts.findIndex((s) => s.id === stmt.id);
  return i > 0 ? stmts[i - 1] : undefined;
}

/** True when `node` lies inside a loop body of `fn` (a `break` there would leave that loop). */
export function loopAncestor(node: Node, fn: Node): Node | undefined {
  for (let p = node.parent; p && p.id !== fn.id; p = p.parent) {
    if (p.type === "for_statement" || p.type === "while_statement") return p;
    if (p.type === "function_definition" || p.type === "class_definition") return undefined;
  }
  return undefined;
}

/** Nodes of `type` inside the entry function's own code (not in nested defs or classes). */
export function ownNodes(d: Def, type: string): Node[] {
  return descendants(d.body).filter((n) => n.type === type && ownerOf(n, d.fn) === d.fn.id);
}

/** The id of the innermost function or class around `node`. */
function ownerOf(node: Node, fn: Node): number {
  for (let p = node.parent; p; p = p.parent) {
    if (p.type === "function_definition" || p.type === "class_definition") return p.id;
    if (p.id === fn.id) return fn.id;
  }
  return -1;
}
