/**
 * A stored function as indexing ran it, to run it again (serve's function page): inside its
 * module as the file defines it, through the call wrapper of the signature indexing chose
 * (instances, built arguments), with its package. The store keeps the function's code only;
 * the rest is read again from its file, which must still hold the same code.
 */
import { existsSync } from "node:fs";
import { FunctionRow } from "../data/index.js";
import { candidatesOf, packageRoot, readSource } from "../realcode/index.js";
import type { StoredFunction } from "./store/index.js";

export interface IndexedRow {
  /** The row indexing traced (its `module` holds the file and the wrapper, when it had them). */
  row: FunctionRow;
  /** The module's text without the call wrapper, and the wrapper (lines are the module's). */
  module?: { text: string; wrapper?: string };
}

/**
 * The row indexing ran for `f`, or why it cannot be had again. `roots`: the folders the index
 * was given (its package is served no higher, as indexing served it).
 */
export async function indexedRow(
  f: StoredFunction,
  roots: readonly string[],
): Promise<IndexedRow | { problem: string }> {
  const args = f.args ? (JSON.parse(f.args) as FunctionRow["args"]) : undefined;
  if (!args) return { problem: "it has no argument types" };
  if (!existsSync(f.file)) return { problem: `its file ${f.file} is gone since indexing` };
  const { candidates } = await candidatesOf(readSource(f.file), {
    root: packageRoot(roots, f.file),
  });
  const c = candidates.find((x) => x.name === f.name && x.line === f.line && x.code === f.code);
  if (!c)
    return { problem: `its file ${f.file} changed since indexing (run tracecode index again)` };
  const inf = c.inference;
  // The wrapper of the signature indexing chose (probing may have chosen another than the
  // first): the same types, and the same way of building the instance when it says one.
  const instance = storedInstance(f.signature);
  const sameArgs = inf?.candidates.filter((s) => JSON.stringify(s.args) === f.args) ?? [];
  const chosen = sameArgs.find((s) => s.instance === instance) ?? sameArgs[0];
  const wrapper = chosen?.wrapper ?? inf?.wrapper;
  const row = FunctionRow.parse({
    id: String(f.id),
    code: c.code,
    entry: inf?.entry ?? c.name,
    args,
    ...(c.module !== undefined
      ? { module: wrapper ? `${c.module}\n\n${wrapper}\n` : c.module }
      : {}),
    ...(c.package ? { package: c.package } : {}),
  });
  return {
    row,
    ...(c.module !== undefined
      ? { module: { text: c.module, ...(wrapper ? { wrapper } : {}) } }
      : {}),
  };
}

/**
 * Per line of a stored function's code, its line in the module, or null for a line that is not
 * the function's own (the imports and helpers from elsewhere in the module that the code begins
 * with). The code ends with the function (or its class's header and the method): from its first
 * line, `line` in the module, a code line maps where the module has the same text. Undefined
 * when the module no longer holds that line.
 */
export function moduleLinesOf(
  code: string,
  line: number,
  module: string,
): (number | null)[] | undefined {
  const moduleLines = module.split("\n");
  const codeLines = code.split("\n");
  const at = codeLines.lastIndexOf(moduleLines[line - 1] ?? "\0");
  if (at < 0) return undefined;
  return codeLines.map((text, c) =>
    c >= at && moduleLines[line - 1 + c - at] === text ? line + c - at : null,
  );
}

/** How the stored signature built its instance (`signatureRecord`'s `instance`), if it says. */
function storedInstance(signature: string | null | undefined): string | undefined {
  try {
    const s = JSON.parse(signature ?? "{}") as { instance?: unknown };
    return typeof s.instance === "string" ? s.instance : undefined;
  } catch {
    return undefined;
  }
}
