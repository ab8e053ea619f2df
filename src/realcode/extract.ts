/**
 * Top-level functions of a Python source file, each made self-contained: the file's imports,
 * then the same-file helper functions it calls (transitively, in file order), then the function.
 * Argument types come from the type hints (hints.ts); a function whose inputs cannot be drawn
 * carries the reason and is kept for static search.
 */
import type { ArgType } from "../data/index.js";
import { initPython, type Node, withTree } from "../synth/index.js";
import { mapHint } from "./hints.js";

export interface ExtractedFunction {
  name: string;
  /** 1-based line of the `def` (or of its first decorator). */
  line: number;
  /** The function with its imports and helpers: runnable on its own. */
  code: string;
  /** Argument types from the hints, or null with `problem` saying why not. */
  args: ArgType[] | null;
  problem?: string;
  /** Same-file functions it calls, directly or through other helpers. */
  helpers: string[];
}

interface TopFunction {
  name: string;
  node: Node;
  def: Node;
  calls: Set<string>;
}

function calledNames(node: Node, out: Set<string>): Set<string> {
  for (const call of node.descendantsOfType("call")) {
    const fn = call?.childForFieldName("function");
    if (fn?.type === "identifier") out.add(fn.text);
  }
  return out;
}

function argTypes(def: Node): { args: ArgType[] | null; problem?: string } {
  const params = def.childForFieldName("parameters");
  const args: ArgType[] = [];
  for (const p of params?.namedChildren ?? []) {
    if (!p) continue;
    if (p.type === "identifier" || p.type === "default_parameter") {
      const name = p.type === "identifier" ? p.text : p.childForFieldName("name")?.text;
      return { args: null, problem: `parameter "${name}" has no type hint` };
    }
    if (p.type === "typed_parameter" || p.type === "typed_default_parameter") {
      const name = (p.childForFieldName("name") ?? p.namedChildren[0])?.text ?? "?";
      if (name.startsWith("*")) return { args: null, problem: `variadic parameter "${name}"` };
      const hint = p.childForFieldName("type")?.text ?? "";
      const mapped = mapHint(hint);
      if ("problem" in mapped)
        return { args: null, problem: `parameter "${name}": ${mapped.problem}` };
      args.push(mapped.type);
      continue;
    }
    return { args: null, problem: `parameter "${p.text}" cannot be generated` };
  }
  return { args };
}

/** Needs `initPython()` first (see extractFunctionsAsync). */
export function extractFunctions(source: string): ExtractedFunction[] {
  return withTree(source, (root) => {
    const imports: string[] = [];
    const top: TopFunction[] = [];
    for (const child of root.namedChildren) {
      if (!child) continue;
      if (child.type === "import_statement" || child.type === "import_from_statement") {
        imports.push(child.text);
      }
      const def =
        child.type === "function_definition"
          ? child
          : child.type === "decorated_definition"
            ? child.childForFieldName("definition")
            : null;
      if (def?.type !== "function_definition") continue;
      const name = def.childForFieldName("name")?.text ?? "";
      top.push({ name, node: child, def, calls: calledNames(def, new Set()) });
    }
    const byName = new Map(top.map((f) => [f.name, f]));
    return top.map((f) => {
      const needed = new Set<string>();
      const visit = (g: TopFunction) => {
        for (const c of g.calls) {
          const h = byName.get(c);
          if (h && h !== f && !needed.has(c)) {
            needed.add(c);
            visit(h);
          }
        }
      };
      visit(f);
      const helpers = top.filter((g) => needed.has(g.name));
      const parts = [...imports, ...helpers.map((g) => g.node.text), f.node.text];
      const { args, problem } = argTypes(f.def);
      return {
        name: f.name,
        line: f.node.startPosition.row + 1,
        code: `${parts.join("\n\n")}\n`,
        args,
        ...(problem ? { problem } : {}),
        helpers: helpers.map((g) => g.name),
      };
    });
  });
}

export async function extractFunctionsAsync(source: string): Promise<ExtractedFunction[]> {
  await initPython();
  return extractFunctions(source);
}
