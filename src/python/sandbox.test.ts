/**
 * Red team: hostile snippets must be contained (not ok, or ok but every output is a raised
 * exception or a harmless value), must not touch the host, and the pool must keep serving.
 */
import { existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asFunction } from "../../test/helpers/snippets.js";
import type { TraceStatus } from "../data/index.js";
import { type InputSet, type SnippetResult, TracerPool } from "./index.js";

const SECRET_NAME = "TRACECODE_REDTEAM_SECRET";
const SECRET = "s3cr3t-value-that-must-not-leak";
const target = join(tmpdir(), `tracecode-redteam-${process.pid}.txt`);

let pool: TracerPool;
beforeAll(() => {
  process.env[SECRET_NAME] = SECRET;
  pool = new TracerPool({ workers: 2, graceMs: 500, memoryMb: 256 });
});
afterAll(async () => {
  await pool.close();
  delete process.env[SECRET_NAME];
  rmSync(target, { force: true });
});

const inputs: InputSet = { key: "redteam", types: ["int"], values: [[1], [2], [3]] };

type Expect =
  | "blocked" // not ok, or every call raised
  | TraceStatus
  | ((r: SnippetResult) => void);

const fn = (body: string) => asFunction(body);
const META = "class Meta(type):\n    def __instancecheck__(cls, obj):\n        return True\n";

