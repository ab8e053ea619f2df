/**
 * What a function's body says about a parameter's type: arithmetic → a number, `len`,
 * indexing and iteration → a sequence, string methods → `str`, `.append` → `list`, `.items()`
 * and string-key subscripts → `dict`, `range(x)` → `int`, a call → a callable, … Each use is a
 * vote; `usageCandidates` turns the votes into candidate types, most likely first, with the uses
 * that decided them (the evidence shown to the user).
 */
import type { ArgType } from "../data/index.js";
import type { Node } from "../synth/index.js";
import { literalOf } from "./literals.js";

type Kind =
  | "int"
  | "float"
  | "number"
  | "str"
  | "bytes"
  | "list"
  | "seq"
  | "iter"
  | "dict"
  | "set"
  | "bool"
  | "callable"
  | "file"
  | "fileread"
  | "none";

export interface Votes {
  counts: Partial<Record<Kind, number>>;
  /** A few uses, as evidence (`len(p)`, `p.append`). */
  uses: string[];
  /** Arity of calls `p(…)`. */
  arity?: number;
  /** Element kind when iterated or indexed (`for x in p: x + 1`). */
  element?: Votes;
  /** Dict key kind from `p["k"]` or `p[0]`-style subscripts on a dict. */
  key?: "str" | "int";
  /** Attributes read or called on it that no builtin type explains (`p.conflict_handler`). */
  attrs?: string[];
  /**
   * Methods only text has were called (`s.strip`, `s.encode`): `str` (or `bytes`) comes first,
   * whatever the other uses (`len(s)`, `s[a:b]`) vote, since a list or a number has no such
   * method and raises AttributeError on every call.
   */
  text?: boolean;
  /** Passed to `os.path.*`, `os.stat`, `open`, …: a path, so text whatever else it is used as. */
  path?: boolean;
  /**
   * What the path's uses expect to find there: a file (`open(p)`, `os.stat(p)`), a folder
   * (`os.listdir(p)`, `os.path.join(p, …)`), or nothing yet (`os.mkdir(p)`).
   */
  places?: Partial<Record<Place | "new", number>>;
  /** Words it is compared with or looked up by (`mode == "r"`, `mode in ("r", "w")`). */
  words?: string[];
  /**
   * Where more words are: names of collections it is tested against or indexes
   * (`mode in modes`, `TABLE[mode]`), and `[prefix, suffix]` of text it is formatted into
   * (`"_handle_%s" % handler`: names the module defines). extract.ts resolves them.
   */
  wordRefs?: string[];
  formats?: [string, string][];
  /** Text it must begin with: `p[0:2] == "--"`, `p[:1] != "-"`, `p[0] == "-"` (longest kept). */
  prefix?: string;
  /** A closed set of names the standard library defines that it is passed as (`codecs.lookup(p)`). */
  domain?: Domain;
  /**
   * Attributes are read or set on it by name (`getattr(p, name)`, `setattr(p, name, …)`): an
   * object, not a value; `set` when some are set (`setattr`, `delattr`).
   */
  holder?: "get" | "set";
}

/**
 * Arguments whose valid values are names the standard library defines: an encoding
 * (`codecs.lookup(e)`, `s.encode(e)`, `encoding=e`) or a hash (`hashlib.new(h)`, `digestmod=h`).
 * Drawn text is never one; a few real names are the words such a parameter takes (knowledge of
 * the API, as `range(n)` says `n` is an int).
 */
export type Domain = "encoding" | "hash";
export const DOMAIN_WORDS: Record<Domain, string[]> = {
  encoding: ["utf-8", "latin-1", "ascii", "utf-16", "utf-32", "utf-8-sig", "cp1252", "mac-roman"],
  hash: ["sha256", "md5", "sha1", "sha512", "sha224", "sha384", "sha3_256", "blake2b"],
};
/** Per module, the position of each function's argument that is a name of a domain. */
const DOMAIN_ARGS: Record<string, Record<string, [Domain, number]>> = {
  codecs: {
    lookup: ["encoding", 0],
    getencoder: ["encoding", 0],
    getdecoder: ["encoding", 0],
    getincrementalencoder: ["encoding", 0],
    getincrementaldecoder: ["encoding", 0],
    getreader: ["encoding", 0],
    getwriter: ["encoding", 0],
    encode: ["encoding", 1],
    decode: ["encoding", 1],
    iterencode: ["encoding", 1],
    iterdecode: ["encoding", 1],
  },
  hashlib: { new: ["hash", 0], pbkdf2_hmac: ["hash", 0], file_digest: ["hash", 1] },
  hmac: { new: ["hash", 2], digest: ["hash", 2] },
};
/** Modules that implement those (`_codecs` is what `codecs` star-imports). */
const DOMAIN_MODULE: Record<string, string> = {
  codecs: "codecs",
  _codecs: "codecs",
  hashlib: "hashlib",
  _hashlib: "hashlib",
  hmac: "hmac",
  _hmac: "hmac",
};
/** Builtins whose second argument is an encoding. */
const BUILTIN_ENCODED = new Set(["str", "bytes", "bytearray"]);
/** Keyword arguments that name a domain's member whatever the callee. */
const DOMAIN_KEYWORDS: Record<string, Domain> = { encoding: "encoding", digestmod: "hash" };

/** Per parsed module: local names bound by its imports to a module or to a module's name. */
const importTables = new WeakMap<object, { names: Map<string, string>; stars: string[] }>();

