import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initPython } from "../synth/index.js";
import {
  ConfigError,
  type ExtractedFunction,
  extractFile,
  inferSignature,
  readTypesConfig,
  SettingsResolver,
  WRAPPER_ENTRY,
} from "./index.js";

beforeAll(async () => {
  await initPython();
});

const source = `import math

def scale(xs, factor):
    """Each item times factor.

    >>> scale([1, 2, 3], 2)
    [2, 4, 6]
    """
    return [x * factor for x in xs]

def shout(s):
    return s.upper() + "!"

def total(counts):
    return sum(v for k, v in counts.items())

def repeat(n=3, word="ab"):
    return word * n

def apply(fn, v):
    return fn(v)

def norm(v):
    return math.sqrt(v)

def mystery(thing):
    return thing

def kw(a, *, b):
    return a - b

def gen(n):
    for i in range(n):
        yield i * i

def spread(*parts):
    return len(parts)

mystery("hello")

class Point:
    def __init__(self, x, y=0):
        self.x = x
        self.y = y

    def dist(self, other):
        return abs(self.x - other)

    @staticmethod
    def origin(n):
        return n + 1

    @property
    def size(self):
        return self.x

    def __private(self):
        return 1
`;

let fns: Record<string, ExtractedFunction>;
let calls: ReturnType<typeof extractFile>["calls"];
beforeAll(() => {
  const r = extractFile(source);
  fns = Object.fromEntries(r.functions.map((f) => [f.name, f]));
  calls = r.calls;
});

const top = (name: string) => inferSignature(fns[name], calls.get(name) ?? []);

