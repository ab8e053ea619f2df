/**
 * The name-free form of real code, for evaluating code representations without the help of
 * names: docstrings, other bare string statements and comments removed, and every name the
 * module defines renamed consistently to a neutral one (`f1, f2, …` functions, `c1, …`
 * classes, `v1, …` everything else: parameters, locals, module constants, loop and
 * comprehension variables, lambda parameters). Names the code does not define stay: builtins,
 * imported names, attributes (`obj.name` cannot be told apart from a foreign object's
 * attribute without types, so methods and class attributes keep their names too) and dunders.
 * Literals stay as they are. Renaming follows Python's scopes (module, function, lambda,
 * comprehension; class bodies are not seen from the functions inside them; `global` and
 * `nonlocal` followed), so a local that shadows a builtin is renamed while the builtin used
 * elsewhere is not. One spelling always gets one neutral name, which keeps keyword arguments
 * of calls to the module's own functions and methods in step with their parameters.
 *
 * The transform is static; callers verify by execution that the result behaves the same.
 */
import { isReserved } from "./names.js";
import {
  applyEdits,
  childrenOf,
  descendants,
  type Edit,
  lineStart,
  type Node,
  namedChildren,
  ownLineIndent,
  replaceNode,
  statementsOf,
  withTree,
} from "./syntax.js";

export interface NameFree {
  code: string;
  /** The entry's new name. */
  entry: string;
  /** Every renamed spelling and its neutral name, in the order names were given. */
  renamed: Record<string, string>;
}

/** Code that cannot be made name-free (syntax errors, no such entry). */
export class NameFreeError extends Error {
  override name = "NameFreeError";
}

/** `code` without comments, docstrings and other bare string statements, then renamed. */
export function nameFree(code: string, entry: string): NameFree {
  const stripped = stripDocsAndComments(code);
  return withTree(stripped, (root) => {
    const { edits, renamed } = renameEdits(root);
    // A dunder entry (`__getattr__`) keeps its name.
    const newEntry = renamed.get(entry) ?? entry;
    const isEntry = (n: Node) =>
      n.type === "function_definition" && n.childForFieldName("name")?.text === entry;
    const defined = namedChildren(root).flatMap(definitionOf).some(isEntry);
    if (!defined) throw new NameFreeError(`no top-level function named ${entry}`);
    return {
      code: applyEdits(stripped, edits),
      entry: newEntry,
      renamed: Object.fromEntries(renamed),
    };
  });
}

function assertParses(root: Node, what: string): void {
  if (root.hasError) throw new NameFreeError(`${what} is not valid Python`);
}

/** Comments first, then bare string statements (each pass on a fresh tree). */
export function stripDocsAndComments(code: string): string {
  const noComments = withTree(code, (root) => {
    assertParses(root, "the code");
    return applyEdits(code, descendants(root).filter(isComment).map(commentEdit(code)));
  });
  return withTree(noComments, (root) => {
    const strings = descendants(root).filter(isBareString);
    return applyEdits(noComments, strings.map(stringStatementEdit(noComments)));
  });
}

const isComment = (n: Node) => n.type === "comment";

/** A comment alone on its line goes with its line; a trailing one with the spaces before it. */
const commentEdit =
  (code: string) =>
  (c: Node): Edit => {
    const after = restOfLine(code, c.endIndex);
    if (ownLineIndent(code, c) !== undefined)
      return { start: lineStart(code, c.startIndex), end: after, text: "" };
    let start = c.startIndex;
    while (start > 0 && (code[start - 1] === " " || code[start - 1] === "\t")) start--;
    return { start, end: c.endIndex, text: "" };
  };

/** Index just past the end of the line holding `index` (its newline included). */
function restOfLine(code: string, index: number): number {
  const nl = code.indexOf("\n", index);
  return nl < 0 ? code.length : nl + 1;
}

/** A statement that is only a string literal (a docstring or a string used as a comment). */
function isBareString(n: Node): boolean {
  if (n.type !== "expression_statement") return false;
  const parts = namedChildren(n);
  if (parts.length !== 1) return false;
  const s = parts[0];
  if (s.type !== "string" && s.type !== "concatenated_string") return false;
  // An f-string may call code; it is not a docstring.
  return !descendants(s).some((d) => d.type === "interpolation");
}

