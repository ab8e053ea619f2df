/**
 * Functions and methods of a Python source file. Every top-level function and every method of a
 * top-level class becomes one entry with:
 * - `code`: what is shown and embedded — for a function, the file's imports, then the same-file
 *   functions it calls (transitively, in file order), then the function; for a method, the
 *   class line and the method;
 * - what the source says about each parameter: its hint, its default value, its uses in the body
 *   (usage.ts), and the doctest examples that call it (inferred into a signature by infer.ts);
 * - for a method, how to call it: an instance built from the constructor's parameters (its
 *   `__init__`, or a dataclass's fields), or the class itself for static and class methods.
 * Calls of the file's functions with literal arguments are collected as call-site evidence.
 */
import type { ArgType } from "../data/index.js";
import { initPython, type Node, withTree } from "../synth/index.js";
import { type HintResult, mapHint } from "./hints.js";
import { type Literal, literalOf } from "./literals.js";
import {
  type Domain,
  mergeVotes,
  type Place,
  underClassTest,
  usageCandidates,
  usageVotes,
  wordsOf,
} from "./usage.js";

export interface ParamInfo {
  name: string;
  kind: "positional" | "keyword" | "varargs" | "varkw";
  /** No default value (a varargs or varkw parameter is never required). */
  required: boolean;
  /** The hint's text and what it maps to. */
  hint?: string;
  hinted?: HintResult;
  /** The default value as a literal, `other` for an expression (None is the literal `none`). */
  default?: Literal | "other";
  /**
   * Candidate types from the body, most likely first, and the uses behind them; `file` when it
   * is used as a file (`.read()`, `.write()`, …: passed as an in-memory one).
   */
  usage: {
    types: ArgType[];
    uses: string[];
    file?: "read" | "write";
    attrs?: string[];
    /** Passed to `os.path.*`, `open`, `os.stat`, …: text, whatever else its uses say. */
    path?: true;
    /** What the path's uses expect to find there (usage.ts `Place`), when they say. */
    place?: Place;
    /** Compared with None, and nothing else says what it is (`if dir_fd is None:`). */
    none?: true;
    /**
     * Attributes are read or set on it by name (`setattr(namespace, dest, v)`): an object; `set`
     * when some are set.
     */
    holder?: "get" | "set";
    /**
     * Words the code accepts for it: those it is compared with (`mode == "r"`,
     * `mode not in ("r", "w")`, `mode.startswith("w")`), the keys or items of the module's or
     * body's collections it is tested against or indexes (`modes = {"r": …}; mode in modes`), and
     * the names it is formatted into that the module defines (`"_handle_conflict_%s" % handler`
     * → `_handle_conflict_error`). Unresolved references (`wordRefs`, `formats`) are usage.ts's.
     */
    words?: string[];
    wordRefs?: string[];
    formats?: [string, string][];
    /**
     * Text it (`prefix`), or each of its items (`elementPrefix`), is checked to begin with
     * (`opt[0:2] == "--"`): drawn text rarely does, so a call may put it in front.
     */
    prefix?: string;
    elementPrefix?: string;
    /** Names of a closed set it is passed as (usage.ts `Domain`: `codecs.lookup(e)`). */
    domain?: Domain;
    /**
     * Else a same-file class that has them whose constructor requires arguments: built in the
     * call from drawn ones (`help.add_argument(action)` → `Action(a1, a2)`).
     */
    instanceOf?: { cls: string; params: ParamInfo[] };
    /**
     * A same-file enumeration with members it is passed to (`_ParameterKind(kind)`): drawn
     * values are rarely its values, so a call may pass one of its members.
     */
    enumOf?: string;
    /**
     * An instance of a same-file class that has every attribute it reads (`parser.converters` →
     * `RawConfigParser()`), built from the class's literal instances or its defaults.
     */
    instance?: string;
  };
}

export interface Doctest {
  /** 1-based line of the `>>>` in the file. */
  line: number;
  /** The call as written. */
  text: string;
  args: Literal[];
  /** The expected output as written (joined lines), or null when none is given. */
  expected: string | null;
}

export type FunctionKind = "function" | "method" | "staticmethod" | "classmethod" | "property";

export interface ExtractedFunction {
  /** `f` for a function, `Class.method` for a method. */
  name: string;
  kind: FunctionKind;
  className?: string;
  /** The method's own name. */
  method?: string;
  /** 1-based line of the `def` (or of its first decorator). */
  line: number;
  /** What is shown and embedded (see the file comment). */
  code: string;
  /**
   * Argument types from the hints when every parameter that is passed has a usable one (as
   * before inference existed), or null with `problem` saying why not.
   */
  args: ArgType[] | null;
  problem?: string;
  /** Same-file functions it calls, directly or through other helpers. */
  helpers: string[];
  /** Parameters without `self`/`cls`. */
  params: ParamInfo[];
  /** A generator function: its calls are materialised (first 64 items) to compare them. */
  generator: boolean;
  /** For an instance method or property: the constructor's parameters (without `self`). */
  ctor?: {
    params: ParamInfo[];
    /** `__new__`: the class has no `__init__`; `namedtuple`: a `collections.namedtuple` base's fields. */
    from: "__init__" | "__new__" | "fields" | "namedtuple" | "inherited";
  };
  doctests: Doctest[];
  /**
   * For a method or property: instances of its class built with literal arguments in the module
   * (`Point(1, 2)` in code or in a `>>>` line), as Python source; or the class's name alone when
   * the module rebinds it to its one instance (`_auto_null = _auto_null()`, `@object.__new__`).
   */
  instances?: string[];
  /**
   * For a method of a class whose methods read `self.x`/`cls.x` that neither it nor its same-file
   * bases define: the same-file subclass (not overriding the method) that defines the most of them.
   */
  subclass?: {
    name: string;
    ctor: { params: ParamInfo[] };
    defines: string[];
    /** The subclass's literal instances in the module. */
    instances?: string[];
  };
  /**
   * For a method or property of a class with builtin types registered as virtual subclasses
   * (`Integral.register(int)`, or a subclass's): those types, to call it unbound on their values.
   */
  registered?: ArgType[];
  /**
   * For a method or property that reads `self.x` which only another method assigns (not the
   * class body, nor the constructor and the methods it calls): that method (of its class or a
   * same-file base), to call on the instance first (`_Unpickler.load` sets `stack`, `read`, …);
   * never one that reads them before it assigns them. For `__exit__` with nothing such, the
   * class's `__enter__` (`assigns` empty). For a function that reads module state bound to
   * None at the top level (`_state`), the module function that sets it through `global`.
   */
  setup?: { method: string; params: ParamInfo[]; assigns: string[] };
  /**
   * For a method whose parameter `param` is a key into the instance's own mappings: a method to
   * call first that puts a key there (`keyedSetupFor`), and whether the key is the same drawn
   * value passed to both (`shared`) or that method's result.
   */
  keyed?: { method: string; params: ParamInfo[]; param: string; shared: boolean };
  /**
   * For a method or property of a class with `@abstractmethod`s left (of its own or a same-file
   * base's) that it is not one of: those, which a subclass made for the call fills with methods
   * raising NotImplementedError, so the class's concrete methods run (`BaseSelector.close`).
   */
  abstracts?: { name: string; property: boolean }[];
  /**
   * For a method or property of an enumeration class without members (its same-file chain has a
   * metaclass derived from `type`, or an `Enum`-like base), or of such a metaclass: the subclass
   * with two members a wrapper defines (`class _tracecode_Members(Flag): A = 1; B = 2`), the
   * method called on its first member, or (`meta`) unbound on the class itself.
   */
  members?: { header: string; values: string[]; meta: boolean };
  /** Its body only raises NotImplementedError (a docstring aside): an abstract method. */
  abstract?: true;
  /** The top-level statement that defines it (the function, or the method's class). */
  definition: { line: number; text: string };
}