/** What `name` refers to through the module's imports: `"_hashlib"`, `"codecs.lookup"`. */
function imported(n: Node, name: string): string | undefined {
  const tree = n.tree;
  let t = importTables.get(tree);
  if (!t) {
    t = { names: new Map(), stars: [] };
    for (const st of tree.rootNode.descendantsOfType([
      "import_statement",
      "import_from_statement",
    ])) {
      if (!st) continue;
      if (st.type === "import_statement") {
        for (const c of st.namedChildren) {
          if (c?.type === "dotted_name") t.names.set(c.text, c.text);
          else if (c?.type === "aliased_import") {
            const alias = c.childForFieldName("alias")?.text;
            const mod = c.childForFieldName("name")?.text;
            if (alias && mod) t.names.set(alias, mod);
          }
        }
        continue;
      }
      const mod = st.childForFieldName("module_name")?.text;
      if (!mod) continue;
      if (st.namedChildren.some((c) => c?.type === "wildcard_import")) t.stars.push(mod);
      for (const c of st.childrenForFieldName("name")) {
        if (c?.type === "dotted_name") t.names.set(c.text, `${mod}.${c.text}`);
        else if (c?.type === "aliased_import") {
          const alias = c.childForFieldName("alias")?.text;
          const orig = c.childForFieldName("name")?.text;
          if (alias && orig) t.names.set(alias, `${mod}.${orig}`);
        }
      }
    }
    importTables.set(tree, t);
  }
  const bound = t.names.get(name);
  if (bound) return bound;
  const star = t.stars.find((m) => DOMAIN_MODULE[m] && DOMAIN_ARGS[DOMAIN_MODULE[m]]?.[name]);
  return star ? `${star}.${name}` : undefined;
}

/** The domain of argument `pos` of a call of `fn` (`codecs.lookup`, `lookup` from `_codecs`). */
function domainOf(fn: Node, pos: number): Domain | undefined {
  let module: string | undefined;
  let fname: string | undefined;
  if (fn.type === "attribute") {
    const obj = fn.childForFieldName("object");
    fname = fn.childForFieldName("attribute")?.text;
    if (obj?.type === "identifier") module = imported(fn, obj.text) ?? obj.text;
  } else if (fn.type === "identifier") {
    const full = imported(fn, fn.text);
    const dot = full?.lastIndexOf(".") ?? -1;
    if (full && dot > 0) [module, fname] = [full.slice(0, dot), full.slice(dot + 1)];
  }
  // `str(data, e)`, `bytes(text, e)`: the builtins' second argument.
  if (fn.type === "identifier" && BUILTIN_ENCODED.has(fn.text) && !imported(fn, fn.text))
    return pos === 1 ? "encoding" : undefined;
  const d = module && fname ? DOMAIN_ARGS[DOMAIN_MODULE[module] ?? ""]?.[fname] : undefined;
  return d && d[1] === pos ? d[0] : undefined;
}

/**
 * No vote for its type: the names come in a candidate of their own (infer.ts `words`), and a
 * parameter defaulting to None (`encoding=None`) stays unpassed in the others.
 */
const voteDomain = (v: Votes, d: Domain, use: string) => {
  if (v.uses.length < 4 && !v.uses.includes(use)) v.uses.push(use);
  v.domain ??= d;
  addWords(v, DOMAIN_WORDS[d]);
};

/** What a path names when the code expects something there. */
export type Place = "file" | "folder";

/** Functions of `os.path` that only read the text of a path: they say nothing of what is there. */
const LEXICAL_PATH = new Set(
  "abspath basename dirname split splitext splitdrive splitroot normpath normcase isabs relpath expanduser expandvars commonpath commonprefix realpath fspath".split(
    " ",
  ),
);
/** Functions of `os` whose path is a folder, and those that make it (nothing there yet). */
const OS_FOLDER_FUNCS = new Set(["listdir", "scandir", "walk", "chdir", "rmdir", "removedirs"]);
const OS_NEW_FUNCS = new Set(["mkdir", "makedirs"]);
const OS_TEXT_FUNCS = new Set(["fspath", "fsencode", "fsdecode"]);

/** What a path passed as argument `pos` of `module.fname` (an `os.path` or `os` function) names. */
function placeOf(module: string, fname: string, pos: number): Place | "new" | undefined {
  if (PATH_MODULE.test(module)) {
    if (LEXICAL_PATH.has(fname)) return undefined;
    if (fname === "join") return pos === 0 ? "folder" : undefined;
    return fname === "isdir" ? "folder" : "file";
  }
  if (OS_TEXT_FUNCS.has(fname)) return undefined;
  if (OS_FOLDER_FUNCS.has(fname)) return "folder";
  if (OS_NEW_FUNCS.has(fname) || pos === 1) return "new";
  return "file";
}

const votePlace = (v: Votes, place: Place | "new" | undefined) => {
  if (!place) return;
  v.places ??= {};
  v.places[place] = (v.places[place] ?? 0) + 1;
};

/** Words kept per parameter. */
const MAX_WORDS = 8;