/**
 * Removes the statement's lines when it has them to itself (with the blank lines after it),
 * else leaves a `pass` in its place.
 */
const stringStatementEdit =
  (code: string) =>
  (s: Node): Edit => {
    const block = s.parent;
    const alone = block?.type === "block" && statementsOf(block).length === 1;
    const end = restOfLine(code, s.endIndex);
    const ownLines =
      ownLineIndent(code, s) !== undefined && code.slice(s.endIndex, end).trim() === "";
    if (alone || !ownLines) return replaceNode(s, "pass");
    // Blank lines after it go too: between statements they cannot be inside a string.
    let stop = end;
    while (stop < code.length && code.slice(stop, restOfLine(code, stop)).trim() === "")
      stop = restOfLine(code, stop);
    return { start: lineStart(code, s.startIndex), end: stop, text: "" };
  };

type Kind = "import" | "function" | "class" | "variable";

interface Scope {
  kind: "module" | "function" | "class" | "comprehension";
  parent?: Scope;
  bindings: Map<string, Kind>;
  globals: Set<string>;
  nonlocals: Set<string>;
}

const newScope = (kind: Scope["kind"], parent?: Scope): Scope => ({
  kind,
  parent,
  bindings: new Map(),
  globals: new Set(),
  nonlocals: new Set(),
});

const COMPREHENSIONS = new Set([
  "list_comprehension",
  "set_comprehension",
  "dictionary_comprehension",
  "generator_expression",
]);
const TARGET_LISTS = new Set([
  "pattern_list",
  "tuple_pattern",
  "list_pattern",
  "tuple",
  "list",
  "parenthesized_expression",
  "list_splat_pattern",
  "list_splat",
  "as_pattern_target",
]);
const PREFIX: Record<Exclude<Kind, "import">, string> = {
  function: "f",
  class: "c",
  variable: "v",
};

/** The definition a statement holds, decorated or not. */
const definitionOf = (n: Node): Node[] =>
  n.type === "decorated_definition" ? namedChildren(n).filter((c) => c.type !== "decorator") : [n];
const isInit = (n: Node) =>
  n.type === "function_definition" && n.childForFieldName("name")?.text === "__init__";

/** Scope analysis of a module: where each identifier is evaluated and what each scope binds. */
class Analysis {
  readonly module = newScope("module");
  readonly occurrences: { node: Node; scope: Scope }[] = [];
  readonly keywords: { name: Node; call: Node }[] = [];
  /** Parameters by the spelling of a function not in a class (a class: its `__init__`'s). */
  readonly callableParams = new Map<string, Set<string>>();
  /** Parameters of every `def`, by node id. */
  readonly paramsOf = new Map<number, string[]>();
  /** Parameters of methods, by method name. */
  readonly methodParams = new Map<string, Set<string>>();

  constructor(root: Node) {
    this.walk(root, this.module);
    for (const scope of this.scopes) {
      for (const g of scope.globals) {
        const kind = scope.bindings.get(g);
        scope.bindings.delete(g);
        if (kind && !this.module.bindings.has(g)) this.module.bindings.set(g, kind);
      }
      for (const n of scope.nonlocals) scope.bindings.delete(n);
    }
  }

  private readonly scopes: Scope[] = [this.module];

  private open(kind: Scope["kind"], parent: Scope): Scope {
    const s = newScope(kind, parent);
    this.scopes.push(s);
    return s;
  }

  private bind(scope: Scope, id: Node, kind: Kind): void {
    const had = scope.bindings.get(id.text);
    // An import anywhere in a scope keeps the name (`try: import x` / `except: x = None`).
    if (had !== "import") scope.bindings.set(id.text, had && kind !== "import" ? had : kind);
    if (kind !== "import") this.occurrences.push({ node: id, scope });
  }

  /** The scope whose binding `name` refers to when read in `scope`; undefined: builtin or unknown. */
  resolve(name: string, scope: Scope): Scope | undefined {
    if (scope.globals.has(name)) return this.module.bindings.has(name) ? this.module : undefined;
    if (scope.bindings.has(name)) return scope;
    // Class bodies are not visible from the scopes nested in them.
    for (let s = scope.parent; s; s = s.parent)
      if (s.kind !== "class" && s.bindings.has(name)) return s;
    return undefined;
  }

