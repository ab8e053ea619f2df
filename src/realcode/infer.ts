/**
 * Signatures for real code, from the strongest evidence down: types given by the user
 * (`--types`, `tracecode.toml`), type hints, doctest calls, default values, uses in the body,
 * literal call sites in the indexed code, and a fallback list that probing (src/search
 * build.ts: a few inputs per candidate in the sandbox) chooses from. Also how a function or
 * method is called: directly, or through a wrapper appended to its module (methods on an
 * instance built from the constructor's parameters, keyword-only parameters, generators).
 */
import type { ArgType } from "../data/index.js";
import type { ExtractedFunction, ParamInfo } from "./extract.js";
import type { Literal } from "./literals.js";

/** Where a parameter's type came from, strongest first. */
export const EVIDENCE = [
  "user",
  "row",
  "hint",
  "doctest",
  "default",
  "usage",
  "call site",
  "name",
  "probe",
  "guess",
] as const;
export type Evidence = (typeof EVIDENCE)[number];

export interface ParamChoice {
  /** `name`, `*name` (spread), or `Class(name)` for a constructor parameter. */
  name: string;
  type: ArgType;
  from: Evidence;
  /** The uses or example behind it (`len(xs)`, `>>> f([1, 2])`). */
  why?: string;
}

export interface SignatureCandidate {
  args: ArgType[];
  params: ParamChoice[];
  /**
   * How the instance is built when not from drawn constructor arguments (`Point(1, 2)` found in
   * the module, the constructor's defaults, a subclass that defines what the class lacks).
   */
  instance?: string;
  /** This candidate's wrapper, when it calls another way than the first candidate. */
  wrapper?: string;
}

export interface Inference {
  /** Candidate signatures, most likely first; empty when the function cannot be called. */
  candidates: SignatureCandidate[];
  /** Every passed parameter's type is given (user, row, hint, doctest): nothing to probe. */
  certain: boolean;
  problem?: string;
  /** The name to call, and the wrapper to append to the module when it is not the function. */
  entry: string;
  wrapper?: string;
}

/** User-given types: per parameter name, or the whole signature. */
export interface UserTypes {
  params?: Record<string, ArgType>;
  args?: ArgType[];
}

export const WRAPPER_ENTRY = "_tracecode_entry";
/** The subclass a wrapper makes of an abstract class (InstancePlan.concrete). */
const CONCRETE = "_tracecode_Concrete";
/** The enumeration with two members a wrapper makes (InstancePlan.members). */
const MEMBERS = "_tracecode_Members";
/** The wrapper's instance when a set-up method runs on it before the call. */
const SETUP_OBJECT = "_tracecode_self";
/** The tracer's function a wrapper hands the instance it calls a method on (tracer.py). */
const WATCH = "_tracecode_watch";
/** The key a keyed set-up method returned (InstancePlan.keyed). */
const SETUP_KEY = "_tracecode_key";
/** Items of a generator collected per call. */
const GENERATOR_ITEMS = 64;
/** Candidate types tried per uncertain parameter, and candidate signatures per function. */
const PER_PARAM = 3;
const MAX_CANDIDATES = 6;
/** Types probed for a parameter nothing says anything about. */
export const FALLBACK_TYPES: ArgType[] = [
  "int",
  "str",
  "list[int]",
  "bytes",
  "float",
  "dict[str,int]",
];

/** Conventional parameter names and the type they usually hold (weak evidence). */
const NAMES: [RegExp, ArgType][] = [
  [
    /^(s|st|str|string|text|txt|line|word|name|prefix|suffix|sep|char|ch|pattern|pat|fmt|format|msg|message|label|title|path|filename|fname|url|key_name|pathname|filepath|file_path|dirname|dirpath|dir|directory|folder|root_dir|rootdir|basedir|src|dst|srcname|dstname)$/,
    "str",
  ],
  [
    /^(n|i|j|k|m|num|count|cnt|size|length|len|width|height|depth|index|idx|pos|start|stop|end|year|month|day|hour|minute|second|level|digits|ndigits|base|bits|nbits|limit|times|offset|step)$/,
    "int",
  ],
  // Not x, y, a or b: they name any number, and as float they split `a if a >= b else b` from
  // `max(a, b)` (typed int by its use) into two behaviours, and typed ndiff(a, b) as numbers.
  [/^(value|val|number|f|t|r|theta|angle|ratio|rate|factor|scale|alpha|beta|eps|tol)$/, "float"],
  [/^(data|buf|buffer|bs|raw|payload|octets|bytestring|blob|b_?data)$/, "bytes"],
  [
    /^(xs|ys|items|seq|sequence|lst|list|values|vals|elements|elems|nums|numbers|arr|array|iterable|it|args|l|li|coll|collection|pool|population)$/,
    "list[int]",
  ],
  [/^(words|names|lines|strings|strs|tokens|parts|fields)$/, "list[str]"],
  [
    /^(d|dct|dict|mapping|map|table|counts|kwargs|kw|attrs|env|cache|memo|lookup)$/,
    "dict[str,int]",
  ],
  [
    /^(func|fn|f|function|callback|cb|key|pred|predicate|op|operator|transform|mapper)$/,
    "callable[1]",
  ],
  [
    /^(flag|verbose|strict|reverse|debug|quiet|force|recursive|inplace|is_\w+|has_\w+|use_\w+)$/,
    "bool",
  ],
];