/** The plain strings of a string literal, or of a tuple, list or set of them, or a dict's keys. */
export function wordsOf(n: Node | null): string[] {
  if (!n) return [];
  const one = (c: Node | null) => {
    const l = c ? literalOf(c) : undefined;
    return l?.type === "str" && typeof l.value === "string" ? [l.value] : [];
  };
  switch (n.type) {
    case "string":
    case "concatenated_string":
      return one(n);
    case "tuple":
    case "list":
    case "set":
    case "parenthesized_expression":
      return n.namedChildren.flatMap((c) => one(c));
    case "dictionary":
      return n.namedChildren.flatMap((c) =>
        c?.type === "pair" ? one(c.childForFieldName("key")) : [],
      );
    default:
      return [];
  }
}

const addWords = (v: Votes, words: string[]) => {
  for (const w of words) {
    v.words ??= [];
    if (v.words.length < MAX_WORDS && !v.words.includes(w)) v.words.push(w);
  }
};

const addRef = (v: Votes, name: string) => {
  v.wordRefs ??= [];
  if (!v.wordRefs.includes(name)) v.wordRefs.push(name);
};

const STR_METHODS = new Set(
  "lower upper strip lstrip rstrip split rsplit splitlines startswith endswith replace find rfind index rindex join isdigit isalpha isalnum isspace isupper islower istitle isdecimal isnumeric isidentifier isprintable title capitalize casefold center ljust rjust zfill expandtabs partition rpartition format format_map encode translate removeprefix removesuffix swapcase count".split(
    " ",
  ),
);
const BYTES_ONLY = new Set(["decode", "hex"]);
const LIST_METHODS = new Set([
  "append",
  "extend",
  "insert",
  "pop",
  "remove",
  "sort",
  "reverse",
  "clear",
  "copy",
]);
const DICT_METHODS = new Set(["items", "keys", "values", "get", "setdefault", "update", "popitem"]);
/** Methods of files (`io.StringIO`/`BytesIO` serve them); reading ones also say "read". */
const FILE_METHODS = new Set([
  "read",
  "readline",
  "readlines",
  "write",
  "writelines",
  "seek",
  "tell",
  "flush",
  "truncate",
  "readinto",
]);
const SET_METHODS = new Set([
  "add",
  "discard",
  "union",
  "intersection",
  "difference",
  "symmetric_difference",
  "issubset",
  "issuperset",
  "isdisjoint",
]);
const NUM_METHODS = new Set([
  "bit_length",
  "to_bytes",
  "is_integer",
  "as_integer_ratio",
  "conjugate",
  "real",
  "imag",
  "numerator",
  "denominator",
]);
/** Attributes classes have (and values do not): the parameter is a class. */
const CLASS_ATTRS = new Set([
  "__mro__",
  "__bases__",
  "__subclasses__",
  "__qualname__",
  "__name__",
  "__module__",
]);
/** Functions have these too: a weaker vote. */
const CLASS_OR_FUNCTION_ATTRS = new Set(["__name__", "__module__"]);
/** Builtins whose argument is a sequence or iterable. */
const SEQ_FUNCS = new Set(["len", "reversed"]);
const ITER_FUNCS = new Set([
  "sorted",
  "enumerate",
  "zip",
  "list",
  "tuple",
  "set",
  "frozenset",
  "iter",
  "any",
  "all",
  "map",
  "filter",
  "min",
  "max",
  "sum",
  "next",
]);
/** Builtins whose second argument is an attribute's name. */
const ATTR_FUNCS = new Set(["getattr", "setattr", "hasattr", "delattr"]);
const NUM_FUNCS = new Set(["abs", "round", "divmod", "bin", "hex", "oct", "chr", "pow", "hash"]);
const FLOAT_MODULE = new Set([
  "sqrt",
  "exp",
  "log",
  "log2",
  "log10",
  "sin",
  "cos",
  "tan",
  "atan",
  "atan2",
  "asin",
  "acos",
  "floor",
  "ceil",
  "fabs",
  "isnan",
  "isinf",
  "isfinite",
  "hypot",
  "degrees",
  "radians",
  "trunc",
  "copysign",
  "fmod",
  "frexp",
  "modf",
  "ldexp",
  "isclose",
]);
const INT_MODULE = new Set(["factorial", "gcd", "lcm", "isqrt", "comb", "perm"]);
/** `os.path`, `posixpath`, …: every argument of their functions is a path. */
const PATH_MODULE = /^_?(os\.path|posixpath|ntpath|genericpath)$/;
/** Functions of `os` whose first argument (both, for the two-path ones) is a path. */
const OS_PATH_FUNCS = new Set(
  "stat lstat listdir scandir mkdir makedirs remove unlink rmdir removedirs chdir chmod chown walk fspath fsencode fsdecode access readlink utime truncate rename replace link symlink".split(
    " ",
  ),
);
const OS_TWO_PATHS = new Set(["rename", "replace", "link", "symlink"]);
const ARITH = new Set(["+", "-", "*", "/", "//", "%", "**", "&", "|", "^", "<<", ">>", "@"]);
const INT_OPS = new Set(["&", "|", "^", "<<", ">>", "//", "%"]);

const vote = (v: Votes, k: Kind, use: string, weight = 1) => {
  v.counts[k] = (v.counts[k] ?? 0) + weight;
  if (v.uses.length < 4 && !v.uses.includes(use)) v.uses.push(use);
};

const emptyVotes = (): Votes => ({ counts: {}, uses: [] });

/** Per parsed module: its names bound once, at the top level, to a string or bytes literal. */
const textConstants = new WeakMap<object, Map<string, Kind>>();