export interface FileFunctions {
  functions: ExtractedFunction[];
  /** Literal arguments of calls to a name (a function, `Class`, or `Class.method`). */
  calls: Map<string, Literal[][]>;
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

function paramName(p: Node): string {
  if (p.type === "identifier") return p.text;
  const n = p.childForFieldName("name") ?? p.namedChildren[0];
  if (!n) return "?";
  if (n.type === "list_splat_pattern" || n.type === "dictionary_splat_pattern")
    return n.namedChildren[0]?.text ?? "?";
  return n.text;
}

/** Parameters of a def, the first one dropped for methods (`self`/`cls`). */
function paramsOf(def: Node, body: Node | null, dropFirst: boolean): ParamInfo[] {
  const out: ParamInfo[] = [];
  let keywordOnly = false;
  const params = def.childForFieldName("parameters")?.namedChildren ?? [];
  for (const p of params) {
    if (!p) continue;
    if (p.type === "keyword_separator") {
      keywordOnly = true;
      continue;
    }
    if (p.type === "positional_separator") continue;
    const typed = p.type === "typed_parameter" || p.type === "typed_default_parameter";
    const inner = typed ? p.namedChildren[0] : p;
    let kind: ParamInfo["kind"] = keywordOnly ? "keyword" : "positional";
    if (inner?.type === "list_splat_pattern" || p.type === "list_splat_pattern") {
      kind = "varargs";
      keywordOnly = true;
    } else if (inner?.type === "dictionary_splat_pattern" || p.type === "dictionary_splat_pattern")
      kind = "varkw";
    const name = paramName(p);
    const hasDefault = p.type === "default_parameter" || p.type === "typed_default_parameter";
    const hint = typed ? p.childForFieldName("type")?.text : undefined;
    const defaultNode = hasDefault ? p.childForFieldName("value") : null;
    const info: ParamInfo = {
      name,
      kind,
      required: kind !== "varargs" && kind !== "varkw" && !hasDefault,
      usage: body ? usageCandidates(usageVotes(body, name)) : { types: [], uses: [] },
    };
    if (hint !== undefined) {
      info.hint = hint;
      info.hinted = mapHint(hint);
    }
    if (hasDefault) info.default = literalOf(defaultNode) ?? "other";
    out.push(info);
  }
  return dropFirst ? out.slice(1) : out;
}

/** The docstring's text (first statement of the body), or undefined. */
function docstringOf(body: Node | null): { text: string; line: number } | undefined {
  const first = body?.namedChildren[0];
  if (first?.type !== "expression_statement") return undefined;
  const s = first.namedChildren[0];
  if (s?.type !== "string") return undefined;
  return { text: s.text, line: s.startPosition.row + 1 };
}

/**
 * `>>> name(args)` examples in a docstring whose arguments are all literals, with the
 * expected output (the lines up to a blank line or the next prompt).
 */
function doctestsOf(body: Node | null, callee: string): Doctest[] {
  const doc = docstringOf(body);
  if (!doc) return [];
  const lines = doc.text.split("\n");
  const out: Doctest[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^\s*>>>\s?(.*)$/.exec(lines[i]);
    if (!m) continue;
    const text = m[1].trim();
    if (!text.startsWith(`${callee}(`)) continue;
    const expected: string[] = [];
    for (let j = i + 1; j < lines.length; j++) {
      const l = lines[j].trim();
      if (l === "" || l.startsWith(">>>") || l.startsWith("...") || /^("""|''')/.test(l)) break;
      expected.push(l.replace(/("""|''')$/, "").trim());
    }
    const args = callLiterals(text, callee);
    if (!args) continue;
    out.push({
      line: doc.line + i,
      text,
      args,
      expected: expected.length > 0 ? expected.join("\n") : null,
    });
  }
  return out;
}

/** The literal positional arguments of a one-call expression, or undefined. */
function callLiterals(text: string, callee: string): Literal[] | undefined {
  // Docstrings escape backslashes; a doctest line is Python source once unescaped by Python,
  // which we cannot do faithfully here: skip lines with backslashes.
  if (text.includes("\\")) return undefined;
  return withTree(text, (root) => {
    if (root.hasError) return undefined;
    const call = root.namedChildren[0]?.namedChildren[0];
    if (call?.type !== "call" || call.childForFieldName("function")?.text !== callee)
      return undefined;
    return argLiterals(call);
  });
}

function argLiterals(call: Node): Literal[] | undefined {
  const args: Literal[] = [];
  for (const a of call.childForFieldName("arguments")?.namedChildren ?? []) {
    const l = literalOf(a);
    if (!l) return undefined;
    args.push(l);
  }
  return args;
}

/** A body that only raises NotImplementedError, after its docstring (`raise NotImplementedError(…)`). */
function onlyRaisesNotImplemented(body: Node | null): boolean {
  const statements = (body?.namedChildren ?? []).filter(
    (st) =>
      st?.type !== "comment" &&
      !(st?.type === "expression_statement" && st.namedChildren[0]?.type === "string"),
  );
  return (
    statements.length === 1 &&
    statements[0]?.type === "raise_statement" &&
    /^raise\s+NotImplementedError\b/.test(statements[0].text)
  );
}

function isGenerator(def: Node): boolean {
  const stack = [...(def.childForFieldName("body")?.namedChildren ?? [])];
  while (stack.length > 0) {
    const n = stack.pop();
    if (!n) continue;
    if (n.type === "yield") return true;
    if (n.type === "function_definition" || n.type === "class_definition" || n.type === "lambda")
      continue;
    stack.push(...n.namedChildren);
  }
  return false;
}

const decoratorsOf = (node: Node) =>
  node.type === "decorated_definition"
    ? node.namedChildren.filter((c) => c?.type === "decorator").map((c) => c?.text ?? "")
    : [];

/** The hint-only signature of the passed parameters (the pre-inference behaviour). */
function hintArgs(params: ParamInfo[]): { args: ArgType[] | null; problem?: string } {
  const args: ArgType[] = [];
  for (const p of params) {
    if (p.kind === "varkw" || (!p.required && p.kind !== "varargs")) continue;
    if (p.kind === "varargs") {
      if (!p.hinted)
        return { args: null, problem: `variadic parameter "*${p.name}" has no type hint` };
      if ("problem" in p.hinted)
        return { args: null, problem: `parameter "*${p.name}": ${p.hinted.problem}` };
      continue;
    }
    if (p.kind === "keyword")
      return { args: null, problem: `keyword-only parameter "${p.name}" has no default` };
    if (!p.hinted) return { args: null, problem: `parameter "${p.name}" has no type hint` };
    if ("problem" in p.hinted)
      return { args: null, problem: `parameter "${p.name}": ${p.hinted.problem}` };
    args.push(p.hinted.type);
  }
  return { args };
}

/**
 * A constructor's parameters, each with the uses of the attribute it is stored in
 * (`self.x = x`) anywhere in the class added to its own uses in `__init__`.
 */
function ctorParams(init: Node, classBody: Node): ParamInfo[] {
  const initBody = init.childForFieldName("body");
  const params = paramsOf(init, initBody, true);
  if (!initBody) return params;
  const stored = new Map<string, string[]>();
  for (const a of initBody.descendantsOfType("assignment")) {
    const left = a?.childForFieldName("left");
    const right = a?.childForFieldName("right");
    if (left?.type !== "attribute" || right?.type !== "identifier") continue;
    if (left.childForFieldName("object")?.text !== "self") continue;
    stored.set(right.text, [...(stored.get(right.text) ?? []), left.text]);
  }
  return params.map((p) => {
    // Stored by a base's constructor it is passed to (`super().__init__(dest=dest)`): the
    // attribute of its name, by convention.
    const passedOn =
      !stored.has(p.name) &&
      initBody
        .descendantsOfType("keyword_argument")
        .some(
          (k) =>
            k?.childForFieldName("name")?.text === p.name &&
            k.childForFieldName("value")?.text === p.name,
        );
    const attrs = stored.get(p.name) ?? (passedOn ? [`self.${p.name}`] : undefined);
    if (!attrs || (p.hinted && "type" in p.hinted)) return p;
    let votes = usageVotes(initBody, p.name);
    for (const attr of attrs) votes = mergeVotes(votes, usageVotes(classBody, attr));
    return { ...p, usage: usageCandidates(votes) };
  });
}

/** Dataclass / NamedTuple fields of a class body: annotated names, in order. */
function fieldsOf(body: Node): ParamInfo[] {
  const out: ParamInfo[] = [];
  for (const st of body.namedChildren) {
    const a = st?.type === "expression_statement" ? st.namedChildren[0] : null;
    if (a?.type !== "assignment") continue;
    const left = a.childForFieldName("left");
    const type = a.childForFieldName("type");
    if (left?.type !== "identifier" || !type) continue;
    if (/ClassVar/.test(type.text)) continue;
    const right = a.childForFieldName("right");
    out.push({
      name: left.text,
      kind: "positional",
      required: !right,
      hint: type.text,
      hinted: mapHint(type.text),
      ...(right ? { default: literalOf(right) ?? ("other" as const) } : {}),
      usage: { types: [], uses: [] },
    });
  }
  return out;
}

/** `Cls(…)` with only literal arguments (positional or keyword), as `Cls(<args>)`, or undefined. */
function literalInstance(call: Node, classes: ReadonlySet<string>): string | undefined {
  const fn = call.childForFieldName("function");
  // `Cls(…)` or `module.Cls(…)` (doctests name the module).
  const name =
    fn?.type === "identifier"
      ? fn.text
      : fn?.type === "attribute" && fn.childForFieldName("object")?.type === "identifier"
        ? (fn.childForFieldName("attribute")?.text ?? "")
        : "";
  if (!classes.has(name)) return undefined;
  const args = call.childForFieldName("arguments")?.namedChildren ?? [];
  if (args.length === 0) return undefined;
  const texts: string[] = [];
  for (const a of args) {
    const value = a?.type === "keyword_argument" ? a.childForFieldName("value") : a;
    if (!a || !literalOf(value)) return undefined;
    texts.push(a.text);
  }
  return `${name}(${texts.join(", ")})`;
}

/** Literal instances of the file's classes, from its code and from its `>>>` lines. */
function literalInstances(root: Node, classes: ReadonlySet<string>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (expr: string | undefined) => {
    if (!expr) return;
    const cls = expr.slice(0, expr.indexOf("("));
    const list = out.get(cls) ?? [];
    if (list.length < 3 && !list.includes(expr)) list.push(expr);
    out.set(cls, list);
  };
  for (const call of root.descendantsOfType("call")) if (call) add(literalInstance(call, classes));
  for (const s of root.descendantsOfType("string")) {
    for (const line of s?.text.split("\n") ?? []) {
      const m = /^\s*>>>\s?(.*)$/.exec(line);
      // Backslashes in a docstring are escapes Python would undo first: skip such lines.
      if (!m || m[1].includes("\\")) continue;
      withTree(m[1], (doc) => {
        if (doc.hasError) return;
        for (const call of doc.descendantsOfType("call"))
          if (call) add(literalInstance(call, classes));
      });
    }
  }
  return out;
}

/** Builtin types that can be drawn, as the input type of their values. */
const DRAWN_BUILTINS: Record<string, ArgType> = {
  int: "int",
  float: "float",
  str: "str",
  bytes: "bytes",
  bool: "bool",
  list: "list[int]",
  tuple: "tuple[int,...]",
  dict: "dict[str,int]",
  set: "set[int]",
  frozenset: "frozenset[int]",
};

/** `Cls.register(int)` statements at the top level: class → the drawable types registered. */
function registeredTypes(root: Node): Map<string, ArgType[]> {
  const out = new Map<string, ArgType[]>();
  for (const st of root.namedChildren) {
    const call = st?.type === "expression_statement" ? st.namedChildren[0] : null;
    const fn = call?.type === "call" ? call.childForFieldName("function") : null;
    if (fn?.type !== "attribute" || fn.childForFieldName("attribute")?.text !== "register")
      continue;
    const cls = fn.childForFieldName("object")?.text ?? "";
    const arg = call?.childForFieldName("arguments")?.namedChildren;
    const type = arg?.length === 1 ? DRAWN_BUILTINS[arg[0]?.text ?? ""] : undefined;
    if (type) out.set(cls, [...(out.get(cls) ?? []), type]);
  }
  return out;
}

/** Names a class body defines: its methods, class attributes, and `self.x = …` targets. */
function definedNames(body: Node): Set<string> {
  const out = new Set<string>();
  for (const st of body.namedChildren) {
    const def =
      st?.type === "decorated_definition" ? st.childForFieldName("definition") : (st ?? null);
    if (def?.type === "function_definition" || def?.type === "class_definition")
      out.add(def.childForFieldName("name")?.text ?? "");
  }
  for (const a of [
    ...body.descendantsOfType("assignment"),
    ...body.descendantsOfType("augmented_assignment"),
  ]) {
    const left = a?.childForFieldName("left");
    for (const t of left?.type === "pattern_list" ? left.namedChildren : [left]) {
      if (t?.type === "identifier" && a?.parent?.parent?.id === body.id) out.add(t.text);
      if (t?.type === "attribute" && /^(self|cls)$/.test(t.childForFieldName("object")?.text ?? ""))
        out.add(t.childForFieldName("attribute")?.text ?? "");
    }
  }
  return out;
}

/** `self.x` and `cls.x` read in a class body (dunders left out). */
function readNames(body: Node): Set<string> {
  const out = new Set<string>();
  for (const a of body.descendantsOfType("attribute")) {
    if (!a || !/^(self|cls)$/.test(a.childForFieldName("object")?.text ?? "")) continue;
    const name = a.childForFieldName("attribute")?.text ?? "";
    if (!/^__.*__$/.test(name)) out.add(name);
  }
  return out;
}

/** `self.x` assigned in a body (plain, augmented, annotated or unpacking assignments). */
function selfAssigned(body: Node): Set<string> {
  const out = new Set<string>();
  for (const a of [
    ...body.descendantsOfType("assignment"),
    ...body.descendantsOfType("augmented_assignment"),
  ]) {
    const left = a?.childForFieldName("left");
    for (const t of left?.type === "attribute" ? [left] : (left?.namedChildren ?? []))
      if (t?.type === "attribute" && t.childForFieldName("object")?.text === "self")
        out.add(t.childForFieldName("attribute")?.text ?? "");
  }
  return out;
}

/**
 * `self.x` read in a body (every `self.x` but the plain targets of an assignment), and those
 * whose first appearance in the text is a read, not an assignment.
 */
function selfReads(body: Node): { reads: Set<string>; readFirst: Set<string> } {
  const reads = new Set<string>();
  const seen = new Set<string>();
  const readFirst = new Set<string>();
  const uses = body
    .descendantsOfType("attribute")
    .filter((a): a is Node => a?.childForFieldName("object")?.text === "self")
    .sort((a, b) => a.startIndex - b.startIndex);
  for (const a of uses) {
    const name = a.childForFieldName("attribute")?.text ?? "";
    if (/^__.*__$/.test(name)) continue;
    const up = a.parent?.type === "pattern_list" ? a.parent : a;
    const written =
      up.parent?.type === "assignment" && up.parent.childForFieldName("left")?.id === up.id;
    if (!written) reads.add(name);
    if (!seen.has(name) && !written) readFirst.add(name);
    seen.add(name);
  }
  return { reads, readFirst };
}

/**
 * Keys into the instance's own mappings: per parameter, the `self.x` it subscripts (`self._toc[key]`,
 * read or deleted) and those it is stored under (`self._sections[section] = …`).
 */
function selfKeys(
  body: Node,
  params: ParamInfo[],
): { keyReads: Map<string, Set<string>>; keyWrites: Map<string, Set<string>> } {
  const reads = new Map<string, Set<string>>();
  const writes = new Map<string, Set<string>>();
  const names = new Set(params.map((p) => p.name));
  for (const s of body.descendantsOfType("subscript")) {
    const value = s?.childForFieldName("value");
    const key = s?.childForFieldName("subscript");
    if (!s || value?.type !== "attribute" || value.childForFieldName("object")?.text !== "self")
      continue;
    if (key?.type !== "identifier" || !names.has(key.text)) continue;
    const written =
      s.parent?.type === "assignment" && s.parent.childForFieldName("left")?.id === s.id;
    const into = written ? writes : reads;
    const set = into.get(key.text) ?? new Set<string>();
    set.add(value.childForFieldName("attribute")?.text ?? "");
    into.set(key.text, set);
  }
  return { keyReads: reads, keyWrites: writes };
}

/** Parameters passed on to `self.method(…)` as plain names: the callee and the position. */
function selfPassed(
  body: Node,
  params: ParamInfo[],
): { param: string; callee: string; index: number }[] {
  const names = new Set(params.map((p) => p.name));
  const out: { param: string; callee: string; index: number }[] = [];
  for (const call of body.descendantsOfType("call")) {
    const fn = call?.childForFieldName("function");
    if (fn?.type !== "attribute" || fn.childForFieldName("object")?.text !== "self") continue;
    const callee = fn.childForFieldName("attribute")?.text ?? "";
    (call?.childForFieldName("arguments")?.namedChildren ?? []).forEach((a, index) => {
      if (a?.type === "identifier" && names.has(a.text)) out.push({ param: a.text, callee, index });
    });
  }
  return out;
}

/** A `return` with a value other than None somewhere in the body. */
const returnsValue = (body: Node) =>
  body
    .descendantsOfType("return_statement")
    .some((r) => r?.namedChildren.some((c) => c && c.type !== "none"));

/** Methods called on `self` in a body (`self.initfp(f)` → `initfp`). */
function selfCalls(body: Node): Set<string> {
  const out = new Set<string>();
  for (const call of body.descendantsOfType("call")) {
    const fn = call?.childForFieldName("function");
    if (fn?.type === "attribute" && fn.childForFieldName("object")?.text === "self")
      out.add(fn.childForFieldName("attribute")?.text ?? "");
  }
  return out;
}

/** One method of a class, as the set-up inference sees it. */
interface MethodFacts {
  name: string;
  kind: FunctionKind;
  params: ParamInfo[];
  generator: boolean;
  assigns: Set<string>;
  reads: Set<string>;
  /** Read before the body first assigns them (as the text goes). */
  readFirst: Set<string>;
  calls: Set<string>;
  /** Decorated `@abstractmethod` (`@abc.abstractmethod`). */
  abstract: boolean;
  /** Per parameter, the `self.x` it is a key of (read) and is stored under (`selfKeys`). */
  keyReads: Map<string, Set<string>>;
  keyWrites: Map<string, Set<string>>;
  /** Parameters passed on to `self.method(…)`. */
  passes: { param: string; callee: string; index: number }[];
  returns: boolean;
}

/** Names the module binds to None at its top level (`_state = None`): state set later. */
function noneAtTopLevel(root: Node): Set<string> {
  const out = new Set<string>();
  for (const st of root.namedChildren) {
    const a = st?.type === "expression_statement" ? st.namedChildren[0] : null;
    const left = a?.type === "assignment" ? a.childForFieldName("left") : null;
    if (left?.type === "identifier" && a?.childForFieldName("right")?.type === "none")
      out.add(left.text);
  }
  return out;
}

/** Names a def declares `global` and assigns (`global _state; _state = …`). */
function globalsAssigned(def: Node): Set<string> {
  const declared = new Set<string>();
  for (const g of def.descendantsOfType("global_statement"))
    for (const c of g?.namedChildren ?? []) if (c?.type === "identifier") declared.add(c.text);
  const out = new Set<string>();
  for (const a of def.descendantsOfType("assignment")) {
    const left = a?.childForFieldName("left");
    if (left?.type === "identifier" && declared.has(left.text)) out.add(left.text);
  }
  return out;
}

/** Which of `names` occur as identifiers in `body`. */
function namesIn(body: Node | null, names: ReadonlySet<string>): string[] {
  const found = new Set<string>();
  for (const id of body?.descendantsOfType("identifier") ?? [])
    if (id && names.has(id.text)) found.add(id.text);
  return [...found];
}

/**
 * The method to call first on an instance for `method` to find the `self` attributes it reads:
 * among the methods of the class and its same-file bases (`methods`, the nearest definition of
 * each name), the plain, non-generator one that assigns the most of those the class body, the
 * constructor and what it calls leave unset; ties go to fewer required parameters.
 */
function setupFor(
  method: string,
  methods: ReadonlyMap<string, MethodFacts>,
  classNames: ReadonlySet<string>,
): ExtractedFunction["setup"] {
  const own = methods.get(method);
  if (!own) return undefined;
  const ready = new Set(classNames);
  const seen = new Set<string>();
  const todo = ["__init__", "__new__", "__post_init__"];
  while (todo.length > 0) {
    const m = methods.get(todo.pop() ?? "");
    if (!m || seen.has(m.name)) continue;
    seen.add(m.name);
    for (const a of m.assigns) ready.add(a);
    todo.push(...m.calls);
  }
  const missing = [...own.reads].filter((n) => !ready.has(n) && !own.assigns.has(n));
  // A context manager is left after it is entered, as a `with` statement does: `__exit__`
  // undoes what `__enter__` did (`chdir.__exit__` pops the folder it pushed, a lock releases).
  const enter = methods.get("__enter__");
  if (missing.length === 0 && method === "__exit__" && enter?.kind === "method")
    return { method: "__enter__", params: enter.params, assigns: [] };
  if (missing.length === 0) return undefined;
  let best: { m: MethodFacts; assigns: string[]; required: number } | undefined;
  for (const m of methods.values()) {
    if (m.name === method || m.kind !== "method" || m.generator || /^__.*__$/.test(m.name))
      continue;
    // Not one that reads them itself before it sets them (`get_data` joins `self.data`, then
    // resets it): it would raise first.
    const assigns = missing.filter((n) => m.assigns.has(n) && !m.readFirst.has(n));
    const required = m.params.filter((p) => p.required).length;
    if (
      assigns.length > 0 &&
      (!best ||
        assigns.length > best.assigns.length ||
        (assigns.length === best.assigns.length && required < best.required))
    )
      best = { m, assigns, required };
  }
  return best ? { method: best.m.name, params: best.m.params, assigns: best.assigns } : undefined;
}

/**
 * For a method with a parameter that is a key into the instance's own mappings (`self._toc[key]`,
 * also through the `self.method(key)` it is passed to), a method to call first that puts a key
 * there: one storing its same-named parameter under such a mapping (`add_section(section)`:
 * `self._sections[section] = …`, the same drawn value passed to both), else one that returns a
 * value, requires an argument and takes no key itself (the fewest required, a public one first:
 * `add(message)` returns the key it stored the message under), its result passed as the key.
 */
function keyedSetupFor(
  method: string,
  methods: ReadonlyMap<string, MethodFacts>,
): ExtractedFunction["keyed"] {
  const own = methods.get(method);
  if (own?.kind !== "method") return undefined;
  /** Per method, its parameters that are keys (of which mappings), following `self.m(p)`. */
  const keysOf = (m: MethodFacts, depth: number): Map<string, Set<string>> => {
    const out = new Map<string, Set<string>>();
    for (const [p, attrs] of m.keyReads) out.set(p, new Set(attrs));
    if (depth > 0)
      for (const x of m.passes) {
        const callee = methods.get(x.callee);
        const q = callee?.params.filter((c) => c.kind === "positional")[x.index];
        const attrs = callee && q ? keysOf(callee, depth - 1).get(q.name) : undefined;
        if (!attrs) continue;
        const set = out.get(x.param) ?? new Set<string>();
        for (const a of attrs) set.add(a);
        out.set(x.param, set);
      }
    return out;
  };
  const keys = keysOf(own, 2);
  const param = own.params.find((p) => p.kind === "positional" && p.required && keys.has(p.name));
  if (!param) return undefined;
  const attrs = keys.get(param.name) ?? new Set<string>();
  const usable = [...methods.values()].filter(
    (m) => m.name !== method && m.kind === "method" && !m.generator && !m.abstract,
  );
  const plain = usable.filter((m) => !/^__.*__$/.test(m.name));
  const storing = (m: MethodFacts) => {
    const stored = m.keyWrites.get(param.name);
    const q = m.params.find((x) => x.name === param.name && x.kind === "positional" && x.required);
    // Not one that looks the key up first (`set_info(key, info)` updates a stored key).
    return q && stored && [...stored].some((a) => attrs.has(a)) && !keysOf(m, 2).has(q.name);
  };
  const shared = (m: MethodFacts) => ({
    method: m.name,
    params: m.params,
    param: param.name,
    shared: true,
  });
  const stores = plain.find(storing);
  if (stores) return shared(stores);
  // Fewest required arguments, then a public method (the class's way in) before a private one.
  let best: { m: MethodFacts; rank: number } | undefined;
  for (const m of plain) {
    const required = m.params.filter((p) => p.required).length;
    // Takes no key itself: none it looks up, nor one named like this one (`get(key, default)`).
    const takesKey = keysOf(m, 2).size > 0 || m.params.some((p) => p.name === param.name);
    if (!m.returns || required === 0 || takesKey) continue;
    const rank = required * 2 + (m.name.startsWith("_") ? 1 : 0);
    if (!best || rank < best.rank) best = { m, rank };
  }
  if (best) return { method: best.m.name, params: best.m.params, param: param.name, shared: false };
  // Else a mapping's own way in (`obj[key] = value`: `Shelf.__getitem__`), last: it may update a
  // key only (`Babyl.__setitem__` first looks it up through its base's, where `add` returns one).
  const setitem = usable.find((m) => m.name === "__setitem__" && storing(m));
  return setitem ? shared(setitem) : undefined;
}

/** What attributes are set on when no class of the file fits: a class of its own per call. */
const HOLDER = 'type("_tracecode_Object", (), {})';

/** The `self` passed first to `Base.__init__(self, …)`: no parameter of the caller's. */
const SELF_ARG: ParamInfo = {
  name: "self",
  kind: "positional",
  required: true,
  usage: { types: [], uses: [] },
};

/**
 * A parameter that says nothing of itself (or not that it is a file or a path) but is passed on
 * to a same-file function, constructor or `self.method` whose parameter is used as a file or a
 * path, or says what it is: it takes that parameter's uses (`f` → `self.initfp(f)` → `_Chunk(file)` →
 * `file.read()`). A few rounds follow such chains.
 */
function forwardUses(
  defs: { params: ParamInfo[]; body: Node | null; cls?: string }[],
  paramsOf: (callee: string, cls: string | undefined) => ParamInfo[] | undefined,
): void {
  for (let round = 0; round < 3; round++) {
    for (const d of defs) {
      const body = d.body;
      if (!body) continue;
      forwardDomains(d.params, body, d.cls, paramsOf);
      const weak = d.params.filter(
        (p) =>
          !p.usage.file &&
          !(p.hinted && "type" in p.hinted) &&
          (p.default === undefined || p.default === "other" || p.default.type === "none"),
      );
      if (weak.length === 0) continue;
      for (const call of body.descendantsOfType("call")) {
        const fn = call?.childForFieldName("function");
        const args = call?.childForFieldName("arguments")?.namedChildren ?? [];
        if (!fn || (fn.type !== "identifier" && fn.type !== "attribute")) continue;
        const callee = fn.text;
        args.forEach((a, i) => {
          const p = a?.type === "identifier" ? weak.find((w) => w.name === a.text) : undefined;
          // Not a parameter the nested scope rebinds, nor one passed on only once it is a class.
          if (!p || !a || rebound(a, body, p.name) || underClassTest(a, body, p.name)) return;
          const target = paramsOf(callee, d.cls)?.filter((q) => q.kind === "positional")[i];
          if (!target || target === p) return;
          // `if p:` alone says only that it may be falsy, not what it is.
          const silent =
            p.usage.types.length === 0 ||
            (p.usage.types.length === 1 &&
              p.usage.types[0] === "bool" &&
              p.usage.uses.every((u) => u.startsWith("if ")));
          if (
            target.usage.file ||
            (target.usage.path && !p.usage.path) ||
            (target.usage.place && !p.usage.place) ||
            (p.usage.types.length === 0 && target.usage.types.length > 0) ||
            (silent && target.usage.types.length > 0 && target.usage.types[0] !== "bool") ||
            (p.usage.types.length === 0 &&
              (p.usage.attrs?.length ?? 0) === 0 &&
              (target.usage.attrs?.length ?? 0) > 0)
          )
            p.usage = {
              ...target.usage,
              uses: [`${callee}(${p.name})`, ...target.usage.uses].slice(0, 4),
            };
          // The text it must begin with, wherever it is passed (`self._set_opt_strings(opts)`).
          for (const key of ["prefix", "elementPrefix"] as const) {
            const t = target.usage[key];
            if (t && t.length > (p.usage[key]?.length ?? 0)) p.usage = { ...p.usage, [key]: t };
          }
        });
      }
    }
  }
}

/**
 * The words of a domain the callee's parameter takes, whatever the caller's own uses or default
 * (`new(key, msg=None, digestmod='')` → `HMAC(key, msg, digestmod)` → … →
 * `_hashlib.hmac_new(key, msg, digestmod=digestmod)`): positional or keyword arguments.
 */
function forwardDomains(
  params: ParamInfo[],
  body: Node,
  cls: string | undefined,
  paramsOf: (callee: string, cls: string | undefined) => ParamInfo[] | undefined,
): void {
  for (const call of body.descendantsOfType("call")) {
    const fn = call?.childForFieldName("function");
    if (!fn || (fn.type !== "identifier" && fn.type !== "attribute")) continue;
    const args = call?.childForFieldName("arguments")?.namedChildren ?? [];
    let targets: ParamInfo[] | undefined;
    args.forEach((a, i) => {
      const kw = a?.type === "keyword_argument";
      const value = kw ? a.childForFieldName("value") : a;
      const p =
        value?.type === "identifier" ? params.find((q) => q.name === value.text) : undefined;
      if (!p || !value || p.usage.domain || rebound(value, body, p.name)) return;
      targets ??= paramsOf(fn.text, cls) ?? [];
      const key = kw ? a.childForFieldName("name")?.text : undefined;
      const target = key
        ? targets.find((q) => q.name === key)
        : targets.filter((q) => q.kind === "positional")[i];
      const domain = target?.usage.domain;
      if (!target || target === p || !domain) return;
      p.usage = {
        ...p.usage,
        domain,
        uses: [`${fn.text}(${p.name})`, ...p.usage.uses].slice(0, 4),
        words: [...new Set([...(p.usage.words ?? []), ...(target.usage.words ?? [])])],
      };
    });
  }
}

/**
 * `node` lies in a function or lambda nested in `body` whose own parameter is `name`: not the
 * outer parameter (`dataclass(cls=None)`'s `def wrap(cls): return _process_class(cls)`).
 */
function rebound(node: Node | null, body: Node, name: string): boolean {
  for (let n = node?.parent ?? null; n && n.id !== body.id; n = n.parent)
    if (
      (n.type === "function_definition" || n.type === "lambda") &&
      (n.childForFieldName("parameters")?.descendantsOfType("identifier") ?? []).some(
        (x) => x?.text === name,
      )
    )
      return true;
  return false;
}

/**
 * The fields of a `collections.namedtuple("N", "a b")` (or `["a", "b"]`) call as constructor
 * parameters, the last ones defaulted by `defaults=[…]` (`[None] * 4` too), or undefined.
 */
function namedtupleFields(call: Node | null): ParamInfo[] | undefined {
  if (call?.type !== "call") return undefined;
  if (!/(^|\.)namedtuple$/.test(call.childForFieldName("function")?.text ?? "")) return undefined;
  const args = call.childForFieldName("arguments")?.namedChildren ?? [];
  const spec = args[1];
  if (!spec || spec.type === "keyword_argument") return undefined;
  const names =
    spec.type === "string" || spec.type === "concatenated_string"
      ? wordsOf(spec).flatMap((w) => w.split(/[\s,]+/).filter((n) => n !== ""))
      : wordsOf(spec);
  if (names.length === 0 || !names.every((n) => /^[A-Za-z]\w*$/.test(n))) return undefined;
  const defaults = args
    .find((a) => a?.type === "keyword_argument" && a.childForFieldName("name")?.text === "defaults")
    ?.childForFieldName("value");
  let optional = 0;
  if (defaults?.type === "list" || defaults?.type === "tuple")
    optional = defaults.namedChildren.length;
  else if (defaults?.type === "binary_operator") {
    const n = Number(defaults.childForFieldName("right")?.text);
    const item = defaults.childForFieldName("left");
    if (Number.isInteger(n) && item?.type === "list") optional = n * item.namedChildren.length;
  }
  return names.map((name, i) => ({
    name,
    kind: "positional",
    required: i < names.length - optional,
    ...(i >= names.length - optional ? { default: "other" as const } : {}),
    usage: { types: [], uses: [] },
  }));
}

/** Words kept per parameter (as usage.ts). */
const MAX_WORDS = 8;

/** `NAME = <string collection>` among a body's statements (not nested defs), by name. */
function collectionsIn(body: Node, into: Map<string, string[]>): void {
  const stack: Node[] = [body];
  while (stack.length > 0) {
    const n = stack.pop() as Node;
    for (const c of n.namedChildren) {
      if (!c || c.type === "function_definition" || c.type === "class_definition") continue;
      if (c.type === "assignment") {
        const left = c.childForFieldName("left");
        const words = wordsOf(c.childForFieldName("right"));
        if (left?.type === "identifier" && words.length > 0 && !into.has(left.text))
          into.set(left.text, words);
      } else stack.push(c);
    }
  }
}

/**
 * Resolves each parameter's word references (usage.ts) into words: collections of its own body,
 * then of the module; formatted names against every name the module defines. The string default
 * comes first (a word the code surely accepts).
 */
function resolveWords(
  defs: { params: ParamInfo[]; body: Node | null }[],
  root: Node,
  names: readonly string[],
): void {
  const module = new Map<string, string[]>();
  collectionsIn(root, module);
  for (const d of defs) {
    let local: Map<string, string[]> | undefined;
    for (const p of d.params) {
      const { wordRefs, formats, ...usage } = p.usage;
      const words: string[] = [];
      if (p.default !== undefined && p.default !== "other" && p.default.type === "str")
        words.push(p.default.value as string);
      words.push(...(usage.words ?? []));
      for (const r of wordRefs ?? []) {
        if (!local && d.body) {
          local = new Map();
          collectionsIn(d.body, local);
        }
        words.push(...(local?.get(r) ?? module.get(r) ?? []));
      }
      for (const [prefix, suffix] of formats ?? [])
        for (const n of names)
          if (
            n.length > prefix.length + suffix.length &&
            n.startsWith(prefix) &&
            n.endsWith(suffix)
          )
            words.push(n.slice(prefix.length, n.length - suffix.length));
      const unique = [...new Set(words)].slice(0, MAX_WORDS);
      // A default alone says no more than the default already does (kept as it is).
      const fromBody = unique.some(
        (w) => p.default === undefined || p.default === "other" || w !== p.default.value,
      );
      p.usage = { ...usage, ...(fromBody ? { words: unique } : {}) };
    }
  }
}

/** Needs `initPython()` first (see extractFunctionsAsync). */
export function extractFile(source: string): FileFunctions {
  return withTree(source, (root) => {
    const imports: string[] = [];
    const top: TopFunction[] = [];
    const classes: { name: string; node: Node; def: Node; decorators: string[] }[] = [];
    for (const child of root.namedChildren) {
      if (!child) continue;
      if (child.type === "import_statement" || child.type === "import_from_statement") {
        imports.push(child.text);
      }
      const def =
        child.type === "function_definition" || child.type === "class_definition"
          ? child
          : child.type === "decorated_definition"
            ? child.childForFieldName("definition")
            : null;
      if (def?.type === "class_definition") {
        const name = def.childForFieldName("name")?.text ?? "";
        classes.push({ name, node: child, def, decorators: decoratorsOf(child) });
        continue;
      }
      if (def?.type !== "function_definition") continue;
      const name = def.childForFieldName("name")?.text ?? "";
      top.push({ name, node: child, def, calls: calledNames(def, new Set()) });
    }
    const byName = new Map(top.map((f) => [f.name, f]));
    /** Every def's parameters and body (with its class), for uses through forwarding calls. */
    const bodies: { params: ParamInfo[]; body: Node | null; cls?: string }[] = [];
    const topParams = new Map<string, ParamInfo[]>();
    const functions: ExtractedFunction[] = top.map((f) => {
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
      const body = f.def.childForFieldName("body");
      const params = paramsOf(f.def, body, false);
      bodies.push({ params, body });
      topParams.set(f.name, params);
      const { args, problem } = hintArgs(params);
      return {
        name: f.name,
        kind: "function",
        line: f.node.startPosition.row + 1,
        code: `${parts.join("\n\n")}\n`,
        args,
        ...(problem ? { problem } : {}),
        helpers: helpers.map((g) => g.name),
        params,
        generator: isGenerator(f.def),
        doctests: doctestsOf(body, f.name),
        definition: { line: f.node.startPosition.row + 1, text: f.node.text },
      };
    });

    // A function that reads module state another function sets (`_state = None`; `input()` does
    // `global _state; _state = FileInput(…)`; `filename()` raises until then): set up by it first.
    const state = noneAtTopLevel(root);
    if (state.size > 0) {
      const sets = new Map(top.map((g) => [g.name, globalsAssigned(g.def)]));
      for (const [i, f] of top.entries()) {
        const own = sets.get(f.name) ?? new Set<string>();
        const reads = namesIn(f.def.childForFieldName("body"), state).filter((n) => !own.has(n));
        let best: { g: TopFunction; assigns: string[]; required: number } | undefined;
        for (const g of top) {
          const assigns = reads.filter((n) => sets.get(g.name)?.has(n));
          const required = (topParams.get(g.name) ?? []).filter((p) => p.required).length;
          if (g === f || assigns.length === 0 || isGenerator(g.def)) continue;
          if (
            !best ||
            assigns.length > best.assigns.length ||
            (assigns.length === best.assigns.length && required < best.required)
          )
            best = { g, assigns, required };
        }
        if (best)
          functions[i].setup = {
            method: best.g.name,
            params: topParams.get(best.g.name) ?? [],
            assigns: best.assigns,
          };
      }
    }

    // Constructors first: a class without its own takes its same-file base class's.
    const ownCtor = new Map<string, NonNullable<ExtractedFunction["ctor"]>>();
    const basesOf = new Map<string, string[]>();
    // `Name = collections.namedtuple(…)` at the top level: a base whose `__new__` takes its fields.
    for (const st of root.namedChildren) {
      const a = st?.type === "expression_statement" ? st.namedChildren[0] : null;
      const left = a?.type === "assignment" ? a.childForFieldName("left") : null;
      const fields =
        left?.type === "identifier"
          ? namedtupleFields(a?.childForFieldName("right") ?? null)
          : undefined;
      if (left && fields) ownCtor.set(left.text, { params: fields, from: "namedtuple" });
    }
    for (const c of classes) {
      const body = c.def.childForFieldName("body");
      if (!body) continue;
      const supers = c.def.childForFieldName("superclasses")?.namedChildren ?? [];
      basesOf.set(
        c.name,
        supers.filter((b) => b?.type === "identifier").map((b) => b?.text ?? ""),
      );
      // `class uname_result(collections.namedtuple("uname_result_base", "system node")):`
      const inline = supers.map((b) => namedtupleFields(b)).find((f) => f !== undefined);
      if (inline) {
        const name = `${c.name} namedtuple`;
        ownCtor.set(name, { params: inline, from: "namedtuple" });
        basesOf.get(c.name)?.push(name);
      }
      const header = c.def.text.slice(0, body.startIndex - c.def.startIndex);
      const init = body.namedChildren
        .map((st) =>
          st?.type === "function_definition"
            ? st
            : st?.type === "decorated_definition"
              ? st.childForFieldName("definition")
              : null,
        )
        .find((d) => d?.childForFieldName("name")?.text === "__init__");
      // Without an `__init__`, a `__new__` of its own says what the constructor takes: a method,
      // or a function of the file assigned to it (`__new__ = _partial_new`).
      const assignedNew = body.namedChildren
        .map((st) => (st?.type === "expression_statement" ? st.namedChildren[0] : null))
        .find(
          (a) =>
            a?.type === "assignment" &&
            a.childForFieldName("left")?.text === "__new__" &&
            a.childForFieldName("right")?.type === "identifier",
        )
        ?.childForFieldName("right")?.text;
      const ctorDef =
        init ??
        body.namedChildren
          .map((st) => (st?.type === "function_definition" ? st : null))
          .find((d) => d?.childForFieldName("name")?.text === "__new__") ??
        (assignedNew ? byName.get(assignedNew)?.def : undefined);
      if (ctorDef) {
        const params = ctorParams(ctorDef, body);
        ownCtor.set(c.name, { params, from: init ? "__init__" : "__new__" });
        bodies.push({ params, body: ctorDef.childForFieldName("body"), cls: c.name });
      } else if (c.decorators.some((d) => /dataclass/.test(d)) || /NamedTuple/.test(header))
        ownCtor.set(c.name, { params: fieldsOf(body), from: "fields" });
    }
    // A namedtuple's fields are typed by their uses (`self.opname`) in the classes built on it.
    for (const c of classes) {
      const body = c.def.childForFieldName("body");
      for (const b of basesOf.get(c.name) ?? []) {
        const nt = ownCtor.get(b);
        if (nt?.from !== "namedtuple" || !body) continue;
        for (const p of nt.params)
          if (p.usage.types.length === 0)
            p.usage = usageCandidates(usageVotes(body, `self.${p.name}`));
      }
    }
    const ctorOf = (name: string, depth = 0): NonNullable<ExtractedFunction["ctor"]> => {
      const own = ownCtor.get(name);
      if (own) return own;
      for (const b of depth < 8 ? (basesOf.get(name) ?? []) : []) {
        const inherited = ownCtor.has(b) || basesOf.has(b) ? ctorOf(b, depth + 1) : undefined;
        if (inherited && (inherited.params.length > 0 || ownCtor.has(b)))
          return { ...inherited, from: "inherited" };
      }
      return { params: [], from: "inherited" };
    };

    // What a class lacks: names its methods read that it and its same-file bases never define.
    const defined = new Map<string, Set<string>>();
    const read = new Map<string, Set<string>>();
    for (const c of classes) {
      const body = c.def.childForFieldName("body");
      if (!body) continue;
      defined.set(c.name, definedNames(body));
      read.set(c.name, readNames(body));
    }
    const chain = (name: string): string[] => {
      const out: string[] = [];
      const visit = (n: string, depth: number) => {
        if (out.includes(n) || depth > 8 || !defined.has(n)) return;
        out.push(n);
        for (const b of basesOf.get(n) ?? []) visit(b, depth + 1);
      };
      visit(name, 0);
      return out;
    };
    const definedIn = (names: string[]) =>
      new Set(names.flatMap((n) => [...(defined.get(n) ?? [])]));
    // Enumerations: a class declared with a same-file metaclass derived from `type`, or with an
    // `Enum`-like base of another module; its methods need members to run on.
    const metaOf = new Map<string, string>();
    const foreignEnum = new Set<string>();
    for (const c of classes)
      for (const b of c.def.childForFieldName("superclasses")?.namedChildren ?? []) {
        if (b?.type === "keyword_argument" && b.childForFieldName("name")?.text === "metaclass")
          metaOf.set(c.name, b.childForFieldName("value")?.text ?? "");
        if (b && /^(enum\.)?(Enum|IntEnum|Flag|IntFlag|StrEnum|ReprEnum)$/.test(b.text))
          foreignEnum.add(c.name);
      }
    const isMeta = (cls: string) => chain(cls).some((n) => basesOf.get(n)?.includes("type"));
    const withMembers = (cls: string) => {
      const body = classes.find((c) => c.name === cls)?.def.childForFieldName("body");
      return (body?.namedChildren ?? []).some((st) => {
        const a = st?.type === "expression_statement" ? st.namedChildren[0] : null;
        const left = a?.type === "assignment" ? a.childForFieldName("left") : null;
        return left?.type === "identifier" && !left.text.startsWith("_");
      });
    };
    const enumLike = (cls: string) =>
      !withMembers(cls) &&
      chain(cls).some((n) => foreignEnum.has(n) || (metaOf.has(n) && isMeta(metaOf.get(n) ?? "")));
    /** Two members of the kind the class takes: text when `str` is a base, else 1 and 2. */
    const memberValues = (cls: string) =>
      chain(cls).some((n) => basesOf.get(n)?.includes("str")) ? ['"a"', '"b"'] : ["1", "2"];
    const membersFor = (cls: string): ExtractedFunction["members"] => {
      if (enumLike(cls)) return { header: cls, values: memberValues(cls), meta: false };
      if (!isMeta(cls)) return undefined;
      // A metaclass: its instances are classes; the first same-file class made with it, if any.
      const made = classes.find(
        (c) => metaOf.has(c.name) && chain(metaOf.get(c.name) ?? "").includes(cls),
      );
      if (made && enumLike(made.name))
        return { header: made.name, values: memberValues(made.name), meta: true };
      return made ? undefined : { header: `metaclass=${cls}`, values: ["1", "2"], meta: true };
    };
    const instances = literalInstances(root, new Set(classes.map((c) => c.name)));
    // `_not_given = _not_given()`, or a class decorated `@object.__new__`: the module rebinds the
    // class's name to its one instance, which is then what its methods run on (calling it raises
    // "object is not callable").
    for (const c of classes)
      if (c.decorators.some((d) => /^@\s*object\.__new__$/.test(d)))
        instances.set(c.name, [c.name]);
    for (const st of root.namedChildren) {
      const a = st?.type === "expression_statement" ? st.namedChildren[0] : null;
      const left = a?.type === "assignment" ? a.childForFieldName("left") : null;
      const right = a?.childForFieldName("right");
      if (
        left?.type === "identifier" &&
        right?.type === "call" &&
        right.childForFieldName("function")?.text === left.text &&
        right.childForFieldName("arguments")?.namedChildren.length === 0 &&
        classes.some((c) => c.name === left.text)
      )
        instances.set(left.text, [left.text]);
    }
    const registered = registeredTypes(root);
    /** Builtin types registered as virtual subclasses of `cls` or of a subclass of it. */
    const registeredFor = (cls: string): ArgType[] => [
      ...new Set(
        classes
          .filter((c) => chain(c.name).includes(cls))
          .flatMap((c) => registered.get(c.name) ?? []),
      ),
    ];
    /** The subclass to call `method` of `cls` on, when `cls` lacks names a subclass defines. */
    const subclassFor = (cls: string, method: string): ExtractedFunction["subclass"] => {
      const have = definedIn(chain(cls));
      const missing = [...(read.get(cls) ?? [])].filter((n) => !have.has(n));
      if (missing.length === 0) return undefined;
      let best: { name: string; defines: string[] } | undefined;
      for (const c of classes) {
        const up = chain(c.name);
        const at = up.indexOf(cls);
        // A subclass that runs this very method: neither it nor a class between overrides it.
        if (at <= 0 || up.slice(0, at).some((n) => defined.get(n)?.has(method))) continue;
        const theirs = definedIn(up.slice(0, at));
        const defines = missing.filter((n) => theirs.has(n));
        if (defines.length > (best?.defines.length ?? 0)) best = { name: c.name, defines };
      }
      if (!best) return undefined;
      const theirs = instances.get(best.name);
      return {
        ...best,
        ctor: { params: ctorOf(best.name).params },
        ...(theirs ? { instances: theirs } : {}),
      };
    };

    const methodParams = new Map<string, ParamInfo[]>();
    /** Per class: its methods (setters and deleters left out) and what each assigns and reads. */
    const facts = new Map<string, { node: Node; def: Node; facts: MethodFacts }[]>();
    for (const c of classes) {
      const body = c.def.childForFieldName("body");
      if (!body) continue;
      const list: { node: Node; def: Node; facts: MethodFacts }[] = [];
      for (const st of body.namedChildren) {
        if (!st) continue;
        const def =
          st.type === "function_definition"
            ? st
            : st.type === "decorated_definition"
              ? st.childForFieldName("definition")
              : null;
        if (def?.type !== "function_definition") continue;
        const decorators = decoratorsOf(st);
        if (decorators.some((d) => /\.(setter|deleter)\b/.test(d))) continue;
        const method = def.childForFieldName("name")?.text ?? "";
        const kind: FunctionKind = decorators.some((d) => /^@staticmethod\b/.test(d))
          ? "staticmethod"
          : decorators.some((d) => /^@classmethod\b/.test(d))
            ? "classmethod"
            : decorators.some((d) =>
                  /^@(property|functools\.cached_property|cached_property)\b/.test(d),
                )
              ? "property"
              : "method";
        const mbody = def.childForFieldName("body");
        const ctorLike = method === "__init__" || method === "__new__";
        // The constructor's parameters are read by ctorParams; its body counts for set-up only.
        const params = ctorLike ? [] : paramsOf(def, mbody, kind !== "staticmethod");
        if (!ctorLike) {
          bodies.push({ params, body: mbody, cls: c.name });
          methodParams.set(`${c.name}.${method}`, params);
        }
        list.push({
          node: st,
          def,
          facts: {
            name: method,
            kind,
            params,
            generator: isGenerator(def),
            assigns: mbody ? selfAssigned(mbody) : new Set(),
            ...(mbody ? selfReads(mbody) : { reads: new Set(), readFirst: new Set() }),
            calls: mbody ? selfCalls(mbody) : new Set(),
            abstract: decorators.some((d) => /^@(abc\.)?abstractmethod\b/.test(d)),
            ...(mbody
              ? { ...selfKeys(mbody, params), passes: selfPassed(mbody, params) }
              : { keyReads: new Map(), keyWrites: new Map(), passes: [] }),
            returns: mbody ? returnsValue(mbody) : false,
          },
        });
      }
      facts.set(c.name, list);
    }
    /** The methods an instance of `cls` has: the nearest same-file definition of each name. */
    const methodsOf = (cls: string) => {
      const out = new Map<string, MethodFacts>();
      for (const n of chain(cls))
        for (const m of facts.get(n) ?? [])
          if (!out.has(m.facts.name)) out.set(m.facts.name, m.facts);
      return out;
    };
    /** Names the class body defines (methods, class attributes) on the class and its bases. */
    const classLevel = (cls: string) => {
      const out = new Set<string>();
      for (const n of chain(cls)) {
        const body = classes.find((c) => c.name === n)?.def.childForFieldName("body");
        for (const st of body?.namedChildren ?? []) {
          const def = st?.type === "decorated_definition" ? st.childForFieldName("definition") : st;
          if (def?.type === "function_definition" || def?.type === "class_definition")
            out.add(def.childForFieldName("name")?.text ?? "");
          const a = st?.type === "expression_statement" ? st.namedChildren[0] : null;
          const left = a?.type === "assignment" ? a.childForFieldName("left") : null;
          for (const t of left?.type === "pattern_list" ? left.namedChildren : [left])
            if (t?.type === "identifier") out.add(t.text);
        }
      }
      return out;
    };
    for (const c of classes) {
      const body = c.def.childForFieldName("body");
      if (!body) continue;
      const header = c.def.text.slice(0, (body.startIndex ?? 0) - c.def.startIndex).trimEnd();
      const ctor = ctorOf(c.name);
      const instanceMethods = methodsOf(c.name);
      const atClassLevel = classLevel(c.name);
      for (const m of facts.get(c.name) ?? []) {
        const { name: method, kind, params } = m.facts;
        if (method === "__init__" || method === "__new__" || method === "__post_init__") continue;
        const mbody = m.def.childForFieldName("body");
        const setup =
          kind === "method" || kind === "property"
            ? setupFor(method, instanceMethods, atClassLevel)
            : undefined;
        const keyed = kind === "method" ? keyedSetupFor(method, instanceMethods) : undefined;
        const { args, problem } = hintArgs(
          kind === "method" || kind === "property" ? [...ctor.params, ...params] : params,
        );
        const qualified = `${c.name}.${method}`;
        const subclass = kind === "staticmethod" ? undefined : subclassFor(c.name, method);
        const own = instances.get(c.name);
        const virtual = kind === "method" || kind === "property" ? registeredFor(c.name) : [];
        // Abstract methods the class leaves (its nearest definitions): a subclass made for the
        // call fills them, unless this method is one of them.
        const abstracts = [...instanceMethods.values()]
          .filter((x) => x.abstract)
          .map((x) => ({ name: x.name, property: x.kind === "property" }));
        const fill =
          (kind === "method" || kind === "property") &&
          abstracts.length > 0 &&
          !abstracts.some((x) => x.name === method);
        const members = kind === "method" || kind === "property" ? membersFor(c.name) : undefined;
        functions.push({
          name: qualified,
          kind,
          className: c.name,
          method,
          line: m.node.startPosition.row + 1,
          code: `${header}\n    ${m.node.text}\n`,
          args,
          ...(problem ? { problem } : {}),
          helpers: [],
          params,
          generator: isGenerator(m.def),
          ...(kind === "method" || kind === "property" ? { ctor } : {}),
          doctests:
            kind === "staticmethod" || kind === "classmethod" ? doctestsOf(mbody, qualified) : [],
          ...((kind === "method" || kind === "property") && own ? { instances: own } : {}),
          ...(subclass ? { subclass } : {}),
          ...(virtual.length > 0 ? { registered: virtual } : {}),
          ...(setup ? { setup } : {}),
          ...(keyed ? { keyed } : {}),
          ...(fill ? { abstracts } : {}),
          ...(members ? { members } : {}),
          ...(onlyRaisesNotImplemented(mbody) ? { abstract: true as const } : {}),
          definition: { line: c.node.startPosition.row + 1, text: c.node.text },
        });
      }
    }
    forwardUses(bodies, (callee, cls) => {
      if (callee.startsWith("self.") && cls) {
        for (const c of chain(cls)) {
          const m = methodParams.get(`${c}.${callee.slice(5)}`);
          if (m) return m;
        }
        return undefined;
      }
      if (topParams.has(callee)) return topParams.get(callee);
      // A base's constructor called on self: `Base.__init__(self, f)`, `super().__init__(f)`.
      const base =
        callee === "super().__init__" && cls
          ? chain(cls)[1]
          : /^(\w+)\.__init__$/.exec(callee)?.[1];
      if (base && (ownCtor.has(base) || basesOf.has(base))) {
        const params = ctorOf(base).params;
        return callee.startsWith("super()") ? params : [SELF_ARG, ...params];
      }
      return ownCtor.has(callee) || basesOf.has(callee) ? ctorOf(callee).params : undefined;
    });
    resolveWords(bodies, root, [
      ...top.map((f) => f.name),
      ...classes.map((c) => c.name),
      ...[...defined.values()].flatMap((d) => [...d]),
    ]);
    // Values an enumeration of the file takes: a parameter passed to it (`_ParameterKind(kind)`).
    const enumerations = new Set(
      classes
        .filter((c) => withMembers(c.name) && chain(c.name).some((n) => foreignEnum.has(n)))
        .map((c) => c.name),
    );
    for (const d of enumerations.size > 0 ? bodies : []) {
      const body = d.body;
      if (!body) continue;
      for (const call of body.descendantsOfType("call")) {
        const fn = call?.childForFieldName("function");
        const first = call?.childForFieldName("arguments")?.namedChildren[0];
        if (
          fn?.type !== "identifier" ||
          !enumerations.has(fn.text) ||
          d.params.some((q) => q.name === fn.text) ||
          first?.type !== "identifier"
        )
          continue;
        const p = d.params.find((q) => q.name === first.text);
        if (!p || (p.hinted && "type" in p.hinted) || rebound(first, body, p.name)) continue;
        p.usage = { ...p.usage, enumOf: fn.text };
      }
    }
    // Arguments that are objects of the file's classes: what they read says which class.
    // A `__new__` of its own (`__new__ = f`) may require what no `__init__` says.
    const ctorKnown = (name: string, ctor: NonNullable<ExtractedFunction["ctor"]>) =>
      ctor.from === "__init__" || ctor.from === "__new__" || !definedIn(chain(name)).has("__new__");
    const buildable = classes.flatMap((c) => {
      const lit = instances.get(c.name)?.[0];
      const ctor = ctorOf(c.name);
      // Not bare when its *args are checked to begin with some text (`Option(*opts)`): drawn.
      const bare =
        ctor.params.every((p) => !p.required && !(p.kind === "varargs" && p.usage.elementPrefix)) &&
        ctorKnown(c.name, ctor);
      const expr = lit ?? (bare ? `${c.name}()` : undefined);
      return expr ? [{ name: c.name, expr, has: definedIn(chain(c.name)) }] : [];
    });
    // Classes built from drawn constructor arguments (not abstract ones): fewest required first.
    const drawable = classes
      .filter(
        (c) =>
          !buildable.some((b) => b.name === c.name) &&
          ctorKnown(c.name, ctorOf(c.name)) &&
          ![...methodsOf(c.name).values()].some((m) => m.abstract),
      )
      .map((c) => ({ name: c.name, params: ctorOf(c.name).params, has: definedIn(chain(c.name)) }))
      .sort(
        (a, b) =>
          a.params.filter((p) => p.required).length - b.params.filter((p) => p.required).length,
      );
    for (const d of bodies)
      for (const p of d.params) {
        const attrs = p.usage.attrs ?? [];
        if (p.usage.file || (p.hinted && "type" in p.hinted)) continue;
        if (p.default !== undefined && p.default !== "other" && p.default.type !== "none") continue;
        const stem = p.name.replace(/^_+/, "").toLowerCase();
        const named = (b: { name: string }) =>
          stem.length >= 3 && b.name.toLowerCase().includes(stem);
        // Only its attributes set or read by name (`setattr(namespace, self.dest, values)`): an
        // object of the class named like it that is built without drawn arguments (`Namespace()`);
        // else, when attributes are set on it, a class made for the call, which takes any.
        if (attrs.length === 0 && p.usage.holder && p.usage.types.length === 0) {
          const holder =
            buildable.find(named)?.expr ?? (p.usage.holder === "set" ? HOLDER : undefined);
          if (holder) p.usage = { ...p.usage, instance: holder };
          continue;
        }
        // Attributes that only a class of the file has say more than a `.get()` or a name; one
        // alone (`value.value`) outweighs uses that say what it is only when the class is named
        // like the parameter (`parser.optionxform` → `RawConfigParser`).
        if (attrs.length === 0) continue;
        const fits = (b: { name: string; has: Set<string> }) =>
          attrs.every((a) => b.has.has(a)) &&
          (attrs.length >= 2 || p.usage.types.length === 0 || named(b));
        const c = buildable.find(fits);
        if (c) {
          p.usage = { ...p.usage, instance: c.expr };
          continue;
        }
        // Else one whose constructor requires arguments, drawn in the call (`Action(a1, a2)`),
        // the class named like the parameter first. It replaces every other candidate for the
        // parameter, so one attribute is enough only with the name (`func.func` is no partial).
        const bare = stem.replace(/_/g, "");
        const alike = (b: { name: string }) =>
          bare.length >= 3 && b.name.toLowerCase().replace(/_/g, "").includes(bare);
        const strong = (b: { name: string; has: Set<string> }) =>
          attrs.every((a) => b.has.has(a)) && (attrs.length >= 2 || alike(b));
        const drawn = drawable.find((b) => strong(b) && alike(b)) ?? drawable.find(strong);
        if (!drawn || drawn.params.includes(p) || !d.body) continue;
        // A constructor parameter its body says nothing of is typed by the uses here of the
        // attribute of its name (`", ".join(action.option_strings)`).
        const body = d.body;
        const params = drawn.params.map((q) => {
          if (q.usage.types.length > 0 || (q.hinted && "type" in q.hinted)) return q;
          const here = usageCandidates(usageVotes(body, `${p.name}.${q.name}`));
          return here.types.length > 0 ? { ...q, usage: here } : q;
        });
        p.usage = { ...p.usage, instanceOf: { cls: drawn.name, params } };
      }
    functions.sort((a, b) => a.line - b.line);

    // Call sites: literal arguments of calls to the file's functions, classes and methods.
    const names = new Set([...top.map((f) => f.name), ...classes.map((c) => c.name)]);
    const calls = new Map<string, Literal[][]>();
    for (const call of root.descendantsOfType("call")) {
      const fn = call?.childForFieldName("function");
      if (!call || !fn) continue;
      const name = fn.type === "identifier" ? fn.text : fn.type === "attribute" ? fn.text : "";
      if (!names.has(name.split(".")[0])) continue;
      const args = argLiterals(call);
      if (!args || args.length === 0) continue;
      const list = calls.get(name) ?? [];
      if (list.length < 8) list.push(args);
      calls.set(name, list);
    }
    return { functions, calls };
  });
}

/** Needs `initPython()` first. The functions and methods of a source (see extractFile). */
export function extractFunctions(source: string): ExtractedFunction[] {
  return extractFile(source).functions;
}

export async function extractFunctionsAsync(source: string): Promise<ExtractedFunction[]> {
  await initPython();
  return extractFunctions(source);
}