const hostile: [string, string, Expect][] = [
  ["import js", fn("import js\nreturn js"), "blocked"],
  ["import pyodide_js", fn("import pyodide_js\nreturn pyodide_js.FS"), "blocked"],
  ["pyodide.ffi", fn("from pyodide.ffi import to_js\nreturn 1"), "blocked"],
  [
    "pyodide.code.run_js",
    fn("from pyodide.code import run_js\nreturn run_js('process')"),
    "blocked",
  ],
  ["_pyodide_core", fn("import _pyodide_core\nreturn 1"), "blocked"],
  ["sys.modules", fn("import sys\nreturn sys.modules['js']"), "blocked"],
  // The builtin __import__ is the sandbox's import: views, refused modules refused.
  ["__import__ of a refused module", fn("return __import__('subprocess')"), "blocked"],
  ["__import__ of os for a process", fn("return __import__('os').system('true')"), "blocked"],
  ["importlib", fn("import importlib\nreturn importlib.import_module('os')"), "blocked"],
  ["ctypes", fn("import ctypes\nreturn ctypes.CDLL(None)"), "blocked"],
  ["os.system", fn(`import os\nos.system('touch ${target}')\nreturn 1`), "blocked"],
  ["open for writing", fn(`open('${target}', 'w').write('x')\nreturn 1`), "blocked"],
  ["subprocess", fn("import subprocess\nreturn subprocess.run(['id'])"), "blocked"],
  ["socket", fn("import socket\nreturn socket.socket()"), "blocked"],
  ["__builtins__", fn("return __builtins__['open']"), "limit"],
  ["gc.get_objects", fn("import gc\nreturn len(gc.get_objects())"), "blocked"],
  [
    "generator frame walk",
    "def g():\n    yield 1\ndef f(x):\n    gen = g()\n    return gen.gi_frame.f_back.f_globals\n",
    "blocked",
  ],
  ["function globals", fn("return (lambda: 0).__globals__"), "limit"],
  // The call wrappers' hook on an instance is the tracer's function, in every module namespace.
  [
    "the tracer's watch hook: its globals and builtins by computed name",
    fn(
      "g = getattr(_tracecode_watch, '__glo' + 'bals__', None)\nb = getattr(_tracecode_watch, '__buil' + 'tins__', None)\nreturn (g, b)",
    ),
    "blocked",
  ],
  [
    "the tracer's watch hook: what it gives back is what it was given",
    fn("return _tracecode_watch(x) + 1"),
    (r) => {
      expect(r.status).toBe("ok");
      expect(r.runs.map((run) => run[2])).toEqual(["2", "3", "4"]);
    },
  ],
  ["subclass walk", fn("return ().__class__.__base__.__subclasses__()"), "limit"],
  [
    "subclass walk from a readable __mro__",
    fn("return getattr(type(x).__mro__[-1], '__subcla' + 'sses__')()"),
    "blocked",
  ],
  [
    "a refused name in a builtin base's __dict__ from a readable __mro__",
    fn("import fractions\nreturn fractions.Fraction.__mro__[-1].__dict__['__reduce_ex__']"),
    "blocked",
  ],
  ["getattr by string", fn("return getattr(f, '__glo' + 'bals__')"), "blocked"],
  ["module private", fn("import collections\nreturn collections._sys"), "blocked"],
  [
    "operator.attrgetter",
    fn("import operator\nreturn operator.attrgetter('__globals__')(f)"),
    "blocked",
  ],
  [
    "string.Formatter",
    fn("import string\nreturn string.Formatter().get_field('0.__globals__', [f], {})"),
    "blocked",
  ],
  [
    "match class pattern",
    fn("match f:\n    case object(__globals__=g):\n        return g\nreturn 0"),
    "limit",
  ],
  ["eval/exec/compile", fn("return eval('__import__(\"os\")')"), "blocked"],
  [
    "traceback frames",
    fn("try:\n    1 / 0\nexcept Exception as e:\n    return e.__traceback__.tb_frame"),
    "blocked",
  ],
  ["environment", fn(`import os\nreturn os.environ['${SECRET_NAME}']`), "blocked"],
  ["fork", fn("import os\nreturn os.fork()"), "blocked"],
  ["threads", fn("import threading\nthreading.Thread(target=f).start()\nreturn 1"), "blocked"],
  ["sys.setrecursionlimit", fn("import sys\nsys.setrecursionlimit(10**6)\nreturn 1"), "blocked"],
  ["CPU bomb 10**10**8", fn("return 10**10**8"), "timeout"],
  ["infinite loop", fn("while True:\n    pass"), "timeout"],
  [
    "loop that swallows the timeout",
    fn(
      "while True:\n    try:\n        while True:\n            pass\n    except BaseException:\n        pass",
    ),
    "timeout",
  ],
  ["memory bomb", fn("return [0] * 10**9"), "limit"],
  ["growing memory bomb", fn("a = []\nwhile True:\n    a.append('x' * 10**6)"), "limit"],
  [
    "huge output",
    fn("return 'x' * 10**7"),
    (r) => {
      expect(r.status).toBe("ok");
      expect(r.runs[0][2].length).toBeLessThan(1100);
    },
  ],
  [
    "nested repr within the interpreter's stack",
    fn("a = []\nfor _ in range(500):\n    a = [a]\nreturn a"),
    (r) => {
      expect(r.status).toBe("ok");
      expect(r.runs[0][2]).toBe("[[[[...]]]]");
    },
  ],
  [
    "nesting that overflows the interpreter's stack",
    fn("a = []\nfor _ in range(10**5):\n    a = [a]\nreturn a"),
    (r) => {
      expect(r.status).toBe("limit");
      expect(r.error).toMatch(/stack overflowed/);
    },
  ],
  [
    "deep recursion",
    fn("return f(x + 1)"),
    (r) => {
      expect(r.status).toBe("ok");
      expect(r.runs.map((run) => run[2])).toEqual(Array(3).fill("raise:RecursionError"));
    },
  ],
  [
    "exception in __del__",
    "class A:\n    def __del__(self):\n        raise ValueError('boom')\ndef f(x):\n    A()\n    return x\n",
    (r) => {
      expect(r.status).toBe("ok");
      expect(r.runs.map((run) => run[2])).toEqual(["1", "2", "3"]);
    },
  ],
  [
    "hostile __repr__ is never called",
    "class A:\n    def __repr__(self):\n        while True:\n            pass\ndef f(x):\n    return A()\n",
    (r) => {
      expect(r.status).toBe("ok");
      expect(r.runs[0][2]).toBe("<obj:object>");
    },
  ],
  [
    "print flood",
    fn("for _ in range(50):\n    print('x' * 10**5)\nreturn 1"),
    (r) => expect(r.status).toBe("ok"),
  ],
  ["exit at definition", "raise SystemExit(3)\ndef f(x):\n    return x\n", "runtime_error"],
  [
    "class-pattern escape through a metaclass",
    `${META}def f(x):\n    M = Meta('M', (), {'__match_args__': ('__globals__',)})\n    match getattr:\n        case M(v):\n            return len(v)\n    return 0\n`,
    "limit",
  ],
  [
    "class-pattern escape with the check rebound",
    `_tc_match_class = lambda c: c\n${META}def f(x):\n    M = Meta('M', (), {'__match_args__': ('__globals__',)})\n    match getattr:\n        case M(v):\n            return len(v)\n    return 0\n`,
    "limit",
  ],
  [
    "class-pattern escape through an enum's __match_args__",
    "import enum\nclass E(enum.Enum):\n    __match_args__ = ('__globals__',)\n    A = 1\ndef f(x):\n    match getattr:\n        case E(v):\n            return 1\n    return 0\n",
    "limit",
  ],
  [
    "class-pattern escape through types.new_class",
    `import types\n${META}def f(x):\n    C = types.new_class('C', (), {'metaclass': Meta}, lambda ns: ns.update({'__match_args__': ('__globals__',)}))\n    match getattr:\n        case C(v):\n            return 1\n    return 0\n`,
    "limit",
  ],
  [
    "traceback frame through sys.exc_info",
    fn(
      "import sys\ntry:\n    1 / 0\nexcept Exception:\n    return getattr(sys.exc_info()[2], 'tb_' + 'frame')",
    ),
    "blocked",
  ],
  // Protocol names a class may now define, and harmless names it may now read: each tried.
  [
    "a builtin method's reduction (the unguarded getattr) stays unreadable",
    fn("return [].append.__reduce_ex__(2)[0]"),
    "blocked",
  ],
  [
    "__reduce__ defined to call getattr through copy.copy",
    "import copy\nclass A:\n    def r(self):\n        return (getattr, (f, '__glo' + 'bals__'))\n    __reduce__ = r\ndef f(x):\n    return len(copy.copy(A()))\n",
    "blocked",
  ],
  [
    "__getattr__ defined to answer any name",
    "class A:\n    __getattr__ = lambda self, name: name\ndef f(x):\n    return getattr(A(), '__glo' + 'bals__')\n",
    "blocked",
  ],
  [
    "__instancecheck__ assigned in a metaclass for a class pattern",
    "class Meta(type):\n    __instancecheck__ = lambda cls, obj: True\ndef f(x):\n    M = Meta('M', (), {'__match_args__': ('__globals__',)})\n    match getattr:\n        case M(v):\n            return len(v)\n    return 0\n",
    "limit",
  ],
  [
    "__init_subclass__ and __set_name__ defined: run at class creation, under the budget",
    "class D:\n    def s(self, owner, name):\n        while True:\n            pass\n    __set_name__ = s\nclass B:\n    __init_subclass__ = classmethod(lambda cls: None)\ndef f(x):\n    class C(B):\n        d = D()\n    return 1\n",
    "timeout",
  ],
  [
    "a __class__ property is never called by the encoder",
    "class A:\n    @property\n    def __class__(self):\n        while True:\n            pass\ndef f(x):\n    return [A(), x]\n",
    (r) => {
      expect(r.status).toBe("ok");
      expect(r.runs[0][2]).toBe("[<obj:object>,1]");
    },
  ],
  [
    "a raised exception's __class__ property is never called by the tracer's callbacks",
    "calls = []\nclass E(Exception):\n    @property\n    def __class__(self):\n        calls.append(1)\n        return E\ndef f(x):\n    calls.clear()\n    try:\n        raise E()\n    except E:\n        pass\n    return len(calls)\n",
    (r) => {
      expect(r.status).toBe("ok");
      expect(r.runs.map((run) => run[2])).toEqual(["0", "0", "0"]);
    },
  ],
  [
    "__module__ = 'builtins' does not pass a class off as a builtin",
    "class ValueError2(Exception):\n    __module__ = 'builtins'\nclass Str(str):\n    __module__ = 'builtins'\ndef f(x):\n    if x == 1:\n        raise ValueError2()\n    return Str('a')\n",
    (r) => {
      expect(r.status).toBe("ok");
      // The exception is named by its nearest real builtin; the str subclass is its str value,
      // read through str's own C function, whatever the class claims.
      expect(r.runs.map((run) => run[2])).toEqual(["raise:Exception", "'a'", "'a'"]);
    },
  ],
  [
    "object.__setattr__ cannot write what getattr may not read",
    fn("object.__setattr__(f, '__globals__', {})\nreturn 1"),
    "blocked",
  ],
  [
    "type.__delattr__ on a module view's class shows only the served names",
    fn(
      "import math\ntype.__delattr__(type(math), '__getattribute__')\nreturn sorted(k for k in math._names if k.startswith('_'))",
    ),
    (r) => {
      expect(r.status).toBe("ok");
      for (const run of r.runs) expect(["raise:AttributeError", "['__all__']"]).toContain(run[2]);
    },
  ],
  [
    "__module__, __dir__ and __del__ read",
    "class A:\n    def __del__(self):\n        pass\ndef f(x):\n    import math\n    A().__del__()\n    return (f.__module__, '__del__' in A().__dir__(), type(math).__module__ != '')\n",
    (r) => {
      expect(r.status).toBe("ok");
      expect(r.runs[0][2]).toBe("('snippet',True,True)");
    },
  ],
  // A module's __builtins__ becomes the builtins of the functions defined after it, where the
  // class-pattern check is looked up: binding it any way at all is refused.
  ...(
    [
      [
        "a class",
        "class __builtins__:\n    def __class_getitem__(cls, k):\n        return (lambda c: c) if k == '_tc_match_class' else {'getattr': _g, 'str': _s}[k]\n",
      ],
      ["an import alias", "from errno import errorcode as __builtins__\n"],
      ["a def", "def __builtins__():\n    pass\n"],
      ["an except capture", "try:\n    1 / 0\nexcept Exception as __builtins__:\n    pass\n"],
      ["a match capture", "match {}:\n    case __builtins__:\n        pass\n"],
      ["a global statement", "def g():\n    global __builtins__\n"],
    ] as const
  ).map(([how, binding]): [string, string, Expect] => [
    `builtins replaced through ${how} to turn the class-pattern check off`,
    `_g = getattr\n_s = str\nclass Meta(type):\n    def __instancecheck__(cls, obj):\n        return True\n${binding}def f(x):\n    M = Meta('M', (), {'__match_args__': ('__globals__',)})\n    match getattr:\n        case M(v):\n            return _s(v)[:40]\n    return 0\n`,
    "limit",
  ]),
  [
    "a class's __dict__ (a function type's __globals__ getter)",
    fn("return type(f).__dict__['__globals__'].__get__(f)"),
    "blocked",
  ],
  [
    "a class's __dict__ through super(Meta, C)",
    "class Meta(type):\n    pass\nclass C(metaclass=Meta):\n    pass\ndef f(x):\n    return len(super(Meta, C).__dict__)\n",
    "blocked",
  ],
  ["a module view's __dict__", fn("import math\nreturn math.__dict__"), "blocked"],
  [
    "writing an instance's __dict__",
    fn("class A:\n    pass\na = A()\na.__dict__ = {}\nreturn 1"),
    "limit",
  ],
  [
    "an instance's __dict__ is read",
    "class A:\n    def __init__(self, v):\n        self.v = v\n        self.__dict__.update(w=v + 1)\ndef f(x):\n    return sorted(A(x).__dict__.items())\n",
    (r) => {
      expect(r.status).toBe("ok");
      expect(r.runs[0][2]).toBe("[('v',1),('w',2)]");
    },
  ],
  // Strings an allowed module compiles while user code runs must pass the policy too.
  [
    "a ForwardRef from typing.get_args evaluating an import",
    fn(
      "import typing\nreturn typing.get_args(typing.List['__import__(\"sys\").platform'])[0].evaluate()",
    ),
    "limit",
  ],
  [
    "a ForwardRef evaluating the unguarded getattr",
    fn(
      "import typing\nref = typing.get_args(typing.List['getattr(f, \"__glo\" + \"bals__\")'])[0]\nreturn len(ref.evaluate(globals={'f': f}))",
    ),
    "limit",
  ],
  [
    "a dataclass field name that injects code into the generated __init__",
    fn(
      "from dataclasses import dataclass\nA = type('A', (), {'__annotations__': {'x': int, 'y=(lambda: 0).__globals__#': int}})\nreturn len(dataclass(A)(1, 2).y)",
    ),
    "limit",
  ],
  [
    "a ForwardRef that reads a builtin the snippet lacks at class level (a lookup that reaches the builtins)",
    fn(
      "import typing\nreturn typing.get_args(typing.List['[locals for locals in ()] or locals'])[0].evaluate()",
    ),
    "limit",
  ],
  [
    "a ForwardRef evaluating a lambda whose free name is a builtin the snippet lacks",
    fn("import typing\nreturn typing.get_args(typing.List['(lambda: vars)()'])[0].evaluate()"),
    "limit",
  ],
  [
    "a ForwardRef compiling an import (library code runs it with real builtins)",
    fn(
      "import typing\nreturn typing.get_args(typing.List['[__import__ for os in ()]'])[0].evaluate()",
    ),
    "limit",
  ],
  [
    "generated code whose parameter is named like a builtin the snippet lacks: namedtuple('A', 'args locals')",
    "from collections import namedtuple\nA = namedtuple('A', 'args locals vars')\ndef f(x):\n    a = A(x, 2, 3)\n    return (a.locals, a.vars, a._replace(locals=x).locals)\n",
    (r) => {
      expect(r.status).toBe("ok");
      expect(r.runs[0][2]).toBe("(2,3,1)");
    },
  ],
  [
    "generated code that passes: dataclasses (frozen, ordered), namedtuple, a plain ForwardRef",
    "from dataclasses import dataclass\nfrom collections import namedtuple\nimport typing\n@dataclass(frozen=True, order=True)\nclass P:\n    a: int\n    b: tuple = ()\nN = namedtuple('N', 'u v')\ndef f(x):\n    return (P(x) < P(x + 1), repr(P(x)), N(x, 1).u, typing.get_args(typing.List['int'])[0].evaluate() is int)\n",
    (r) => {
      expect(r.status).toBe("ok");
      expect(r.runs[0][2]).toBe("(True,'P(a=1, b=())',1,True)");
    },
  ],
  [
    "typing and dataclass bookkeeping reads give only what the code could name",
    "import typing, enum\nfrom dataclasses import dataclass\nT = typing.TypeVar('T')\nclass G(typing.Generic[T]):\n    pass\n@dataclass\nclass P:\n    a: int = 0\nclass E(enum.Enum):\n    A = 1\ndef f(x):\n    alias = typing.Dict[str, typing.List[int]]\n    return (alias.__origin__ is dict, alias.__args__[1].__args__, G.__parameters__ == (T,), G.__orig_bases__[0].__origin__ is typing.Generic, f.__type_params__, sorted(P.__dataclass_fields__), P.__dataclass_params__.frozen, E.A.value)\n",
    (r) => {
      expect(r.status, r.error).toBe("ok");
      expect(r.runs[0][2]).toBe("(True,(<type>,),True,True,(),['a'],False,1)");
    },
  ],
  [
    "bookkeeping names on the sandbox's own objects: a module view and the import function",
    fn("import math\nreturn (math.__origin__, __import__.__type_params__)"),
    (r) => {
      expect(r.status).toBe("ok");
      expect(r.runs[0][2]).toBe("raise:AttributeError");
    },
  ],
  [
    "a dataclass's fields reach no function's globals",
    "from dataclasses import dataclass, field\n@dataclass\nclass P:\n    a: list = field(default_factory=list)\ndef f(x):\n    return P.__dataclass_fields__['a'].default_factory.__globals__\n",
    "limit",
  ],
  [
    "threading's locks, conditions and queues over the _thread view",
    fn(
      "import threading, queue\nq = queue.Queue()\nq.put(x)\nlock = threading.Lock()\nlock.acquire()\nheld = lock.acquire(timeout=0)\nev = threading.Event()\nev.set()\nwith threading.RLock():\n    pass\nreturn (q.get(), held, ev.is_set())",
    ),
    (r) => {
      expect(r.status, r.error).toBe("ok");
      expect(r.runs[0][2]).toBe("(1,False,True)");
    },
  ],
  [
    "a wait with a timeout moves the clocks on at once, as time.sleep does (no thread can end it)",
    fn(
      "import threading, time\nlock = threading.Lock()\nlock.acquire()\nt0 = time.monotonic()\ngot = lock.acquire(timeout=2)\nout = []\nthreading.Timer(5, out.append, (x,)).run()\nreturn (got, round(time.monotonic() - t0), out)",
    ),
    (r) => {
      expect(r.status, r.error).toBe("ok");
      expect(r.runs[0][2]).toBe("(False,7,[1])");
    },
  ],
  [
    "a wait no thread can end is counted as a timeout at once, not left to the wall clock",
    fn("import threading\nreturn threading.Event().wait()"),
    (r) => {
      expect(r.status).toBe("timeout");
      expect(r.error).toMatch(
        /^waits forever on a lock no thread can release .*\(on input 1 of 3, \(-?\d+,\)\)$/,
      );
    },
  ],
  [
    "starting a thread, or _thread's thread and interrupt functions",
    fn(
      "import threading, _thread\nout = []\nfor name in ('start_new_thread', 'start_new', 'start_joinable_thread', 'interrupt_main', 'exit', '_local', '_excepthook'):\n    try:\n        getattr(_thread, name)\n        out.append(name)\n    except AttributeError:\n        pass\ntry:\n    threading.Thread(target=print).start()\n    out.append('started')\nexcept Exception:\n    pass\nreturn out",
    ),
    (r) => {
      expect(r.status, r.error).toBe("ok");
      expect(r.runs[0][2]).toBe("[]");
    },
  ],
  // Library code served as it is reads and sets by names it is given, past the policy: each
  // route below handed out the tracer's globals, a class's descriptors or the real sys.modules.
  ...(
    [
      ["format string field", "'{0.__globals__[_slept_ns]}'.format(time.sleep)"],
      ["format_map field", "'{t.__code__.co_consts}'.format_map({'t': time.sleep})"],
      ["str.format unbound", "str.format('{0.__globals__[_slept_ns]}', time.sleep)"],
      ["str.format by getattr", "getattr('{0.__globals__[_slept_ns]}', 'for' + 'mat')(time.sleep)"],
      [
        "str.format from str's dict",
        "str.__dict__['format']('{0.__globals__[_slept_ns]}', time.sleep)",
      ],
      ["format field in a nested spec", "'{0:{1.__code__.co_argcount}}'.format(1, time.sleep)"],
      [
        "warnings._deprecated's message",
        "warnings._deprecated(time.sleep, '{name.__globals__[_slept_ns]}', remove=(3, 99))",
      ],
      [
        "update_wrapper of a named attribute",
        "functools.update_wrapper(O(), time.sleep, assigned=('__globals__',), updated=()).__dict__['__globals__']",
      ],
      [
        "lru_cache copying a class's descriptors",
        "functools.lru_cache(type).__dict__['__dict__'].__get__(types.FunctionType)['__globals__']",
      ],
      [
        "cached_property of a class",
        "[setattr(p, 'attrname', '__dict__'), p.__get__(type)] if (p := functools.cached_property(len)) else 0",
      ],
      [
        "redirect_stdout of another sys name",
        "[r.__enter__(), r._old_targets] if (r := type('R', (contextlib.redirect_stdout,), {'_stream': 'modules'})({})) else 0",
      ],
      [
        "enum.property of a named attribute",
        "[setattr(p, '_attr_type', 'attr'), setattr(p, '_cls_type', time.sleep), setattr(p, 'name', '__globals__'), p.__get__(1)] if (p := enum.property()) else 0",
      ],
      [
        "copy's slot state set by name",
        "copy.copy(type('C', (), {'__reduce_ex__': lambda s, p: (lambda: time.sleep, (), (None, {'__kwdefaults__': {}}))})())",
      ],
      [
        "_convert_ forwarded by a typing alias",
        "typing.Annotated[E, 1].__getattr__('_convert_')('X', 'builtins', lambda n: n in ('open', 'eval'))",
      ],
      ["gettext installing into the builtins", "gettext.NullTranslations().install(['gettext'])"],
      [
        "a guarded name forwarded by a typing alias",
        "str(typing.Annotated[(lambda: (yield 1))(), 1].__getattr__('gi_code'))",
      ],
    ] as const
  ).map(
    ([name, expr]) =>
      [
        name,
        fn(
          `import time, functools, types, contextlib, enum, copy, typing, warnings, gettext\nclass O:\n    pass\nclass E(enum.Enum):\n    A = 1\nreturn ${expr}`,
        ),
        "blocked",
      ] as [string, string, Expect],
  ),
];