function textConstant(n: Node): Kind | undefined {
  const tree = n.tree;
  let consts = textConstants.get(tree);
  if (!consts) {
    consts = new Map();
    const seen = new Set<string>();
    for (const st of tree.rootNode.namedChildren) {
      const a = st?.type === "expression_statement" ? st.namedChildren[0] : null;
      const left = a?.type === "assignment" ? a.childForFieldName("left") : null;
      if (left?.type !== "identifier") continue;
      const right = a?.childForFieldName("right") ?? null;
      const kind =
        right?.type === "string" || right?.type === "concatenated_string"
          ? literalKind(right)
          : undefined;
      if (seen.has(left.text) || !kind) consts.delete(left.text);
      else consts.set(left.text, kind);
      seen.add(left.text);
    }
    textConstants.set(tree, consts);
  }
  return consts.get(n.text);
}

/**
 * The kind a literal operand suggests for the other operand of `+`, `<`, `==`, …: a literal, a
 * module constant bound to text or bytes (`SHORT_BINBYTES = b'C'`), or a sum starting with one
 * (`SHORT_BINBYTES + pack("<B", n) + obj`).
 */
function literalKind(n: Node | null): Kind | undefined {
  if (!n) return undefined;
  switch (n.type) {
    case "identifier":
      return textConstant(n);
    case "binary_operator": {
      if (n.childForFieldName("operator")?.text !== "+") return undefined;
      const left = literalKind(n.childForFieldName("left"));
      return left === "str" || left === "bytes" || left === "list" ? left : undefined;
    }
    case "integer":
      return "number";
    case "float":
      return "float";
    case "string":
    case "concatenated_string":
      return /^[rR]?[bB]/.test(n.text) ? "bytes" : "str";
    case "list":
    case "list_comprehension":
      return "list";
    case "unary_operator":
      return literalKind(n.childForFieldName("argument"));
    default:
      return undefined;
  }
}

/**
 * The kind of a sum that `sum` is the left part of, when a later term is a literal:
 * `indent + name + " = ("` adds text to `indent + name`, so both of its terms are text too.
 */
function textSumKind(sum: Node): Kind | undefined {
  for (let q = sum; q.parent?.type === "binary_operator"; q = q.parent) {
    const outer = q.parent;
    if (outer.childForFieldName("operator")?.text !== "+") return undefined;
    if (outer.childForFieldName("left")?.id !== q.id) return undefined;
    const kind = literalKind(outer.childForFieldName("right"));
    if (kind === "str" || kind === "bytes" || kind === "list") return kind;
  }
  return undefined;
}

/** Nodes of `root` (not inside nested function or class definitions) named `name`. */
function usesOf(root: Node, name: string): Node[] {
  const out: Node[] = [];
  // `self.x`: an attribute the constructor stored a parameter in.
  const dotted = name.includes(".");
  const walk = (n: Node) => {
    for (const c of n.namedChildren) {
      if (!c) continue;
      if (
        c.type === "function_definition" ||
        c.type === "class_definition" ||
        c.type === "lambda"
      ) {
        // a nested scope may rebind the name; its uses of an outer parameter still count
        if (!boundIn(c, name)) walk(c);
        continue;
      }
      if ((c.type === "identifier" || (dotted && c.type === "attribute")) && c.text === name)
        out.push(c);
      else walk(c);
    }
  };
  walk(root);
  return out;
}

function boundIn(def: Node, name: string): boolean {
  const params = def.childForFieldName("parameters");
  if (!params) return false;
  return params.descendantsOfType("identifier").some((i) => i?.text === name);
}

/** `node` is in the body of an `if` (or `x if c else y`) testing `isclass(name)`/`isinstance(name, type)`. */
export function underClassTest(node: Node, body: Node, name: string): boolean {
  const test = new RegExp(
    `\\b(isclass\\(\\s*${name}\\s*\\)|isinstance\\(\\s*${name}\\s*,\\s*type\\s*\\))`,
  );
  for (let n: Node | null = node; n && n.id !== body.id; n = n.parent) {
    const up = n.parent;
    if (
      (up?.type === "if_statement" || up?.type === "conditional_expression") &&
      up.childForFieldName("condition")?.id !== n.id &&
      test.test(up.childForFieldName("condition")?.text ?? up.text.slice(0, 200))
    )
      return true;
  }
  return false;
}

/**
 * `text.encode(e)`, `data.decode(e)`: the encoding of str and bytes (not `self.encode(x)`, a
 * codec's own method whose argument is the data).
 */
function textCodecArg(fn: Node, pos: number): Domain | undefined {
  if (pos !== 0 || fn.type !== "attribute") return undefined;
  const attr = fn.childForFieldName("attribute")?.text;
  const obj = fn.childForFieldName("object");
  if (attr !== "encode" && attr !== "decode") return undefined;
  // Not a module's function (`codecs.encode(obj, e)`: its data comes first).
  if (!obj || /^(self|cls)\b/.test(obj.text) || imported(fn, obj.text.split(".")[0]))
    return undefined;
  return "encoding";
}

/** Votes for `name` from its uses in `body`; `depth` bounds the element analysis. */
export function usageVotes(body: Node, name: string, depth = 0): Votes {
  const v = emptyVotes();
  for (const id of usesOf(body, name)) {
    const p = id.parent;
    if (!p) continue;
    classify(id, p, name, v, body, depth);
  }
  return v;
}