describe("signature inference", () => {
  it("takes doctest calls as exact evidence", () => {
    expect(fns.scale.doctests).toEqual([
      expect.objectContaining({ text: "scale([1, 2, 3], 2)", expected: "[2, 4, 6]" }),
    ]);
    const s = top("scale");
    expect(s.certain).toBe(true);
    expect(s.candidates[0].params.map((p) => [p.type, p.from])).toEqual([
      ["list[int]", "doctest"],
      ["int", "doctest"],
    ]);
  });

  it("reads string methods, dict methods, arithmetic, math calls and calls of a parameter", () => {
    expect(top("shout").candidates[0].args).toEqual(["str"]);
    expect(top("total").candidates[0].args[0]).toMatch(/^dict\[str,/);
    expect(top("norm").candidates[0].args).toEqual(["float"]);
    const apply = top("apply").candidates[0];
    expect(apply.args[0]).toBe("callable[1]");
    expect(apply.params[0].why).toMatch(/fn\(…\)/);
    // A module constant bound to bytes, or a sum starting with one, is bytes too.
    const framed = extractFile(`import struct

OPCODE = b"C"
OPCODE = b"D"
MARK = b"("

def frame(obj):
    return MARK + struct.pack("<B", len(obj)) + obj

def other(obj):
    return OPCODE + obj
`).functions;
    // An attribute's name is text, also where a base's constructor stores it (`dest=dest`).
    const named = extractFile(`class Action:
    def __init__(self, dest, default=None):
        self.dest = dest
        self.default = default

class Store(Action):
    def __init__(self, dest, nargs=None):
        super().__init__(dest=dest)
        self.nargs = nargs

    def __call__(self, namespace, values):
        setattr(namespace, self.dest, values)
`).functions.find((f) => f.name === "Store.__call__");
    expect(named?.ctor?.params[0].usage.types[0]).toBe("str");
    // One bound twice is no constant: `OPCODE + obj` says only a number or a sequence.
    expect(framed.map((f) => f.params[0].usage.types[0])).toEqual(["bytes", "int"]);
    // A term of a sum that a literal ends is of the literal's kind, wherever it stands in it.
    const summed = extractFile(`def header(name, width):
    pad = " " * width
    return pad + name + " = ("

def total(a, b):
    return a + b + 1
`).functions;
    expect(summed.map((f) => f.params[0].usage.types[0])).toEqual(["str", "int"]);
  });

  it("puts text first when a method only text has is called, whatever indexing and len say", () => {
    const { functions } = extractFile(`def stn(s, length):
    s = s.encode("ascii")
    return s[:length] + (length - len(s)) * b"0"

def nti(s):
    n = len(s) + s[0] + len(s[1:])
    return int(s.decode("ascii") or "0", 8) + n

def first(xs):
    return xs[0] + len(xs) + xs.count(1)
`);
    const byName = Object.fromEntries(functions.map((f) => [f.name, f]));
    const types = (f: string) => byName[f].params[0].usage.types;
    expect(types("stn").slice(0, 2)).toEqual(["str", "bytes"]);
    expect(inferSignature(byName.stn).candidates[0].args).toEqual(["str", "int"]);
    // decode is bytes-only: bytes before str.
    expect(types("nti").slice(0, 2)).toEqual(["bytes", "str"]);
    // count is a list method too: no text evidence.
    expect(types("first")[0]).toBe("list[int]");
  });

  it("reads a text literal tested for membership as a substring test: the container is text", () => {
    const { functions } = extractFile(`def unescape(s):
    if '&' not in s:
        return s
    return CHARREF.sub(replace, s)

def has(xs, x):
    return x in xs
`);
    const byName = Object.fromEntries(functions.map((f) => [f.name, f]));
    expect(byName.unescape.params[0].usage.types[0]).toBe("str");
    // Anything else tested for membership says only that it is a container.
    expect(byName.has.params[0].usage.types[0]).toBe("list[int]");
  });

  it("passes only defaulted parameters, typed by their defaults, when none is required", () => {
    const s = top("repeat").candidates[0];
    expect(s.params.map((p) => [p.name, p.type, p.from])).toEqual([
      ["n", "int", "default"],
      ["word", "str", "default"],
    ]);
  });

  it("uses literal call sites when the body says nothing, then guesses for probing", () => {
    const s = top("mystery");
    expect(s.candidates[0].params[0]).toMatchObject({ type: "str", from: "call site" });
    expect(s.certain).toBe(false);
    expect(s.candidates.map((c) => c.args[0]).slice(0, 4)).toEqual([
      "str",
      "int",
      "list[int]",
      "bytes",
    ]);
  });

  it("calls keyword-only parameters, generators and methods through a wrapper", () => {
    expect(top("kw").wrapper).toContain("return kw(a0, b=a1)");
    const g = top("gen");
    expect(g.entry).toBe(WRAPPER_ENTRY);
    expect(g.wrapper).toMatch(/for item in gen\(a0\):/);
    expect(top("spread").candidates[0].args).toEqual(["*list[int]"]);
    const m = inferSignature(fns["Point.dist"]);
    expect(m.wrapper).toBe(
      `if Point is not None:\n    def ${WRAPPER_ENTRY}(a0, a1):\n        return _tracecode_watch(Point(a0)).dist(a1)`,
    );
    expect(m.candidates[0].params.map((p) => p.name)).toEqual(["Point(x)", "other"]);
    expect(inferSignature(fns["Point.origin"]).wrapper).toContain("return Point.origin(a0)");
    expect(inferSignature(fns["Point.size"]).wrapper).toContain(
      "return _tracecode_watch(Point(a0)).size",
    );
    expect(inferSignature(fns["Point.__private"]).wrapper).toContain(
      "_tracecode_watch(Point(a0))._Point__private()",
    );
  });

  it("lets the user's types win, and checks their count against the parameters", () => {
    const s = inferSignature(fns.mystery, [], { params: { thing: "bytes" } });
    expect(s.candidates).toHaveLength(1);
    expect(s.candidates[0].params[0]).toMatchObject({ type: "bytes", from: "user" });
    const bad = inferSignature(fns.mystery, [], { args: ["int", "int"] });
    expect(bad.candidates).toEqual([]);
    expect(bad.problem).toMatch(/do not match the 1 parameter passed/);
  });
});

describe("tracecode.toml and --types", () => {
  const root = mkdtempSync(join(tmpdir(), "tracecode-config-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("applies per function, per file and defaults, the nearest file and --types first", () => {
    mkdirSync(join(root, "pkg", "sub"), { recursive: true });
    writeFileSync(
      join(root, "pkg", "tracecode.toml"),
      '[defaults]\ninputs = 40\nrange = [0, 9]\n\n[functions.f]\nargs = ["str"]\n\n[functions."sub/b.py:g".params]\nx = "bytes"\n',
    );
    writeFileSync(join(root, "pkg", "sub", "tracecode.toml"), "[defaults]\nmax_steps = 5000\n");
    const given = join(root, "types.json");
    writeFileSync(given, JSON.stringify({ functions: { h: { args: ["float"] } } }));
    const r = new SettingsResolver(readTypesConfig(given), [join(root, "pkg")]);
    expect(r.settingsFor(join(root, "pkg", "a.py"), "f")).toEqual({
      inputs: 40,
      range: { min: 0, max: 9, edges: true },
      types: { args: ["str"] },
    });
    expect(r.settingsFor(join(root, "pkg", "sub", "b.py"), "g")).toEqual({
      inputs: 40,
      range: { min: 0, max: 9, edges: true },
      maxSteps: 5000,
      types: { params: { x: "bytes" } },
    });
    expect(r.settingsFor(join(root, "pkg", "a.py"), "h").types).toEqual({ args: ["float"] });
  });

  it("fails only the files a bad tracecode.toml covers, and follows no link to one", () => {
    const top = join(root, "untrusted");
    mkdirSync(join(top, "evil"), { recursive: true });
    mkdirSync(join(top, "linked"), { recursive: true });
    mkdirSync(join(top, "good"), { recursive: true });
    writeFileSync(join(top, "evil", "tracecode.toml"), "functions = 5\n");
    const secret = join(root, "host-secret.toml");
    writeFileSync(secret, "[defaults]\ninputs = 7\n");
    symlinkSync(secret, join(top, "linked", "tracecode.toml"));
    const r = new SettingsResolver(undefined, [top]);
    expect(() => r.fingerprint(join(top, "evil", "a.py"))).toThrow(ConfigError);
    expect(() => r.fingerprint(join(top, "linked", "a.py"))).toThrow(
      /linked\/tracecode\.toml: a symbolic link; a tracecode\.toml is read only as a file/,
    );
    expect(r.fingerprint(join(top, "good", "a.py"))).toBeUndefined();
  });

  it("names the file, the entry and the problem", () => {
    const bad = join(root, "bad.toml");
    writeFileSync(bad, '[functions.f]\nargs = ["complex"]\n');
    expect(() => readTypesConfig(bad)).toThrow(ConfigError);
    expect(() => readTypesConfig(bad)).toThrow(
      /bad\.toml: functions\.f\.args\[0\]: argument type "complex"/,
    );
    writeFileSync(bad, "[defaults]\nrange = [5, 1]\n");
    expect(() => readTypesConfig(bad)).toThrow(/defaults\.range: expected \[min, max\]/);
    // A file beside untrusted code asks no more inputs than --inputs allows (the parent's memory).
    writeFileSync(bad, "[defaults]\ninputs = 100000000\n");
    expect(() => readTypesConfig(bad)).toThrow(
      /defaults\.inputs: expected an integer from 1 to 100000, got 100000000/,
    );
    writeFileSync(bad, "[other]\n");
    expect(() => readTypesConfig(bad)).toThrow(/unknown table "other"/);
    // Where a TOML syntax error is; a missing file or a folder in words.
    writeFileSync(bad, "[defaults]\n[a b]\n");
    expect(() => readTypesConfig(bad)).toThrow(/bad\.toml: line 2, column \d+: Invalid TOML/);
    expect(() => readTypesConfig(join(root, "none.toml"))).toThrow(/none\.toml: no such file$/);
    expect(() => readTypesConfig(root)).toThrow(/: a folder, not a file$/);
  });
});

describe("constructors", () => {
  it("types a constructor parameter by the uses of the attribute it is stored in, and inherits a same-file base's", () => {
    const { functions } = extractFile(`class Base:
    def __init__(self, words):
        self.words = words

    def first(self):
        return self.words[0].upper()

class Child(Base):
    def count(self):
        return len(self.words)
`);
    const byName = Object.fromEntries(functions.map((f) => [f.name, f]));
    const first = inferSignature(byName["Base.first"]).candidates;
    // `self.words[0].upper()`: indexed, its items are strings (a str or a list of them).
    expect(first[0].params[0]).toMatchObject({ name: "Base(words)", from: "usage" });
    expect(first.slice(0, 2).map((c) => c.args[0])).toEqual(["str", "list[str]"]);
    const count = inferSignature(byName["Child.count"]);
    expect(count.candidates.map((c) => c.args)).toEqual(first.map((c) => c.args));
    expect(count.wrapper).toContain("return _tracecode_watch(Child(a0)).count()");
  });

  it("takes a constructor from __new__ without an __init__, and from a namedtuple base's fields", () => {
    const { functions } = extractFile(`import collections

_Pair = collections.namedtuple("_Pair", "key value", defaults=[0])

class Pair(_Pair):
    def label(self):
        return self.key.upper()

class Triple(collections.namedtuple("Base", ["a", "b", "c"])):
    def total(self):
        return self.a + self.b + self.c

class Method:
    def __new__(cls, meth, callback=None):
        self = super().__new__(cls)
        self.meth = meth
        return self

    def call(self):
        return self.meth()

def _bound_new(cls, func, /, *args):
    if not callable(func):
        raise TypeError(func)
    self = object.__new__(cls)
    self.func = func
    return self

class Bound:
    __new__ = _bound_new

    def __call__(self, x):
        return self.func(x)
`);
    const byName = Object.fromEntries(functions.map((f) => [f.name, f]));
    const pair = inferSignature(byName["Pair.label"]);
    // `value` has a default (defaults=[0]): only `key` is drawn, typed by `self.key.upper()`.
    expect(pair.wrapper).toContain("return _tracecode_watch(Pair(a0)).label()");
    expect(pair.candidates[0].params[0]).toMatchObject({ name: "Pair(key)", type: "str" });
    expect(inferSignature(byName["Triple.total"]).wrapper).toContain(
      "return _tracecode_watch(Triple(a0, a1, a2)).total()",
    );
    const method = inferSignature(byName["Method.call"]);
    expect(byName["Method.call"].ctor?.from).toBe("__new__");
    expect(method.wrapper).toContain("return _tracecode_watch(Method(a0)).call()");
    expect(method.candidates[0].args[0]).toBe("callable[0]");
    // A function of the file assigned to __new__: its parameters after the class.
    expect(byName["Bound.__call__"].ctor?.from).toBe("__new__");
    const bound = inferSignature(byName["Bound.__call__"]);
    expect(bound.wrapper).toContain("return _tracecode_watch(Bound(a0)).__call__(a1)");
    expect(bound.candidates[0].args[0]).toBe("callable[1]");
  });
});

describe("instances and arguments built other ways", () => {
  const file = `import io

class Matcher:
    """
    >>> Matcher(None, "ab", "cd").ratio()
    """
    def __init__(self, isjunk=None, a="", b=""):
        self.a = a
        self.b = b

    def ratio(self):
        return len(self.a) / max(1, len(self.b))

class Shape:
    def area(self):
        return self.width * self.height

    def describe(self):
        return "shape"

    def scaled(self, unit):
        if unit not in ("cm", "mm"):
            raise ValueError(unit)
        return self.width

class Rect(Shape):
    def __init__(self, width, height):
        self.width = width
        self.height = height

class Square(Shape):
    def __init__(self, side):
        self.width = self.height = side

    def area(self):
        return self.side ** 2

def words(fp):
    return fp.read().split()

class Writer:
    def __init__(self, out):
        self.out = out

    def line(self, text):
        self.out.write(text + "\\n")

Matcher(None, "abc", "b")
`;
  let byName: Record<string, ExtractedFunction>;
  beforeAll(() => {
    byName = Object.fromEntries(extractFile(file).functions.map((f) => [f.name, f]));
  });

  it("passes defaulted parameters after one it skips (a None default) by keyword", () => {
    expect(inferSignature(byName["Matcher.ratio"]).wrapper).toContain(
      "return _tracecode_watch(Matcher(a=a0, b=a1)).ratio()",
    );
    // A None default whose uses say what else it takes is passed, typed by them.
    const { functions } = extractFile(`class Lexer:
    def __init__(self, text=None, skipped=None, posix=False):
        if isinstance(text, str):
            self.text = text
        self.posix = posix

    def upper(self):
        return self.text.upper()
`);
    const lexer = inferSignature(functions[0]);
    expect(lexer.wrapper).toContain("return _tracecode_watch(Lexer(a0, posix=a1)).upper()");
    expect(lexer.candidates[0].params[0]).toMatchObject({ name: "Lexer(text)", type: "str" });
  });

  it("adds the module's literal instances (code and >>> lines) and the constructor's defaults, each with its own wrapper", () => {
    const inf = inferSignature(byName["Matcher.ratio"]);
    expect(inf.certain).toBe(false);
    const other = inf.candidates.filter((c) => c.instance);
    expect(other.map((c) => [c.instance, c.args])).toEqual([
      ['literal instance in the module: Matcher(None, "abc", "b")', []],
      ['literal instance in the module: Matcher(None, "ab", "cd")', []],
      ["constructor defaults: Matcher()", []],
    ]);
    expect(other[1].wrapper).toContain(
      'return _tracecode_watch(Matcher(None, "ab", "cd")).ratio()',
    );
    expect(other[2].wrapper).toContain("return _tracecode_watch(Matcher()).ratio()");
    // The first candidate keeps the function's own wrapper.
    expect(inf.candidates[0].wrapper).toBeUndefined();
  });

  it("runs the methods of a class whose name the module rebinds to its one instance on that instance", () => {
    const { functions } = extractFile(`class _auto_null:
    def __repr__(self):
        return "_auto_null"
_auto_null = _auto_null()

@object.__new__
class MISSING:
    def __reduce__(self):
        return "MISSING"

class Plain:
    def show(self):
        return 1
`);
    const byName = Object.fromEntries(functions.map((f) => [f.name, f]));
    expect(byName["_auto_null.__repr__"].instances).toEqual(["_auto_null"]);
    const inf = inferSignature(byName["MISSING.__reduce__"]);
    const one = inf.candidates.find((c) => c.instance?.startsWith("the module's one instance"));
    expect(one?.wrapper).toContain("return _tracecode_watch(MISSING).__reduce__()");
    expect(byName["Plain.show"].instances).toBeUndefined();
  });

  it("runs a method of a class lacking what it reads on a subclass that defines it and does not override it", () => {
    expect(byName["Shape.area"].subclass).toMatchObject({
      name: "Rect",
      defines: ["width", "height"],
    });
    const inf = inferSignature(byName["Shape.area"]);
    const sub = inf.candidates.filter((c) => c.instance);
    expect(sub[0].instance).toBe("subclass Rect defines width, height");
    expect(sub[0].params.map((p) => p.name)).toEqual(["Rect(width)", "Rect(height)"]);
    expect(sub[0].wrapper).toContain("return _tracecode_watch(Rect(a0, a1)).area()");
    // Square overrides area, so it is not a way to call Shape's; a class that lacks nothing it
    // reads is called as it is.
    expect(byName["Shape.describe"].subclass?.name).toBe("Rect");
    expect(byName["Writer.line"].subclass).toBeUndefined();
    // The words a parameter takes, on the subclass too.
    const worded = inferSignature(byName["Shape.scaled"]).candidates.find((c) =>
      c.instance?.startsWith("subclass Rect defines width, height; words it takes"),
    );
    expect(worded?.wrapper).toContain(
      'return _tracecode_watch(Rect(a0, a1)).scaled(("cm", "mm")[a2 % 2])',
    );
  });

  it("passes a parameter used as a file as an in-memory file of drawn text or bytes, and returns what was written", () => {
    const read = inferSignature(byName.words);
    expect(read.candidates.map((c) => c.args)).toEqual([["str"], ["bytes"]]);
    expect(read.candidates[0].params[0].why).toMatch(/fp\.read: io\.StringIO/);
    expect(read.wrapper).toContain(
      "f0 = _tracecode_io.StringIO(a0) if isinstance(a0, str) else _tracecode_io.BytesIO(a0)",
    );
    expect(read.wrapper).toContain("return words(f0)");
    const write = inferSignature(byName["Writer.line"]).wrapper ?? "";
    expect(write).toContain("out = _tracecode_watch(Writer(f0)).line(a1)");
    expect(write).toContain("return (out, f0.getvalue())");
  });

  it("follows a parameter passed on to a same-file constructor or method that uses it as a file", () => {
    const { functions } = extractFile(`class Chunk:
    def __init__(self, file):
        self.file = file
        self.name = file.read(4)

class Reader:
    def __init__(self, f):
        self.initfp(f)

    def initfp(self, file):
        self.chunk = Chunk(file)

    def name(self):
        return self.chunk.name
`);
    const byName = Object.fromEntries(functions.map((f) => [f.name, f]));
    const reader = inferSignature(byName["Reader.name"]);
    expect(reader.wrapper).toContain("return _tracecode_watch(Reader(f0)).name()");
    expect(reader.candidates[0].params[0].why).toMatch(/^self\.initfp\(f\), Chunk\(file\)/);
    expect(inferSignature(byName["Reader.initfp"]).wrapper).toContain(".initfp(f1)");
    // `if p:` alone says nothing of what it is: the callee's uses do.
    const truth = extractFile(`def _read(defaults):
    return sorted(defaults.items())

def load(defaults):
    if defaults:
        return _read(defaults)
    return []
`).functions.find((f) => f.name === "load");
    expect(truth?.params[0].usage.types[0]).toBe("dict[str,int]");
  });

  it("follows a file passed to a base's constructor, and reads print(file=…) and flush as file uses", () => {
    const { functions } = extractFile(`class Proxy:
    def __init__(self, f, pos=None):
        self._file = f
        if pos is None:
            self._pos = f.tell()

class Partial(Proxy):
    def __init__(self, f, start):
        Proxy.__init__(self, f, start)

    def where(self):
        return self._pos

class Shared(Proxy):
    def __init__(self, handle):
        super().__init__(handle)

    def where(self):
        return self._pos

def report(items, out):
    for x in items:
        print(x, file=out)

def sync(f):
    f.flush()
`);
    const byName = Object.fromEntries(functions.map((f) => [f.name, f]));
    expect(inferSignature(byName["Partial.where"]).wrapper).toContain(
      "return _tracecode_watch(Partial(f0, a1)).where()",
    );
    expect(inferSignature(byName["Shared.where"]).wrapper).toContain(
      "return _tracecode_watch(Shared(f0)).where()",
    );
    const report = inferSignature(byName.report);
    expect(report.candidates[0].params[1].why).toMatch(/print\(file=out\)/);
    expect(report.wrapper).toContain("return (out, f1.getvalue())");
    expect(byName.sync.params[0].usage.file).toBe("write");
  });

  it("tries None for a parameter only compared with None, after its name's type or the first two guesses", () => {
    const { functions } = extractFile(`import os

def lexists(pathname, dir_fd):
    if dir_fd is None:
        return os.path.lexists(pathname)
    return os.lstat(pathname, dir_fd=dir_fd)

def label(x, prefix):
    if prefix is None:
        prefix = "-"
    return [prefix, x]
`);
    const byName = Object.fromEntries(functions.map((f) => [f.name, f]));
    const types = (name: string, i: number) =>
      [...new Set(inferSignature(byName[name]).candidates.map((c) => c.args[i]))].slice(0, 3);
    // Nothing but `is None` says what it is: the first two guesses, then None or the first.
    expect(types("lexists", 1)).toEqual(["int", "str", "optional[int]"]);
    expect(
      inferSignature(byName.lexists).candidates.find((c) => c.args[1] === "optional[int]")
        ?.params[1],
    ).toMatchObject({ from: "usage", why: "dir_fd is None" });
    // What its name says comes first.
    expect(types("label", 1)).toEqual(["str", "optional[str]", "int"]);
  });

  it("names the use a truth test was read from", () => {
    const { functions } = extractFile("def empty(xs):\n    return not xs\n");
    expect(inferSignature(functions[0]).candidates[0].params[0]).toMatchObject({
      from: "usage",
      why: "not xs",
    });
  });

  it("passes an instance of the file's class that has every attribute a parameter reads", () => {
    const { functions } = extractFile(`class Parser:
    def __init__(self, prefix="-", strict=True):
        self.prefix = prefix
        self.strict = strict

    def handler(self):
        return "error"

class Group:
    def __init__(self, container):
        self.prefix = container.prefix
        self.container = container

    def check(self, name):
        return name.startswith(self.prefix) and self.container.handler() == "error"
`);
    const byName = Object.fromEntries(functions.map((f) => [f.name, f]));
    const inf = inferSignature(byName["Group.check"]);
    expect(inf.wrapper).toContain("return _tracecode_watch(Group(Parser())).check(a0)");
    expect(inf.candidates[0].args).toEqual(["str"]);
    expect(inf.candidates[0].instance).toBe("Group(container): Parser() (has prefix, handler)");
    // One attribute beside uses that say what it is: only a class named like the parameter.
    const one = extractFile(`class Parser:
    def optionxform(self, s):
        return s.lower()

class Auto:
    def __init__(self):
        self.value = 1

def lookup(parser, value):
    return parser.get(value.value) or parser.optionxform(value.replace("a", "b"))
`).functions.find((f) => f.name === "lookup");
    expect(one?.params.map((p) => p.usage.instance)).toEqual(["Parser()", undefined]);
    // A class whose own __new__ may require arguments is not built bare.
    const made = extractFile(`class Cell:
    def __new__(cls, value):
        self = super().__new__(cls)
        self.value = value
        return self

def show(cell):
    return cell.value
`).functions.find((f) => f.name === "show");
    expect(made?.params[0].usage.instance).toBeUndefined();
    // Attributes set or read by name only: an object of the class named like it, built bare;
    // none when no class is so named (a drawn value stays).
    const named = extractFile(`class Namespace:
    def __init__(self, **kwargs):
        self.__dict__.update(kwargs)

def store(namespace, dest, values):
    setattr(namespace, dest, values)
    return getattr(namespace, dest)

def fetch(target, dest):
    return getattr(target, dest, None)

def mark(func):
    setattr(func, "__marked__", True)
    return func
`).functions;
    const store = named.find((f) => f.name === "store");
    expect(store?.params[0].usage.holder).toBe("set");
    expect(store?.params[0].usage.instance).toBe("Namespace()");
    expect(inferSignature(store as ExtractedFunction).wrapper).toContain(
      "return store(Namespace(), a0, a1)",
    );
    expect(named.find((f) => f.name === "fetch")?.params[0].usage.instance).toBeUndefined();
    // Attributes set on it, no class named like it: a class made for the call takes any.
    expect(named.find((f) => f.name === "mark")?.params[0].usage.instance).toBe(
      'type("_tracecode_Object", (), {})',
    );
    // Attributes read where it is passed on count as read here (`self._help_of(action)`).
    const passed = extractFile(`class Action:
    def __init__(self, help="", dest="x"):
        self.help = help
        self.dest = dest

class Formatter:
    def _help_of(self, action):
        return action.help

    def expand(self, action):
        return self._help_of(action) % vars(action)
`).functions.find((f) => f.name === "Formatter.expand");
    expect(passed?.params[0].usage.attrs).toEqual(["help"]);
    expect(inferSignature(passed as ExtractedFunction).wrapper).toContain(
      "return _tracecode_watch(Formatter()).expand(Action())",
    );
  });

  it("calls a method of an abstract class unbound on values of a builtin type registered as its virtual subclass", () => {
    const { functions } = extractFile(`from abc import ABCMeta, abstractmethod

class Number(metaclass=ABCMeta):
    def __bool__(self):
        return self != 0

    @property
    def real(self):
        return +self

class Whole(Number):
    @abstractmethod
    def __int__(self):
        raise NotImplementedError

Whole.register(int)
`);
    const byName = Object.fromEntries(functions.map((f) => [f.name, f]));
    expect(byName["Number.__bool__"].registered).toEqual(["int"]);
    const other = inferSignature(byName["Number.__bool__"]).candidates.filter((c) => c.instance);
    expect(other[0]).toMatchObject({
      args: ["int"],
      instance: "called unbound on int values (registered as a virtual subclass)",
    });
    expect(other[0].wrapper).toContain("return Number.__bool__(a0)");
    const real = inferSignature(byName["Number.real"]).candidates.find((c) => c.instance);
    expect(real?.wrapper).toContain("return Number.real.fget(a0)");
  });

  it("keeps a constructor's string defaults in another candidate: drawn text is rarely a word it accepts", () => {
    const { functions } = extractFile(`class Debugger:
    def __init__(self, skip=None, backend='settrace', depth=3):
        if backend not in ('settrace', 'monitoring'):
            raise ValueError(backend)
        self.skip = set(skip) if skip else None
        self.depth = depth

    def deeper(self, n):
        return self.depth + n
`);
    const inf = inferSignature(functions[0]);
    expect(inf.wrapper).toContain("return _tracecode_watch(Debugger(a0, a1, a2)).deeper(a3)");
    const kept = inf.candidates.find((c) => c.instance?.startsWith("constructor's string"));
    expect(kept?.instance).toBe(`constructor's string defaults kept: backend="settrace"`);
    // The parameters after it go by keyword.
    expect(kept?.wrapper).toContain("return _tracecode_watch(Debugger(a0, depth=a1)).deeper(a2)");
    expect(kept?.params.map((p) => p.name)).toEqual(["Debugger(skip)", "Debugger(depth)", "n"]);
  });

  it("draws a word the code accepts: compared with, tested against a collection, formatted into a defined name", () => {
    const { functions } = extractFile(`MODES = {"r": "rb", "w": "wb"}

class Container:
    def __init__(self, mode, handler, kind="plain"):
        if mode not in MODES:
            raise ValueError(mode)
        self.handler = handler
        if kind.startswith(("gz", "bz")):
            kind = kind[:2]
        self.kind = kind

    def resolve(self):
        return getattr(self, "_handle_%s" % self.handler)()

    def _handle_error(self):
        return self.kind

    def _handle_resolve(self):
        return 1

def compress(data, level):
    if level == "fast":
        return data[:1]
    elif level != "best":
        raise ValueError(level)
    return data
`);
    const byName = Object.fromEntries(functions.map((f) => [f.name, f]));
    const ctor = byName["Container.resolve"].ctor?.params ?? [];
    expect(ctor.map((p) => p.usage.words)).toEqual([
      ["r", "w"],
      ["error", "resolve"],
      ["plain", "gz", "bz"],
    ]);
    const inf = inferSignature(byName["Container.resolve"]);
    const worded = inf.candidates.find((c) => c.instance?.startsWith("words it takes"));
    // A defaulted parameter with words goes by keyword; one without keeps its default.
    expect(worded?.wrapper).toContain(
      'return _tracecode_watch(Container(("r", "w")[a0 % 2], ("error", "resolve")[a1 % 2], kind=("plain", "gz", "bz")[a2 % 3])).resolve()',
    );
    expect(worded?.args).toEqual(["small_nonneg_int", "small_nonneg_int", "small_nonneg_int"]);
    // A plain function gets a wrapper for its words; the drawn text stays the first candidate.
    const fn = inferSignature(byName.compress);
    expect(fn.candidates[0].args[1]).toBe("str");
    const word = fn.candidates.find((c) => c.wrapper);
    expect(word?.wrapper).toContain('return compress(a0, ("fast", "best")[a1 % 2])');
  });

  it("gives a parameter passed as an encoding or a hash name the standard library's names as its words, passed on too", () => {
    const { functions } = extractFile(`import hashlib
from _codecs import *

def getencoder(encoding):
    return lookup(encoding).encode

def convert(data, enc):
    return data.encode(enc)

def text(data, charset):
    return str(data, charset)

class Mac:
    def __init__(self, key, digestmod=''):
        if not digestmod:
            raise TypeError("digestmod")
        self._init(key, digestmod)

    def _init(self, key, digestmod):
        self.inner = hashlib.new(name=digestmod) if key else _new(key, digestmod=digestmod)

    def size(self):
        return self.inner.digest_size

def _new(key, digestmod):
    return hashlib.new(digestmod, key)

def new(key, digestmod=''):
    return Mac(key, digestmod)

def codec(self, payload):
    return self.encode(payload)
`);
    const byName = Object.fromEntries(functions.map((f) => [f.name, f]));
    const words = (f: string, i: number) => byName[f].params[i].usage;
    // \`lookup\` star-imported from \`_codecs\`; \`data.encode(enc)\`: str's encoding.
    expect(words("getencoder", 0)).toMatchObject({
      domain: "encoding",
      uses: ["lookup(encoding)"],
    });
    expect(words("getencoder", 0).words).toContain("utf-8");
    expect(words("convert", 1).words).toContain("latin-1");
    expect(words("convert", 0).domain).toBeUndefined();
    expect(words("text", 1).domain).toBe("encoding");
    expect(words("text", 0).domain).toBeUndefined();
    // A codec's own method takes data, not a name.
    expect(words("codec", 1).domain).toBeUndefined();
    // Passed on, by position or keyword, through a method and a constructor; the default first.
    expect(words("new", 1)).toMatchObject({ domain: "hash" });
    expect(words("new", 1).words?.slice(0, 2)).toEqual(["", "sha256"]);
    const ctor = byName["Mac.size"].ctor?.params ?? [];
    expect(ctor[1].usage.words).toContain("md5");
    const worded = inferSignature(byName.new).candidates.find((c) =>
      c.instance?.startsWith("words it takes"),
    );
    expect(worded?.wrapper).toContain('digestmod=("", "sha256", "md5"');
  });

  it("puts the text the code checks a value (or each item, a constructor's *args too) begins with in front of drawn text, in a candidate of its own", () => {
    const { functions } = extractFile(`class Opt:
    def __init__(self, *opts):
        self.names = []
        self._set(opts)

    def _set(self, opts):
        for opt in opts:
            if opt[0:2] != "--":
                raise ValueError(opt)
            self.names.append(opt)

    def first(self):
        return self.names[0]

def longest(opt):
    return max(opt.names, key=len)

def parse(resp):
    if resp[:3] != "150":
        raise ValueError(resp)
    return resp[3:]

def name(s):
    if s[0] == ".":
        return s[1:]
    return s
`);
    const byName = Object.fromEntries(functions.map((f) => [f.name, f]));
    expect(byName["Opt.first"].ctor?.params[0].usage.elementPrefix).toBe("--");
    const opt = inferSignature(byName["Opt.first"]);
    const front = opt.candidates.find((c) => c.instance?.startsWith("text it begins with"));
    expect(front?.wrapper).toContain(
      'return _tracecode_watch(Opt(*["--" + x for x in a0])).first()',
    );
    expect(front?.args).toEqual(["list[str]"]);
    // An argument of that class is built so too, not bare.
    expect(inferSignature(byName.longest).wrapper).toContain(
      'return longest(Opt(*["--" + x for x in a0]))',
    );
    const fn = inferSignature(byName.parse);
    expect(fn.candidates[0].wrapper).toBeUndefined();
    expect(fn.candidates.find((c) => c.wrapper)?.wrapper).toContain('return parse("150" + a0)');
    // Only the length the slice or index says: `s[0] == "."` is a one-character prefix.
    expect(byName.name.params[0].usage.prefix).toBe(".");
    expect(
      extractFile(`def f(s):\n    return s[0:3] == "ab"\n`).functions[0].params[0].usage.prefix,
    ).toBeUndefined();
  });

  it("passes a member of the file's enumeration a parameter is passed to", () => {
    const { functions } = extractFile(`import enum

class Kind(enum.IntEnum):
    SHORT = 0
    LONG = 1

class Slot:
    def __init__(self, name, kind):
        self.kind = Kind(kind)
        self.name = name

    def label(self):
        return self.name + ":" + self.kind.name

def width(kind, n):
    return Kind(kind) * n

def plain(Kind, x):
    return Kind(x)
`);
    const byName = Object.fromEntries(functions.map((f) => [f.name, f]));
    expect(byName["Slot.label"].ctor?.params.map((p) => p.usage.enumOf)).toEqual([
      undefined,
      "Kind",
    ]);
    const inf = inferSignature(byName["Slot.label"]);
    // Drawn ints first, as before; then a member picked by a drawn index.
    expect(inf.candidates[0].wrapper).toBeUndefined();
    const member = inf.candidates.find((c) => c.instance?.includes("the members of Kind"));
    expect(member?.wrapper).toContain(
      "return _tracecode_watch(Slot(a0, list(Kind)[a1 % len(Kind)])).label()",
    );
    expect(member?.args).toEqual(["str", "small_nonneg_int"]);
    const fn = inferSignature(byName.width);
    expect(fn.candidates.find((c) => c.wrapper)?.wrapper).toContain(
      "return width(list(Kind)[a0 % len(Kind)], a1)",
    );
    // A parameter named like the class is no call of it.
    expect(byName.plain.params.map((p) => p.usage.enumOf)).toEqual([undefined, undefined]);
  });

  it("types a path as text: passed to os.path, os or open, passed on to one, or named like one", () => {
    const { functions } = extractFile(`import os

def load(root, name):
    full = os.path.join(root, name)
    return full[len(root):]

def read_all(fname, size):
    with open(fname) as f:
        return f.read(size)

def walk(top):
    if top[:1] == ".":
        return []
    return _walk(top)

def _walk(d):
    return os.listdir(d)

def make(dirname):
    return dirname
`);
    const byName = Object.fromEntries(functions.map((f) => [f.name, f]));
    const first = (name: string) => inferSignature(byName[name]).candidates[0].params;
    expect(first("load").map((p) => [p.type, p.from])).toEqual([
      ["str", "usage"],
      ["str", "usage"],
    ]);
    expect(first("read_all")[0]).toMatchObject({
      type: "str",
      why: expect.stringContaining("open(fname)"),
    });
    // \`top[:1]\` alone says a sequence; \`_walk\` passes it to os.listdir.
    expect(first("walk")[0]).toMatchObject({
      type: "str",
      why: expect.stringContaining("_walk(top)"),
    });
    expect(first("make")[0]).toMatchObject({ type: "str", from: "name" });
  });

  it("makes a file or folder for a path whose uses expect one there, as another candidate", () => {
    const { functions } = extractFile(`import os

def size(filename):
    return os.stat(filename).st_size

def names(top, pattern):
    return [n for n in os.listdir(top) if os.path.join(top, n).endswith(pattern)]

def make(d):
    os.mkdir(d)

def base(p):
    return os.path.basename(p)

def _read(fn):
    with open(fn) as f:
        return f.read()

def read_via(name):
    return _read(name)
`);
    const byName = Object.fromEntries(functions.map((f) => [f.name, f]));
    const place = (name: string) => byName[name].params.map((p) => p.usage.place);
    expect(place("size")).toEqual(["file"]);
    expect(place("names")).toEqual(["folder", undefined]);
    // Made by the code, or only its text read: nothing made for it.
    expect(place("make")).toEqual([undefined]);
    expect(place("base")).toEqual([undefined]);
    expect(place("read_via")).toEqual(["file"]);
    expect(inferSignature(byName.make).candidates.some((c) => c.instance)).toBe(false);

    const size = inferSignature(byName.size);
    // The drawn name stays first; the made file is another candidate, of text or bytes.
    expect(size.candidates[0]).toMatchObject({ args: ["str"] });
    expect(size.candidates[0].instance).toBeUndefined();
    const made = size.candidates.filter(
      (c) => c.instance === "made for the call: filename (a file)",
    );
    expect(made.map((c) => c.args)).toEqual([["str"], ["bytes"]]);
    expect(made[0].params[0].why).toMatch(/os\.stat\(filename\): a file of this content/);
    expect(made[0].wrapper).toContain('p0 = "filename"');
    expect(made[0].wrapper).toContain("_tracecode_f.write(a0)");
    expect(made[0].wrapper).toContain("out = size(p0)");
    expect(made[0].wrapper).toContain("return (out, _tracecode_left(p0))");

    const folder = inferSignature(byName.names).candidates.find((c) => c.instance);
    expect(folder?.instance).toBe("made for the call: top (a folder)");
    expect(folder?.args).toEqual(["list[str]", "str"]);
    expect(folder?.wrapper).toContain("_tracecode_os.mkdir(p0)");
    expect(folder?.wrapper).toContain("out = names(p0, a1)");
  });

  it("runs a concrete method of an abstract class on a subclass made for the call, its abstract methods raising", () => {
    const { functions } = extractFile(`from abc import ABCMeta, abstractmethod

class Selector(metaclass=ABCMeta):
    @abstractmethod
    def select(self, timeout=None):
        raise NotImplementedError

    @property
    @abstractmethod
    def size(self):
        raise NotImplementedError

    def close(self, n):
        return n + 1

class _Impl(Selector):
    def select(self, timeout=None):
        return []
`);
    const byName = Object.fromEntries(functions.map((f) => [f.name, f]));
    const close = inferSignature(byName["Selector.close"]);
    const made = close.candidates.find((c) => c.instance?.startsWith("a subclass made"));
    expect(made?.instance).toBe(
      "a subclass made for the call: select, size raise NotImplementedError",
    );
    expect(made?.wrapper).toBe(`if Selector is not None:
    class _tracecode_Concrete(Selector):
        def select(self, *args, **kwargs):
            raise NotImplementedError
        @property
        def size(self, *args, **kwargs):
            raise NotImplementedError
    def _tracecode_entry(a0):
        return _tracecode_watch(_tracecode_Concrete()).close(a0)`);
    // An abstract method itself is not filled in (it stays abstract); a subclass fills only
    // what it leaves abstract.
    expect(byName["Selector.select"].abstracts).toBeUndefined();
    expect(byName["_Impl.select"].abstracts).toEqual([{ name: "size", property: true }]);
  });

  it("runs an enumeration's methods on a member of a subclass made for the call, a metaclass's on the class", () => {
    const { functions } = extractFile(`from enum import Enum

class Meta(type):
    def __len__(cls):
        return len(cls._members)

class Base(metaclass=Meta):
    def label(self):
        return self.name.lower()

class Named(str, Base):
    def upper(self):
        return self.value.upper()

class Color(Enum):
    def describe(self, n):
        return self.name * n

class Shade(Color):
    DARK = 1
    def darker(self):
        return self.value
`);
    const byName = Object.fromEntries(functions.map((f) => [f.name, f]));
    const made = (name: string) =>
      inferSignature(byName[name]).candidates.find((c) =>
        c.instance?.includes("made for the call"),
      );
    // A class made with a same-file metaclass derived from type: ints, or text when str is a base.
    expect(made("Base.label")?.instance).toBe(
      "a member of the class made for the call: class _tracecode_Members(Base): A = 1; B = 2",
    );
    expect(made("Named.upper")?.instance).toContain('(Named): A = "a"; B = "b"');
    // An Enum of another module (user code's own enumerations).
    expect(made("Color.describe")?.wrapper).toBe(`if Color is not None:
    try:
        class _tracecode_Members(Color):
            A = 1
            B = 2
    except Exception as e:
        _tracecode_Members = e
    def _tracecode_entry(a0):
        if isinstance(_tracecode_Members, Exception):
            raise _tracecode_Members
        return _tracecode_watch(_tracecode_Members.A).describe(a0)`);
    // The metaclass's method: unbound on the class made with it.
    expect(made("Meta.__len__")?.wrapper).toContain("return Meta.__len__(_tracecode_Members)");
    expect(made("Meta.__len__")?.instance).toContain("unbound: class _tracecode_Members(Base)");
    // A class with members cannot be extended: it is called as it is.
    expect(byName["Shade.darker"].members).toBeUndefined();
  });

  it("builds an argument's class from drawn constructor arguments when its constructor requires some", () => {
    const { functions } = extractFile(`class Action:
    def __init__(self, option_strings, dest, help=None):
        self.option_strings = option_strings
        self.dest = dest
        self.help = help

class Formatter:
    def __init__(self, prog):
        self.prog = prog

    def invocation(self, action):
        return ", ".join(action.option_strings) or action.dest.upper()

class Method:
    def __init__(self, func):
        self.func = func

def unwrap(func):
    return func.func
`);
    const byName = Object.fromEntries(functions.map((f) => [f.name, f]));
    const inf = inferSignature(byName["Formatter.invocation"]);
    expect(inf.wrapper).toContain(
      "return _tracecode_watch(Formatter(a0)).invocation(Action(a1, a2))",
    );
    expect(inf.candidates[0].params.map((p) => p.name)).toEqual([
      "Formatter(prog)",
      "Action(option_strings)",
      "Action(dest)",
    ]);
    // Typed by the uses of the attributes of their names here: `", ".join(action.option_strings)`.
    expect(inf.candidates[0].args.slice(1)).toEqual(["list[str]", "str"]);
    expect(inf.candidates[0].instance).toBe(
      "action: Action(…) of drawn arguments (has option_strings, dest)",
    );
    // It replaces the drawn candidates: one attribute is not enough without the class's name.
    expect(byName.unwrap.params[0].usage.instanceOf).toBeUndefined();
  });

  it("passes a class (a builtin type, callable[0]) for a parameter whose class attributes are read", () => {
    const { functions } = extractFile(`def mro_names(C):
    return [k.__name__ for k in C.__mro__]
`);
    expect(inferSignature(functions[0]).candidates[0].params[0]).toMatchObject({
      type: "callable[0]",
      from: "usage",
      why: "C.__mro__",
    });
  });

  it("passes a class for a constructor parameter whose __module__ is read (typing's _GenericAlias origin)", () => {
    const { functions } = extractFile(`class Alias:
    def __init__(self, origin, name=None):
        self.__origin__ = origin
        if not name:
            self.__module__ = origin.__module__

    def __repr__(self):
        return repr(self.__origin__)
`);
    const first = inferSignature(functions[0]).candidates[0].params[0];
    expect(first).toMatchObject({ name: "Alias(origin)", type: "callable[0]", from: "usage" });
  });

  it("reads class attributes under isclass(x) as no class, nor a nested function's own parameter as the outer one", () => {
    const { functions } = extractFile(`def isclass(o):
    return isinstance(o, type)

def getmro(cls):
    return cls.__mro__

def members(object, getter):
    names = dir(object)
    if isclass(object):
        mro = (object,) + getmro(object)
        names += [b.__name__ for b in object.__bases__]
    return [getter(object, n) for n in names]

def decorate(cls=None, *, flag=True):
    def wrap(cls):
        return getmro(cls)
    if cls is None:
        return wrap
    return wrap(cls)
`);
    const byName = Object.fromEntries(functions.map((f) => [f.name, f]));
    // The class is one case the code tests for, not what it takes (a string works too).
    expect(byName.members.params[0].usage.types).toEqual([]);
    expect(byName.getmro.params[0].usage.types).toEqual(["callable[0]"]);
    // \`wrap\`'s own \`cls\` is not \`decorate\`'s: it says nothing, so its None default is kept.
    expect(byName.decorate.params[0].usage.types).toEqual([]);
    expect(inferSignature(byName.decorate).candidates[0].args).toEqual([]);
  });

  it("marks a method whose body only raises NotImplementedError as abstract", () => {
    const { functions } = extractFile(`class Codec:
    def encode(self, text):
        """Encodes text."""
        raise NotImplementedError("subclasses must implement")

    def decode(self, data):
        if not data:
            raise NotImplementedError
        return data
`);
    expect(functions.map((f) => [f.name, f.abstract ?? false])).toEqual([
      ["Codec.encode", true],
      ["Codec.decode", false],
    ]);
  });

  it("sets an instance up first with the method that assigns what another reads", () => {
    const { functions } = extractFile(`class Reader:
    def __init__(self, file):
        self.file = file
        self.reset()

    def reset(self):
        self.pos = 0

    def take(self):
        out = list(self.stack)
        self.stack = []
        return out

    def load(self):
        self.stack = []
        self.read = self.file.read
        return self.read(1)

    def open(self, name, mode):
        self.stack = None

    def load_none(self):
        self.stack.append(None)
        return self.pos

    def peek(self):
        return self.pos

class Fast(Reader):
    def top(self):
        return self.stack[-1]
`);
    const byName = Object.fromEntries(functions.map((f) => [f.name, f]));
    // load assigns stack (and read); open too, but it needs two arguments: load wins; take
    // reads the stack before it resets it, so it would raise first.
    expect(byName["Reader.load_none"].setup).toMatchObject({ method: "load", assigns: ["stack"] });
    // pos is set by the constructor (through reset): nothing to set up; a subclass's method
    // is set up by its base's.
    expect(byName["Reader.peek"].setup).toBeUndefined();
    expect(byName["Fast.top"].setup?.method).toBe("load");
    const inf = inferSignature(byName["Reader.load_none"]);
    expect(inf.certain).toBe(false);
    const set = inf.candidates.find((c) => c.instance?.startsWith("set up by"));
    expect(set?.instance).toBe("set up by .load() first (it sets stack)");
    expect(set?.wrapper).toContain(
      [
        "        _tracecode_self = Reader(f0)",
        "        try:",
        "            _tracecode_self.load()",
        "        except Exception:",
        "            pass",
        "        return _tracecode_watch(_tracecode_self).load_none()",
      ].join("\n"),
    );
    // A set-up method's required parameters are drawn too, after the constructor's.
    const { functions: two } = extractFile(`class Wave:
    def setparams(self, rate, width):
        self.rate = rate

    def getrate(self):
        return self.rate
`);
    const rate = inferSignature(two.find((f) => f.name === "Wave.getrate") as ExtractedFunction);
    const drawn = rate.candidates.find((c) => c.instance?.startsWith("set up by"));
    expect(drawn?.params.map((p) => p.name)).toEqual([
      "Wave.setparams(rate)",
      "Wave.setparams(width)",
    ]);
    expect(drawn?.wrapper).toContain("_tracecode_self.setparams(a0, a1)");
    // A context manager's __exit__ runs after its __enter__, as a with statement does.
    const { functions: cm } = extractFile(`class Pushd:
    def __init__(self, path):
        self.path = path
        self._old = []

    def __enter__(self):
        self._old.append(self.path)

    def __exit__(self, *exc):
        return self._old.pop()
`);
    const exit = cm.find((f) => f.name === "Pushd.__exit__") as ExtractedFunction;
    expect(exit.setup).toMatchObject({ method: "__enter__", assigns: [] });
    const entered = inferSignature(exit).candidates.find((c) => c.instance?.startsWith("set up"));
    expect(entered?.instance).toBe(
      "set up by .__enter__() first (entered, as a with statement does)",
    );
    expect(entered?.wrapper).toContain("_tracecode_self.__enter__()");
    // A function reading module state that another module function sets through `global`
    // (fileinput's _state, set by input()) is set up by it; one that sets it itself is not.
    const { functions: mod } = extractFile(`_state = None

def start(files=None, *, limit=3):
    global _state
    _state = [files, limit]
    return _state

def reset(n):
    global _state
    _state = None

def current():
    if not _state:
        raise RuntimeError("no active start()")
    return _state[1]
`);
    const byMod = Object.fromEntries(mod.map((f) => [f.name, f]));
    expect(byMod.current.setup).toMatchObject({ method: "start", assigns: ["_state"] });
    expect(byMod.start.setup).toBeUndefined();
    const cur = inferSignature(byMod.current);
    const first = cur.candidates.find((c) => c.instance?.startsWith("set up by"));
    expect(first?.instance).toBe("set up by start() first (it sets _state)");
    expect(first?.wrapper).toContain(
      [
        "    def _tracecode_entry():",
        "        try:",
        "            start()",
        "        except Exception:",
        "            pass",
        "        return current()",
      ].join("\n"),
    );
  });

  it("puts a key into the instance first for a method that looks its argument up there", () => {
    const { functions } = extractFile(`class Box:
    def __init__(self):
        self._toc = {}
        self._names = {}

    def _count(self, n):
        return n + len(self._toc)

    def add(self, message):
        self._toc[len(self._toc)] = message
        return len(self._toc) - 1

    def __setitem__(self, key, message):
        self._toc[key] = message

    def rename(self, key, text):
        old = self._names[key]
        self._names[key] = text + old

    def name(self, key, text):
        self._names[key] = text

    def _lookup(self, key):
        return self._toc[key]

    def get(self, key):
        return self._lookup(key).upper()

    def title(self, key):
        return self._names[key].title()

    def size(self):
        return len(self._toc)
`);
    const byName = Object.fromEntries(functions.map((f) => [f.name, f]));
    // Through self._lookup(key): the result of add (name stores its key under another mapping;
    // the private _count returns a value too, but a public method comes first; __setitem__ only
    // when nothing else puts a key there).
    expect(byName["Box.get"].keyed).toMatchObject({ method: "add", param: "key", shared: false });
    // name stores its same-named parameter under the mapping title reads: the same drawn value
    // (rename looks the key up before it stores it: it needs one there already).
    expect(byName["Box.title"].keyed).toMatchObject({ method: "name", param: "key", shared: true });
    expect(byName["Box.size"].keyed).toBeUndefined();
    // A mapping's __setitem__ puts the key its __getitem__ reads (get takes a key: no result).
    const { functions: shelf } = extractFile(`class Shelf:
    def __init__(self):
        self.cache = {}

    def get(self, key, default=None):
        return self[key] if key in self.cache else default

    def __setitem__(self, key, value):
        self.cache[key] = value

    def __getitem__(self, key):
        return self.cache[key]
`);
    expect(shelf.find((f) => f.name === "Shelf.__getitem__")?.keyed).toMatchObject({
      method: "__setitem__",
      shared: true,
    });
    const get = inferSignature(byName["Box.get"]).candidates.find((c) =>
      c.instance?.includes("returned"),
    );
    expect(get?.instance).toBe("key the key .add() returned");
    expect(get?.params.map((p) => p.name)).toEqual(["Box.add(message)"]);
    expect(get?.wrapper).toContain(
      [
        "        _tracecode_self = Box()",
        "        _tracecode_key = None",
        "        try:",
        "            _tracecode_key = _tracecode_self.add(a0)",
        "        except Exception:",
        "            pass",
        "        return _tracecode_watch(_tracecode_self).get(_tracecode_key)",
      ].join("\n"),
    );
    const title = inferSignature(byName["Box.title"]).candidates.find((c) =>
      c.instance?.includes("put in first"),
    );
    expect(title?.params.map((p) => p.name)).toEqual(["Box.name(key)", "Box.name(text)"]);
    expect(title?.wrapper).toContain("_tracecode_self.name(a0, a1)");
    expect(title?.wrapper).toContain("return _tracecode_watch(_tracecode_self).title(a0)");
    // On a subclass that defines what the class lacks, too.
    const { functions: sub } = extractFile(`class Store:
    def add(self, item):
        self._toc[self._next] = item
        self._next += 1
        return self._next - 1

    def get(self, key):
        return self._toc[key]

class DictStore(Store):
    def __init__(self):
        self._toc = {}
        self._next = 0
`);
    const onSub = inferSignature(
      sub.find((f) => f.name === "Store.get") as ExtractedFunction,
    ).candidates.find(
      (c) => c.instance?.startsWith("subclass DictStore") && c.instance.includes("returned"),
    );
    expect(onSub?.wrapper).toContain("_tracecode_self = DictStore()");
    expect(onSub?.wrapper).toContain("_tracecode_key = _tracecode_self.add(a0)");
  });
});
