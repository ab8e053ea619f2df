/**
 * Python syntax trees through web-tree-sitter. The grammar is loaded once per process; after
 * `initPython()` parsing is synchronous. Source edits are byte-range replacements computed
 * from tree nodes, so transforms never pattern-match on raw code.
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Language, type Node, Parser, type Tree } from "web-tree-sitter";

export type { Node, Tree };

let parser: Parser | undefined;
let loading: Promise<void> | undefined;

function grammarPath(): string {
  const require = createRequire(import.meta.url);
  return join(
    dirname(require.resolve("tree-sitter-python/package.json")),
    "tree-sitter-python.wasm",
  );
}

/** Loads the tree-sitter runtime and the Python grammar (once; later calls are free). */
export function initPython(): Promise<void> {
  loading ??= (async () => {
    await Parser.init();
    const language = await Language.load(grammarPath());
    const p = new Parser();
    p.setLanguage(language);
    parser = p;
  })();
  return loading;
}

/**
 * Parses `code`; call `tree.delete()` when done (trees live in WebAssembly memory).
 * Node indices are string (UTF-16) offsets into `code`, so `code.slice` matches them.
 */
export function parsePython(code: string): Tree {
  if (parser === undefined) throw new Error("initPython() must finish before parsing");
  const tree = parser.parse(code);
  if (tree === null) throw new Error("tree-sitter returned no tree");
  return tree;
}

/** Parses, hands the tree to `use`, and frees the tree whatever happens. */
export function withTree<T>(code: string, use: (root: Node, tree: Tree) => T): T {
  const tree = parsePython(code);
  try {
    return use(tree.rootNode, tree);
  } finally {
    tree.delete();
  }
}

/** True when the code parses without ERROR or MISSING nodes. */
export function isValidPython(code: string): boolean {
  return withTree(code, (root) => !root.hasError);
}

/** Replace `code[start, end)` with `text`. */
export interface Edit {
  start: number;
  end: number;
  text: string;
}

export const replaceNode = (node: Node, text: string): Edit => ({
  start: node.startIndex,
  end: node.endIndex,
  text,
});

export const insertAt = (index: number, text: string): Edit => ({ start: index, end: index, text });

/** Applies non-overlapping edits (any order); throws on overlap, which is a transform bug. */
export function applyEdits(code: string, edits: readonly Edit[]): string {
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  let out = "";
  let at = 0;
  for (const e of sorted) {
    if (e.start < at || e.end < e.start || e.end > code.length) {
      throw new Error(`overlapping or out-of-range edit [${e.start}, ${e.end})`);
    }
    out += code.slice(at, e.start) + e.text;
    at = e.end;
  }
  return out + code.slice(at);
}

/** Every descendant of `node` (inclusive), in document order. */
export function descendants(node: Node): Node[] {
  const out: Node[] = [];
  const walk = (n: Node) => {
    out.push(n);
    for (const c of n.children) if (c) walk(c);
  };
  walk(node);
  return out;
}

export function namedChildren(node: Node): Node[] {
  return node.namedChildren.filter((c): c is Node => c !== null);
}

export function childrenOf(node: Node): Node[] {
  return node.children.filter((c): c is Node => c !== null);
}

/** The top-level `def` named `entry`, if any. */
export function findFunction(root: Node, entry: string): Node | undefined {
  return namedChildren(root).find(
    (n) => n.type === "function_definition" && n.childForFieldName("name")?.text === entry,
  );
}

/** Index of the first character of the line containing `index`. */
export function lineStart(code: string, index: number): number {
  return code.lastIndexOf("\n", index - 1) + 1;
}

/**
 * The indentation of the line on which `node` starts, or undefined when the node does not
 * begin its line (e.g. `if x: return 1`, or a statement after `;`).
 */
export function ownLineIndent(code: string, node: Node): string | undefined {
  const start = lineStart(code, node.startIndex);
  const prefix = code.slice(start, node.startIndex);
  for (const ch of prefix) if (ch !== " " && ch !== "\t") return undefined;
  return prefix;
}

/** Statements of a `block` (comments excluded). */
export function statementsOf(block: Node): Node[] {
  return namedChildren(block).filter((n) => n.type !== "comment");
}

/** Every `block` node inside `node`, outermost first. */
export function blocksIn(node: Node): Node[] {
  return descendants(node).filter((n) => n.type === "block");
}

/** True when a string literal spans lines (re-indenting would change its value). */
export function hasMultilineString(node: Node): boolean {
  return descendants(node).some(
    (n) => n.type === "string" && n.startPosition.row !== n.endPosition.row,
  );
}

/**
 * Where the first syntax error of `code` is, if any (tree-sitter ERROR or MISSING node): its line
 * (1-based; 0 when the tree does not say) and that line's text.
 */
export function firstSyntaxError(code: string): { line: number; text: string } | undefined {
  return withTree(code, (root) => {
    if (!root.hasError) return undefined;
    const stack = [root];
    while (stack.length > 0) {
      const n = stack.shift()!;
      if (n.type === "ERROR" || n.isMissing) {
        const line = n.startPosition.row + 1;
        return { line, text: (code.split("\n")[line - 1]?.trim() ?? "").slice(0, 80) };
      }
      for (const c of n.children) if (c?.hasError || c?.isMissing) stack.push(c);
    }
    return { line: 0, text: "" };
  });
}

/** The first syntax error as `line N: text` ("somewhere" without a place), if any. */
export function syntaxErrorAt(code: string): string | undefined {
  const e = firstSyntaxError(code);
  if (!e) return undefined;
  return e.line > 0 ? `line ${e.line}: ${e.text}` : "somewhere";
}