function classify(id: Node, p: Node, name: string, v: Votes, body: Node, depth: number) {
  const isChild = (field: string) => p.childForFieldName(field)?.id === id.id;
  switch (p.type) {
    case "attribute": {
      if (!isChild("object")) return;
      const attr = p.childForFieldName("attribute")?.text ?? "";
      const use = `${name}.${attr}`;
      if (STR_METHODS.has(attr)) {
        // `count`/`index` exist on lists too; `encode`/`format` only on str
        vote(v, attr === "count" || attr === "index" ? "seq" : "str", use);
        if (attr !== "count" && attr !== "index") v.text = true;
        // `mode.startswith(("w", "a"))`: the prefixes are words it may be.
        if (attr === "startswith" && p.parent?.type === "call")
          addWords(v, wordsOf(p.parent.childForFieldName("arguments")?.namedChildren[0] ?? null));
      } else if (BYTES_ONLY.has(attr)) {
        vote(v, "bytes", use);
        if (attr === "decode") v.text = true;
      } else if (LIST_METHODS.has(attr))
        vote(v, attr === "pop" || attr === "copy" || attr === "clear" ? "seq" : "list", use);
      else if (DICT_METHODS.has(attr)) {
        vote(v, "dict", use, 2);
        if (attr === "get" || attr === "setdefault")
          keyFrom(p.parent?.childForFieldName("arguments")?.namedChildren[0] ?? null, v);
      } else if (SET_METHODS.has(attr)) vote(v, "set", use, 2);
      else if (NUM_METHODS.has(attr)) vote(v, attr === "is_integer" ? "float" : "int", use);
      else if (FILE_METHODS.has(attr)) {
        vote(v, "file", use, 2);
        if (attr.startsWith("read") || attr === "seek" || attr === "tell")
          vote(v, "fileread", use, 0);
      } else if (CLASS_ATTRS.has(attr)) {
        // A class (`C.__mro__`): the zero-argument callables drawn are the builtin types. Not
        // when read only under `if isclass(C)`: the code takes other values too.
        if (!underClassTest(p, body, name)) {
          vote(v, "callable", use, CLASS_OR_FUNCTION_ATTRS.has(attr) ? 0.5 : 1);
          v.arity ??= 0;
        }
      } else if (!/^__.*__$/.test(attr)) {
        v.attrs ??= [];
        if (!v.attrs.includes(attr)) v.attrs.push(attr);
      }
      return;
    }
    case "subscript": {
      // `TABLE[p]`: the table's keys are the words it may be.
      if (isChild("subscript")) {
        const table = p.childForFieldName("value");
        if (table?.type === "identifier") addRef(v, table.text);
        else addWords(v, wordsOf(table));
        return;
      }
      if (!isChild("value")) return;
      const sub = p.childForFieldName("subscript");
      prefixFrom(p, sub, v);
      if (sub?.type === "slice") vote(v, "seq", `${name}[a:b]`);
      else if (sub?.type === "string") {
        vote(v, "dict", `${name}["…"]`, 2);
        v.key = "str";
      } else {
        // `p[k] = v` with a computed key is how dicts are filled (lists too: a weaker vote).
        const assigned =
          p.parent?.type === "assignment" && p.parent.childForFieldName("left")?.id === p.id;
        const computed = sub?.type === "call" || sub?.type === "attribute";
        if (assigned || computed) vote(v, "dict", `${name}[k] = …`, computed ? 1 : 0.8);
        vote(v, "seq", `${name}[i]`);
        elementFromSubscript(p, v, body, depth);
      }
      return;
    }
    case "argument_list": {
      const call = p.parent;
      const fn = call?.childForFieldName("function");
      if (!call || !fn) return;
      const args = p.namedChildren;
      const pos = args.findIndex((a) => a?.id === id.id);
      const fname =
        fn.type === "identifier"
          ? fn.text
          : fn.type === "attribute"
            ? (fn.childForFieldName("attribute")?.text ?? "")
            : "";
      const module = fn.type === "attribute" ? fn.childForFieldName("object")?.text : undefined;
      const use = `${fn.text}(${name})`;
      const domain = domainOf(fn, pos) ?? textCodecArg(fn, pos);
      if (domain) voteDomain(v, domain, use);
      else if (fn.type === "identifier") {
        if (fname === "range") vote(v, "int", use, 2);
        else if (SEQ_FUNCS.has(fname)) vote(v, "seq", use);
        else if (fname === "sum") {
          vote(v, "iter", use);
          v.element ??= emptyVotes();
          vote(v.element, "number", "sum");
        } else if ((fname === "min" || fname === "max") && args.length > 1) vote(v, "number", use);
        else if (ITER_FUNCS.has(fname)) {
          if ((fname === "map" || fname === "filter") && pos === 0) {
            vote(v, "callable", use, 2);
            v.arity = 1;
          } else vote(v, "iter", use);
        } else if (NUM_FUNCS.has(fname)) vote(v, fname === "chr" ? "int" : "number", use);
        else if (fname === "ord") vote(v, "str", use);
        else if (fname === "open" && pos === 0) {
          vote(v, "str", use, 2);
          v.path = true;
          votePlace(v, "file");
        } else if (fname === "float") vote(v, "number", use, 0.5);
        else if (fname === "isinstance") isinstanceVote(args[1] ?? null, v, use);
        // `setattr(obj, name, …)`, `getattr(obj, name)`: an attribute's name is text.
        else if (pos === 1 && ATTR_FUNCS.has(fname)) vote(v, "str", use, 2);
        else if (pos === 0 && ATTR_FUNCS.has(fname)) {
          v.holder = fname === "setattr" || fname === "delattr" ? "set" : (v.holder ?? "get");
          if (v.uses.length < 4 && !v.uses.includes(use)) v.uses.push(use);
        } else if (fname === "dict") vote(v, "dict", use, 0.5);
      } else if (
        (module && PATH_MODULE.test(module)) ||
        ((module === "os" || module === "_os") &&
          OS_PATH_FUNCS.has(fname) &&
          (pos === 0 || (pos === 1 && OS_TWO_PATHS.has(fname))))
      ) {
        // A path: text (a relative name is a file of the sandbox's working folder).
        vote(v, "str", use, 2);
        v.path = true;
        votePlace(v, placeOf(module ?? "", fname, pos));
      } else if (module === "math" || module === "cmath") {
        if (FLOAT_MODULE.has(fname)) vote(v, "float", use);
        else if (INT_MODULE.has(fname)) vote(v, "int", use, 2);
        else if (fname === "fsum" || fname === "prod") vote(v, "iter", use);
      } else if (fname === "join" && fn.type === "attribute") {
        vote(v, "iter", use);
        v.element ??= emptyVotes();
        vote(v.element, "str", "join");
      } else if (module === "heapq" || module === "bisect") {
        if (pos === 0) vote(v, "list", use, 2);
      }
      return;
    }
    case "keyword_argument": {
      if (p.childForFieldName("value")?.id !== id.id) return;
      const key = p.childForFieldName("name")?.text;
      const domain = key ? DOMAIN_KEYWORDS[key] : undefined;
      if (domain) voteDomain(v, domain, `${key}=${name}`);
      else if (key === "key") {
        vote(v, "callable", `key=${name}`, 2);
        v.arity = 1;
      } else if (
        key === "file" &&
        p.parent?.parent?.type === "call" &&
        p.parent.parent.childForFieldName("function")?.text === "print"
      )
        // `print(…, file=out)`: written to as a file.
        vote(v, "file", `print(file=${name})`, 2);
      return;
    }
    case "call": {
      if (!isChild("function")) return;
      vote(v, "callable", `${name}(…)`, 3);
      v.arity = Math.max(v.arity ?? 0, p.childForFieldName("arguments")?.namedChildren.length ?? 0);
      return;
    }
    case "binary_operator": {
      const op = p.childForFieldName("operator")?.text ?? "";
      if (!ARITH.has(op)) return;
      const other = isChild("left") ? p.childForFieldName("right") : p.childForFieldName("left");
      const lit = literalKind(other) ?? (op === "+" ? textSumKind(p) : undefined);
      const use = `${name} ${op} …`;
      // `"_handle_%s" % p`: a name made from it (getattr) — names the module defines say the words.
      if (op === "%" && isChild("right") && lit === "str") {
        const f = literalOf(other as Node);
        const parts = typeof f?.value === "string" ? f.value.split("%s") : [];
        if (parts.length === 2 && /^\w*$/.test(parts[0] + parts[1]) && parts[0] + parts[1] !== "") {
          v.formats ??= [];
          v.formats.push([parts[0], parts[1]]);
        }
      }
      if (op === "%" && isChild("left") && lit !== "number" && lit !== "float") {
        vote(v, "str", `${name} % …`, 0.5);
        return;
      }
      if (lit === "str" || lit === "bytes" || lit === "list") vote(v, lit, use, 2);
      else if (op === "*" && lit === "number" && other?.type === "integer")
        vote(v, "number", use, 0.7);
      else if (lit === "float" || op === "/") vote(v, "float", use);
      else if (INT_OPS.has(op)) vote(v, "int", use);
      else vote(v, "number", use);
      return;
    }
    case "augmented_assignment": {
      const op = p.childForFieldName("operator")?.text ?? "";
      const lit = literalKind(p.childForFieldName("right"));
      if (lit === "str" || lit === "list") vote(v, lit, `${name} ${op} …`, 2);
      else if (/^[-*/%&|^<>]/.test(op) || lit === "number") vote(v, "number", `${name} ${op} …`);
      return;
    }
    case "unary_operator":
      if (p.childForFieldName("operator")?.text !== "not") vote(v, "number", `-${name}`);
      return;
    case "comparison_operator": {
      const ops = p.children.filter((c) => c && !c.isNamed).map((c) => c?.text ?? "");
      const operands = p.namedChildren;
      const idx = operands.findIndex((o) => o?.id === id.id);
      if (ops.includes("in") || ops.includes("not in")) {
        // `'&' in s` is a substring test: s is text (as a list, html.unescape never ran).
        if (idx > 0 && literalKind(operands[0] ?? null) === "str")
          vote(v, "str", `${operands[0]?.text.slice(0, 10)} in ${name}`, 1.5);
        else if (idx > 0) vote(v, "iter", `… in ${name}`, 0.7);
        else if (operands[1]?.type === "identifier") addRef(v, operands[1].text);
        else if (idx === 0) addWords(v, wordsOf(operands[1] ?? null));
        return;
      }
      if (ops.includes("is") || ops.includes("is not")) {
        if (operands.some((o) => o?.type === "none")) vote(v, "none", `${name} is None`);
        return;
      }
      for (const o of operands) {
        if (o?.id === id.id) continue;
        const lit = literalKind(o);
        if (lit) vote(v, lit, `${name} ${ops[0] ?? "=="} ${o?.text.slice(0, 10)}`, 0.7);
        if (lit === "str" && (ops[0] === "==" || ops[0] === "!=")) addWords(v, wordsOf(o));
        if (o?.type === "none") vote(v, "none", `${name} == None`);
      }
      return;
    }
    case "for_statement":
    case "for_in_clause": {
      if (p.childForFieldName("right")?.id !== id.id) return;
      vote(v, "iter", `for … in ${name}`);
      const left = p.childForFieldName("left");
      if (left?.type === "identifier" && depth < 1) {
        const scope = p.type === "for_statement" ? p : (p.parent ?? p);
        const el = usageVotes(scope, left.text, depth + 1);
        v.element = mergeVotes(v.element, el);
      } else if (left?.type === "pattern_list" || left?.type === "tuple_pattern") {
        v.element ??= emptyVotes();
        vote(v.element, "seq", "unpacked", 0.5);
      }
      return;
    }
    case "if_statement":
    case "while_statement":
    case "boolean_operator":
    case "not_operator":
    case "conditional_expression":
      if (p.childForFieldName("condition")?.id === id.id || p.type !== "conditional_expression")
        // The evidence names the use it saw: `not x` and `x and y` are not `if x`.
        vote(
          v,
          "bool",
          p.type === "not_operator"
            ? `not ${name}`
            : p.type === "boolean_operator"
              ? `${name} in and/or`
              : p.type === "while_statement"
                ? `while ${name}`
                : `if ${name}`,
          0.3,
        );
      return;
    default:
      return;
  }
}

