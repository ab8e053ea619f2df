/**
 * The sandbox seen through the CLI: untrusted code is refused where the operating-system
 * boundary cannot be set up (unless --unsafe-no-isolation says otherwise, with a warning), and
 * the attacks of the red-team suite also go through `index` and `search --code` without
 * reaching the host or another file's results.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packagePath } from "../python/pool.js";
import { IndexStore } from "../search/index.js";

const CLI = packagePath("dist", "cli", "main.js");
const work = mkdtempSync(join(tmpdir(), "tracecode-cli-sandbox-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function cli(args: string[], env: NodeJS.ProcessEnv = process.env) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: "utf8",
    env,
    timeout: 240_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("where the boundary cannot be set up", () => {
  // No bubblewrap on this PATH: the boundary's probe finds no bwrap, as on a machine without it.
  const bare = { ...process.env, PATH: join(work, "empty-path") };
  const functions = join(work, "functions.jsonl");
  beforeAll(() => {
    mkdirSync(join(work, "empty-path"));
    writeFileSync(
      functions,
      `${JSON.stringify({ id: "a", code: "def f(x):\n    return x + 1\n" })}\n`,
    );
  });

  it("refuses to run untrusted code, naming the fix", () => {
    const r = cli(["trace", "--in", functions, "--out", join(work, "t1.jsonl")], bare);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/refusing to run untrusted code/);
    expect(r.stderr).toMatch(/apt-get install bubblewrap/);
    expect(r.stderr).toMatch(/--unsafe-no-isolation/);
  });

  it("runs with --unsafe-no-isolation, warning about it", () => {
    const out = join(work, "t2.jsonl");
    const r = cli(
      ["trace", "--in", functions, "--out", out, "--inputs", "3", "--unsafe-no-isolation"],
      bare,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/WARNING: --unsafe-no-isolation/);
    expect(JSON.parse(readFileSync(out, "utf8")).status).toBe("ok");
  });
});

describe("attacks through index and search --code", () => {
  const project = join(work, "project");
  const index = join(work, "index");
  // The class-pattern escape, inside the function: the index carries a function with its
  // same-file helper functions and imports, not its classes.
  const escapeFn = (name: string, type: string) =>
    `def ${name}(x: ${type}) -> int:\n` +
    "    class Meta(type):\n        def __instancecheck__(cls, obj):\n            return True\n" +
    "    M = Meta('M', (), {'__match_args__': ('__globals__',)})\n" +
    "    match getattr:\n        case M(v):\n            return len(v)\n    return 1337\n";
  let indexed: ReturnType<typeof cli>;

  beforeAll(() => {
    mkdirSync(project);
    // A file that poisons at module level and tries the escape in a function.
    writeFileSync(
      join(project, "evil.py"),
      "import collections, decimal\n" +
        "collections.Counter.most_common = lambda self, n=None: [(0, 1337)]\n" +
        "decimal.getcontext().prec = 2\n\n" +
        escapeFn("steal", "int") +
        "\n" +
        "def poison(x: int) -> int:\n    collections.Counter.most_common = lambda self, n=None: [(0, 1337)]\n    return 1337\n",
    );
    // Innocent files, indexed after it, whose behaviour must be their own.
    writeFileSync(
      join(project, "good.py"),
      "from collections import Counter\n\n" +
        "def top_count(s: str) -> int:\n    return Counter(s).most_common(1)[0][1] if s else 0\n",
    );
    writeFileSync(
      join(project, "more.py"),
      "import decimal\n\ndef seventh(x: int) -> str:\n    return str(decimal.Decimal(x) / 7)[:8]\n",
    );
    indexed = cli(["index", project, "--out", index, "--no-model", "--inputs", "20"]);
  });

  it("indexes the hostile file with its status and the rest normally", () => {
    expect(indexed.code, indexed.stderr).toBe(0);
    const all = cli([
      "search",
      index,
      "--code",
      "def q(x: int) -> int:\n    return 1337\n",
      "--k",
      "10",
      "--json",
    ]);
    expect(all.code, all.stderr).toBe(0);
    const result = JSON.parse(all.stdout) as {
      hits: {
        name: string;
        behaviour: { kind: string; equal?: number; shared?: number; reason?: string };
      }[];
    };
    const byName = new Map(result.hits.map((h) => [h.name, h.behaviour]));
    // The escape is refused; the innocent functions do not behave like `return 1337`.
    expect(byName.get("steal")?.reason ?? "").toMatch(/no behaviour: limit/);
    expect(byName.get("poison")).toMatchObject({ kind: "compared", equal: 20, shared: 20 });
    const top = byName.get("top_count");
    expect(top?.kind === "compared" && top.equal === top.shared).toBe(false);
  });

  it("gives the innocent functions the results they have alone", () => {
    const alone = join(work, "alone");
    mkdirSync(alone);
    for (const f of ["good.py", "more.py"])
      writeFileSync(join(alone, f), readFileSync(join(project, f)));
    const aloneIndex = join(work, "alone-index");
    expect(cli(["index", alone, "--out", aloneIndex, "--no-model", "--inputs", "20"]).code).toBe(0);
    // What each index stored for the innocent files: status and every output.
    const stored = (dir: string, folder: string) => {
      const store = IndexStore.open(dir, { readonly: true });
      try {
        return ["good.py", "more.py"].flatMap((f) =>
          store
            .functions(store.functionIdsOf(join(folder, f)))
            .map((fn) => ({ name: fn.name, status: fn.status, outputs: fn.outputs })),
        );
      } finally {
        store.close();
      }
    };
    const withHostile = stored(index, project);
    expect(withHostile.map((f) => f.name).sort()).toEqual(["seventh", "top_count"]);
    for (const f of withHostile) expect(f.outputs?.length).toBe(20);
    expect(withHostile).toEqual(stored(aloneIndex, alone));
  });

  it("contains an escape sent as a search query", () => {
    const r = cli(["search", index, "--code", escapeFn("q", "int"), "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as { query: { status: string; reason?: string } };
    expect(result.query.status).toBe("limit");
    expect(result.query.reason ?? "").toMatch(/class pattern/);
  });
});
