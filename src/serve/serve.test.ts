/**
 * tracecode serve, end to end: one small index made once, one server, the JSON API's answers
 * and errors, and the four pages driven in Debian's Chromium (playwright-core pointed at the
 * system browser; nothing is downloaded). Screenshots go to out/screenshots/.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeTinyModel } from "../../test/helpers/tiny-model.js";
import { packagePath } from "../python/pool.js";
import { indexPaths } from "../search/index.js";
import { initPython } from "../synth/index.js";
import { CHROMIUM_ARGS } from "./chromium.js";
import { BusyError, SandboxGate } from "./gate.js";
import { type RunningServer, startServer } from "./index.js";
import { linesOf, probedCopy } from "./probe.js";

const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const haveChromium = existsSync(CHROMIUM);
const SHOTS = packagePath("out", "screenshots");

const root = mkdtempSync(join(tmpdir(), "tracecode-serve-"));
const index = join(root, "idx");
let server: RunningServer;

const SOURCE = `def double(x: int) -> int:
    return 2 * x


def twice(y: int) -> int:
    return y + y


def square(x: int) -> int:
    return x * x


def sign(x: int) -> int:
    if x > 0:
        return 1
    return -1


def clamp(x: int) -> int: return x if x < 100 else 100


def shout(s: str) -> str:
    return s.upper()


def untyped(a):
    return a


def forever(x: int) -> int:
    while True:
        x += 1


def boom(xs: list[int]) -> int:
    n = len(xs)
    raise ValueError("no good")
    return n


def wide(xs: list[int]) -> str:
    return "x" * 190 + str(xs)


SCALE = 3


def scaled(x: int) -> int:
    return x * SCALE


class Counter:
    def __init__(self, start: int):
        self.n = start

    def bump(self, k: int) -> int:
        self.n += k
        return self.n


class Base:
    def doubled(self):
        return self.value() * 2


class Impl(Base):
    def value(self):
        return 21
`;

beforeAll(async () => {
  mkdirSync(join(root, "src"));
  writeFileSync(join(root, "src", "maths.py"), SOURCE);
  await indexPaths([join(root, "src")], index, {
    model: writeTinyModel(join(root, "model")),
    inputs: 40,
    maxSteps: 20_000,
  });
  server = await startServer(index, { port: 0, report: packagePath("docs", "results") });
  // The map is projected in a worker thread; the pages below need it.
  for (let i = 0; i < 600 && server.state.map.current.status === "computing"; i++)
    await new Promise((r) => setTimeout(r, 100));
});
afterAll(async () => {
  await server?.close();
  rmSync(root, { recursive: true, force: true });
});

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  server.app.request(path, {
    method: "POST",
    headers: { "content-type": "application/json", host: "127.0.0.1", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
/** A function's id in the test index, by name. */
const idOf = (name: string) =>
  server.state.store.allCode().find((f) => f.code.startsWith(`def ${name}(`))?.id;
const get = (path: string, headers: Record<string, string> = {}) =>
  server.app.request(path, { headers: { host: "127.0.0.1", ...headers } });
/** A request over the wire to the test server: Host as given, the path as sent, not parsed. */
const wire = (path: string, headers: Record<string, string> = {}) =>
  new Promise<{ status: number; error: string }>((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port: server.port, path, headers }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d) => (body += d));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          error: res.headers["content-type"]?.startsWith("application/json")
            ? JSON.parse(body).error
            : "",
        }),
      );
    });
    req.on("error", reject);
    req.end();
  });