/**
 * `p[0] == "-"`, `p[0:2] == "--"`, `p[:2] != "--"`: the text it is checked to begin with (the
 * string's length matching the slice's), the longest kept.
 */
function prefixFrom(subscript: Node, sub: Node | null, v: Votes) {
  const cmp = subscript.parent;
  if (!sub || cmp?.type !== "comparison_operator" || cmp.namedChildren.length !== 2) return;
  const op = cmp.children.find((c) => c && !c.isNamed)?.text;
  if (op !== "==" && op !== "!=") return;
  const other = cmp.namedChildren.find((c) => c && c.id !== subscript.id) ?? null;
  const text = other ? literalOf(other)?.value : undefined;
  if (typeof text !== "string" || text === "" || other?.type !== "string") return;
  let length: number | undefined;
  if (sub.type === "integer" && sub.text === "0") length = 1;
  else if (sub.type === "slice") {
    const parts = sub.text.split(":");
    if (parts.length === 2 && (parts[0].trim() === "" || parts[0].trim() === "0"))
      length = Number(parts[1].trim());
  }
  if (length !== text.length) return;
  if (text.length > (v.prefix?.length ?? 0)) v.prefix = text;
}

function keyFrom(arg: Node | null, v: Votes) {
  const k = literalKind(arg);
  if (k === "str") v.key = "str";
  else if (k === "number") v.key = "int";
}