function typeFromName(name: string): ArgType | undefined {
  const n = name.toLowerCase();
  for (const [re, t] of NAMES) if (re.test(n)) return t;
  return undefined;
}

interface Slot {
  param: ParamInfo;
  label: string;
  spread: boolean;
  /** Ranked options for this slot. */
  options: ParamChoice[];
}

const literalWhy = (l: Literal) => JSON.stringify(l.value).slice(0, 30);

function optionsFor(
  p: ParamInfo,
  label: string,
  spread: boolean,
  position: number,
  doctests: Literal[][],
  calls: Literal[][],
  user: UserTypes | undefined,
): ParamChoice[] {
  const out: ParamChoice[] = [];
  const add = (type: ArgType, from: Evidence, why?: string) => {
    const t = spread ? `*list[${type}]` : type;
    if (!out.some((o) => o.type === t))
      out.push({ name: label, type: t, from, ...(why ? { why } : {}) });
  };
  const given = user?.params?.[p.name];
  if (given) return [{ name: label, type: given, from: "user" }];
  if (p.hinted && "type" in p.hinted) {
    if (spread) add(p.hinted.type, "hint", p.hint);
    else add(p.hinted.type, "hint", p.hint);
    return out;
  }
  if (!spread) {
    for (const ex of doctests) {
      const l = ex[position];
      if (l && l.type !== "none") add(l.type, "doctest", literalWhy(l));
    }
    if (out.length > 0) return out.slice(0, 1);
    if (p.default && p.default !== "other" && p.default.type !== "none")
      add(p.default.type, "default", literalWhy(p.default));
  }
  // A *args parameter's uses describe the tuple of arguments: its elements are what is drawn.
  for (const t of p.usage.types) {
    const el = spread ? /^list\[(.*)\]$/.exec(t)?.[1] : t;
    if (el) add(el, "usage", p.usage.uses.join(", "));
  }
  if (!spread)
    for (const c of calls) {
      const l = c[position];
      if (l && l.type !== "none") add(l.type, "call site", literalWhy(l));
    }
  const named = typeFromName(p.name);
  if (named) add(spread && named.startsWith("list[") ? named.slice(5, -1) : named, "name", p.name);

  // Range, not type: ints drawn from −10⁴..10⁴ often miss a small valid domain (a month, an
  // index), so a small non-negative int is the next candidate after an int.
  const i = out.findIndex((o) => o.type === "int" || o.type === "*list[int]");
  if (i >= 0 && !out.some((o) => o.from === "call site" || o.from === "default"))
    out.splice(i + 1, 0, {
      name: label,
      type: spread ? "*list[small_nonneg_int]" : "small_nonneg_int",
      from: out[i].from,
      ...(out[i].why ? { why: `${out[i].why}; small values` } : { why: "small values" }),
    });
  for (const t of FALLBACK_TYPES) add(t, "guess");
  // Only compared with None: None takes the branch the code has for it, so some calls return
  // where every drawn value of a guessed type fails (`if dir_fd is None: … else: os.lstat(…,
  // dir_fd=dir_fd)`). After the type its name says, else after the first two guesses: an
  // option tried already stays (other parameters' options share the probing budget).
  if (p.usage.none && !spread) {
    const base = named ?? "int";
    out.splice(named ? out.findIndex((o) => o.type === named) + 1 : 2, 0, {
      name: label,
      type: `optional[${base}]`,
      from: "usage",
      why: p.usage.uses.join(", "),
    });
  }
  return out;
}

/** A string default: often one of a few words the code accepts (a mode, a handler's name). */
const wordDefault = (p: ParamInfo) =>
  p.default !== undefined && p.default !== "other" && p.default.type === "str";

/**
 * Which parameters get a value, in call order. `keepWords`: parameters with a string default
 * keep it (not passed), as any other skipped one.
 */
function passed(
  params: ParamInfo[],
  doctests: Literal[][],
  keepWords = false,
  keep: (p: ParamInfo) => boolean = () => false,
): { positional: ParamInfo[]; star?: ParamInfo; keyword: ParamInfo[] } {
  const positionalAll = params.filter((p) => p.kind === "positional");
  let positional = positionalAll.filter((p) => p.required);
  const most = Math.max(0, ...doctests.map((d) => d.length));
  if (most > positional.length)
    positional = positionalAll.slice(0, Math.min(most, positionalAll.length));
  const star = params.find((p) => p.kind === "varargs");
  const keyword = params.filter((p) => p.kind === "keyword" && p.required);
  if (positional.length === 0 && !star) {
    // Only defaulted parameters: pass those with a plain literal default, typed by it, and
    // those defaulting to None whose uses say what else they take (`isinstance(s, str)`). One
    // that is skipped (an expression, an unused None) shifts the rest: those after it go by
    // keyword.
    const literal = (p: ParamInfo) =>
      !(keepWords && wordDefault(p)) &&
      !keep(p) &&
      p.default !== undefined &&
      p.default !== "other" &&
      (p.default.type !== "none" ||
        p.usage.types.length > 0 ||
        p.usage.file !== undefined ||
        p.usage.instance !== undefined);
    const gap = positionalAll.findIndex((p) => !literal(p));
    const before = gap < 0 ? positionalAll : positionalAll.slice(0, gap);
    const after = gap < 0 ? [] : positionalAll.slice(gap).filter(literal);
    return { positional: before, keyword: [...after, ...keyword] };
  }
  return { positional, ...(star ? { star } : {}), keyword };
}

