/**
 * Scope-aware renaming of the entry function, its parameters and its locals. New names are
 * fresh (never a keyword, soft keyword, builtin, or any identifier already in the module),
 * so nothing is captured or shadowed. Preserves traces: values are recorded without names.
 */
import type { Random } from "../../random/index.js";
import { freshName, identifiersIn, isReserved } from "../names.js";
import { variableIdentifiers } from "../scope.js";
import { applyEdits, type Edit, replaceNode } from "../syntax.js";
import { onFunction, type Parsed, type Snippet } from "./common.js";

export interface Renaming {
  /** New name of the entry function, if it is renamed. */
  function?: string;
  /** Parameter and local renamings inside the entry function. */
  variables: ReadonlyMap<string, string>;
}

/** Applies an explicit renaming; null if it is not applicable or would capture a name. */
export function renameWith(snippet: Snippet, renaming: Renaming): Snippet | null {
  return onFunction(snippet, (p) => {
    const bound = new Set([...p.scope.params, ...p.scope.locals]);
    const existing = identifiersIn(p.root);
    const targets = [
      ...renaming.variables.values(),
      ...(renaming.function ? [renaming.function] : []),
    ];
    if (new Set(targets).size !== targets.length) return null;
    for (const name of targets) if (existing.has(name) || isReserved(name)) return null;
    for (const old of renaming.variables.keys()) if (!bound.has(old)) return null;
    return {
      code: applyEdits(p.code, renameEdits(p, renaming, bound)),
      entry: renaming.function ?? p.entry,
    };
  });
}

function renameEdits(p: Parsed, renaming: Renaming, bound: Set<string>): Edit[] {
  const edits: Edit[] = [];
  const { fn } = p;
  for (const id of variableIdentifiers(p.root)) {
    const insideFunction = id.startIndex >= fn.startIndex && id.endIndex <= fn.endIndex;
    const isDefName = id.id === p.scope.name.id;
    let to: string | undefined;
    if (insideFunction && !isDefName && bound.has(id.text)) to = renaming.variables.get(id.text);
    else if (id.text === p.entry) to = renaming.function; // the def name, recursion, module uses
    if (to !== undefined) edits.push(replaceNode(id, to));
  }
  return edits;
}

/** Renames a random non-empty subset of {function, parameters, locals} to fresh names. */
export function rename(snippet: Snippet, rng: Random, options = { pRename: 0.6 }): Snippet | null {
  const renaming = onFunction(snippet, (p): Renaming | null => {
    const taken = identifiersIn(p.root);
    const names = [...p.scope.params, ...p.scope.locals];
    let renameFunction = rng.bool(options.pRename);
    let chosen = names.filter(() => rng.bool(options.pRename));
    if (!renameFunction && chosen.length === 0) {
      const i = rng.int(0, names.length);
      if (i === names.length) renameFunction = true;
      else chosen = [names[i]];
    }
    const fnName = renameFunction ? freshName(rng, taken, "function") : undefined;
    const variables = new Map(chosen.map((old) => [old, freshName(rng, taken)]));
    return { function: fnName, variables };
  });
  return renaming && renameWith(snippet, renaming);
}