describe("the JSON API", () => {
  it("ranks hits by behaviour, then similarity, with every differing input and both signatures", async () => {
    const r = await post("/api/search", {
      code: "def f(n: int) -> int:\n    return n * 2\n",
      k: 7,
    });
    expect(r.status).toBe(200);
    const data = JSON.parse(await r.text());
    expect(data.query).toMatchObject({
      entry: "f",
      args: ["int"],
      status: "ok",
      signature: "f(int)",
    });
    const verdicts = data.hits.map((h: { verdict: string }) => h.verdict);
    expect(verdicts.slice(0, 2)).toEqual(["same", "same"]);
    expect(verdicts.indexOf("not compared")).toBeGreaterThan(verdicts.lastIndexOf("differs"));
    const names = data.hits
      .slice(0, 2)
      .map((h: { name: string }) => h.name)
      .sort();
    expect(names).toEqual(["double", "twice"]);
    // Each hit's code is numbered as its file: from its own line on.
    for (const h of data.hits as { line: number; code: string; fileLines: (number | null)[] }[]) {
      expect(h.fileLines).toHaveLength(h.code.split("\n").length);
      expect(h.fileLines.find((n) => n !== null)).toBe(h.line);
    }
    const square = data.hits.find((h: { name: string }) => h.name === "square");
    expect(square.signature).toBe("square(int)");
    expect(square.differences.count).toBeGreaterThan(30);
    for (const d of square.differences.shown) {
      const x = BigInt(d.input[0]);
      expect([d.query, d.hit]).toEqual([String(2n * x), String(x * x)]);
    }
    for (const h of data.hits) {
      expect(h.signature.startsWith(`${h.name}(`)).toBe(true);
      if (h.verdict === "not compared")
        expect([h.differences, h.verdictText.length > 0]).toEqual([null, true]);
      else expect(h.differences.count).toBe(h.behaviour.shared - h.behaviour.equal);
    }
    expect(verdicts).toContain("not compared");
  });

  it("runs one input of a function and highlights exactly the lines that ran", async () => {
    const info = await JSON.parse(await (await get("/api/functions/4")).text());
    expect(info.name).toBe("sign");
    const positive = info.rows.find((r: { input: string[] }) => Number(r.input[0]) > 0);
    const negative = info.rows.find((r: { input: string[] }) => Number(r.input[0]) <= 0);
    const run = async (i: number) =>
      JSON.parse(await (await get(`/api/functions/4/run?input=${i}`)).text());
    const [p, n] = [await run(positive.index), await run(negative.index)];
    expect([p.output, p.lines]).toEqual(["1", [2, 3]]);
    expect([n.output, n.lines]).toEqual(["-1", [2, 4]]);
    expect(p.blocks.length).toBeGreaterThan(0);
    const one = await JSON.parse(await (await get("/api/functions/5/run?input=0")).text());
    expect(one).toMatchObject({ status: "ok", lines: [1] });
  });

  it("runs a function as indexing did: in its module, a method on its instance", async () => {
    // Base.doubled runs on an instance of the subclass that defines what Base lacks.
    for (const [name, def, line] of [
      ["scaled", "scaled", "    return x * SCALE"],
      ["Counter.bump", "bump", "        return self.n"],
      ["Base.doubled", "doubled", "        return self.value() * 2"],
    ]) {
      const id = server.state.store.allCode().find((f) => f.code.includes(`def ${def}(`))?.id;
      const info = JSON.parse(await (await get(`/api/functions/${id}`)).text());
      expect(info).toMatchObject({ status: "ok", name });
      // Numbered as in the file from its def on; what a method's code begins with from
      // elsewhere in the file (its class's header) is not numbered.
      const file = SOURCE.split("\n");
      const own = info.code.split("\n").flatMap((text: string, i: number) => {
        const n = info.fileLines[i];
        return n === null ? [] : [[n, text]];
      });
      expect(info.fileLines.includes(null)).toBe(name.includes("."));
      expect(own[0][0]).toBe(info.line);
      for (const [n, text] of own) expect(file[n - 1]).toBe(text);
      for (const i of [0, 1]) {
        const run = JSON.parse(await (await get(`/api/functions/${id}/run?input=${i}`)).text());
        expect(run).toMatchObject({ status: "ok", output: info.rows[i].output });
        const code = info.code.split("\n");
        expect(run.lines.map((l: number) => code[l - 1])).toContain(line);
      }
    }
  });

  it("answers bad requests with a 4xx naming the problem", async () => {
    const cases: [Response | Promise<Response>, number, RegExp][] = [
      [post("/api/search", "{not json"), 400, /not valid JSON/],
      [post("/api/search", { code: "x" }, { "content-type": "text/plain" }), 415, /JSON/],
      [
        post("/api/search", { code: "x".repeat(70_000) }),
        413,
        /"code" is 70,000 characters; the limit is 65,536/,
      ],
      [post("/api/search", { code: "y".repeat(300_000) }), 413, /over 262,144 bytes/],
      [post("/api/search", { code: "def f(:\n" }), 422, /not valid Python/],
      [
        post("/api/search", { code: "\u007fELF\u0002\u0001\u0000\u0000" }),
        422,
        /not text \(it holds a NUL byte/,
      ],
      [
        post("/api/search", { code: "def f(x): return x", k: 5000 }),
        400,
        /"k" must be an integer in 1..50/,
      ],
      [
        post("/api/search", { code: "def f(x): return x", args: ["dict"] }),
        400,
        /"args": argument type "dict": unknown type/,
      ],
      [
        post("/api/search", { code: "def f(x): return x", args: "int,tuple[int" }),
        400,
        /"args": argument type "tuple\[int": unknown type/,
      ],
      [get("/api/functions/abc"), 400, /not a function id: "abc" \(ids are positive integers/],
      [get("/api/functions/9999"), 404, /no function with id 9999/],
      [
        get(`/api/functions/${idOf("forever")}/run`),
        409,
        /forever\) did not run at indexing \(step budget spent/,
      ],
      [get("/api/functions/1/run?input=40"), 400, /"input" must be an integer in 0..39/],
      [get("/api/nothing"), 404, /no such endpoint/],
      [get("/report/files/../package.json"), 404, /no such|no file/],
      [get("/api/info", { host: "evil.example" }), 403, /loopback only/],
      [get("/api/info", { host: "127.999.999.999" }), 403, /loopback only/],
      [get("/report/files/%"), 400, /path "\/report\/files\/%" is malformed/],
      [get("/report/files/a%E0%A4.svg"), 400, /is malformed/],
      [get("/api/functions/%/run"), 400, /is malformed/],
      [get("/%zz"), 400, /is malformed/],
    ];
    for (const [response, status, message] of cases) {
      const r = await response;
      expect(r.status).toBe(status);
      expect(JSON.parse(await r.text()).error).toMatch(message);
    }
  });

  it("refuses what a browser marks as cross-site, and serves the app's pages and clients without those headers", async () => {
    const own = `http://127.0.0.1:${server.port}`;
    const run = "/api/functions/1/run?input=0";
    const refused: [string, Record<string, string>][] = [
      ["GET", { origin: "http://evil.example", "sec-fetch-site": "cross-site" }],
      ["GET", { "sec-fetch-site": "cross-site" }],
      ["GET", { "sec-fetch-site": "same-site" }],
      ["GET", { origin: "http://evil.example" }],
      ["GET", { origin: "null" }],
      ["GET", { origin: "http://127.0.0.1:1" }],
      ["POST", { origin: "http://evil.example" }],
    ];
    for (const [method, headers] of refused) {
      const r =
        method === "GET"
          ? await get(run, { host: `127.0.0.1:${server.port}`, ...headers })
          : await post("/api/search", { code: "def f(x): return x" }, headers);
      expect([method, headers, r.status]).toEqual([method, headers, 403]);
      expect(JSON.parse(await r.text()).error).toMatch(
        /^cross-site request refused \((Origin|Sec-Fetch-Site): /,
      );
    }
    // Over the wire, as the tester's curl sent it; and as the app's own pages and curl send it.
    const evil = { origin: "http://evil.example", "sec-fetch-site": "cross-site" };
    expect(await wire(run, evil)).toMatchObject({ status: 403 });
    const served: Record<string, string>[] = [
      {},
      { origin: own, "sec-fetch-site": "same-origin" },
      { "sec-fetch-site": "none" },
    ];
    for (const headers of served)
      expect([headers, (await wire(run, headers)).status]).toEqual([headers, 200]);
    const search = await post(
      "/api/search",
      { code: "def f(x: int) -> int:\n    return x\n", k: 1 },
      { host: `127.0.0.1:${server.port}`, origin: own, "sec-fetch-site": "same-origin" },
    );
    expect(search.status).toBe(200);
    // Pages are still opened from links on other sites.
    expect((await wire("/function?id=1", { "sec-fetch-site": "cross-site" })).status).toBe(200);
  });

  it("answers a malformed path 400 and an invalid Host 403 over the wire, never 500", async () => {
    expect(await wire("/report/files/%")).toMatchObject({
      status: 400,
      error: expect.stringMatching(/malformed/),
    });
    expect(await wire("/api/info", { host: "127.999.999.999" })).toEqual({
      status: 403,
      error: 'host "127.999.999.999" is not served (loopback only)',
    });
    expect(await wire("/api/info", { host: "127.0.0.1:1" })).toMatchObject({ status: 200 });
  });

  it("serves a report file only if it is a regular file inside the folder once links are followed", async () => {
    const rep = join(root, "report-links");
    mkdirSync(join(rep, "figures"), { recursive: true });
    mkdirSync(join(root, "outside"), { recursive: true });
    writeFileSync(join(rep, "figures", "ok.svg"), "<svg/>");
    writeFileSync(join(root, "outside", "secret.svg"), "secret");
    symlinkSync(join(root, "outside", "secret.svg"), join(rep, "out.svg"));
    symlinkSync("/etc/passwd", join(rep, "passwd.md"));
    symlinkSync(join(root, "outside"), join(rep, "linked"));
    symlinkSync(join(rep, "nowhere.svg"), join(rep, "dangling.svg"));
    symlinkSync(join(rep, "figures", "ok.svg"), join(rep, "in.svg"));
    symlinkSync(join(rep, "figures"), join(rep, "dir.svg"));
    const before = server.state.reportDir;
    server.state.reportDir = rep;
    try {
      for (const [file, status] of [
        ["figures/ok.svg", 200],
        ["in.svg", 200],
        ["out.svg", 404],
        ["passwd.md", 404],
        ["linked/secret.svg", 404],
        ["dangling.svg", 404],
        ["dir.svg", 404],
      ] as const) {
        const r = await get(`/report/files/${file}`);
        expect([file, r.status]).toEqual([file, status]);
        if (status === 200) expect(await r.text()).toBe("<svg/>");
      }
    } finally {
      server.state.reportDir = before;
    }
  });

  it("says a port in use is in use, and how to get a free one", async () => {
    await expect(startServer(index, { port: server.port, noMap: true })).rejects.toThrow(
      /port \d+ on 127\.0\.0\.1 is in use by another program: .*--port 0/,
    );
  });

  it("takes every argument type --args takes, as a list or as the flag's text", async () => {
    const code = "def f(x):\n    return x[0] + 1\n";
    for (const args of [
      ["tuple[int,int]"],
      ["tuple[int, int]"],
      "tuple[int, int]",
      ["dict[str,int]"],
      ["optional[int]"],
      ["list[list[int]]"],
    ]) {
      const r = await post("/api/search", { code, args, k: 2 });
      expect(r.status, JSON.stringify(args)).toBe(200);
      const q = JSON.parse(await r.text()).query;
      expect(q.args).toEqual([(Array.isArray(args) ? args[0] : args).replace(/ /g, "")]);
    }
    const two = await post("/api/search", {
      code: "def g(d, xs):\n    return len(d) + len(xs)\n",
      args: "dict[str,int], list[int]",
      k: 1,
    });
    expect(JSON.parse(await two.text()).query).toMatchObject({
      args: ["dict[str,int]", "list[int]"],
      status: "ok",
    });
  });

  it("says which argument types do not fit the function, without naming the CLI flag", async () => {
    const r = await post("/api/search", { code: "def f(x): return x", args: ["int", "int"] });
    expect(r.status).toBe(422);
    const error = JSON.parse(await r.text()).error;
    expect(error).toMatch(/^argument types for f: the given types \(int, int\) do not match/);
    expect(error).not.toContain("--args");
  });

  it("says where each function's argument types came from, the same in search and on its page", async () => {
    const r = await post("/api/search", { code: "def f(v):\n    return v\n", k: 20 });
    expect(r.status).toBe(200);
    const hits = JSON.parse(await r.text()).hits as {
      id: number;
      name: string;
      argsFrom: string | null;
      argsFromText: string | null;
      problem?: string;
    }[];
    const byName = new Map(hits.map((h) => [h.name, h]));
    for (const h of hits) {
      const info = JSON.parse(await (await get(`/api/functions/${h.id}?rows=0`)).text());
      expect([h.name, h.argsFrom, h.argsFromText]).toEqual([
        h.name,
        info.argsFrom,
        info.argsFromText,
      ]);
    }
    expect(byName.get("double")).toMatchObject({ argsFrom: "hints", argsFromText: "type hints" });
    // No hints: the types were inferred from the code, not read from hints.
    const untyped = byName.get("untyped");
    expect(untyped?.argsFrom).toBe("inferred");
    expect(untyped?.argsFromText).toMatch(/^inferred from the code( \(.+\))?$/);
  });

  it("takes a method as Class.method for the entry, as tracecode search --entry does", async () => {
    const code = "class A:\n    def m(self, x: int) -> int:\n        return 2 * x\n";
    const s = await post("/api/search", { code, entry: "A.m", k: 3 });
    expect(s.status).toBe(200);
    expect(JSON.parse(await s.text()).query.entry).toBe("A.m");
    const p = await post("/api/map/place", { code, entry: "A.m" });
    expect(p.status).toBe(200);
    expect(JSON.parse(await p.text()).entry).toBe("A.m");
    for (const entry of ["A.m.n", "A.", ".m", "A m", "a-b"]) {
      const bad = await post("/api/search", { code, entry });
      expect([entry, bad.status]).toEqual([entry, 400]);
      expect(JSON.parse(await bad.text()).error).toBe(
        `"entry" must be a Python function name or Class.method, got ${JSON.stringify(entry)}`,
      );
    }
  });

  it("tells on the map a function that raised on every input from one that did not run", async () => {
    const map = JSON.parse(await (await get("/api/map")).text());
    expect(map.status).toBe("ready");
    const cls = (name: string) => map.cls[map.names.indexOf(name)];
    expect([cls("boom"), cls("forever"), cls("double") >= 0]).toEqual([-2, -1, true]);
  });

  it("names an empty icon on every page, and answers /favicon.ico without an error", async () => {
    // Headless Chromium asks for no icon, so this is checked here: a browser asks for
    // /favicon.ico (a 404 in its console) unless the page names one.
    for (const page of ["/", "/function?id=1", "/map", "/report"]) {
      const html = await (await get(page)).text();
      expect([page, html.includes('<link rel="icon" href="data:," />')]).toEqual([page, true]);
    }
    expect((await get("/favicon.ico")).status).toBe(204);
  });

  it("answers a known path asked with another method 405, with Allow", async () => {
    const cases: [string, string, string][] = [
      ["GET", "/api/search", "POST"],
      ["PUT", "/api/search", "POST"],
      ["GET", "/api/map/place", "POST"],
      ["POST", "/api/info", "GET, HEAD"],
      ["DELETE", "/api/functions/1", "GET, HEAD"],
      ["POST", "/api/functions/1/run", "GET, HEAD"],
      ["POST", "/api/map", "GET, HEAD"],
      ["POST", "/api/report", "GET, HEAD"],
    ];
    for (const [method, path, allow] of cases) {
      const r = await server.app.request(path, {
        method,
        headers: { host: "127.0.0.1", "content-type": "application/json" },
        ...(method === "GET" ? {} : { body: "{}" }),
      });
      expect([method, path, r.status, r.headers.get("allow")]).toEqual([method, path, 405, allow]);
      expect(JSON.parse(await r.text()).error).toBe(
        `${method} is not allowed on ${path}: use ${allow.replace(", HEAD", "")} (Allow: ${allow})`,
      );
    }
    // The right method still answers, HEAD included.
    expect(
      (await server.app.request("/api/info", { method: "HEAD", headers: { host: "127.0.0.1" } }))
        .status,
    ).toBe(200);
    expect((await get("/api/search/nothing")).status).toBe(404);
  });

  it("answers 400 for anything that is not a function id (ids start at 1), 404 for one not there", async () => {
    const ids = ["0", "-1", "00", "01", "1.5", "+1", "1e3", "99999999999999999999"];
    for (const id of [...ids, ...ids.map((i) => `${i}/run`)]) {
      const r = await get(`/api/functions/${id}`);
      expect([id, r.status]).toEqual([id, 400]);
      expect(JSON.parse(await r.text()).error).toMatch(/^not a function id: "/);
    }
    for (const path of ["/api/functions/9999", "/api/functions/9999/run"]) {
      const r = await get(path);
      expect([path, r.status]).toEqual([path, 404]);
    }
  });

  it("explains code that is not valid Python the same way when searching and placing", async () => {
    for (const code of ["def f(x: return", "x = 1\n", "def f(x):\n    return x\n"]) {
      const s = await post("/api/search", { code, entry: code.startsWith("def f(x):") ? "g" : "" });
      const p = await post("/api/map/place", {
        code,
        entry: code.startsWith("def f(x):") ? "g" : "",
      });
      expect([s.status, p.status]).toEqual([422, 422]);
      expect(JSON.parse(await p.text()).error).toBe(JSON.parse(await s.text()).error);
    }
    const bad = await post("/api/map/place", { code: "def f(x: return" });
    expect(JSON.parse(await bad.text()).error).toMatch(/^the query is not valid Python \(line 1/);
    const good = await post("/api/map/place", {
      code: "def f(n: int) -> int:\n    return n * 2\n",
    });
    expect(good.status).toBe(200);
    expect(JSON.parse(await good.text())).toMatchObject({ entry: "f" });
  });

  it("traces a function that raised on every input up to the raise, and still refuses one that never ran", async () => {
    const id = idOf("boom");
    const info = JSON.parse(await (await get(`/api/functions/${id}`)).text());
    expect(info).toMatchObject({ status: "always_raises", args: ["list[int]"] });
    expect(info.rows.length).toBe(40);
    expect(info.rows[3]).toMatchObject({ index: 3, output: null });
    const r = await get(`/api/functions/${id}/run?input=3`);
    expect(r.status).toBe(200);
    const run = JSON.parse(await r.text());
    expect(run).toMatchObject({
      index: 3,
      stored: null,
      raised: "ValueError: no good",
      lines: [2, 3],
    });
    expect(run.output).toMatch(/^raise:ValueError/);
    expect(run.input.length).toBe(1);
    expect(run.blocks.length).toBeGreaterThan(0);
    const forever = await get(`/api/functions/${idOf("forever")}/run`);
    expect(forever.status).toBe(409);
  });

  it("refuses work past the queue at once instead of starting more interpreters", async () => {
    const gate = new SandboxGate({ running: 1, queued: 1 });
    let release = () => {};
    const first = gate.run(() => new Promise<void>((r) => (release = r)));
    const second = gate.run(async () => "ran");
    await expect(gate.run(async () => "never")).rejects.toBeInstanceOf(BusyError);
    expect(gate.load()).toEqual({ running: 1, waiting: 1 });
    release();
    await first;
    expect(await second).toBe("ran");
    await gate.close();
  });

  it("probes one-line bodies, docstrings and __future__ imports without changing the code's meaning", async () => {
    await initPython();
    const code =
      'from __future__ import annotations\n\ndef f(x: int) -> int:\n    """doc"""\n    if x: return 1; \n    return 2\n';
    const probed = probedCopy(code, "f");
    expect(probed.startsWith("from __future__ import annotations\n_tracecode_lines = [0]\n")).toBe(
      true,
    );
    expect(probed).toContain('    """doc"""\n');
    expect(probed).toContain("if x: _tracecode_lines[0] |= 1 << 5; return 1");
    expect(linesOf(`[${(1n << 5n) | (1n << 6n)}]`)).toEqual([5, 6]);
    expect(linesOf("raise:TypeError")).toBeUndefined();
  });

  it("refuses a --report folder that is not a report", async () => {
    await expect(startServer(index, { port: 0, report: root })).rejects.toThrow(
      `--report ${root}: not a report folder (no claims.json)`,
    );
  });

  it("refuses a non-loopback host without --allow-remote (usage error)", () => {
    const r = spawnSync(
      process.execPath,
      [packagePath("dist", "cli", "main.js"), "serve", index, "--host", "0.0.0.0"],
      {
        encoding: "utf8",
      },
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--host 0\.0\.0\.0 is not a loopback address.*--allow-remote/);
  });
});

it.runIf(process.env.CI)("has Chromium in CI (.ci/run installs it)", () => {
  expect(haveChromium, `${CHROMIUM} is missing`).toBe(true);
});

describe.skipIf(!haveChromium)(
  haveChromium
    ? "the pages in Chromium"
    : `the pages in Chromium — SKIPPED: ${CHROMIUM} is missing (apt-get install chromium)`,
  () => {
    it("searches, opens a diff and a function, the map and the report, by keyboard where it matters", async () => {
      mkdirSync(SHOTS, { recursive: true });
      await withPage(async (page, errors, consoleErrors) => {
        const base = server.url.replace(/\/$/, "");

        // Search: type a query, submit with Ctrl+Enter, open the differing hit with the keyboard.
        await page.goto(`${base}/`);
        await page.fill("#code", "def f(n: int) -> int:\n    return n * 2\n");
        await page.focus("#code");
        await page.keyboard.press("Control+Enter");
        await page.waitForSelector("#hits details");
        expect(await page.locator("#hits details.same").count()).toBe(2);
        const differs = page.locator("#hits details.differs", { hasText: "square" });
        await differs.locator("summary").focus();
        await page.keyboard.press("Enter");
        await expect.poll(() => differs.getAttribute("open")).not.toBeNull();
        expect(await differs.locator(".diff-table tbody tr").count()).toBeGreaterThan(5);
        expect(await differs.textContent()).toContain("run as square(int); types: type hints;");
        // A one-argument input reads as a 1-tuple, not as the argument in brackets.
        expect(await differs.locator(".diff-table td:nth-child(2)").first().textContent()).toMatch(
          /^\(-?\d+,\)$/,
        );
        await expectIndexInfo(page);
        await page.screenshot({ path: join(SHOTS, "search.png"), fullPage: true });
        // The "#" column keeps a 3-digit index on one line even when a long input squeezes the
        // table (this index's inputs are short: one is made long here, after the screenshot).
        const lines = await page.evaluate(`(() => {
          const row = document.querySelector("details[open] .diff-table tbody tr");
          row.cells[0].textContent = "100";
          row.cells[1].textContent = "9".repeat(3000);
          const range = document.createRange();
          range.selectNodeContents(row.cells[0]);
          return range.getClientRects().length;
        })()`);
        expect(lines).toBe(1);

        // Function page: the first input runs on load; another is chosen by keyboard.
        await page.goto(`${base}/function?id=4`);
        await page.waitForSelector("body[data-ran='0']");
        await page.locator("#rows button").nth(3).focus();
        await page.keyboard.press("Enter");
        await page.waitForSelector("body[data-ran='3']");
        const ran = await page.locator("#code .line.ran").count();
        expect(ran).toBe(2);
        expect(await page.locator("#rows td:nth-child(2)").first().textContent()).toMatch(
          /^\(-?\d+,\)$/,
        );
        expect(await page.locator("#run").textContent()).toMatch(/Input 3: \(-?\d+,\)/);
        await expectIndexInfo(page);
        await page.screenshot({ path: join(SHOTS, "function.png"), fullPage: true });

        // A function that raised on every input: its inputs can be run, up to the raise.
        await page.goto(`${base}/function?id=${idOf("boom")}`);
        await page.waitForSelector("body[data-ran='0']");
        expect(await page.locator("#run").textContent()).toContain("Raised: ValueError: no good");
        expect(await page.locator("#code .line.ran").count()).toBe(2);

        // A method is numbered as in its file; its class's header, from elsewhere, is not.
        const bumpId = server.state.store.allCode().find((f) => f.code.includes("def bump("))?.id;
        await page.goto(`${base}/function?id=${bumpId}`);
        await page.waitForSelector("body[data-ran='0']");
        const numbers = await page.locator("#code .ln").allTextContents();
        const bumpLine = SOURCE.split("\n").indexOf("    def bump(self, k: int) -> int:") + 1;
        expect(numbers).toContain(String(bumpLine));
        expect(await page.locator("#code .line.context").first().textContent()).toBe(
          "class Counter:\n",
        );
        expect(await page.locator("#legend").textContent()).toMatch(
          /Unnumbered lines: imports and definitions from elsewhere in .*maths\.py/,
        );

        // Types inferred from the code say so; long outputs, and the longest input (a list's
        // encoding has no spaces) run, wrap inside the 1280-px window.
        await page.goto(`${base}/function?id=${idOf("untyped")}`);
        await expect
          .poll(() => page.locator("#meta").textContent())
          .toMatch(/types: inferred from the code/);
        await page.goto(`${base}/function?id=${idOf("wide")}`);
        await page.waitForSelector("body[data-ran='0']");
        expect(await page.locator("#rows td").nth(2).textContent()).toMatch(/^'x{190}\[.*\]'$/);
        const inputs = await page.locator("#rows td:nth-child(2)").allTextContents();
        const longest = inputs.reduce((a, t, i) => (t.length > inputs[a].length ? i : a), 0);
        expect(inputs[longest].length).toBeGreaterThan(80);
        await page.locator("#rows button").nth(longest).click();
        await page.waitForSelector(`body[data-ran='${longest}']`);
        expect(await page.evaluate("document.documentElement.scrollWidth")).toBeLessThanOrEqual(
          1280,
        );

        // Map: rendered, the query placed, arrow keys move between points, Enter opens one.
        await page.goto(`${base}/map?query=last`);
        await page.waitForSelector("body[data-rendered]");
        await expect
          .poll(() => page.locator("#status").textContent())
          .toContain("The star is the query f");
        // boom raised on every input: it ran, and is not counted as "not run".
        const legend = await page.locator("#legend").textContent();
        expect(legend).toContain("1 always raises");
        expect(legend).toContain("1 not run");
        // Classes are named by a function, counted in the right number, and past the palette's
        // colours the smaller ones are said to be open circles.
        const entries = await page.locator("#legend li").allTextContents();
        expect(new Set(entries).size).toBe(entries.length);
        expect(entries).toContainEqual(
          expect.stringMatching(/^2 functions: (double|twice), … \(int\)$/),
        );
        expect(entries).toContainEqual(expect.stringMatching(/^1 function: square \(int\)$/));
        expect(legend).not.toMatch(/\b1 functions/);
        const classes = JSON.parse(await (await get("/api/map")).text()).classes.length;
        expect(classes).toBeGreaterThan(8);
        expect(legend).toContain(`in ${classes - 8} smaller classes: open circles`);
        // Points are drawn 8 px across: some class's colour covers more than a 4-px square would.
        const covered: number[] = await page.evaluate(`(() => {
          const c = document.getElementById("map");
          const px = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
          const n = new Map();
          for (let i = 0; i < px.length; i += 4) {
            const k = px[i] + "," + px[i + 1] + "," + px[i + 2];
            n.set(k, (n.get(k) ?? 0) + 1);
          }
          return [...document.querySelectorAll("#legend .swatch")].map(
            (s) => n.get(getComputedStyle(s).backgroundColor.match(/\\d+/g).slice(0, 3).join(",")) ?? 0,
          );
        })()`);
        expect(Math.max(...covered)).toBeGreaterThan(30);
        await expectIndexInfo(page);
        await page.focus("#map");
        await page.keyboard.press("ArrowRight");
        await expect.poll(() => page.locator("#tip pre.code").count()).toBe(1);
        await page.screenshot({ path: join(SHOTS, "map.png"), fullPage: true });
        await page.keyboard.press("Enter");
        await page.waitForURL(/\/function\?id=\d+/);

        // Report: the claims and every figure loaded.
        await page.goto(`${base}/report`);
        await page.waitForSelector("body[data-loaded]");
        expect(await page.locator("table.claims tbody tr").count()).toBe(9);
        const images = page.locator("figure img");
        expect(await images.count()).toBe(8);
        await page.evaluate("Promise.all([...document.images].map((i) => i.decode()))");
        const widths: number[] = await page.evaluate(
          "[...document.querySelectorAll('figure img')].map((i) => i.naturalWidth)",
        );
        expect(widths.every((w) => w > 0)).toBe(true);
        await expectIndexInfo(page);
        await page.screenshot({ path: join(SHOTS, "report.png"), fullPage: true });
        expect(errors).toEqual([]);
        expect(consoleErrors).toEqual([]);
      });
    });

    it("keeps the entry only with the code it names: new code without it clears it", async () => {
      await withPage(async (page, errors) => {
        const base = server.url.replace(/\/$/, "");
        const search = async (wait: string) => {
          await page.click("#go");
          await expect.poll(() => page.locator("#status").textContent()).toContain(wait);
        };
        await page.goto(`${base}/`);
        await page.fill("#code", "def f(n: int) -> int:\n    return n * 2\n");
        await page.fill("#entry", "nope");
        await search('the query has no function "nope"');
        // A failed search is not kept: a reload does not bring its entry back.
        await page.reload();
        expect(await page.inputValue("#entry")).toBe("");
        // A method as Class.method is searched, and kept with its code.
        const method = "class A:\n    def m(self, x: int) -> int:\n        return 2 * x\n";
        await page.fill("#code", method);
        await page.fill("#entry", "A.m");
        await search("Query A.m(int)");
        await page.reload();
        expect([await page.inputValue("#code"), await page.inputValue("#entry")]).toEqual([
          method,
          "A.m",
        ]);
        // Other code that does not define A.m: the entry goes, and the search succeeds.
        await page.fill("#code", "def g(n: int) -> int:\n    return n + 1\n");
        expect(await page.inputValue("#entry")).toBe("");
        await search("Query g(int)");
        // Code that still defines the entry keeps it.
        await page.fill("#code", method);
        await page.fill("#entry", "A.m");
        await search("Query A.m(int)");
        await page.fill("#code", `${method}\n\ndef h(n: int) -> int:\n    return n\n`);
        expect(await page.inputValue("#entry")).toBe("A.m");
        expect(errors).toEqual([]);
      });
    });

    it("says why an index built without a model has no map, on the map and the search page", async () => {
      mkdirSync(join(root, "plain"));
      writeFileSync(join(root, "plain", "one.py"), "def inc(x: int) -> int:\n    return x + 1\n");
      const plain = join(root, "idx-plain");
      await indexPaths([join(root, "plain")], plain, {
        model: null,
        inputs: 10,
        pool: server.state.gate.pool,
      });
      const other = await startServer(plain, { port: 0, workers: 1 });
      try {
        const reason = "the index has no embeddings (built without a model)";
        const info = JSON.parse(
          await (await other.app.request("/api/info", { headers: { host: "127.0.0.1" } })).text(),
        );
        expect([info.map, info.mapReason]).toEqual(["unavailable", reason]);
        await withPage(async (page, errors) => {
          const base = other.url.replace(/\/$/, "");
          await page.goto(`${base}/map`);
          await page.waitForSelector("body[data-unavailable]");
          expect(await page.locator("#status").textContent()).toContain(
            `No map for this index: ${reason}.`,
          );
          expect(await page.locator("#map-wrap").isVisible()).toBe(false);
          await page.goto(`${base}/`);
          await page.fill("#code", "def f(n: int) -> int:\n    return n + 1\n");
          await page.click("#go");
          await page.waitForSelector("#hits");
          expect(await page.locator("#status a[href^='/map']").count()).toBe(0);
          expect(await page.locator("#no-map").textContent()).toBe(
            `No map for this index: ${reason}.`,
          );
          expect(errors).toEqual([]);
        });
      } finally {
        await other.close();
      }
    });
  },
);

/** Every page's header says the index's size (in the test index, several of each). */
async function expectIndexInfo(page: Page) {
  await expect
    .poll(() => page.locator("#index-info").textContent())
    .toMatch(/^.+: \d+ functions, \d+ behaviour classes$/);
}

/** Runs `fn` on a page of a fresh headless Chromium, with the page's uncaught and console errors. */
async function withPage(
  fn: (page: Page, errors: string[], consoleErrors: string[]) => Promise<void>,
) {
  const { chromium } = await import("playwright-core");
  const profile = mkdtempSync(join(tmpdir(), "tracecode-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: CHROMIUM_ARGS,
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    const consoleErrors: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error") consoleErrors.push(`${m.text()} ${m.location().url}`);
    });
    await fn(page, errors, consoleErrors);
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

/** Indexes `root/folder` into the served index on the server's own pool; the info after it. */
async function reindex(folder: string) {
  await indexPaths([join(root, folder)], index, {
    model: join(root, "model"),
    inputs: 40,
    maxSteps: 20_000,
    pool: server.state.gate.pool,
  });
  return JSON.parse(await (await get("/api/info")).text());
}

/** The map once its projection is no longer computing (polled, at most a minute). */
async function mapWhenProjected() {
  let map = JSON.parse(await (await get("/api/map")).text());
  for (let i = 0; i < 600 && map.status === "computing"; i++) {
    await new Promise((r) => setTimeout(r, 100));
    map = JSON.parse(await (await get("/api/map")).text());
  }
  return map;
}

// Last: it re-indexes the shared index while the server runs (the tests above expect it as built).
describe("a re-index while the server runs", () => {
  it("is followed by the map as search and info follow it", async () => {
    const before = JSON.parse(await (await get("/api/map")).text());
    expect(before.status).toBe("ready");
    writeFileSync(join(root, "src", "more.py"), "def triple(x: int) -> int:\n    return 3 * x\n");
    const info = await reindex("src");
    expect(info.functions).toBe(before.ids.length + 1);
    const map = await mapWhenProjected();
    expect(map.status).toBe("ready");
    expect(map.ids.length).toBe(before.ids.length + 1);
    expect(map.names).toContain("triple");
    const placed = await post("/api/map/place", {
      code: "def t(x: int) -> int:\n    return x * 3\n",
    });
    expect(placed.status).toBe(200);
  });

  it("is followed when the index was deleted and built again: pages, info and map read the new file", async () => {
    rmSync(index, { recursive: true, force: true });
    mkdirSync(join(root, "other"));
    writeFileSync(
      join(root, "other", "only.py"),
      "def halve(x: int) -> int:\n    return x // 2\n\n\ndef negate(x: int) -> int:\n    return -x\n",
    );
    const info = await reindex("other");
    expect(info.functions).toBe(2);
    const names = server.state.store.allCode().map((f) => f.code.split("(")[0]);
    expect(names.sort()).toEqual(["def halve", "def negate"]);
    const page = JSON.parse(await (await get(`/api/functions/${idOf("halve")}`)).text());
    expect(page.name).toBe("halve");
    const map = await mapWhenProjected();
    expect(map.status).toBe("ready");
    expect([...map.names].sort()).toEqual(["halve", "negate"]);
  });
});
