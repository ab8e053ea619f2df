/**
 * Red team, second part: the layers that must hold even when the ones above them fall.
 *
 * 1. The operating-system boundary, against an attacker who already controls the child's
 *    JavaScript realm: a hostile child script runs in place of the worker, inside the same
 *    boundary, and tries the network, host processes, host files, trace_events and child
 *    processes; the host side checks that nothing arrived.
 * 2. The parent, against a child that lies: malformed, foreign, oversized and unasked-for
 *    messages fail only that child's current job, and the pool keeps serving.
 * 3. Isolation between snippets: every poisoning route is followed by innocent rows that must
 *    give exactly their outputs when run alone, and the whole run is byte-identical twice.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asFunction } from "../../test/helpers/snippets.js";
import { type InputSet, type SnippetJob, type SnippetResult, TracerPool } from "./index.js";
import { packagePath, pyodideDir } from "./pool.js";

const one: InputSet = { key: "one", types: ["int"], values: [[7]] };

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

describe.each([
  ["with Node's permission model", true],
  ["with the operating-system boundary alone", false],
])("a child taken over by the attacker, %s", (_layers, permissionModel) => {
  const dir = mkdtempSync(join(tmpdir(), "tracecode-redteam-"));
  const secretFile = join(dir, "host-secret.txt");
  // A folder the child can see (bound read-only): writing there is the real test.
  const writeFile = join(pyodideDir(), `written-by-child-${process.pid}.txt`);
  let tcp: Server;
  let tcpConnections = 0;
  let udp: UdpSocket;
  let udpMessages = 0;
  let listenPort: number;
  let victim: ChildProcess;
  let victimExit: string | undefined;
  let pool: TracerPool;
  const ask = (code: string) => pool.trace({ code, entry: "f", inputs: one, timeoutMs: 20_000 });

  beforeAll(async () => {
    writeFileSync(secretFile, "host secret");
    tcp = createServer((c) => {
      tcpConnections++;
      c.destroy();
    });
    await new Promise<void>((ok) => tcp.listen(0, "127.0.0.1", ok));
    udp = createSocket("udp4");
    udp.on("message", () => udpMessages++);
    await new Promise<void>((ok) => udp.bind(0, "127.0.0.1", ok));
    listenPort = await freePort();
    victim = spawn("sleep", ["120"], { stdio: "ignore" });
    victim.on("exit", (code, signal) => {
      victimExit = String(signal ?? code);
    });
    const targets = {
      tcpPort: (tcp.address() as { port: number }).port,
      udpPort: udp.address().port,
      listenPort,
      hostPid: victim.pid,
      readFile: secretFile,
      writeFile,
    };
    const script = join(dir, "hostile-child.mjs");
    const source = readFileSync(packagePath("test/fixtures/redteam/hostile-child.mjs"), "utf8");
    writeFileSync(script, source.replace("__TARGETS__", JSON.stringify(targets)));
    pool = new TracerPool({ workers: 1, childScript: script, permissionModel });
  });

  afterAll(async () => {
    await pool.close();
    tcp.close();
    udp.close();
    victim.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
    rmSync(writeFile, { force: true });
  });

  it("reaches no network, host process or host file, and writes no trace log", async () => {
    const r = await ask("report");
    expect(r.status, JSON.stringify(r)).toBe("ok");
    const found = JSON.parse(r.runs[0][2]) as Record<string, string>;
    if (process.env.TRACECODE_REDTEAM_VERBOSE) console.log(found);
    for (const attack of [
      "tcp",
      "udp",
      "listen",
      "signal",
      "read",
      "write",
      "devShm",
      "childProcess",
    ]) {
      expect(found[attack], attack).toMatch(/^failed/);
    }
    // Seen from the host: nothing arrived, nothing listens, the victim lives, no file appeared.
    await new Promise((ok) => setTimeout(ok, 200));
    expect(tcpConnections).toBe(0);
    expect(udpMessages).toBe(0);
    const reached = await new Promise<boolean>((ok) => {
      const s = connect(listenPort, "127.0.0.1", () => {
        s.destroy();
        ok(true);
      });
      s.on("error", () => ok(false));
    });
    expect(reached).toBe(false);
    expect(victimExit).toBeUndefined();
    expect(existsSync(writeFile)).toBe(false);
    // The environment the child sees is empty but for the folder bubblewrap put it in.
    expect(found.env).toBe('succeeded: {"PWD":"/tmp"}');
    // A trace_events log, if enabling it worked at all, went to the child's private /tmp.
    const logs = [pyodideDir(), process.cwd(), dir].flatMap((d) =>
      readdirSync(d).filter((f) => f.startsWith("node_trace")),
    );
    expect(logs).toEqual([]);
  }, 60_000);

  it.each([
    ["not-json", /not JSON/],
    ["wrong-id", /job \d+ arrived while job \d+ was running/],
    ["wrong-shape", /not \[blocks, values, output, truncated\]|runs for/],
    ["bad-status", /unknown status/],
    ["too-many-runs", /has 2 runs for 1 inputs/],
    ["huge", /exceeds the size cap/],
    ["fatal-flood", /fatal sent twice/],
    ["stderr-flood", /more than 1 MiB written to stderr/],
  ])(
    "fails only the current job when a child answers with %s",
    async (lie, reason) => {
      const r = await ask(lie);
      expect(r.status).toBe("limit");
      expect(r.error).toMatch(/sandbox protocol violation/);
      expect(r.error).toMatch(reason);
      // The pool replaced the child and keeps serving.
      const next = await ask("fine");
      expect(next.status).toBe("ok");
      expect(next.runs[0][2]).toBe("1");
    },
    60_000,
  );

  it("labels a child's runs with its own encoding of the inputs, never another child's", async () => {
    const set: InputSet = { key: "forged", types: ["int"], values: [[7]] };
    const forged = await pool.trace({ code: "forge", entry: "f", inputs: set, timeoutMs: 20_000 });
    expect(forged.inputs).toEqual([["'forged'"]]);
    // A violation replaces the child; the next child's rows carry the inputs it encoded.
    expect((await ask("not-json")).status).toBe("limit");
    const honest = await pool.trace({ code: "fine", entry: "f", inputs: set, timeoutMs: 20_000 });
    expect(honest.inputs).toEqual([["1"]]);
  }, 60_000);

  it("ignores nothing a child sends unasked: the child is replaced, the answered job stands", async () => {
    const r = await ask("unasked");
    expect(r.status).toBe("ok");
    // The extra answer either reaches the child's next job (which then fails as a violation)
    // or arrives while the child is idle (the child is replaced): never a result.
    const next = await ask("fine");
    if (next.status !== "ok") expect(next.error).toMatch(/protocol violation/);
    const third = await ask("fine");
    expect(third.status).toBe("ok");
  }, 60_000);
});

// ---------------------------------------------------------------- isolation between snippets

const fn = (body: string) => asFunction(body);
const inputs: InputSet = { key: "iso", types: ["int"], values: [[-4], [0], [9]] };

/** Rows that only compute: each must give the same outputs whatever ran before it. */
const innocent: string[] = [
  "from collections import Counter\nimport math, decimal\n" +
    fn(
      "return (Counter('aab').most_common(1), math.sqrt(abs(x)), str(decimal.Decimal(1) / 7), decimal.DefaultContext.prec, decimal.getcontext().prec)",
    ),
  `import collections.abc\n${fn("return (isinstance(x, collections.abc.Iterable), len(str(x)))")}`,
  "import random, statistics\n" +
    fn(
      "return (random.Random().random(), statistics.NormalDist().samples(2), random.random(), hash('abc') % 1000)",
    ),
];