/**
 * Snippets whose steps are each costly (a megabyte allocated, a deep structure built): the
 * memory cap or the recursion limit stops them within a few hundred steps, but on a busy
 * machine that can take longer than the 3 s safety net, so theirs is wide: the verdict must
 * come from the counted limits, never from the load.
 */
const SLOW_STEPS = new Set([
  "memory bomb",
  "growing memory bomb",
  "nesting that overflows the interpreter's stack",
]);

describe("hostile snippets", () => {
  let results: SnippetResult[];
  beforeAll(async () => {
    results = await Promise.all(
      // The step budget decides "too slow"; the wall clock only stops code that makes no steps.
      hostile.map(([name, code]) =>
        pool.trace({
          code,
          entry: "f",
          inputs,
          maxSteps: 200_000,
          timeoutMs: SLOW_STEPS.has(name) ? 60_000 : 3000,
        }),
      ),
    );
  }, 120_000);

  it.each(hostile.map(([name, , expectation], i) => [name, i, expectation] as const))(
    "contains %s",
    (_name, i, expectation) => {
      const r = results[i];
      if (typeof expectation === "function") expectation(r);
      else if (expectation === "blocked") {
        const contained = r.status !== "ok" || r.runs.every((run) => run[2].startsWith("raise:"));
        expect(contained, JSON.stringify(r).slice(0, 300)).toBe(true);
      } else expect(r.status, JSON.stringify(r).slice(0, 300)).toBe(expectation);
      expect(JSON.stringify(r)).not.toContain(SECRET);
    },
  );

  it("left no file on the host", () => {
    expect(existsSync(target)).toBe(false);
  });

  it("keeps serving normal snippets afterwards", async () => {
    const r = await pool.trace({
      code: "def f(x):\n    return len([x, x]) + x\n",
      entry: "f",
      inputs,
    });
    expect(r.status).toBe("ok");
    expect(r.runs.map((run) => run[2])).toEqual(["3", "4", "5"]);
  });

  it("keeps builtins per snippet: a snippet that rebinds one does not affect the next", async () => {
    const spoil = await pool.trace({
      code: "len = None\ndef f(x):\n    return x\n",
      entry: "f",
      inputs,
    });
    expect(spoil.status).toBe("ok");
    const r = await pool.trace({
      code: "def f(x):\n    return len('ab')\n",
      entry: "f",
      inputs,
    });
    expect(r.runs[0][2]).toBe("2");
  });

  it("restores the interpreter between units: shared modules and classes are as new", async () => {
    // One child, so both snippets surely run in the same interpreter.
    const single = new TracerPool({ workers: 1 });
    const poison = await single.trace({
      code:
        "import collections, decimal\n" +
        "collections.Counter.most_common = None\n" +
        "decimal.getcontext().prec = 2\n" +
        "def f(x):\n    return collections.Counter.most_common is None\n",
      entry: "f",
      inputs,
    });
    expect(poison.runs[0][2]).toBe("True");
    const check = await single.trace({
      code:
        "from collections import Counter, deque\nimport decimal\n" +
        "def f(x):\n" +
        "    return (Counter('aab').most_common(1)[0][1], len(deque([x])), str(decimal.Decimal(1) / 3)[:6])\n",
      entry: "f",
      inputs,
    });
    await single.close();
    expect(check.runs[0][2]).toBe("(2,1,'0.3333')");
  });
});

