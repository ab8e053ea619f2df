/**
 * String formatting styles: an f-string, `"…".format(…)` and `"…" % (…)` rewritten into one
 * of the other two where the result is the same text: fields are plain (`{x}`, `{x!r}`, and
 * for f-string ↔ `format` a format spec without nested fields), `%` only with `%s`/`%r`/`%a`
 * (`str`, `repr`, `ascii`, which `{}` and `{!r}`/`{!a}` give for the built-in types) and a
 * tuple on its right, arguments only positional. Arguments moved into an f-string must not
 * hold quotes, backslashes or braces (older Pythons refuse them there).
 */
import type { Random } from "../../../random/index.js";
import { childrenOf, type Edit, type Node, namedChildren } from "../../syntax.js";
import type { Snippet } from "../common.js";
import { type Def, ownNodes, rewriteOne } from "./common.js";

/** A string as literal pieces (source text, brace and percent escapes undone) and fields. */
type Piece =
  | { literal: string }
  | { expr: string; bare: boolean; conversion: string; spec: string };

interface Parsed {
  /** The quote, e.g. `"` or `'''`. */
  quote: string;
  pieces: Piece[];
  style: "f" | "format" | "percent";
  /** The node the whole formatted expression occupies. */
  node: Node;
}

function quoteOf(start: Node): { prefix: string; quote: string } {
  const m = /^([a-zA-Z]*)(.*)$/s.exec(start.text) as RegExpExecArray;
  return { prefix: m[1].toLowerCase(), quote: m[2] };
}

/** An expression and whether it can stand bare as an argument or inside `{…}`. */
function field(expr: Node): { expr: string; bare: boolean } {
  const loose = [
    "conditional_expression",
    "lambda",
    "expression_list",
    "named_expression",
    "yield",
  ];
  return { expr: expr.text, bare: !loose.includes(expr.type) && !expr.text.startsWith("{") };
}

const arg = (f: { expr: string; bare: boolean }) => (f.bare ? f.expr : `(${f.expr})`);

function literalPieces(raw: string): Piece[] {
  return raw === "" ? [] : [{ literal: raw }];
}

function fromFString(s: Node): Parsed | undefined {
  const kids = childrenOf(s);
  const start = kids[0];
  if (start?.type !== "string_start") return undefined;
  const { prefix, quote } = quoteOf(start);
  if (prefix !== "f") return undefined;
  const pieces: Piece[] = [];
  for (const k of kids.slice(1, -1)) {
    if (k.type === "string_content") {
      pieces.push(...literalPieces(k.text.replaceAll("{{", "{").replaceAll("}}", "}")));
      continue;
    }
    if (k.type !== "interpolation") return undefined;
    if (childrenOf(k).some((c) => c.type === "=")) return undefined;
    const expr = k.childForFieldName("expression");
    const conv = k.childForFieldName("type_conversion")?.text ?? "";
    const spec = k.childForFieldName("format_specifier");
    if (!expr || (spec && namedChildren(spec).some((c) => c.type === "interpolation")))
      return undefined;
    pieces.push({ ...field(expr), conversion: conv, spec: spec?.text ?? "" });
  }
  return { quote, pieces, style: "f", node: s };
}

/** A plain (unprefixed) string literal's quote and raw body, or undefined. */
function plainString(s: Node | null): { quote: string; raw: string } | undefined {
  if (s?.type !== "string") return undefined;
  const kids = childrenOf(s);
  const start = kids[0];
  const end = kids[kids.length - 1];
  if (start?.type !== "string_start" || end?.type !== "string_end") return undefined;
  const { prefix, quote } = quoteOf(start);
  if (prefix !== "" || kids.some((k) => k.type === "interpolation")) return undefined;
  const raw = s.text.slice(start.text.length, s.text.length - end.text.length);
  return raw.includes("\\N") ? undefined : { quote, raw };
}

/** `"…{}…{!r}…".format(a, b)` → pieces with the arguments in their fields. */
function fromFormat(call: Node): Parsed | undefined {
  const fn = call.childForFieldName("function");
  const args = call.childForFieldName("arguments");
  if (fn?.type !== "attribute" || fn.childForFieldName("attribute")?.text !== "format")
    return undefined;
  const str = plainString(fn.childForFieldName("object"));
  if (!str || args?.type !== "argument_list") return undefined;
  const values = namedChildren(args).filter((a) => a.type !== "comment");
  if (values.some((a) => ["keyword_argument", "list_splat", "dictionary_splat"].includes(a.type)))
    return undefined;
  const pieces: Piece[] = [];
  const pattern = /\{\{|\}\}|\{(![rsa])?(:[^{}]*)?\}|[{}]/g;
  let at = 0;
  let used = 0;
  for (const m of str.raw.matchAll(pattern)) {
    const lit = str.raw.slice(at, m.index);
    at = m.index + m[0].length;
    if (m[0] === "{{" || m[0] === "}}") {
      pieces.push(...literalPieces(lit + m[0][0]));
      continue;
    }
    if (m[0] === "{" || m[0] === "}") return undefined;
    const value = values[used++];
    if (!value) return undefined;
    pieces.push(...literalPieces(lit), {
      ...field(value),
      conversion: m[1] ?? "",
      spec: m[2] ?? "",
    });
  }
  if (used !== values.length) return undefined;
  pieces.push(...literalPieces(str.raw.slice(at)));
  return { quote: str.quote, pieces: merge(pieces), style: "format", node: call };
}