function elementFromSubscript(sub: Node, v: Votes, _body: Node, depth: number) {
  if (depth >= 1) return;
  const p = sub.parent;
  if (!p) return;
  // `p[i] + 1`, `p[i].lower()`: what the element is used as.
  const el = emptyVotes();
  classify(sub, p, "·", el, sub, depth + 1);
  if (Object.keys(el.counts).length > 0) v.element = mergeVotes(v.element, el);
}

function isinstanceVote(t: Node | null, v: Votes, use: string) {
  if (!t) return;
  const names = t.type === "tuple" ? t.namedChildren.map((c) => c?.text ?? "") : [t.text];
  for (const n of names) {
    const k: Kind | undefined = (
      {
        int: "int",
        float: "float",
        str: "str",
        bytes: "bytes",
        list: "list",
        tuple: "seq",
        dict: "dict",
        set: "set",
        bool: "bool",
      } as Record<string, Kind>
    )[n];
    if (k) vote(v, k, use, 1 / names.length);
  }
}

export function mergeVotes(a: Votes | undefined, b: Votes): Votes {
  if (!a) return b;
  const out: Votes = {
    counts: { ...a.counts },
    uses: [...a.uses],
    arity: a.arity ?? b.arity,
    key: a.key ?? b.key,
    ...(a.text || b.text ? { text: true } : {}),
    ...(a.path || b.path ? { path: true } : {}),
    ...(a.domain || b.domain ? { domain: a.domain ?? b.domain } : {}),
  };
  for (const [k, n] of [...Object.entries(a.places ?? {}), ...Object.entries(b.places ?? {})]) {
    out.places ??= {};
    out.places[k as Place] = (out.places[k as Place] ?? 0) + (n ?? 0);
  }
  const attrs = [...new Set([...(a.attrs ?? []), ...(b.attrs ?? [])])];
  if (attrs.length > 0) out.attrs = attrs;
  addWords(out, [...(a.words ?? []), ...(b.words ?? [])]);
  for (const r of [...(a.wordRefs ?? []), ...(b.wordRefs ?? [])]) addRef(out, r);
  const formats = [...(a.formats ?? []), ...(b.formats ?? [])];
  if (formats.length > 0) out.formats = formats;
  const prefix = (b.prefix?.length ?? 0) > (a.prefix?.length ?? 0) ? b.prefix : a.prefix;
  if (prefix) out.prefix = prefix;
  const element =
    a.element && b.element ? mergeVotes(a.element, b.element) : (a.element ?? b.element);
  if (element) out.element = element;
  for (const [k, n] of Object.entries(b.counts))
    out.counts[k as Kind] = (out.counts[k as Kind] ?? 0) + (n ?? 0);
  for (const u of b.uses) if (out.uses.length < 4 && !out.uses.includes(u)) out.uses.push(u);
  return out;
}

