import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FunctionRow, type FunctionRowInput } from "../data/index.js";
import { type InputSet, ioClassOf, TracerPool, traceClassOf, traceFunctions } from "./index.js";

let pool: TracerPool;
beforeAll(() => {
  pool = new TracerPool({ workers: 2 });
});
afterAll(async () => {
  await pool.close();
});

const ints = (key: string, xs: number[]): InputSet => ({
  key,
  types: ["int"],
  values: xs.map((x) => [x]),
});

function rows(items: (Partial<FunctionRowInput> & { code: string })[]): FunctionRow[] {
  return items.map((r, i) => FunctionRow.parse({ id: `r${i}`, group: "g", ...r }));
}

describe("basic blocks", () => {
  it("splits a function with an if/else return into entry, then-branch and else-branch", async () => {
    const [f] = await pool.basicBlocks(
      "def f(x):\n    if x > 0:\n        return 1\n    return 2\n",
    );
    expect(f.name).toBe("f");
    expect(f.blocks).toHaveLength(3);
    expect(f.blocks[0].ops.at(-1)).toMatch(/^POP_JUMP_IF/);
    expect(f.blocks[1].ops.at(-1)).toBe("RETURN_VALUE");
    expect(f.blocks[2].ops.at(-1)).toBe("RETURN_VALUE");
  });

  it("gives a for loop a header block that begins with FOR_ITER", async () => {
    const code = "def f(x):\n    s = 0\n    for i in range(x):\n        s += i\n    return s\n";
    const [f] = await pool.basicBlocks(code);
    expect(f.blocks.map((b) => b.ops[0])).toContain("FOR_ITER");
    expect(f.blocks).toHaveLength(4);
    expect(f.blocks[2].ops.at(-1)).toBe("JUMP_BACKWARD");
  });

  it("records entry, header, three bodies, header and exit for range(3)", async () => {
    const code = "def f(x):\n    s = 0\n    for i in range(x):\n        s += i\n    return s\n";
    const r = await pool.trace({ code, entry: "f", inputs: ints("loop", [3, 0]) });
    expect(r.status).toBe("ok");
    expect(r.runs[0][0]).toEqual([0, 1, 2, 1, 2, 1, 2, 1, 3]);
    expect(r.runs[0][1]).toEqual(["", "", "", "", "", "", "", "", "3"]);
    expect(r.runs[1][0]).toEqual([0, 1, 3]);
  });
});

describe("canonical block ids", () => {
  const code = "def f(x):\n    if x > 0:\n        return 1\n    return 2\n";

  it("numbers blocks in order of first execution across the inputs", async () => {
    const negFirst = await pool.trace({
      code,
      entry: "f",
      inputs: ints("nf", [-5, 5]),
    });
    const posFirst = await pool.trace({
      code,
      entry: "f",
      inputs: ints("pf", [5, -5]),
    });
    // Whichever branch runs first is block 1.
    expect(negFirst.runs.map((r) => r[0])).toEqual([
      [0, 1],
      [0, 2],
    ]);
    expect(posFirst.runs.map((r) => r[0])).toEqual([
      [0, 1],
      [0, 2],
    ]);
    expect(negFirst.runs.map((r) => r[2])).toEqual(["2", "1"]);
    expect(posFirst.runs.map((r) => r[2])).toEqual(["1", "2"]);
  });

  it("records recursion, generators and caught exceptions with their values", async () => {
    const set = ints("misc", [3, 5]);
    const fact = await pool.trace({
      code: "def f(x):\n    if x <= 1:\n        return 1\n    return x * f(x - 1)\n",
      entry: "f",
      inputs: set,
    });
    // The recursive branch runs first (x = 3), so it is block 1 and the base case block 2.
    expect(fact.runs[0].slice(0, 3)).toEqual([
      [0, 1, 0, 1, 0, 2],
      ["", "6", "", "2", "", "1"],
      "6",
    ]);
    const gen = await pool.trace({
      code: "def g(x):\n    yield x\n    yield x + 1\ndef f(x):\n    return sum(g(x))\n",
      entry: "f",
      inputs: set,
    });
    expect(gen.runs[0].slice(0, 3)).toEqual([
      [0, 1, 1, 1],
      ["7", "yield:3", "yield:4", "None"],
      "7",
    ]);
    const caught = await pool.trace({
      code: "def f(x):\n    try:\n        return 1 // (x - 5)\n    except ZeroDivisionError:\n        return -1\n",
      entry: "f",
      inputs: set,
    });
    expect(caught.runs[1][1][0]).toBe("raise:ZeroDivisionError");
    expect(caught.runs[1][2]).toBe("-1");
  });
});