/** Every parameter a call passes, in call order. */
const allPassed = (x: ReturnType<typeof passed>): ParamInfo[] => [
  ...x.positional,
  ...(x.star ? [x.star] : []),
  ...x.keyword,
];

/** Python's private-name mangling, for calling `obj.__name` from outside the class. */
function attributeName(className: string, method: string): string {
  if (method.startsWith("__") && !method.endsWith("__")) {
    const stripped = className.replace(/^_+/, "");
    return stripped ? `_${stripped}${method}` : method;
  }
  return method;
}

/** Ranked signature candidates from per-slot options (lowest rank sum first). */
function combine(slots: Slot[]): SignatureCandidate[] {
  // One parameter may try every candidate; more parameters share the budget.
  const perParam = slots.length <= 1 ? MAX_CANDIDATES : slots.length === 2 ? PER_PARAM : 2;
  let combos: { picks: number[]; cost: number }[] = [{ picks: [], cost: 0 }];
  for (const s of slots) {
    const n = Math.min(perParam, s.options.length);
    const next: typeof combos = [];
    for (const c of combos)
      for (let i = 0; i < n; i++) next.push({ picks: [...c.picks, i], cost: c.cost + i });
    next.sort((a, b) => a.cost - b.cost);
    combos = next.slice(0, MAX_CANDIDATES * 4);
  }
  return combos.slice(0, MAX_CANDIDATES).map((c) => {
    const params = c.picks.map((i, k) => slots[k].options[i]);
    return { args: params.map((p) => p.type), params };
  });
}

const STRONG = new Set<Evidence>(["user", "row", "hint", "doctest"]);
/** Candidates taken from each other way of building the instance. */
const PER_INSTANCE_PLAN = 2;

/** How the object a method runs on is built. */
interface InstancePlan {
  /** The class called: the method's own, or a subclass. */
  cls: string;
  /**
   * Drawn constructor parameters, a fixed expression (literals, or no arguments), or a drawn
   * value of a builtin type registered as a virtual subclass (the method called unbound on it).
   */
  ctor: ParamInfo[] | { expr: string } | { registered: ArgType };
  /** Evidence shown when not the method's class built from drawn arguments. */
  instance?: string;
  /** The constructor's string defaults are kept rather than drawn (see `passed`). */
  keepWords?: boolean;
  /** A method called on the instance first, its exception ignored (ExtractedFunction.setup). */
  setup?: NonNullable<ExtractedFunction["setup"]>;
  /** A method called first that puts a key into the instance, the key passed on (ExtractedFunction.keyed). */
  keyed?: NonNullable<ExtractedFunction["keyed"]>;
  /** A subclass of `cls` defined in the wrapper whose methods `fill` raise NotImplementedError. */
  concrete?: { base: string; fill: NonNullable<ExtractedFunction["abstracts"]> };
  /** An enumeration with members defined in the wrapper (ExtractedFunction.members). */
  members?: NonNullable<ExtractedFunction["members"]>;
  /**
   * Parameters with words (`ParamInfo.usage.words`) take one of them: a drawn index picks it
   * (`("r", "a", "w", "x")[a0 % 4]`).
   */
  words?: boolean;
  /** With `words`: text the code checks a value begins with goes in front of the drawn text. */
  prefixes?: boolean;
  /**
   * Path parameters whose uses expect something there (`ParamInfo.usage.place`) name a file of
   * drawn content, or a folder of drawn file names, that the wrapper makes before the call.
   */
  paths?: boolean;
}

/** A path parameter that names what the wrapper makes, when nothing stronger says what it is. */
const hasPlace = (p: ParamInfo, user: UserTypes | undefined) =>
  p.usage.place !== undefined && !user?.params?.[p.name] && !(p.hinted && "type" in p.hinted);

/** A parameter whose uses name the words it takes, and nothing stronger says what it is. */
const hasWords = (p: ParamInfo, user: UserTypes | undefined, prefixes = false) =>
  ((p.usage.words?.length ?? 0) > 0 ||
    p.usage.enumOf !== undefined ||
    (prefixes && (p.usage.prefix !== undefined || p.usage.elementPrefix !== undefined))) &&
  !user?.params?.[p.name] &&
  !(p.hinted && "type" in p.hinted);

/** The words a parameter takes (or what it takes instead), as the call shows them. */
const wordsShown = (p: ParamInfo) =>
  (p.usage.words?.length ?? 0) > 0
    ? `∈ {${(p.usage.words ?? []).map((w) => JSON.stringify(w)).join(", ")}}`
    : p.usage.enumOf
      ? `∈ the members of ${p.usage.enumOf}`
      : p.usage.prefix
        ? `begins with ${JSON.stringify(p.usage.prefix)}`
        : `items begin with ${JSON.stringify(p.usage.elementPrefix)}`;

/**
 * What a call passes when the words matter: the required parameters, those with words (by
 * keyword when defaulted) and those built rather than drawn (files, instances); every other
 * defaulted one keeps its default, which the code surely accepts (`TarFile(mode=…, fileobj=…)`).
 */