/** The element type of a container whose elements were used as `el` (default int). */
function elementType(el: Votes | undefined): ArgType {
  if (!el) return "int";
  const c = el.counts;
  const score = (k: Kind) => c[k] ?? 0;
  const best = (["str", "float", "number", "int", "seq", "list"] as Kind[]).sort(
    (x, y) => score(y) - score(x),
  )[0];
  if (score(best) === 0) return "int";
  if (best === "str") return "str";
  if (best === "float") return "float";
  if (best === "seq" || best === "list") return "list[int]";
  return "int";
}

/**
 * Candidate types from the votes, most likely first (empty when the body says nothing), and the
 * uses behind the first.
 */
export function usageCandidates(v: Votes): {
  types: ArgType[];
  uses: string[];
  file?: "read" | "write";
  attrs?: string[];
  path?: true;
  place?: Place;
  /** Compared with None, and nothing else says what it is. */
  none?: true;
  words?: string[];
  wordRefs?: string[];
  formats?: [string, string][];
  prefix?: string;
  elementPrefix?: string;
  domain?: Domain;
  holder?: "get" | "set";
} {
  const c = v.counts;
  const s = (k: Kind) => c[k] ?? 0;
  // Used as a file more than as anything else: an in-memory file (infer.ts), its content drawn.
  const others = Object.entries(c).filter(
    ([k]) => k !== "file" && k !== "fileread" && k !== "bool",
  );
  if (s("file") > 0 && others.every(([, n]) => (n ?? 0) < s("file")))
    return {
      types: ["str", "bytes"],
      uses: v.uses,
      file: c.fileread !== undefined ? "read" : "write",
    };
  const el = elementType(v.element);
  const list = `list[${el}]`;
  const scored: [number, ArgType[]][] = [];
  if (s("callable") > 0)
    scored.push([s("callable") * 2, [`callable[${Math.min(2, v.arity ?? 1)}]`]]);
  if (s("dict") > 0)
    scored.push([
      s("dict") * 1.5,
      [`dict[${v.key ?? (s("seq") > 0 ? "int" : "str")},${el === "list[int]" ? "int" : el}]`],
    ]);
  if (s("set") > 0) scored.push([s("set") * 1.5, [`set[${el}]`]]);
  if (s("bytes") > 0) scored.push([s("bytes") * 1.5, ["bytes"]]);
  if (s("str") > 0) scored.push([s("str") * 1.2, ["str"]]);
  if (s("list") > 0) scored.push([s("list") * 1.3, [list]]);
  if (s("seq") > 0) scored.push([s("seq"), v.element?.counts.str ? ["str", list] : [list, "str"]]);
  if (s("iter") > 0) scored.push([s("iter") * 0.9, [list, "str"]]);
  if (s("float") > 0) scored.push([s("float") * 1.1, ["float", "int"]]);
  if (s("int") > 0) scored.push([s("int") * 1.2, ["int"]]);
  if (s("number") > 0) scored.push([s("number"), ["int", "float"]]);
  if (s("bool") > 0) scored.push([s("bool"), ["bool"]]);
  scored.sort((a, b) => b[0] - a[0]);
  const types: ArgType[] = [];
  for (const [, ts] of scored) for (const t of ts) if (!types.includes(t)) types.push(t);
  if (v.text || v.path) {
    // Text first: `bytes` when a bytes-only method was called or bytes outvote str.
    const text: ArgType[] = s("bytes") >= s("str") ? ["bytes", "str"] : ["str", "bytes"];
    types.splice(0, types.length, ...text, ...types.filter((t) => !text.includes(t)));
  }
  if (s("none") > 0 && types.length > 0) types.splice(1, 0, `optional[${types[0]}]`);
  // Where the uses expect something: the most votes, a file before a folder before nothing.
  const pv = v.places ?? {};
  const most = Math.max(pv.file ?? 0, pv.folder ?? 0, pv.new ?? 0);
  const place: Place | undefined =
    most === 0 ? undefined : pv.file === most ? "file" : pv.folder === most ? "folder" : undefined;
  return {
    types,
    uses: v.uses,
    ...(v.attrs ? { attrs: v.attrs } : {}),
    ...(v.path ? { path: true as const } : {}),
    ...(place ? { place } : {}),
    ...(s("none") > 0 && types.length === 0 && !v.attrs ? { none: true as const } : {}),
    ...(v.words ? { words: v.words } : {}),
    ...(v.wordRefs ? { wordRefs: v.wordRefs } : {}),
    ...(v.formats ? { formats: v.formats } : {}),
    ...(v.prefix ? { prefix: v.prefix } : {}),
    ...(v.element?.prefix ? { elementPrefix: v.element.prefix } : {}),
    ...(v.domain ? { domain: v.domain } : {}),
    ...(v.holder ? { holder: v.holder } : {}),
  };
}
