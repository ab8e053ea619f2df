/**
 * Python literals (tree-sitter nodes) as values of the input type language: their type and the
 * JSON value that src/python's `_convert` turns back into the same Python value. Used for
 * doctest calls, default values and call sites. Anything that is not a plain literal (names,
 * calls, f-strings, mixed-type containers) gives undefined.
 */
import type { ArgType } from "../data/index.js";
import type { Node } from "../synth/index.js";

export interface Literal {
  type: ArgType;
  value: unknown;
}

const ESCAPES: Record<string, string> = {
  n: "\n",
  t: "\t",
  r: "\r",
  "\\": "\\",
  "'": "'",
  '"': '"',
  "0": "\0",
  a: "\x07",
  b: "\b",
  f: "\f",
  v: "\v",
};

/** The value of a plain string literal (prefix none, r, b or rb), or undefined. */
function stringValue(node: Node): { text: string; bytes: boolean } | undefined {
  if (node.type === "concatenated_string") {
    let text = "";
    let bytes: boolean | undefined;
    for (const c of node.namedChildren) {
      const v = c ? stringValue(c) : undefined;
      if (!v || (bytes !== undefined && bytes !== v.bytes)) return undefined;
      bytes = v.bytes;
      text += v.text;
    }
    return bytes === undefined ? undefined : { text, bytes };
  }
  if (node.type !== "string") return undefined;
  const m = /^([rRbB]{0,2})('''|"""|'|")([\s\S]*)\2$/.exec(node.text);
  if (!m) return undefined;
  const prefix = m[1].toLowerCase();
  if (prefix.includes("f") || prefix.includes("u") || prefix.includes("t")) return undefined;
  const raw = prefix.includes("r");
  let text = "";
  const body = m[3];
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== "\\" || raw) {
      text += c;
      continue;
    }
    const n = body[++i];
    if (n === undefined) return undefined;
    if (n === "x") {
      const hex = body.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) return undefined;
      text += String.fromCharCode(Number.parseInt(hex, 16));
      i += 2;
    } else if (n === "\n") {
      // a line continuation inside the literal
    } else if (ESCAPES[n] !== undefined) text += ESCAPES[n];
    else return undefined;
  }
  return { text, bytes: prefix.includes("b") };
}

/** One type for every element, or undefined (mixed or unknown). */
function common(items: Literal[]): ArgType | undefined {
  const types = new Set(items.map((i) => i.type));
  if (types.size === 1) return items[0].type;
  if (types.size === 2 && types.has("int") && types.has("float")) return "float";
  return undefined;
}

const asFloat = (l: Literal): Literal =>
  l.type === "int" ? { type: "float", value: Number(l.value) } : l;

/** The literal a node spells, or undefined. Empty containers get `int` elements. */
export function literalOf(node: Node | null | undefined): Literal | undefined {
  if (!node) return undefined;
  switch (node.type) {
    case "integer": {
      const text = node.text.replace(/_/g, "").toLowerCase();
      if (/[jl]$/.test(text)) return undefined;
      const v = Number(text.startsWith("0") && /^0[0-7]+$/.test(text) ? Number.NaN : text);
      return Number.isSafeInteger(v) ? { type: "int", value: v } : undefined;
    }
    case "float": {
      if (/j$/i.test(node.text)) return undefined;
      const v = Number(node.text.replace(/_/g, ""));
      return Number.isFinite(v) ? { type: "float", value: v } : undefined;
    }
    case "true":
      return { type: "bool", value: true };
    case "false":
      return { type: "bool", value: false };
    case "none":
      return { type: "none", value: null };
    case "string":
    case "concatenated_string": {
      const s = stringValue(node);
      if (!s) return undefined;
      if (!s.bytes) return { type: "str", value: s.text };
      const bytes = [...s.text].map((c) => c.charCodeAt(0));
      return bytes.every((b) => b < 256) ? { type: "bytes", value: bytes } : undefined;
    }
    case "unary_operator": {
      const op = node.childForFieldName("operator")?.text;
      const v = literalOf(node.childForFieldName("argument"));
      if (!v || (v.type !== "int" && v.type !== "float") || (op !== "-" && op !== "+"))
        return undefined;
      return { type: v.type, value: op === "-" ? -(v.value as number) : v.value };
    }
    case "parenthesized_expression":
      return literalOf(node.namedChildren[0]);
    case "list":
    case "tuple":
    case "set": {
      const items: Literal[] = [];
      for (const c of node.namedChildren) {
        const l = literalOf(c);
        if (!l) return undefined;
        items.push(l);
      }
      const values = (t: ArgType) => items.map((i) => (t === "float" ? asFloat(i) : i).value);
      if (node.type === "tuple") {
        if (items.length === 0) return { type: "tuple[]", value: [] };
        return {
          type: `tuple[${items.map((i) => i.type).join(",")}]`,
          value: items.map((i) => i.value),
        };
      }
      const el = items.length === 0 ? "int" : common(items);
      if (!el) return undefined;
      return { type: `${node.type}[${el}]`, value: values(el) };
    }
    case "dictionary": {
      const keys: Literal[] = [];
      const vals: Literal[] = [];
      for (const c of node.namedChildren) {
        if (c?.type !== "pair") return undefined;
        const k = literalOf(c.childForFieldName("key"));
        const v = literalOf(c.childForFieldName("value"));
        if (!k || !v) return undefined;
        keys.push(k);
        vals.push(v);
      }
      const kt = keys.length === 0 ? "str" : common(keys);
      const vt = vals.length === 0 ? "int" : common(vals);
      if (!kt || !vt) return undefined;
      const fix = (l: Literal, t: ArgType) => (t === "float" ? asFloat(l) : l).value;
      return {
        type: `dict[${kt},${vt}]`,
        value: keys.map((k, i) => [fix(k, kt), fix(vals[i], vt)]),
      };
    }
    default:
      return undefined;
  }
}
