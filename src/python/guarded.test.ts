/**
 * Guarded attribute names (issue 12): the names of frames, tracebacks, code objects,
 * generators, coroutines and async generators (f_*, tb_*, co_*, gi_*, cr_*, ag_*) are the
 * code's own on its own objects (pdb's self.tb_lineno, profile's fake code's co_filename), so a
 * read is rewritten to a checked getter that refuses it on any object of a C type, and a plain
 * store is allowed. Hostile: every route from a value to a frame or code object.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SnippetResult, TracerPool } from "./index.js";

let pool: TracerPool;
beforeAll(() => {
  pool = new TracerPool({ workers: 1 });
});
afterAll(() => pool.close());

const inputs = { key: "guarded", types: ["int"], values: [[1], [2]] };
const outputs = (r: SnippetResult) => r.runs.map((x) => x[2]);
const run = (code: string, module = true, entry = "f") =>
  pool.trace({ code, module, entry, inputs });

// Each body gets `tb` (a real traceback, from sys.exc_info), `gen` (a started generator), `co`
// (a coroutine) and `ag` (an async generator) to attack.
const PRELUDE = `import sys, types
def _tb():
    try:
        1 / 0
    except ZeroDivisionError:
        return sys.exc_info()[2]
def _g():
    yield 1
async def _c():
    return 1
async def _a():
    yield 1
`;
const attack = (body: string) =>
  `${PRELUDE}def f(x):\n    tb, gen, co, ag = _tb(), _g(), _c(), _a()\n    next(gen)\n${body.replace(/^/gm, "    ")}\n`;

describe("guarded names on the code's own objects", () => {
  it("serves the interpreter's types for isinstance only: no instance, constructor or descriptor", async () => {
    const r = await run(
      attack(`out = [isinstance(tb, types.TracebackType), isinstance(gen, types.CodeType)]
for attempt in (lambda: types.FrameType(), lambda: types.TracebackType(None, None, 0, 0),
                lambda: types.CodeType.co_consts, lambda: types.FrameType.f_globals,
                lambda: types.TracebackType.tb_frame.__get__(tb),
                lambda: getattr(types.FrameType, 'f_' + 'back'),
                lambda: types.CodeType.__dict__['co_code'], lambda: types.FrameType.__dict__['f_locals'],
                lambda: types.CodeType.replace(tb), lambda: types.FrameType.clear(tb)):
    try:
        attempt()
        out.append('ran')
    except Exception as e:
        out.append(type(e).__name__)
return out`),
    );
    expect(r.status, r.error).toBe("ok");
    expect(outputs(r)[0]).toBe(
      "[True,False,'TypeError','TypeError','AttributeError','AttributeError','AttributeError','AttributeError','KeyError','KeyError','TypeError','TypeError']",
    );
    const make = await run(
      "import types\ndef f(x):\n    return types.CodeType(0, 0, 0, 0, 0, 0, b'', (), (), (), '', '', '', 0, b'', b'')\n",
    );
    expect(make.status).toBe("limit");
    expect(make.error).toMatch(/code\.__new__ is not allowed/);
  });

  it("reads and stores them on instances of its classes (pdb, profile)", async () => {
    const r = await run(`class Pdb:
    def __init__(self):
        self.tb_lineno = {}
        self.f_x = 1
    def mark(self, k, v):
        self.tb_lineno[k] = v
        return self.tb_lineno
class FakeCode:
    def __init__(self, name):
        self.co_filename = name + ".py"
        self.co_name = name
class FakeFrame:
    def __init__(self, code, prior):
        self.f_code = code
        self.f_back = prior
def f(x):
    p = Pdb()
    frame = FakeFrame(FakeCode("a"), FakeFrame(FakeCode("b"), None))
    setattr(p, "gi_" + "y", x)
    return (p.mark(x, x * 2), frame.f_back.f_code.co_filename, getattr(p, "gi_y"),
            hasattr(p, "f_x"), p.f_x + 1)
`);
    expect(r.status).toBe("ok");
    expect(outputs(r)).toEqual(["({1:2},'b.py',1,True,2)", "({2:4},'b.py',2,True,2)"]);
  });

  it("reads the dunders no C type or only static ones define on objects of Python code only", async () => {
    const r = await run(`import typing
def f(x):
    e = ValueError(x)
    e.add_note("n")
    notes = e.__notes__
    del e.__notes__
    try:
        list[int].__mro_entries__
        static = "read"
    except AttributeError:
        static = "denied"
    class P(typing.Protocol):
        def m(self): ...
    alias = typing.List[int]
    return (notes, hasattr(e, "__notes__"), alias.__mro_entries__((alias,))[0] is list, static,
            sorted(P.__protocol_attrs__))
`);
    expect(outputs(r)).toEqual(Array(2).fill("(['n'],False,True,'denied',['m'])"));
  });

  it("reads them in a snippet compiled from its text (no rewrite word in it)", async () => {
    const r = await run(
      "class C:\n    co_name = 'c'\ndef f(x):\n    c = C()\n    c.f_back = x\n    return c.f_back + len(c.co_name)\n",
      false,
    );
    expect(r.status).toBe("ok");
    expect(outputs(r)).toEqual(["2", "3"]);
  });
});

describe("every route to a frame or code object", () => {
  const routes: [string, string][] = [
    ["a traceback's frame", "return tb.tb_frame"],
    ["a traceback's harmless line number (a C object)", "return tb.tb_lineno"],
    ["a traceback's next", "return tb.tb_next"],
    ["a generator's frame", "return gen.gi_frame"],
    ["a generator's code", "return gen.gi_code"],
    ["a coroutine's frame", "return co.cr_frame"],
    ["a coroutine's code", "return co.cr_code"],
    ["an async generator's frame", "return ag.ag_frame"],
    ["frames walked on from a traceback", "return tb.tb_frame.f_back.f_globals"],
    ["a computed name", "return getattr(tb, 'tb_' + 'frame')"],
    ["the descriptor of the type", "return type(gen).gi_code.__get__(gen)"],
    ["the descriptor by a computed name", "return getattr(type(tb), 'tb_frame').__get__(tb)"],
    ["super()", "return super(type(gen), gen).gi_code"],
    [
      "a property of the code's own class",
      "class P:\n    @property\n    def tb_x(self):\n        return tb\nreturn P().tb_x",
    ],
    [
      "a traceback kept in the code's own object",
      "class O:\n    pass\no = O()\no.tb_saved = tb\nreturn o.tb_saved",
    ],
    [
      "a code object through types.coroutine's wrapper (a real module's property)",
      "w = types.coroutine(lambda: (i for i in [1]))()\nreturn w.gi_code",
    ],
    ["a subclass of the generator type", "class G(type(gen)):\n    pass\nreturn G"],
    ["operator.attrgetter", "import operator\nreturn operator.attrgetter('gi_code')(gen)"],
    ["a store by a computed name on a traceback", "setattr(tb, 'tb_next', None)\nreturn 1"],
    ["a class's __dict__ for the descriptor", "return type(gen).__dict__['gi_code']"],
  ];
  it("runs the attacks' set-up (the refusals below are not its failures)", async () => {
    const r = await run(
      attack("return (type(tb).__name__, type(gen).__name__, type(ag).__name__)"),
    );
    expect(outputs(r)).toEqual(Array(2).fill("('traceback','generator','async_generator')"));
  });

  it.each(routes)("%s: raises on every input", async (_name, body) => {
    const r = await run(attack(body));
    if (r.status === "ok") {
      for (const out of outputs(r)) expect(out).toMatch(/^raise:/);
    } else {
      expect(r.status).toBe("limit");
    }
  });

  it("returns the default for a computed name and says False to hasattr", async () => {
    const r = await run(
      attack(
        "return (getattr(gen, 'gi_' + 'code', 'no'), hasattr(tb, 'tb_frame'), hasattr(co, 'cr_code'))",
      ),
    );
    expect(outputs(r)).toEqual(Array(2).fill("('no',False,False)"));
  });

  it("keeps refusing, before anything runs, what a rewrite cannot check", async () => {
    const cases: [string, string][] = [
      ["an augmented assignment (reads unchecked)", "tb.tb_lineno += x"],
      ["a delete", "del tb.tb_next"],
      ["a class pattern's keyword", "match tb:\n    case object(tb_frame=fr):\n        return fr"],
      ["the checked getter by name", "return _tc_attr(tb, 'tb_frame')"],
    ];
    const results = await Promise.all(cases.map(([, b]) => run(attack(b))));
    results.forEach((r, i) => {
      expect(r.status, cases[i][0]).toBe("limit");
      expect(r.error, cases[i][0]).toMatch(/^sandbox: (attribute|name) /);
    });
  });

  it("refuses a guarded name in a string that a library compiles (not rewritten)", async () => {
    const r = await run(
      "from dataclasses import dataclass\n@dataclass\nclass D:\n    f_back: int\ndef f(x):\n    return D(x)\n",
    );
    expect(r.status).not.toBe("ok");
    expect(r.error).toMatch(/compiling a string with attribute 'f_back'/);
  });

  it("stores a traceback's next (writable, harmless) but never reads it", async () => {
    const r = await run(
      attack(
        "tb.tb_next = None\ntry:\n    return tb.tb_next\nexcept AttributeError:\n    return 'denied'",
      ),
    );
    expect(outputs(r)).toEqual(["'denied'", "'denied'"]);
  });
});