/** `"…%s…%r…" % (a, b)` → pieces. */
function fromPercent(op: Node): Parsed | undefined {
  if (op.childForFieldName("operator")?.type !== "%") return undefined;
  const str = plainString(op.childForFieldName("left"));
  const right = op.childForFieldName("right");
  if (!str || right?.type !== "tuple") return undefined;
  const values = namedChildren(right).filter((a) => a.type !== "comment");
  if (values.some((a) => a.type === "list_splat")) return undefined;
  const pieces: Piece[] = [];
  const pattern = /%%|%([sra])|%/g;
  let at = 0;
  let used = 0;
  for (const m of str.raw.matchAll(pattern)) {
    const lit = str.raw.slice(at, m.index);
    at = m.index + m[0].length;
    if (m[0] === "%%") {
      pieces.push(...literalPieces(`${lit}%`));
      continue;
    }
    if (!m[1]) return undefined;
    const value = values[used++];
    if (!value) return undefined;
    const conversion = m[1] === "s" ? "" : `!${m[1]}`;
    pieces.push(...literalPieces(lit), { ...field(value), conversion, spec: "" });
  }
  if (used !== values.length) return undefined;
  pieces.push(...literalPieces(str.raw.slice(at)));
  return { quote: str.quote, pieces: merge(pieces), style: "percent", node: op };
}

function merge(pieces: Piece[]): Piece[] {
  const out: Piece[] = [];
  for (const p of pieces) {
    const last = out[out.length - 1];
    if ("literal" in p && last && "literal" in last) last.literal += p.literal;
    else out.push({ ...p });
  }
  return out;
}

const fields = (p: Parsed) =>
  p.pieces.filter((x): x is Exclude<Piece, { literal: string }> => !("literal" in x));
const braces = (s: string) => s.replaceAll("{", "{{").replaceAll("}", "}}");

function render(p: Parsed, style: Parsed["style"]): string | undefined {
  const fs = fields(p);
  if (fs.length === 0) return undefined;
  if (style === "f") {
    if (fs.some((f) => /["'\\{}#\n]/.test(f.expr) || f.expr.includes(p.quote[0]))) return undefined;
    const body = p.pieces
      .map((x) => ("literal" in x ? braces(x.literal) : `{${arg(x)}${x.conversion}${x.spec}}`))
      .join("");
    return `f${p.quote}${body}${p.quote}`;
  }
  if (style === "format") {
    const body = p.pieces
      .map((x) => ("literal" in x ? braces(x.literal) : `{${x.conversion}${x.spec}}`))
      .join("");
    return `${p.quote}${body}${p.quote}.format(${fs.map(arg).join(", ")})`;
  }
  if (fs.some((f) => f.spec !== "")) return undefined;
  const body = p.pieces
    .map((x) =>
      "literal" in x
        ? x.literal.replaceAll("%", "%%")
        : `%${x.conversion === "" ? "s" : x.conversion[1]}`,
    )
    .join("");
  const text = `${p.quote}${body}${p.quote} % (${fs.map(arg).join(", ")},)`;
  // `%` binds like `*`: parenthesised unless its parent takes any expression as it is
  const loose = [
    "argument_list",
    "return_statement",
    "assignment",
    "expression_statement",
    "keyword_argument",
    "list",
    "tuple",
    "parenthesized_expression",
    "expression_list",
    "augmented_assignment",
  ];
  return loose.includes(p.node.parent?.type ?? "") ? text : `(${text})`;
}

function parsedAt(node: Node): Parsed | undefined {
  if (node.type === "string") {
    if (node.parent?.type === "concatenated_string") return undefined;
    return fromFString(node);
  }
  if (node.type === "call") return fromFormat(node);
  if (node.type === "binary_operator") return fromPercent(node);
  return undefined;
}

function restyle(_d: Def, node: Node, rng: Random): Edit[] | null {
  const parsed = parsedAt(node);
  if (!parsed) return null;
  const styles = rng.shuffle(
    (["f", "format", "percent"] as const).filter((s) => s !== parsed.style),
  );
  for (const style of styles) {
    const text = render(parsed, style);
    if (text) return [{ start: node.startIndex, end: node.endIndex, text }];
  }
  return null;
}

export function formatString(snippet: Snippet, rng: Random): Snippet | null {
  return rewriteOne(
    snippet,
    rng,
    (d) => [...ownNodes(d, "string"), ...ownNodes(d, "call"), ...ownNodes(d, "binary_operator")],
    (d, n) => restyle(d, n, rng),
  );
}