function passedWithWords(
  params: ParamInfo[],
  doctests: Literal[][],
  user: UserTypes | undefined,
  prefixes = false,
) {
  const built = (p: ParamInfo) =>
    hasWords(p, user, prefixes) || p.usage.file !== undefined || p.usage.instance !== undefined;
  const base = passed(params, doctests, false, (p) => !p.required && !built(p));
  const taken = new Set([...base.positional, ...base.keyword]);
  const extra = params.filter(
    (p) => p.kind === "positional" && !p.required && hasWords(p, user, prefixes) && !taken.has(p),
  );
  return { ...base, keyword: [...base.keyword, ...extra] };
}

/**
 * The signature candidates and call plan of one function or method. `calls` are the literal
 * call sites found for it in the indexed code.
 */
export function inferSignature(
  f: ExtractedFunction,
  calls: Literal[][] = [],
  user?: UserTypes,
): Inference {
  const doctests = f.doctests.map((d) => d.args);
  const needsInstance = f.kind === "method" || f.kind === "property";
  const ctorParams = needsInstance ? (f.ctor?.params ?? []) : [];
  const own = f.kind === "property" ? { positional: [], keyword: [] } : passed(f.params, doctests);
  for (const p of [...ctorParams, ...f.params])
    if (p.kind === "varkw" && p.required) return { candidates: [], certain: true, entry: f.name };
  const cls = f.className ?? "";

  const keyed = needsInstance ? f.keyed : undefined;
  const keyedWhy = (k: NonNullable<ExtractedFunction["keyed"]>) =>
    k.shared
      ? `${k.param} put in first by .${k.method}(${k.param})`
      : `${k.param} the key .${k.method}() returned`;
  // Ways to build the instance (or the class a class method is called on), the usual one first.
  const plans: InstancePlan[] = [{ cls, ctor: ctorParams }];
  if (needsInstance) {
    for (const expr of f.instances ?? [])
      plans.push({
        cls,
        ctor: { expr },
        // A bare name: the class's own name, rebound to its one instance (ExtractedFunction.instances).
        instance: expr.includes("(")
          ? `literal instance in the module: ${expr}`
          : `the module's one instance, named like its class: ${expr}`,
      });
    const ctor = passed(ctorParams, []);
    const drawn = [...ctor.positional, ...ctor.keyword];
    // Drawn text for a string default rarely is a word the constructor accepts (`mode='r'`).
    const words = drawn.filter(wordDefault);
    if (words.length > 0 && words.length < drawn.length)
      plans.push({
        cls,
        ctor: ctorParams,
        keepWords: true,
        instance: `constructor's string defaults kept: ${words
          .slice(0, 3)
          .map((p) => `${p.name}=${JSON.stringify((p.default as Literal).value)}`)
          .join(", ")}`,
      });
    if (ctorParams.every((p) => !p.required) && drawn.length > 0)
      plans.push({ cls, ctor: { expr: `${cls}()` }, instance: `constructor defaults: ${cls}()` });
  }
  // An abstract class: a subclass made for the call, its abstract methods raising.
  if (f.abstracts && needsInstance)
    plans.push({
      cls: CONCRETE,
      ctor: ctorParams,
      concrete: { base: cls, fill: f.abstracts },
      instance: `a subclass made for the call: ${f.abstracts
        .slice(0, 4)
        .map((x) => x.name)
        .join(", ")}${f.abstracts.length > 4 ? ", …" : ""} raise NotImplementedError`,
    });
  // An enumeration without members: a subclass with two, the method called on its first member
  // (or, for a metaclass's method, unbound on the class itself).
  if (f.members && needsInstance) {
    const m = f.members;
    const made = `class ${MEMBERS}(${m.header}): ${["A", "B"].map((n, i) => `${n} = ${m.values[i]}`).join("; ")}`;
    plans.push({
      cls: m.meta ? cls : MEMBERS,
      ctor: { expr: m.meta ? MEMBERS : `${MEMBERS}.A` },
      members: m,
      instance: m.meta
        ? `the class made for the call, unbound: ${made}`
        : `a member of the class made for the call: ${made}`,
    });
  }
  for (const type of f.registered ?? [])
    plans.push({
      cls,
      ctor: { registered: type },
      instance: `called unbound on ${type} values (registered as a virtual subclass)`,
    });

  // Words the code accepts, for the usual way of building it (its drawn constructor arguments);
  // then, apart (a prefix may be one branch's, not a requirement: `name[0] == "."`), words and the
  // text the code checks values begin with.
  const wordyOf = (prefixes: boolean) => {
    const ctor0 = needsInstance ? passedWithWords(ctorParams, [], user, prefixes) : undefined;
    const own0 = f.kind === "property" ? own : passedWithWords(f.params, doctests, user, prefixes);
    return [...(ctor0 ? allPassed(ctor0) : []), ...allPassed(own0)].filter((p) =>
      hasWords(p, user, prefixes),
    );
  };
  const shown = (ps: ParamInfo[]) =>
    ps
      .slice(0, 3)
      .map((p) => `${p.name} ${wordsShown(p)}`)
      .join("; ");
  const wordy = wordyOf(false);
  const prefixed = wordyOf(true);
  if (f.subclass && f.kind !== "staticmethod") {
    const sub = f.subclass;
    const why = `subclass ${sub.name} defines ${sub.defines.slice(0, 4).join(", ")}`;
    const subCtor = needsInstance ? sub.ctor.params : [];
    plans.push({ cls: sub.name, ctor: subCtor, instance: why });
    // A key put in first on the subclass too (`mbox(a0).add(a1) → .get_message(…)`).
    if (keyed && !user?.args)
      plans.push({ cls: sub.name, ctor: subCtor, keyed, instance: `${why}; ${keyedWhy(keyed)}` });
    // Words the method's own parameters or the subclass's constructor take, as for the class.
    const subWordy = [
      ...(needsInstance ? allPassed(passedWithWords(subCtor, [], user)) : []),
      ...(f.kind === "property" ? [] : allPassed(passedWithWords(f.params, doctests, user))),
    ].filter((p) => hasWords(p, user));
    if (subWordy.length > 0 && !user?.args)
      plans.push({
        cls: sub.name,
        ctor: subCtor,
        words: true,
        instance: `${why}; words it takes: ${shown(subWordy)}`,
      });
    for (const expr of needsInstance ? (sub.instances ?? []) : [])
      plans.push({ cls: sub.name, ctor: { expr }, instance: `${why}; literal instance ${expr}` });
  }
  let wordPlans = 0;
  if (!user?.args) {
    if (prefixed.some((p) => !hasWords(p, user))) {
      plans.splice(1, 0, {
        cls,
        ctor: ctorParams,
        words: true,
        prefixes: true,
        instance: `text it begins with: ${shown(prefixed)}`,
      });
      wordPlans++;
    }
    if (wordy.length > 0) {
      plans.splice(1, 0, {
        cls,
        ctor: ctorParams,
        words: true,
        instance: `words it takes: ${shown(wordy)}`,
      });
      wordPlans++;
    }
  }

  // Paths that name a file or folder made for the call, for the usual way of building it (after
  // the word plans).
  const placed = [
    ...(needsInstance
      ? [...passed(ctorParams, []).positional, ...passed(ctorParams, []).keyword]
      : []),
    ...own.positional,
    ...own.keyword,
  ].filter((p) => hasPlace(p, user));
  if (placed.length > 0 && !user?.args)
    plans.splice(1 + wordPlans, 0, {
      cls,
      ctor: ctorParams,
      paths: true,
      instance: `made for the call: ${placed
        .slice(0, 3)
        .map((p) => `${p.name} (a ${p.usage.place})`)
        .join(", ")}`,
    });

  // Each way of building the instance of the method's own class also runs set up first; a
  // function, after the module function that sets the module state it reads.
  const setup = needsInstance || f.kind === "function" ? f.setup : undefined;
  if (setup) {
    const dot = f.kind === "function" ? "" : ".";
    const why =
      setup.assigns.length > 0
        ? `set up by ${dot}${setup.method}() first (it sets ${setup.assigns.slice(0, 3).join(", ")})`
        : `set up by ${dot}${setup.method}() first (entered, as a with statement does)`;
    for (let k = plans.length - 1; k >= 0; k--) {
      const p = plans[k];
      if (p.cls === cls && !("registered" in p.ctor))
        plans.splice(k + 1, 0, {
          ...p,
          setup,
          instance: p.instance ? `${p.instance}; ${why}` : why,
        });
    }
  }

  // A key the instance holds: the usual instance with a key put in first, right after it.
  if (keyed && !user?.args)
    plans.splice(1, 0, { cls, ctor: ctorParams, keyed, instance: keyedWhy(keyed) });

  let certain = true;
  let wrapper = "";
  const all: SignatureCandidate[][] = [];
  for (const [k, plan] of plans.entries()) {
    const built = buildPlan(f, plan, own, doctests, calls, user);
    if ("problem" in built) return { ...built, candidates: [], certain: true, entry: f.name };
    if (k === 0) ({ certain, wrapper } = built);
    if (k > 0 && built.direct) continue;
    const instance = [plan.instance, ...built.objects].filter((x) => x).join("; ");
    all.push(
      built.candidates.slice(0, k === 0 ? undefined : PER_INSTANCE_PLAN).map((c) => ({
        ...c,
        ...(instance ? { instance } : {}),
        ...(k > 0 && built.wrapper ? { wrapper: built.wrapper } : {}),
      })),
    );
    // Called directly unless another plan (words) needs a wrapper: then every candidate has one.
    if (k === 0 && built.direct && plans.length === 1)
      return { candidates: all[0], certain, entry: f.name };
  }
  // A fixed user signature is one candidate: the other instances do not apply to it.
  const candidates = user?.args ? all[0] : all.flat();
  // Other instances are worth probing even when every drawn argument's type is given.
  if (candidates.length > all[0].length) certain = false;
  return { candidates, certain, entry: WRAPPER_ENTRY, wrapper };
}

