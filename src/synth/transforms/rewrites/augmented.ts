/**
 * Augmented assignment ↔ plain: `x += e` ↔ `x = x + (e)` for every binary operator, on a name
 * or a subscript/attribute without calls (evaluated twice in the plain form). For lists `+=`
 * extends in place where `+` builds a new list (and accepts any iterable): execution decides
 * whether a variant of real code is kept.
 */
import type { Random } from "../../../random/index.js";
import { descendants, type Edit, type Node } from "../../syntax.js";
import type { Snippet } from "../common.js";
import { type Def, ownNodes, paren, rewriteOne } from "./common.js";

const OPERATORS = ["+", "-", "*", "/", "//", "%", "**", "&", "|", "^", "<<", ">>", "@"];

function isPlace(n: Node | null): n is Node {
  return (
    !!n &&
    ["identifier", "subscript", "attribute"].includes(n.type) &&
    !descendants(n).some((c) => ["call", "await", "yield", "named_expression"].includes(c.type))
  );
}

function toPlain(_d: Def, a: Node): Edit[] | null {
  const left = a.childForFieldName("left");
  const right = a.childForFieldName("right");
  const op = a.childForFieldName("operator")?.type.slice(0, -1) ?? "";
  if (!isPlace(left) || !right || !OPERATORS.includes(op)) return null;
  if (right.type === "yield" || right.type === "expression_list") return null;
  return [
    {
      start: a.startIndex,
      end: a.endIndex,
      text: `${left.text} = ${left.text} ${op} ${paren(right)}`,
    },
  ];
}

export function augmentedToPlain(snippet: Snippet, rng: Random): Snippet | null {
  return rewriteOne(snippet, rng, (d) => ownNodes(d, "augmented_assignment"), toPlain);
}

function toAugmented(_d: Def, a: Node): Edit[] | null {
  const left = a.childForFieldName("left");
  const right = a.childForFieldName("right");
  if (!isPlace(left) || right?.type !== "binary_operator" || a.childForFieldName("type"))
    return null;
  const op = right.childForFieldName("operator")?.type ?? "";
  const first = right.childForFieldName("left");
  const second = right.childForFieldName("right");
  if (!OPERATORS.includes(op) || first?.text !== left.text || !second) return null;
  return [{ start: a.startIndex, end: a.endIndex, text: `${left.text} ${op}= ${second.text}` }];
}

export function plainToAugmented(snippet: Snippet, rng: Random): Snippet | null {
  return rewriteOne(snippet, rng, (d) => ownNodes(d, "assignment"), toAugmented);
}