  private walk(node: Node, scope: Scope): void {
    switch (node.type) {
      case "comment":
        return;
      case "import_statement":
      case "import_from_statement":
        // `import a.b` binds `a`, `from m import x` binds `x`, `… as y` binds `y`.
        for (const n of node.childrenForFieldName("name")) {
          const bound =
            n?.type === "aliased_import" ? n.childForFieldName("alias") : n?.namedChild(0);
          if (bound) this.bind(scope, bound, "import");
        }
        return;
      case "future_import_statement":
        return;
      case "function_definition": {
        const name = node.childForFieldName("name");
        const inner = this.open("function", scope);
        const params = this.parameters(node.childForFieldName("parameters"), inner, scope);
        this.paramsOf.set(node.id, params);
        if (name) {
          this.bind(scope, name, "function");
          const table = scope.kind === "class" ? this.methodParams : this.callableParams;
          const key = name.text;
          if (!table.has(key)) table.set(key, new Set());
          for (const p of params) table.get(key)?.add(p);
        }
        for (const c of namedChildren(node)) {
          if (c.id === name?.id || c.type === "parameters") continue;
          this.walk(c, c.type === "block" ? inner : scope);
        }
        return;
      }
      case "lambda": {
        const inner = this.open("function", scope);
        this.parameters(node.childForFieldName("parameters"), inner, scope);
        const body = node.childForFieldName("body");
        if (body) this.walk(body, inner);
        return;
      }
      case "class_definition": {
        const name = node.childForFieldName("name");
        if (name) this.bind(scope, name, "class");
        const inner = this.open("class", scope);
        for (const c of namedChildren(node)) {
          if (c.id === name?.id) continue;
          this.walk(c, c.type === "block" ? inner : scope);
        }
        // A call of the class passes its keywords to the class's `__init__`.
        const body = node.childForFieldName("body");
        const init = body && namedChildren(body).flatMap(definitionOf).find(isInit);
        const params = init && this.paramsOf.get(init.id);
        if (name && params) this.callableParams.set(name.text, new Set(params));
        return;
      }
      case "assignment":
      case "augmented_assignment":
      case "for_statement": {
        const left = node.childForFieldName("left");
        for (const c of namedChildren(node)) {
          if (c.id === left?.id) this.targets(c, scope);
          else this.walk(c, scope);
        }
        return;
      }
      case "named_expression": {
        // The walrus binds in the nearest enclosing non-comprehension scope.
        let target = scope;
        while (target.kind === "comprehension" && target.parent) target = target.parent;
        const name = node.childForFieldName("name");
        if (name) this.bind(target, name, "variable");
        const value = node.childForFieldName("value");
        if (value) this.walk(value, scope);
        return;
      }
      case "as_pattern": {
        const alias = node.childForFieldName("alias");
        for (const c of namedChildren(node)) {
          if (c.id === alias?.id) this.targets(c, scope);
          else this.walk(c, scope);
        }
        return;
      }
      case "global_statement":
      case "nonlocal_statement":
        for (const id of namedChildren(node)) {
          if (id.type !== "identifier") continue;
          (node.type === "global_statement" ? scope.globals : scope.nonlocals).add(id.text);
          this.occurrences.push({ node: id, scope });
        }
        return;
      case "delete_statement":
        for (const c of namedChildren(node)) this.targets(c, scope);
        return;
      case "keyword_argument": {
        const name = node.childForFieldName("name");
        const call = node.parent?.parent;
        if (name && call?.type === "call") this.keywords.push({ name, call });
        const value = node.childForFieldName("value");
        if (value) this.walk(value, scope);
        return;
      }
      case "attribute": {
        const object = node.childForFieldName("object");
        if (object) this.walk(object, scope);
        return;
      }
      case "identifier":
        this.occurrences.push({ node, scope });
        return;
      default:
        if (COMPREHENSIONS.has(node.type)) this.comprehension(node, scope);
        else for (const c of childrenOf(node)) this.walk(c, scope);
    }
  }