interface PlanBuilt {
  candidates: SignatureCandidate[];
  certain: boolean;
  direct: boolean;
  wrapper: string;
  objects: string[];
}

/** One instance plan's slots, candidates and wrapper. */
function buildPlan(
  f: ExtractedFunction,
  plan: InstancePlan,
  usual: ReturnType<typeof passed>,
  doctests: Literal[][],
  calls: Literal[][],
  user: UserTypes | undefined,
): PlanBuilt | { problem: string } {
  const needsInstance = f.kind === "method" || f.kind === "property";
  const slots: Slot[] = [];
  const names: string[] = [];
  /** File-like arguments: the drawn text or bytes wrapped in `io.StringIO`/`BytesIO`. */
  const files: { name: string; write: boolean }[] = [];
  /** Arguments that are instances of the module's classes, not drawn (their evidence). */
  const objects: string[] = [];
  /** Arguments that are words the code accepts (plan.words), not drawn text. */
  let worded = 0;
  /** Paths the wrapper makes (plan.paths): the argument holding the name, the drawn content. */
  const places: { name: string; drawn: string; place: "file" | "folder"; path: string }[] = [];
  const add = (
    p: ParamInfo,
    label: string,
    spread: boolean,
    position: number,
    ctorSlot: boolean,
    nested = false,
  ): string => {
    const given = user?.params?.[p.name];
    const object = p.usage.instance;
    const made = p.usage.instanceOf;
    // An instance built from drawn constructor arguments (not within another such one).
    if (!object && made && !nested && !given && !spread && !(p.hinted && "type" in p.hinted)) {
      const ps = passed(made.params, []);
      const args = ps.positional.map((q, i) =>
        add(q, `${made.cls}(${q.name})`, false, i, true, true),
      );
      // Its *args when their items are checked to begin with some text (`Option(*opts)`): a
      // drawn list of text, that in front of each.
      const front = ps.star?.usage.elementPrefix;
      if (ps.star && front) {
        const n = `a${slots.length}`;
        const starLabel = `${made.cls}(*${ps.star.name})`;
        names.push(n);
        slots.push({
          param: ps.star,
          label: starLabel,
          spread: false,
          options: [
            {
              name: starLabel,
              type: "list[str]",
              from: "usage",
              why: `items begin with ${JSON.stringify(front)}`,
            },
          ],
        });
        args.push(`*[${JSON.stringify(front)} + x for x in ${n}]`);
      }
      args.push(
        ...ps.keyword.map(
          (q) => `${q.name}=${add(q, `${made.cls}(${q.name})`, false, 0, true, true)}`,
        ),
      );
      objects.push(
        `${label}: ${made.cls}(…) of drawn arguments (has ${(p.usage.attrs ?? []).slice(0, 3).join(", ")})`,
      );
      return `${made.cls}(${args.join(", ")})`;
    }
    const words =
      plan.words && !spread && hasWords(p, user, plan.prefixes) ? (p.usage.words ?? []) : [];
    if (words.length === 1) {
      worded++;
      return JSON.stringify(words[0]);
    }
    const place = plan.paths && !spread && hasPlace(p, user) ? p.usage.place : undefined;
    if (place) {
      const drawn = `a${slots.length}`;
      names.push(drawn);
      const taken = new Set(places.map((x) => x.path));
      let path = p.name;
      for (let i = 2; taken.has(path); i++) path = `${p.name}${i}`;
      slots.push({
        param: p,
        label,
        spread,
        options: (place === "file" ? (["str", "bytes"] as ArgType[]) : ["list[str]"]).map(
          (type) => ({
            name: label,
            type,
            from: "usage" as const,
            why: `${p.usage.uses.join(", ")}: ${place === "file" ? "a file of this content" : "a folder of files so named"}, made for the call`,
          }),
        ),
      });
      places.push({ name: `p${slots.length - 1}`, drawn, place, path });
      return `p${slots.length - 1}`;
    }
    if (object && !given && !spread && !(p.hinted && "type" in p.hinted)) {
      const attrs = p.usage.attrs ?? [];
      objects.push(
        `${label}: ${object} (${attrs.length > 0 ? `has ${attrs.slice(0, 3).join(", ")}` : p.usage.uses.slice(0, 2).join(", ")})`,
      );
      return object;
    }
    const name = `a${slots.length}`;
    names.push(name);
    // Text it must begin with, put in front of drawn text (or of each drawn item).
    const prefix =
      plan.prefixes && words.length === 0 && hasWords(p, user, true)
        ? (p.usage.prefix ?? p.usage.elementPrefix)
        : undefined;
    if (prefix && !p.usage.enumOf) {
      worded++;
      const each = p.usage.prefix === undefined;
      const type: ArgType = spread ? "*list[str]" : each ? "list[str]" : "str";
      slots.push({
        param: p,
        label,
        spread,
        options: [{ name: label, type, from: "usage", why: wordsShown(p) }],
      });
      const front = JSON.stringify(prefix);
      if (!each) return `${front} + ${name}`;
      return `${spread ? "*" : ""}[${front} + x for x in ${name}]`;
    }
    // A member of the enumeration it is passed to, picked by a drawn index.
    const members =
      plan.words && !spread && words.length === 0 && hasWords(p, user) ? p.usage.enumOf : undefined;
    // A drawn index that picks one of a fixed set (the words, or the members).
    const pick = (why: string) => {
      worded++;
      slots.push({
        param: p,
        label,
        spread,
        options: [{ name: label, type: "small_nonneg_int", from: "usage", why }],
      });
    };
    if (members) {
      pick(`picks a member of ${members}`);
      return `list(${members})[${name} % len(${members})]`;
    }
    if (words.length > 1) {
      pick(`picks one of ${words.map((w) => JSON.stringify(w)).join(", ")}`);
      return `(${words.map((w) => JSON.stringify(w)).join(", ")})[${name} % ${words.length}]`;
    }
    const file = !spread && !given && !(p.hinted && "type" in p.hinted) ? p.usage.file : undefined;
    slots.push({
      param: p,
      label,
      spread,
      options: file
        ? (["str", "bytes"] as ArgType[]).map((type) => ({
            name: label,
            type,
            from: "usage" as const,
            why: `${p.usage.uses.join(", ")}: io.${type === "str" ? "StringIO" : "BytesIO"}`,
          }))
        : optionsFor(
            p,
            label,
            spread,
            position,
            ctorSlot ? [] : doctests,
            ctorSlot ? [] : calls,
            ctorSlot ? (user?.params ? { params: user.params } : undefined) : user,
          ),
    });
    if (file) {
      files.push({ name: `f${slots.length - 1}`, write: file === "write" });
      return `f${slots.length - 1}`;
    }
    return spread ? `*${name}` : name;
  };
  const ctor = Array.isArray(plan.ctor)
    ? plan.words
      ? passedWithWords(plan.ctor, [], user, plan.prefixes)
      : passed(plan.ctor, [], plan.keepWords)
    : undefined;
  const own =
    plan.words && f.kind !== "property"
      ? passedWithWords(f.params, doctests, user, plan.prefixes)
      : usual;
  const unbound = "registered" in plan.ctor ? plan.ctor.registered : undefined;
  let self = "";
  // A metaclass's method runs unbound on the class made for the call.
  const onClass = plan.members?.meta === true;
  if (onClass) self = MEMBERS;
  else if (unbound) {
    self = `a${slots.length}`;
    names.push(self);
    slots.push({
      param: { name: "self", kind: "positional", required: true, usage: { types: [], uses: [] } },
      label: `${plan.cls}(self)`,
      spread: false,
      options: [{ name: `${plan.cls}(self)`, type: unbound, from: "usage", why: "registered" }],
    });
  }
  // The constructor's *args only when their items take words: a drawn list, spread in the call
  // (a spread slot must be the wrapper's last).
  const ctorStar =
    ctor && "star" in ctor && ctor.star && plan.words && hasWords(ctor.star, user, plan.prefixes)
      ? ctor.star
      : undefined;
  const ctorArgs = ctor
    ? [
        ...ctor.positional.map((p, i) => add(p, `${plan.cls}(${p.name})`, false, i, true)),
        ...(ctorStar
          ? [`*${add(ctorStar, `${plan.cls}(*${ctorStar.name})`, false, 0, true)}`]
          : []),
        ...ctor.keyword.map((p) => `${p.name}=${add(p, `${plan.cls}(${p.name})`, false, 0, true)}`),
      ]
    : [];
  const first = plan.setup ?? plan.keyed;
  const setupPassed = first ? passed(first.params, []) : undefined;
  const setupLabel = (p: ParamInfo) =>
    `${f.kind === "function" ? "" : `${plan.cls}.`}${first?.method}(${p.name})`;
  /** What the measured method's key parameter gets (plan.keyed): a drawn value shared, or the result. */
  let key = plan.keyed && !plan.keyed.shared ? SETUP_KEY : undefined;
  const setupArg = (p: ParamInfo, i: number) => {
    const a = add(p, setupLabel(p), false, i, true);
    if (plan.keyed?.shared && p.name === plan.keyed.param) key = a;
    return a;
  };
  const setupArgs = setupPassed
    ? [
        ...setupPassed.positional.map((p, i) => setupArg(p, i)),
        ...setupPassed.keyword.map((p) => `${p.name}=${setupArg(p, 0)}`),
      ]
    : [];
  // Slots in wrapper order (a spread last); the call puts *args before the keywords.
  const ownPositional = own.positional.map((p, i) =>
    key && p.name === plan.keyed?.param ? key : add(p, p.name, false, i, false),
  );
  const ownKeyword = own.keyword.map((p) => `${p.name}=${add(p, p.name, false, 0, false)}`);
  const ownStar =
    "star" in own && own.star ? [add(own.star, `*${own.star.name}`, true, 0, false)] : [];
  const ownArgs = [...ownPositional, ...ownStar, ...ownKeyword];

  let candidates: SignatureCandidate[];
  if (user?.args) {
    if (user.args.length !== slots.length && !slots.some((s) => s.spread))
      return {
        problem: `the given types (${user.args.join(", ")}) do not match the ${slots.length} parameter${slots.length === 1 ? "" : "s"} passed`,
      };
    candidates = [
      {
        args: user.args,
        params: user.args.map((t, i) => ({
          name: slots[i]?.label ?? `#${i}`,
          type: t,
          from: "user",
        })),
      },
    ];
  } else candidates = combine(slots);
  const certain = user?.args !== undefined || slots.every((s) => STRONG.has(s.options[0].from));

  const direct =
    f.kind === "function" &&
    own.keyword.length === 0 &&
    !f.generator &&
    files.length === 0 &&
    places.length === 0 &&
    !first;
  const attr = f.method ? attributeName(f.className ?? "", f.method) : "";
  const built = Array.isArray(plan.ctor)
    ? `${plan.cls}(${ctorArgs.join(", ")})`
    : "expr" in plan.ctor
      ? plan.ctor.expr
      : "";
  // Set up first: what the set-up method assigns before it raises (if it does) stays.
  const instance = first ? SETUP_OBJECT : built;
  const returned = plan.keyed && !plan.keyed.shared;
  const prepared = !first
    ? []
    : f.kind === "function"
      ? [
          "    try:",
          `        ${first.method}(${setupArgs.join(", ")})`,
          "    except Exception:",
          "        pass",
        ]
      : [
          `    ${SETUP_OBJECT} = ${built}`,
          ...(returned ? [`    ${SETUP_KEY} = None`] : []),
          "    try:",
          `        ${returned ? `${SETUP_KEY} = ` : ""}${SETUP_OBJECT}.${attributeName(plan.cls, first.method)}(${setupArgs.join(", ")})`,
          "    except Exception:",
          "        pass",
        ];
  const target =
    f.kind === "function"
      ? f.name
      : needsInstance && !unbound && !onClass
        ? // The tracer compares the instance's state before and after the call (";self:").
          `${WATCH}(${instance}).${attr}`
        : `${plan.cls}.${attr}`;
  const call =
    unbound || onClass
      ? f.kind === "property"
        ? `${target}.fget(${self})`
        : `${target}(${[self, ...ownArgs].join(", ")})`
      : f.kind === "property"
        ? target
        : `${target}(${ownArgs.join(", ")})`;
  const header = `def ${WRAPPER_ENTRY}(${names.map((n, i) => (slots[i].spread ? `*${n}` : n)).join(", ")}):`;
  const opened = files.map(
    (x) =>
      `    ${x.name} = _tracecode_io.StringIO(a${x.name.slice(1)}) if isinstance(a${x.name.slice(1)}, str) else _tracecode_io.BytesIO(a${x.name.slice(1)})`,
  );
  // A file: the drawn text or bytes; a folder: a file per drawn name, holding its name.
  const made = places.flatMap((x) =>
    x.place === "file"
      ? [
          `    ${x.name} = ${JSON.stringify(x.path)}`,
          `    with _tracecode_io.open(${x.name}, "w" if isinstance(${x.drawn}, str) else "wb") as _tracecode_f:`,
          `        _tracecode_f.write(${x.drawn})`,
        ]
      : [
          `    ${x.name} = ${JSON.stringify(x.path)}`,
          `    _tracecode_os.mkdir(${x.name})`,
          `    for _tracecode_n in ${x.drawn}:`,
          `        if _tracecode_n.strip(".") and "/" not in _tracecode_n:`,
          `            with _tracecode_io.open(_tracecode_os.path.join(${x.name}, _tracecode_n), "w") as _tracecode_f:`,
          "                _tracecode_f.write(_tracecode_n)",
        ],
  );
  // What is left at a made path after the call: a file's bytes, a folder's names, or None.
  const left =
    places.length > 0
      ? [
          "    def _tracecode_left(p):",
          "        if _tracecode_os.path.isdir(p):",
          "            return sorted(_tracecode_os.listdir(p))",
          "        if not _tracecode_os.path.isfile(p):",
          "            return None",
          '        with _tracecode_io.open(p, "rb") as f:',
          "            return f.read()",
        ]
      : [];
  const written = [
    ...files.filter((x) => x.write).map((x) => `${x.name}.getvalue()`),
    ...places.map((x) => `_tracecode_left(${x.name})`),
  ];
  // What a call gives: its result, the text written to a file-like argument, and what is left
  // at the paths made for it.
  const result = written.length > 0 ? `(out, ${written.join(", ")})` : "out";
  const body = [
    ...(plan.members
      ? [`    if isinstance(${MEMBERS}, Exception):`, `        raise ${MEMBERS}`]
      : []),
    ...(files.length > 0 || places.length > 0 ? ["    import io as _tracecode_io", ...opened] : []),
    ...(places.length > 0 ? ["    import os as _tracecode_os", ...left, ...made] : []),
    ...prepared,
    ...(f.generator
      ? [
          "    out = []",
          `    for item in ${call}:`,
          "        out.append(item)",
          `        if len(out) >= ${GENERATOR_ITEMS}:`,
          "            break",
          `    return ${result}`,
        ]
      : written.length > 0
        ? [`    out = ${call}`, `    return ${result}`]
        : [`    return ${call}`]),
  ];
  // A spread is always the last slot: the constructor's own *args are never passed.
  // Defined only when the class (or function) is: when its definition failed, the run says why
  // ("not defined; line N skipped: …") rather than raising NameError on every input.
  const guarded = plan.members
    ? plan.members.header.replace(/^metaclass=/, "")
    : (plan.concrete?.base ?? plan.cls);
  const guard = `if ${f.kind === "function" ? f.name : guarded} is not None:`;
  const concrete = plan.concrete
    ? [
        `class ${CONCRETE}(${plan.concrete.base}):`,
        ...plan.concrete.fill.flatMap((x) => [
          ...(x.property ? ["    @property"] : []),
          `    def ${x.name}(self, *args, **kwargs):`,
          "        raise NotImplementedError",
        ]),
      ]
    : plan.members
      ? [
          // Made once with the wrapper; when the class refuses members, every call says why.
          "try:",
          `    class ${MEMBERS}(${plan.members.header}):`,
          ...["A", "B"].map((n, i) => `        ${n} = ${plan.members?.values[i]}`),
          "except Exception as e:",
          `    ${MEMBERS} = e`,
        ]
      : [];
  const wrapper = [guard, ...[...concrete, header, ...body].map((l) => `    ${l}`)].join("\n");
  return {
    candidates,
    certain,
    direct: direct && objects.length === 0 && worded === 0,
    wrapper,
    objects,
  };
}

/** "xs: list[int] (usage: len(xs)), n: int (hint)" */
export function describeSignature(s: SignatureCandidate): string {
  return s.params
    .map((p) => `${p.name}: ${p.type} (${p.from}${p.why ? `: ${p.why}` : ""})`)
    .join(", ");
}