describe("a child started after its snapshot was removed", () => {
  it("makes the start-up snapshot again instead of failing to start the child", async () => {
    // Another process prunes snapshots unused for a week; a long-lived pool must survive that.
    const single = new TracerPool({ workers: 1, graceMs: 500, memoryMb: 256 });
    try {
      expect((await single.trace({ code: fn("return x + 1"), entry: "f", inputs })).status).toBe(
        "ok",
      );
      const path = (single as unknown as { snapshotPath: string }).snapshotPath;
      rmSync(path);
      rmSync(`${path}.sha256`);
      // The memory cap kills the child, so the next job needs a new one.
      const bomb = await single.trace({
        code: fn("a = []\nwhile True:\n    a.append('x' * 10**6)"),
        entry: "f",
        inputs,
        timeoutMs: 60_000,
      });
      expect(bomb.status).toBe("limit");
      const next = await single.trace({ code: fn("return x + 2"), entry: "f", inputs });
      expect(next.status, JSON.stringify(next).slice(0, 300)).toBe("ok");
      expect(next.runs.map((run) => run[2])).toEqual(["3", "4", "5"]);
      expect(existsSync(path)).toBe(true);
    } finally {
      await single.close();
    }
  }, 150_000);
});

describe("a child replaced after a memory bomb", () => {
  it("runs the job queued behind the bomb in a fresh child instead of failing it", async () => {
    // One child, two jobs in flight: the second is already sent when the first blows the heap.
    const single = new TracerPool({ workers: 1, graceMs: 500, memoryMb: 256 });
    try {
      const [bomb, next] = await Promise.all([
        single.trace({
          code: fn("a = []\nwhile True:\n    a.append('x' * 10**6)"),
          entry: "f",
          inputs,
          // Wide safety nets: the memory cap must decide, however busy the machine is.
          timeoutMs: 60_000,
        }),
        // Long enough to be still running when the first child is killed.
        single.trace({
          code: fn("t = 0\nfor i in range(30000):\n    t += i\nreturn x + 1"),
          entry: "f",
          inputs,
          timeoutMs: 60_000,
        }),
      ]);
      expect(bomb.status).toBe("limit");
      expect(next.status, JSON.stringify(next).slice(0, 300)).toBe("ok");
      expect(next.runs.map((run) => run[2])).toEqual(["2", "3", "4"]);
    } finally {
      await single.close();
    }
  }, 150_000);
});