  /** The first iterable is evaluated outside the comprehension; everything else inside. */
  private comprehension(node: Node, scope: Scope): void {
    const inner = this.open("comprehension", scope);
    let first = true;
    for (const c of namedChildren(node)) {
      if (c.type === "for_in_clause") {
        const left = c.childForFieldName("left");
        for (const part of namedChildren(c)) {
          if (part.id === left?.id) this.targets(part, inner);
          else this.walk(part, first ? scope : inner);
        }
        first = false;
      } else this.walk(c, inner);
    }
  }

  /** Binds the names of an assignment target; attributes and subscripts only read names. */
  private targets(t: Node, scope: Scope): void {
    if (t.type === "identifier") this.bind(scope, t, "variable");
    else if (TARGET_LISTS.has(t.type)) for (const c of namedChildren(t)) this.targets(c, scope);
    else this.walk(t, scope);
  }

  /** Binds parameter names in `inner`; defaults and annotations are read in `outer`. */
  private parameters(params: Node | null, inner: Scope, outer: Scope): string[] {
    const names: string[] = [];
    const bindParam = (p: Node) => {
      if (p.type === "identifier") {
        this.bind(inner, p, "variable");
        names.push(p.text);
      } else if (p.type === "list_splat_pattern" || p.type === "dictionary_splat_pattern") {
        for (const c of namedChildren(p)) bindParam(c);
      } else if (p.type === "typed_parameter") {
        const [first, ...rest] = namedChildren(p);
        if (first) bindParam(first);
        for (const r of rest) this.walk(r, outer);
      } else if (p.type === "default_parameter" || p.type === "typed_default_parameter") {
        const name = p.childForFieldName("name");
        for (const c of namedChildren(p)) {
          if (c.id === name?.id) bindParam(c);
          else this.walk(c, outer);
        }
      } else if (p.type === "tuple_pattern") {
        for (const c of namedChildren(p)) bindParam(c);
      }
    };
    if (params) for (const p of namedChildren(params)) bindParam(p);
    return names;
  }
}

/** Edits renaming every defined name, and the renaming (spelling → neutral name). */
function renameEdits(root: Node): { edits: Edit[]; renamed: Map<string, string> } {
  const a = new Analysis(root);
  const taken = new Set(
    descendants(root)
      .filter((n) => n.type === "identifier")
      .map((n) => n.text),
  );
  const counters = { f: 0, c: 0, v: 0 };
  const renamed = new Map<string, string>();
  const neutral = (name: string, kind: Exclude<Kind, "import">): string => {
    let to = renamed.get(name);
    if (to) return to;
    const prefix = PREFIX[kind] as keyof typeof counters;
    do to = `${prefix}${++counters[prefix]}`;
    while (taken.has(to) || isReserved(to));
    renamed.set(name, to);
    return to;
  };
  const renameAt = (name: string, scope: Scope): string | undefined => {
    const owner = a.resolve(name, scope);
    const kind = owner?.bindings.get(name);
    if (!owner || owner.kind === "class" || !kind || kind === "import") return undefined;
    if (name.startsWith("__") && name.endsWith("__")) return undefined;
    return neutral(name, kind);
  };
  const edits: Edit[] = [];
  const renamedCallees = new Set<number>();
  const sorted = [...a.occurrences].sort((x, y) => x.node.startIndex - y.node.startIndex);
  for (const { node, scope } of sorted) {
    const to = renameAt(node.text, scope);
    if (to === undefined) continue;
    edits.push(replaceNode(node, to));
    if (node.parent?.type === "call") renamedCallees.add(node.id);
  }
  for (const { name, call } of a.keywords) {
    const callee = call.childForFieldName("function");
    let params: Set<string> | undefined;
    if (callee?.type === "identifier" && renamedCallees.has(callee.id))
      params = a.callableParams.get(callee.text);
    else if (callee?.type === "attribute")
      params = a.methodParams.get(callee.childForFieldName("attribute")?.text ?? "");
    const to = params?.has(name.text) ? renamed.get(name.text) : undefined;
    if (to) edits.push(replaceNode(name, to));
  }
  return { edits, renamed };
}
