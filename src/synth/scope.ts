/**
 * Name analysis of one function: which names it binds (parameters, locals) and where each
 * name is read or written. Deliberately conservative: a function with a nested scope or a
 * dynamic-scope escape hatch is reported as not analysable, and transforms that need scopes
 * then skip it.
 */
import { childrenOf, descendants, type Node, namedChildren } from "./syntax.js";

/** Constructs that create nested scopes or let code reach names dynamically. */
const SCOPE_BREAKERS = new Set([
  "function_definition",
  "class_definition",
  "lambda",
  "list_comprehension",
  "set_comprehension",
  "dictionary_comprehension",
  "generator_expression",
  "global_statement",
  "nonlocal_statement",
  "import_statement",
  "import_from_statement",
  "delete_statement",
]);
const DYNAMIC_CALLS = new Set(["locals", "globals", "vars", "eval", "exec", "dir"]);

export interface FunctionScope {
  fn: Node;
  name: Node;
  params: string[];
  /** Names assigned in the body that are not parameters. */
  locals: string[];
}

/** Identifier nodes that are variable references (not attribute names or keyword-argument names). */
export function variableIdentifiers(node: Node): Node[] {
  return descendants(node).filter((n) => {
    if (n.type !== "identifier") return false;
    const parent = n.parent;
    if (parent?.type === "attribute" && parent.childForFieldName("attribute")?.id === n.id)
      return false;
    if (parent?.type === "keyword_argument" && parent.childForFieldName("name")?.id === n.id)
      return false;
    return true;
  });
}

/** Scope of a function, or undefined when it has nested scopes or dynamic name access. */
export function analyseFunction(fn: Node): FunctionScope | undefined {
  const body = fn.childForFieldName("body");
  const name = fn.childForFieldName("name");
  const parameters = fn.childForFieldName("parameters");
  if (!body || !name || !parameters) return undefined;
  for (const n of descendants(body)) {
    if (SCOPE_BREAKERS.has(n.type)) return undefined;
    if (n.type === "call" && DYNAMIC_CALLS.has(n.childForFieldName("function")?.text ?? ""))
      return undefined;
  }
  const params: string[] = [];
  for (const p of namedChildren(parameters)) {
    // `x`, `x=1`, `x: int=1`, and `x: int` (whose name is its first child, not a field)
    const id =
      p.type === "identifier"
        ? p
        : p.type === "typed_parameter"
          ? (p.namedChild(0) ?? undefined)
          : (p.childForFieldName("name") ?? undefined);
    if (id?.type !== "identifier") return undefined; // splats, patterns: not handled
    params.push(id.text);
  }
  const locals: string[] = [];
  for (const id of boundIdentifiers(body)) {
    if (!params.includes(id) && !locals.includes(id)) locals.push(id);
  }
  return { fn, name, params, locals };
}

/** The target of a binding construct, or null when `n` binds nothing. */
function bindingTarget(n: Node): Node | null {
  if (n.type === "assignment" || n.type === "augmented_assignment" || n.type === "for_statement")
    return n.childForFieldName("left");
  if (n.type === "named_expression") return n.childForFieldName("name");
  if (n.type === "as_pattern") return n.childForFieldName("alias");
  return null;
}

/** Names bound by assignments, loops, `with … as`, `except … as` and walrus inside `node`. */
export function boundIdentifiers(node: Node): string[] {
  const out: string[] = [];
  for (const n of descendants(node)) {
    const target = bindingTarget(n);
    if (target) for (const id of targetNames(target)) out.push(id);
  }
  return out;
}

function targetNames(target: Node): string[] {
  if (target.type === "identifier") return [target.text];
  if (target.type === "as_pattern_target") return namedChildren(target).flatMap(targetNames);
  if (["pattern_list", "tuple_pattern", "list_pattern", "list_splat_pattern"].includes(target.type))
    return namedChildren(target).flatMap(targetNames);
  return []; // attribute / subscript targets bind nothing new
}