describe("value encoding", () => {
  it("encodes every kind of value as a canonical, capped string", async () => {
    const values = [
      "float('nan')",
      "float('-inf')",
      "-0.0",
      "10**100",
      "'x' * 500",
      "(1,)",
      "{3, 1, 2}",
      "{'b': 1, 'a': 2}",
      "None",
      "True",
      "1.5",
      "[1] * 100",
      "ValueError('x')",
      "object()",
      "2.0",
      "-7",
    ];
    const code = `def f(i):\n    return [${values.join(", ")}][i]\n`;
    const r = await pool.trace({
      code,
      entry: "f",
      inputs: ints(
        "enc",
        values.map((_, i) => i),
      ),
    });
    const out = r.runs.map((run) => run[2]);
    expect(out[0]).toBe("nan");
    expect(out[1]).toBe("-inf");
    expect(out[2]).toBe("-0.0");
    expect(out[3]).toMatch(/^int~333b#\d+$/);
    expect(out[4]).toBe(`'${"x".repeat(200)}'...<500>`);
    expect(out.slice(5, 11)).toEqual([
      "(1,)",
      "set{1,2,3}",
      "{'b':1,'a':2}",
      "None",
      "True",
      "1.5",
    ]);
    expect(out[11]).toBe(`[${Array(32).fill("1").join(",")},...<100>]`);
    expect(out.slice(12)).toEqual(["exc:ValueError", "<object>", "2.0", "-7"]);
  });

  it("gives a call what it left in its arguments beside its value, so in-place work is told apart", async () => {
    const args = ["list[int]", "int"];
    const [clear, append, nothing, pure, pop, last] = await traceFunctions(
      rows([
        { code: "def f(a, x):\n    a.clear()\n", args },
        { code: "def f(a, x):\n    a.append(x)\n", args },
        { code: "def f(a, x):\n    return None\n", args },
        { code: "def f(a, x):\n    return len(a)\n", args },
        { code: "def f(a, x):\n    return a.pop() if a else x\n", args },
        { code: "def f(a, x):\n    return a[-1] if a else x\n", args },
      ]),
      { pool, inputs: 20 },
    );
    const outputs = (t: typeof clear) => t.runs.map((r) => r.output);
    // Input lists are copied per call: what the call left in them follows "args:".
    for (const { input, output } of append.runs) {
      const [list, x] = input;
      const grown = list === "[]" ? `[${x}]` : `${list.slice(0, -1)},${x}]`;
      expect(output).toBe(`None;args:(${grown},${x})`);
    }
    // Clearing an empty list leaves it as it was: plain None there.
    for (const { input, output } of clear.runs)
      expect(output).toBe(input[0] === "[]" ? "None" : `None;args:([],${input[1]})`);
    expect(outputs(nothing).every((o) => o === "None")).toBe(true);
    expect(new Set([clear.ioClass, append.ioClass, nothing.ioClass]).size).toBe(3);
    expect(outputs(pure).every((o) => /^\d+$/.test(o))).toBe(true);
    // A value and a change: pop's value is a[-1]'s, and the list it shortened follows.
    for (const [i, { input, output }] of pop.runs.entries()) {
      const value = last.runs[i].output;
      if (input[0] === "[]") expect(output).toBe(value);
      else {
        const rest = JSON.parse(input[0]).slice(0, -1);
        expect(output).toBe(`${value};args:([${rest.join(",")}],${input[1]})`);
      }
    }
    expect(pop.ioClass).not.toBe(last.ioClass);
  });

  it("encodes library values and instances by their state, never through user code", async () => {
    const one = (code: string) => ({ code, module: code, entry: "f", args: ["int"] });
    const traced = await traceFunctions(
      rows([
        one("from fractions import Fraction\ndef f(x):\n    return Fraction(x, 3)\n"),
        one("from fractions import Fraction\ndef f(x):\n    return Fraction(x, 7)\n"),
        one(
          "from dataclasses import dataclass\n@dataclass\nclass D:\n    a: int\ndef f(x):\n    return D(x)\n",
        ),
        one(
          "from collections import namedtuple, Counter, deque\nP = namedtuple('P', 'a b')\ndef f(x):\n    return [P(x, 1), Counter([x, x]), deque([x])]\n",
        ),
        one(
          "import datetime, decimal\ndef f(x):\n    return [datetime.date(2000, 1, 1 + x % 9), decimal.Decimal(x) / 4]\n",
        ),
        one(
          "class H:\n    @property\n    def __dict__(self):\n        raise SystemExit\n    def __repr__(self):\n        raise SystemExit\ndef f(x):\n    return H()\n",
        ),
        // A metaclass's __eq__ would run if the encoder compared classes with ==.
        one(
          "class M(type):\n    def __eq__(cls, other):\n        raise SystemExit\n    __hash__ = type.__hash__\nclass T(tuple, metaclass=M):\n    pass\ndef f(x):\n    return T((x,))\n",
        ),
      ]),
      { pool, inputs: 1, range: { min: 5, max: 5 }, level: "io" },
    );
    expect(traced.map((t) => t.runs[0].output)).toEqual([
      "<obj:object>{_denominator=3,_numerator=5}",
      "<obj:object>{_denominator=7,_numerator=5}",
      "<obj:object>{a=5}",
      "[(5,1),{5:2},deque:[5]]",
      "[date:2000-01-06,Decimal:1.25]",
      "<obj:object>",
      "(5,)",
    ]);
  });

  it("encodes values without running, or waiting on, what user code overrides", async () => {
    const one = (code: string) => ({ code, module: code, entry: "f", args: ["int"] });
    const loop = "        while True: pass\n";
    const traced = await traceFunctions(
      rows([
        // dict.copy would call keys() and __getitem__; both never return.
        one(
          `class D(dict):\n    def keys(self):\n${loop}    def __iter__(self):\n${loop}def f(x):\n    return D(a=x)\n`,
        ),
        // isoformat would call the tzinfo's utcoffset.
        one(
          `import datetime\nclass Z(datetime.tzinfo):\n    def utcoffset(self, dt):\n${loop}def f(x):\n    return datetime.datetime(2000, 1, x, 3, tzinfo=Z())\n`,
        ),
        // Decimal.__str__ would read the thread's context.
        one(
          "import decimal\ndef f(x):\n    decimal.getcontext().capitals = 0\n    return decimal.Decimal(10) ** (x * 9)\n",
        ),
        // One name is not two attributes.
        one("class A: pass\ndef f(x):\n    a = A()\n    setattr(a, 'b=1,c', x)\n    return a\n"),
        // A slot of another class placed in this one raises TypeError when read.
        one(
          "class A:\n    __slots__ = ('a',)\nclass B:\n    __slots__ = ('b',)\n    c = A.__dict__['a']\ndef f(x):\n    b = B()\n    b.b = x\n    return b\n",
        ),
        // Subclasses of the library's C types, and SimpleNamespace, by their values.
        one(
          "import datetime, collections, types\nclass Dd(datetime.date): pass\nclass Q(collections.deque): pass\ndef f(x):\n    return [Dd(2000, 1, x), Q([x]), types.SimpleNamespace(a=x)]\n",
        ),
        // Python's bookkeeping (__objclass__) and the tracer's module views are not state.
        one(
          "import enum, math\nclass C(enum.Enum):\n    A = 1\ndef f(x):\n    return [C.A, math]\n",
        ),
        // print passes what __str__ returned, a str subclass whose len() lies.
        one(
          "class S(str):\n    def __len__(self): return 0\nclass P:\n    def __str__(self): return S('hello%d' % 5)\ndef f(x):\n    print(P())\n",
        ),
        // An order move_to_end changed.
        one(
          "from collections import OrderedDict\ndef f(x):\n    d = OrderedDict(a=1, b=x)\n    d.move_to_end('a')\n    return d\n",
        ),
      ]),
      { pool, inputs: 1, range: { min: 5, max: 5 }, level: "io" },
    );
    expect(traced.map((t) => t.runs[0].output)).toEqual([
      "{'a':5}",
      "datetime:2000-01-05T03:00:00+tz:<obj:object>",
      "Decimal:1.000000000000000000000000000E+45",
      "<obj:object>{'b=1,c'=5}",
      "<obj:object>{b=5}",
      "[date:2000-01-05,deque:[5],namespace{a=5}]",
      "[<obj:object>{_value_=1,_name_='A',_sort_order_=0},<module>]",
      "None;stdout:'hello5\\n'",
      "{'b':5,'a':1}",
    ]);
  });

  it("runs no user code and does bounded work where the budget does not count (red team 7)", async () => {
    const mod = (code: string) => ({ code, module: code, entry: "f" });
    const loop = "        while True: pass\n";
    const traced = await traceFunctions(
      rows([
        // Another type's getset (type's __doc__ calls the class's __doc__.__get__) as __dict__.
        mod(
          `class D:\n    def __get__(self, obj, owner=None):\n${loop}class M(type):\n    __dict__ = type.__dict__['__doc__']\nclass C(metaclass=M):\n    __doc__ = D()\ndef f(x):\n    return C\n`,
        ),
        // OrderedDict's own iteration hashes its keys.
        mod(
          `from collections import OrderedDict\narmed = [0]\nclass K:\n    def __hash__(self):\n        if armed[0]:\n            while True: pass\n        return 1\ndef f(x):\n    armed[0] = 0\n    d = OrderedDict([(K(), 1)])\n    armed[0] = 1\n    return d\n`,
        ),
        // A metaclass mro() of a million entries, returned a thousand times.
        mod(
          "class M(type):\n    def mro(cls):\n        return (cls,) + (object,) * 1000000\nclass C(metaclass=M):\n    pass\ndef f(x):\n    return [[C()] * 32] * 32\n",
        ),
        // A 10 MB text and a 40-million-bit int, each referenced a thousand times.
        mod("def f(x):\n    s = 'a' * 10 ** 7\n    return [[s] * 32] * 32\n"),
        mod("def f(x):\n    v = (1 << 40000000) - 1\n    return [v] * 32\n"),
        // The code's own text is not a heap address.
        mod("def f(x):\n    return 'value at ' + hex(x)\n"),
        // A value returned deep in a recursion encodes as it does at the top.
        mod(
          "def g(n):\n    return [[[1]]] if n == 0 else g(n - 1)\ndef f(x):\n    return g(990 - x)\n",
        ),
        // Characters outside the BMP: two UTF-16 units each, within the parent's cap.
        mod("def f(x):\n    return ['\\U0001F600' * 150] * 8\n"),
        // random imported by a name the text does not show: still reseeded per call.
        mod("r = __import__('ran' + 'dom')\ndef f(x):\n    return r.randint(0, 1000)\n"),
        // A KeyError of a user object: its repr is not run for the message.
        {
          code: "class A:\n    def __repr__(self):\n        return 'USER REPR RAN'\nraise KeyError(A())\ndef f(x):\n    return x\n",
        },
      ]),
      { pool, inputs: 3, range: { min: 5, max: 5 }, level: "io", timeoutMs: 8000 },
    );
    const [getset, ordered, mro, text, big, hex, deep, emoji, random, key] = traced;
    expect(traced.map((t) => t.status)).toEqual([
      "ok",
      "ok",
      "ok",
      "ok",
      "ok",
      "ok",
      "ok",
      "ok",
      "ok",
      "runtime_error",
    ]);
    expect(getset.runs[0].output).toBe("<obj:type>");
    expect(ordered.runs[0].output).toBe("{<obj:object>:1}");
    expect(mro.runs[0].output).toMatch(/^\[\[<obj:\?>,<obj:\?>,/);
    expect(text.runs[0].output).toMatch(/^\[\['a{200}'\.\.\.<10000000>,/);
    expect(big.runs[0].output).toMatch(/^\[int~40000000b#\d+,/);
    expect(hex.runs[0].output).toBe("'value at 0x5'");
    expect(deep.runs[0].output).toBe("[[[1]]]");
    expect(emoji.runs[0].output.length).toBeGreaterThan(1100);
    expect(new Set(random.runs.map((r) => r.output)).size).toBe(1);
    expect(key.error).not.toContain("USER REPR RAN");
  }, 120_000);

  it("bounds an encoding's work and a call's output, however large the value", async () => {
    const big = (code: string, args = ["int"]) => ({ code, module: code, entry: "f", args });
    const traced = await traceFunctions(
      rows([
        // 32 items at each of 4 levels, four times: a million items before the node budget.
        big(
          "def f(x):\n    v = x\n    for _ in range(4):\n        v = [v] * 32\n    return [v, v, v, v]\n",
        ),
        // An instance with 300,000 attributes is encoded from its first ones.
        big(
          "class A: pass\ndef f(x):\n    a = A()\n    for i in range(300000):\n        setattr(a, 'k%d' % i, i)\n    return a\n",
        ),
        // A value, changed arguments and printed text each near the cap: one capped output.
        big(
          "def f(xs):\n    xs.extend(['y' * 300] * 40)\n    print('z' * 3000)\n    return ['x' * 300] * 40\n",
          ["list[int]"],
        ),
      ]),
      { pool, inputs: 1, range: { min: 5, max: 5 }, level: "io" },
    );
    expect(traced.map((t) => t.status)).toEqual(["ok", "ok", "ok"]);
    const [nested, attrs, all] = traced.map((t) => t.runs[0].output);
    // 2000 kept values of 1000 characters a call: the cap is counted as they come, not after
    // the child has built them all (its memory ran out first).
    const [huge] = await traceFunctions(
      rows([
        big(
          "S = ['x' * 150] * 6\ndef g(n):\n    return S if n == 0 else g(n - 1)\ndef f(x):\n    g(900)\n    g(900)\n    g(198)\n    return 1\n",
        ),
      ]),
      { pool, inputs: 6, range: { min: 5, max: 5 }, level: "io" },
    );
    expect(huge.status).toBe("limit");
    expect(huge.error).toMatch(
      /^trace output exceeds 4000000 characters \(on input 5 of 6, \(5,\)\)$/,
    );
    expect(nested).toMatch(/^\[\[\[\[\.\.\.,/);
    expect(attrs).toMatch(/^<obj:object>\{k0=0,k1=1,.*k31=31,\.\.\.\}$/);
    expect(all).toMatch(/^\['x{200}'\.\.\.<300>,.*\.\.\.<\d{4}>$/);
    for (const out of [nested, all]) expect(out.length).toBeLessThanOrEqual(1010);
  });

  it("says when real code's outputs depend on the calls before, by running the first input again", async () => {
    const mod = (code: string) => ({ code, module: code, entry: "f" });
    const [counter, pure, cached] = await traceFunctions(
      rows([
        mod("count = [0]\ndef f(x):\n    count[0] += 1\n    return x + count[0]\n"),
        mod("def f(x):\n    return x * 2\n"),
        // A cache changes what is kept, not what is returned.
        mod("from functools import cache\n@cache\ndef f(x):\n    return x * 3\n"),
      ]),
      { pool, inputs: 4, range: { min: 5, max: 5 }, level: "io" },
    );
    expect(counter.runs.map((r) => r.output)).toEqual(["6", "7", "8", "9"]);
    expect(counter.note).toBe("input 1 gave 6 first and 10 after the others");
    expect(pure.note).toBeUndefined();
    expect(cached.note).toBeUndefined();
  });

  it("runs a generator's body: its first items are the call's output", async () => {
    const [up, down, bad] = await traceFunctions(
      rows([
        { code: "def f(x):\n    for i in range(3):\n        yield x + i\n" },
        { code: "def f(x):\n    for i in range(3):\n        yield x - i\n" },
        { code: "def f(x):\n    yield x\n    yield 1 // 0\n" },
      ]),
      { pool, inputs: 1, range: { min: 5, max: 5 } },
    );
    expect(up.runs[0].output).toBe("[5,6,7]");
    expect(down.runs[0].output).toBe("[5,4,3]");
    // Raising while it is consumed is the call raising.
    expect(bad).toMatchObject({ status: "always_raises" });
    expect(bad.error).toMatch(/^raises ZeroDivisionError on every input/);
    // The body's blocks were traced: the loop ran.
    expect(up.runs[0].blocks.length).toBeGreaterThan(3);
  });

  it("gives a call what it printed beside its value", async () => {
    const [two, three, none, long] = await traceFunctions(
      rows([
        {
          code: "print('defining')\ndef f(x):\n    print(2 * x)\n",
          module: "print('defining')\ndef f(x):\n    print(2 * x)\n",
          entry: "f",
        },
        { code: "def f(x):\n    print(3 * x, end='')\n    return x\n" },
        { code: "def f(x):\n    return None\n" },
        { code: "def f(x):\n    print('ab' * 150)\n" },
      ]),
      { pool, inputs: 1, range: { min: 5, max: 5 } },
    );
    // What the module printed while it was defined is no call's.
    expect(two.runs[0].output).toBe("None;stdout:'10\\n'");
    expect(three.runs[0].output).toBe("5;stdout:'15'");
    expect(none.runs[0].output).toBe("None");
    expect(long.runs[0].output).toBe(`None;stdout:'${"ab".repeat(100)}'...<301>`);
  });

  it("gives a call that raised what it left in its arguments", async () => {
    const [t] = await traceFunctions(
      rows([
        {
          code: "def f(a, x):\n    a.append(x)\n    raise ValueError\n",
          args: ["list[int]", "int"],
        },
      ]),
      { pool, inputs: 3 },
    );
    for (const { input, output } of t.runs) {
      const grown = input[0] === "[]" ? `[${input[1]}]` : `${input[0].slice(0, -1)},${input[1]}]`;
      expect(output).toBe(`raise:ValueError;args:(${grown},${input[1]})`);
    }
    expect(t.error).toMatch(/^raises ValueError on every input/);
  });

  it("drops heap addresses from texts and messages, so what ran before does not change a result", async () => {
    const box = "class Box:\n    pass\n";
    const described = rows([
      { code: `${box}def f(x):\n    return repr(Box()) + str(f) + str(x)\n` },
      { code: `${box}def f(x):\n    raise ValueError(repr(Box()))\n` },
      // id() is counted per call, in the order objects are asked for: a memo keyed by it.
      {
        code: `${box}def f(x):\n    a, b = Box(), [x]\n    return {id(b): b, id(a): 1, id(b) + 0: b}\n`,
      },
    ]);
    // Other objects allocated first move the heap; alone, each row starts from a fresh unit.
    const busy = rows([{ code: "def f(x):\n    return len([object() for _ in range(50)])\n" }]);
    const after = await traceFunctions([...busy, ...described], {
      pool,
      inputs: 3,
      unitOf: () => "one unit",
    });
    const alone = await traceFunctions(described, { pool, inputs: 3 });
    expect(after[1].runs[0].output).toMatch(
      /^'<snippet\.Box object at 0x…><function f at 0x…>-?\d+'$/,
    );
    expect(after[2].error).toBe("raises ValueError on every input (<snippet.Box object at 0x…>)");
    expect(after[3].runs.map((r) => r.output.replace(/-?\d+\]/, "x]"))).toEqual(
      Array(3).fill("{1:[x],2:1}"),
    );
    expect(JSON.stringify(after.slice(1))).toBe(JSON.stringify(alone));
  });
});

describe("equivalence classes", () => {
  const variants = [
    "def f(x):\n    if x > 10:\n        return x - 3\n    y = x * 2\n    return y + 1\n",
    // renamed parameter and local
    "def f(value):\n    if value > 10:\n        return value - 3\n    tmp = value * 2\n    return tmp + 1\n",
    // renamed function (entry), commuted operands, comment and docstring
    'def g(n):\n    """doc"""\n    if n > 10:  # big\n        return n - 3\n    m = 2 * n\n    return 1 + m\n',
    // temporary, dead assignment and reordered independent statements
    "def f(x):\n    if x > 10:\n        t = x - 3\n        return t\n    unused = 5\n    y = x * 2\n    return y + 1\n",
  ];
  const entries = ["f", "f", "g", "f"];

  it("puts every variant of a function in its class, and renaming never changes a trace", async () => {
    const traced = await traceFunctions(
      rows(variants.map((code, i) => ({ code, entry: entries[i] }))),
      { pool, inputs: 50 },
    );
    expect(traced.every((t) => t.status === "ok")).toBe(true);
    expect(new Set(traced.map((t) => t.traceClass)).size).toBe(1);
    expect(new Set(traced.map((t) => t.ioClass)).size).toBe(1);
    expect(traced[1].runs).toEqual(traced[0].runs);
  });

  it("separates different constants at both levels", async () => {
    const code = (c: number) => `def f(x):\n    return x + ${c}\n`;
    for (const level of ["trace", "io"] as const) {
      const t = await traceFunctions(rows([{ code: code(1) }, { code: code(2) }]), {
        pool,
        level,
      });
      expect(t[0].traceClass).not.toBe(t[1].traceClass);
      expect(t[0].ioClass).not.toBe(t[1].ioClass);
    }
  });

  it("io joins code that trace keeps apart", async () => {
    const same = rows([
      { code: "def f(x):\n    return x\n" },
      { code: "def f(x):\n    if x > 0:\n        return x\n    return x\n" },
    ]);
    const io = await traceFunctions(same, { pool, level: "io" });
    const trace = await traceFunctions(same, { pool, level: "trace" });
    expect(io[0].traceClass).toBe(io[1].traceClass);
    expect(trace[0].traceClass).not.toBe(trace[1].traceClass);
    // One io class, but different runs: each row keeps its own (the shared runs are only
    // shared when every value is equal, whatever the class's digest says).
    expect(io[0].runs).not.toBe(io[1].runs);
    expect(io[0].runs.map((r) => r.blocks)).toEqual(trace[0].runs.map((r) => r.blocks));
    expect(io[1].runs.map((r) => r.blocks)).toEqual(trace[1].runs.map((r) => r.blocks));
    expect(io[1].runs.some((r) => r.blocks.length > 1)).toBe(true);
  });

  it("lets rows that behave exactly alike share one list of runs, with its classes", async () => {
    const traced = await traceFunctions(
      rows([
        ...variants.map((code, i) => ({ code, entry: entries[i] })),
        { code: "def f(x):\n    return x\n" },
      ]),
      { pool, inputs: 20 },
    );
    expect(traced[1].runs).toBe(traced[0].runs);
    expect(traced[3].runs).toBe(traced[0].runs);
    expect(traced[4].runs).not.toBe(traced[0].runs);
    for (const t of traced) {
      expect(t.traceClass).toBe(traceClassOf(t.runs));
      expect(t.ioClass).toBe(ioClassOf(t.runs));
    }
  });
});

describe("determinism", () => {
  const items = rows([
    { code: "def f(x):\n    return x * 3\n" },
    { code: "def f(s, xs):\n    return s[:2] + str(sum(xs))\n", args: ["str", "list[int]"] },
    { code: "def f(x):\n    return x / 3\n", args: ["float"] },
  ]);

  it("gives byte-identical output for the same seed and different data for another", async () => {
    const a = JSON.stringify(await traceFunctions(items, { pool, seed: 7 }));
    const b = JSON.stringify(await traceFunctions(items, { pool, seed: 7 }));
    const c = JSON.stringify(await traceFunctions(items, { pool, seed: 8 }));
    expect(b).toBe(a);
    expect(c).not.toBe(a);
  });

  it("gives a text repeated within one unit what it gives alone (the unit's compile cache)", async () => {
    const one = "def f(x):\n    return x + 1\n";
    const two = "def f(x):\n    return x + 2\n";
    const refused = "def f(x):\n    return x.__class__.__base__.__subclasses__()\n";
    const syntax = "def f(x) return\n";
    const raising = "raise ValueError('at definition')\ndef f(x):\n    return x\n";
    const state =
      "import collections\nc = collections.Counter()\ndef f(x):\n    c[x % 2] += 1\n    return c[x % 2]\n";
    // Longer than the cache keeps: compiled every time.
    const long = `def f(x):\n${"    y = 1\n".repeat(2000)}    return x + y\n`;
    const texts = [one, two, one, refused, two, refused, syntax, syntax, raising, raising];
    const items = rows([...texts, state, state, long, long, one].map((code) => ({ code })));
    const shared = await traceFunctions(items, { pool, inputs: 6, unitOf: () => "one unit" });
    const alone = await traceFunctions(items, { pool, inputs: 6 });
    expect(shared.map((t) => t.status)).toEqual([
      ...["ok", "ok", "ok", "limit", "ok", "limit", "syntax_error", "syntax_error"],
      ...["runtime_error", "runtime_error", "ok", "ok", "ok", "ok", "ok"],
    ]);
    expect(JSON.stringify(shared)).toBe(JSON.stringify(alone));
    expect(shared[0].traceClass).not.toBe(shared[1].traceClass);
  });
});

describe("statuses", () => {
  it("reports each failure as the row's status, in input order", async () => {
    const traced = await traceFunctions(
      rows([
        { code: "def f(x):\n    return 10 // x\n" },
        { code: "def f(x) return\n" },
        { code: "def g(x):\n    return x\n" },
        { code: "raise ValueError('at definition')\ndef f(x):\n    return x\n" },
        { code: "def f(x):\n    while True:\n        pass\n" },
        { code: "def f(x):\n    return x.__class__.__base__.__subclasses__()\n" },
        { code: "def f(x):\n    return [0] * 10**9\n" },
      ]),
      { pool, inputs: 201, range: { min: -100, max: 100 }, maxSteps: 100_000 },
    );
    expect(traced.map((t) => t.id)).toEqual(["r0", "r1", "r2", "r3", "r4", "r5", "r6"]);
    expect(traced.map((t) => t.status)).toEqual([
      "ok",
      "syntax_error",
      "runtime_error",
      "runtime_error",
      "timeout",
      "limit",
      "limit",
    ]);
    // An exception on some input is behaviour, not failure.
    expect(traced[0].runs.some((r) => r.output === "raise:ZeroDivisionError")).toBe(true);
    expect(traced[2].error).toMatch(/entry function 'f' is not defined/);
    expect(traced[3].error).toMatch(/ValueError: at definition/);
    expect(traced[5].error).toMatch(/__subclasses__/);
    expect(traced[6].error).toMatch(/memory/);
    for (const t of traced.slice(1)) {
      expect(t.traceClass).toBeNull();
      expect(t.runs).toEqual([]);
    }
  });

  it("cuts long traces and flags them as truncated", async () => {
    const [t] = await traceFunctions(
      rows([
        { code: "def f(x):\n    s = 0\n    for i in range(1000):\n        s += i\n    return s\n" },
      ]),
      { pool, inputs: 2, maxEvents: 50 },
    );
    expect(t.status).toBe("ok");
    expect(t.runs[0].truncated).toBe(true);
    expect(t.runs[0].blocks).toHaveLength(50);
    expect(t.runs[0].output).toBe("499500");
  });
});