/** Poisoning routes that obey the policy, and attacks the policy refuses. */
const hostile: [string, string][] = [
  ["patches the module type", `import math\ntype(math).sqrt = lambda x: 42\n${fn("return x")}`],
  [
    "changes the decimal context",
    `import decimal\ndecimal.getcontext().prec = 2\n${fn("return x")}`,
  ],
  [
    "changes decimal.DefaultContext",
    "import decimal\ndecimal.DefaultContext.prec = 3\ndecimal.setcontext(decimal.DefaultContext)\n" +
      fn("return x"),
  ],
  [
    "registers int as Iterable",
    `import collections.abc\ncollections.abc.Iterable.register(int)\n${fn("return x")}`,
  ],
  [
    "patches Counter.most_common",
    "import collections\ncollections.Counter.most_common = lambda self, n=None: [('z', 9)]\n" +
      fn("return x"),
  ],
  [
    "re-poisons from __del__ of a garbage cycle",
    "import collections\nclass A:\n    def __del__(self):\n        collections.Counter.most_common = lambda self, n=None: []\n" +
      fn("a = A()\na.me = a\nreturn x"),
  ],
  [
    "spins in __del__",
    "class A:\n    def __del__(self):\n        while True:\n            pass\n" +
      fn("a = A()\na.me = a\nreturn x"),
  ],
  [
    "draws from the shared random state",
    `import random\n${fn("return [random.random() for _ in range(50)][0] > 2")}`,
  ],
  [
    "escapes through a class pattern",
    "class Meta(type):\n    def __instancecheck__(cls, obj):\n        return True\n" +
      "def ga(obj, name):\n    M = Meta('M', (), {'__match_args__': (name,)})\n    match obj:\n        case M(v):\n            return v\n" +
      fn("return str(ga(getattr, '__globals__'))[:50]"),
  ],
  [
    "deletes the module views' attribute lookup",
    `import math\ntype.__delattr__(type(math), '__getattribute__')\n${fn("return x")}`,
  ],
  [
    "replaces the module view class's constructor through type.__setattr__",
    "import math\ntype.__setattr__(type(math), '__init__', lambda self, names: None)\n" +
      fn("return x"),
  ],
  [
    "rebinds the builtins of later functions",
    `from errno import errorcode as __builtins__\nerrorcode = __builtins__\n${fn("return x")}`,
  ],
  ["bombs the memory", fn("a = []\nwhile True:\n    a.append('x' * 10**6)")],
  ["loops forever", fn("while True:\n    pass")],
];