/** Names written and read by a simple statement (reads include augmented targets). */
export function defsAndUses(stmt: Node): { defs: Set<string>; uses: Set<string> } {
  const defs = new Set<string>();
  const uses = new Set<string>();
  const visit = (n: Node) => {
    if (n.type === "assignment") {
      const left = n.childForFieldName("left");
      if (left) for (const id of targetNames(left)) defs.add(id);
      for (const c of childrenOf(n)) if (c.id !== left?.id) visit(c);
      if (left && left.type !== "identifier")
        for (const id of variableIdentifiers(left)) uses.add(id.text);
      return;
    }
    if (n.type === "augmented_assignment") {
      const left = n.childForFieldName("left");
      if (left) for (const id of targetNames(left)) defs.add(id);
      for (const id of variableIdentifiers(n)) uses.add(id.text);
      return;
    }
    if (n.type === "identifier") {
      uses.add(n.text);
      return;
    }
    for (const c of childrenOf(n)) visit(c);
  };
  visit(stmt);
  return { defs, uses };
}

const ARITHMETIC = new Set(["+", "-", "*"]);
/** Integer-closed operators that may raise (division by zero) but never leave int. */
const INT_CLOSED = new Set(["+", "-", "*", "%", "//"]);
const INT_AUGMENTED = new Set(["+=", "-=", "*=", "%=", "//="]);

/**
 * True when `node` is integer arithmetic over `names` and int literals with operators in
 * `ops` (default + − ×): such an expression is pure, cannot raise, and its value does not
 * depend on when it is evaluated within one statement.
 */
export function isIntArithmetic(node: Node, names: ReadonlySet<string>, ops = ARITHMETIC): boolean {
  switch (node.type) {
    case "integer":
      return true;
    case "identifier":
      return names.has(node.text);
    case "parenthesized_expression": {
      const inner = namedChildren(node).filter((c) => c.type !== "comment");
      return inner.length === 1 && isIntArithmetic(inner[0], names, ops);
    }
    case "unary_operator": {
      const op = node.childForFieldName("operator")?.type ?? "";
      const arg = node.childForFieldName("argument");
      return (op === "-" || op === "+") && !!arg && isIntArithmetic(arg, names, ops);
    }
    case "binary_operator": {
      const op = node.childForFieldName("operator")?.type ?? "";
      const left = node.childForFieldName("left");
      const right = node.childForFieldName("right");
      return (
        ops.has(op) &&
        !!left &&
        !!right &&
        isIntArithmetic(left, names, ops) &&
        isIntArithmetic(right, names, ops)
      );
    }
    default:
      return false;
  }
}

/**
 * Names that always hold an int: the parameters (every generated function takes `x: int`)
 * and locals whose every binding is integer arithmetic over such names or a `range` loop
 * variable. Computed as a fixpoint.
 */
export function intNames(scope: FunctionScope): Set<string> {
  const ints = new Set(scope.params);
  const body = scope.fn.childForFieldName("body");
  if (!body) return ints;
  const nodes = descendants(body);
  const rangeIsBuiltin = !scope.params.includes("range") && !scope.locals.includes("range");
  let changed = true;
  while (changed) {
    changed = false;
    for (const local of scope.locals) {
      if (ints.has(local)) continue;
      const ok = nodes.every((n) => {
        const target = bindingTarget(n);
        if (!target || !targetNames(target).includes(local)) return true;
        if (target.type !== "identifier") return false;
        const right = n.childForFieldName("right");
        if (!right) return false;
        if (n.type === "assignment") return isIntArithmetic(right, ints, INT_CLOSED);
        if (n.type === "augmented_assignment") {
          const op = n.childForFieldName("operator")?.type ?? "";
          return INT_AUGMENTED.has(op) && isIntArithmetic(right, ints, INT_CLOSED);
        }
        if (n.type === "for_statement")
          return (
            rangeIsBuiltin &&
            right.type === "call" &&
            right.childForFieldName("function")?.text === "range"
          );
        return false;
      });
      if (ok) {
        ints.add(local);
        changed = true;
      }
    }
  }
  return ints;
}