async function runAll(pool: TracerPool, jobs: SnippetJob[]): Promise<SnippetResult[]> {
  return Promise.all(jobs.map((j) => pool.trace(j)));
}

describe("isolation between snippets (row units, one child)", () => {
  let solo: SnippetResult[];
  let first: SnippetResult[];
  let second: SnippetResult[];
  const sequence: SnippetJob[] = hostile.flatMap(([, code], h) => [
    { code, entry: "f", inputs, unit: `h${h}`, maxSteps: 200_000 },
    ...innocent.map((c, i) => ({ code: c, entry: "f", inputs, unit: `h${h}-i${i}` })),
  ]);

  beforeAll(async () => {
    solo = [];
    for (const code of innocent) {
      const alone = new TracerPool({ workers: 1, memoryMb: 256 });
      solo.push(await alone.trace({ code, entry: "f", inputs }));
      await alone.close();
    }
    for (const target of ["first", "second"] as const) {
      const pool = new TracerPool({ workers: 1, memoryMb: 256 });
      const results = await runAll(pool, sequence);
      await pool.close();
      if (target === "first") first = results;
      else second = results;
    }
  }, 300_000);

  it("runs the innocent rows alone", () => {
    for (const r of solo) expect(r.status, JSON.stringify(r)).toBe("ok");
  });

  it.each(hostile.map(([name], h) => [name, h] as const))(
    "gives the innocent rows after a row that %s their outputs when run alone",
    (_name, h) => {
      const block = first.slice(h * (innocent.length + 1), (h + 1) * (innocent.length + 1));
      innocent.forEach((_, i) => {
        expect(block[i + 1].runs.map((r) => r[2])).toEqual(solo[i].runs.map((r) => r[2]));
      });
    },
  );

  it("contains the attacks the policy refuses", () => {
    const status = (name: string) =>
      first[hostile.findIndex(([n]) => n === name) * (innocent.length + 1)];
    expect(status("escapes through a class pattern").status).toBe("limit");
    expect(status("rebinds the builtins of later functions").status).toBe("limit");
    expect(status("bombs the memory").status).toBe("limit");
    expect(status("loops forever").status).toBe("timeout");
  });

  it("gives byte-identical results on a rerun", () => {
    expect(JSON.stringify(second)).toBe(JSON.stringify(first));
  });
});
