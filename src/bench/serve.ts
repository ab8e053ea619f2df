/**
 * `npm run bench -- serve [--data PATH,...] [--size 10000] [--searches 200] [--clients 20]
 * [--latency 40] [--map-runs 3] [--screenshots DIR]`: `tracecode serve` under load on loopback.
 * Indexes real code (default data/realcode-dev.jsonl with the default model), pads the index to
 * `--size` functions with synthetic `int` functions (clustered embeddings, one behaviour class
 * per cluster, outputs stored as indexing would), starts the server, then measures
 * 1. search latency: `--latency` sequential searches over HTTP (median, p90), the query run in
 *    the warm sandbox each time (its outputs compared with every hit's);
 * 2. load: `--searches` searches from `--clients` concurrent clients: errors, latency, and the
 *    server's memory before, after, and after a second identical round (growth shows there);
 * 3. the map page in Chromium (when /usr/bin/chromium exists): time from navigation to the
 *    10,000 points drawn, `--map-runs` times.
 * `--screenshots DIR` saves a screenshot of each page (search with a diff open, function, map,
 * report) into DIR, as docs/serve was made.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { resolveModelDir } from "../models/index.js";
import { generateInputs } from "../python/index.js";
import { packagePath } from "../python/pool.js";
import { Random } from "../random/index.js";
import { REAL_INT_RANGE } from "../realcode/index.js";
import { ANN_FILE, AnnIndex, IndexStore, indexPaths, loadEmbedder } from "../search/index.js";
import { CHROMIUM_ARGS } from "../serve/chromium.js";
import { type RunningServer, startServer } from "../serve/index.js";

interface Args {
  data: string[];
  size: number;
  searches: number;
  clients: number;
  latency: number;
  mapRuns: number;
  screenshots?: string;
}

function parseArgs(argv: string[]): Args {
  const out: Args = {
    data: [packagePath("data", "realcode-dev.jsonl")],
    size: 10_000,
    searches: 200,
    clients: 20,
    latency: 40,
    mapRuns: 3,
  };
  for (let i = 0; i < argv.length; i += 2) {
    const [key, value] = [argv[i], argv[i + 1] ?? ""];
    const n = Number(value);
    const int = Number.isInteger(n) && n >= 0;
    if (key === "--data") out.data = value.split(",").filter((p) => p !== "");
    else if (key === "--size" && int) out.size = n;
    else if (key === "--searches" && int && n > 0) out.searches = n;
    else if (key === "--clients" && int && n > 0) out.clients = n;
    else if (key === "--latency" && int && n > 0) out.latency = n;
    else if (key === "--map-runs" && int) out.mapRuns = n;
    else if (key === "--screenshots" && value) out.screenshots = value;
    else throw new Error(`bench serve: bad option ${key} ${value}`);
  }
  return out;
}

const QUERY = "def add_three(n: int) -> int:\n    return n + 3\n";

/** Pads the index to `size` functions: `x + c` for a constant per cluster, stored as indexed. */
function addFiller(dir: string, size: number, seed: number): number {
  const store = IndexStore.open(dir);
  try {
    const have = store.count("functions");
    const n = size - have;
    if (n <= 0) return 0;
    const dim = Number(store.getMeta("dim") ?? "0") || loadEmbedder(store.getMeta("model")!).dim;
    const inputs = Number(store.getMeta("inputs"));
    const args = JSON.stringify(["int"]);
    const values = generateInputs(["int"], inputs, Number(store.getMeta("seed")), REAL_INT_RANGE);
    store.saveInputs(
      args,
      values.map((v) => v.map(String)),
    );
    const r = new Random(seed).fork("bench-serve");
    const clusters = Math.max(1, Math.floor(n / 20));
    const centres = Array.from({ length: clusters }, () =>
      Float32Array.from({ length: dim }, () => r.normal()),
    );
    const perFile = 1000;
    store.transaction(() => {
      for (let f = 0; f * perFile < n; f++) {
        const records = [];
        for (let i = f * perFile; i < Math.min(n, (f + 1) * perFile); i++) {
          const c = r.int(0, clusters - 1);
          const v = Float32Array.from(centres[c], (x) => x + 0.3 * r.normal());
          records.push({
            line: (i - f * perFile) * 3 + 1,
            name: `filler_${i}`,
            code: `def filler_${i}(x: int) -> int:\n    return x + ${c}\n`,
            args,
            argsFrom: "hints" as const,
            status: "ok",
            ioClass: `filler-${c}`,
            behaviour: `filler-${c}`,
            outputs: values.map(([x]) => String((x as number) + c)),
            embedding: v,
          });
        }
        store.replaceFile(`synthetic/filler-${f}.py`, `filler-${f}`, records);
      }
      store.setMeta("generation", String(Number(store.getMeta("generation") ?? "0") + 1));
    });
    store.rebuildBehaviours();
    const embedder = loadEmbedder(store.getMeta("model")!);
    const { ids, data } = store.embeddings(embedder.dim);
    AnnIndex.build(embedder.distance, embedder.dim, ids, data).save(join(dir, ANN_FILE));
    store.setMeta("ann_generation", store.getMeta("generation")!);
    return n;
  } finally {
    store.close();
  }
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
const mb = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;

async function searchOnce(url: string): Promise<{ ms: number; ok: boolean; status: number }> {
  const t0 = performance.now();
  const r = await fetch(`${url}api/search`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ code: QUERY, k: 10 }),
  });
  const body = (await r.json()) as { hits?: unknown[]; error?: string };
  return { ms: performance.now() - t0, ok: r.ok && Array.isArray(body.hits), status: r.status };
}

let collect: (() => void) | undefined;
function memory() {
  collect?.();
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed, external: m.external };
}

async function load(url: string, searches: number, clients: number) {
  const times: number[] = [];
  const failures = new Map<number, number>();
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < searches) {
        next++;
        const r = await searchOnce(url).catch(() => ({ ms: 0, ok: false, status: 0 }));
        if (r.ok) times.push(r.ms);
        else failures.set(r.status, (failures.get(r.status) ?? 0) + 1);
      }
    }),
  );
  return { times, failures, seconds: (performance.now() - t0) / 1000 };
}

async function browser(server: RunningServer, args: Args) {
  const chromiumPath = process.env.CHROMIUM ?? "/usr/bin/chromium";
  if (!existsSync(chromiumPath)) {
    process.stdout.write(`map in Chromium: not measured (${chromiumPath} is missing)\n`);
    return;
  }
  const { chromium } = await import("playwright-core");
  const profile = mkdtempSync(join(tmpdir(), "tracecode-bench-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    viewport: { width: 1280, height: 860 },
    args: CHROMIUM_ARGS,
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const times: number[] = [];
    for (let i = 0; i < args.mapRuns; i++) {
      await page.goto(`${server.url}map?query=none`);
      await page.waitForSelector("body[data-rendered]", { timeout: 120_000 });
      times.push(Number(await page.getAttribute("body", "data-rendered")));
    }
    const points = server.state.store.count("functions");
    if (times.length)
      process.stdout.write(
        `map in Chromium, ${points} points, navigation to drawn: median ${quantile(times, 0.5)} ms (runs: ${times.join(", ")} ms; goal ≤ 2000)\n`,
      );
    if (args.screenshots) {
      const dir = args.screenshots;
      mkdirSync(dir, { recursive: true });
      await page.goto(server.url);
      await page.fill(
        "#code",
        "def total_even(xs: list[int]) -> int:\n    return sum(x for x in xs if x % 2 == 0)\n",
      );
      await page.click("#go");
      await page.waitForSelector("#hits details");
      const differs = page.locator("#hits details.differs");
      const open =
        (await differs.count()) > 0 ? differs.first() : page.locator("#hits details").first();
      await open.locator("summary").click();
      await page.screenshot({ path: join(dir, "search.png") });
      // The function page shows the longest function that behaves like the query.
      type Hit = { dataset: { id: string }; querySelectorAll(s: string): { length: number } };
      const ids = await page
        .locator("#hits details.same")
        .evaluateAll((all: Hit[]) =>
          all.map((d): [string, number] => [
            d.dataset.id,
            d.querySelectorAll(".split section:last-child .line").length,
          ]),
        );
      const longest = ids.sort((a, b) => b[1] - a[1])[0];
      const id = longest ? longest[0] : await open.getAttribute("data-id");
      await page.goto(`${server.url}function?id=${id}`);
      await page.waitForSelector("body[data-ran]");
      await page.locator("#rows button").nth(2).click();
      await page.waitForSelector("body[data-ran='2']");
      await page.screenshot({ path: join(dir, "function.png") });
      await page.goto(`${server.url}map?query=last`);
      await page.waitForSelector("body[data-rendered]");
      await page.waitForFunction('document.getElementById("status").textContent.includes("star")');
      await page.focus("#map");
      await page.keyboard.press("ArrowRight");
      await page.waitForSelector("#tip pre.code");
      await page.screenshot({ path: join(dir, "map.png") });
      await page.goto(`${server.url}report`);
      await page.waitForSelector("body[data-loaded]");
      await page.evaluate("Promise.all([...document.images].map((im) => im.decode()))");
      await page.screenshot({ path: join(dir, "report.png") });
      process.stdout.write(`screenshots: ${dir}/{search,function,map,report}.png\n`);
    }
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

export default async function bench(argv: string[]): Promise<void> {
  const args = parseArgs(argv);
  setFlagsFromString("--expose-gc");
  collect = runInNewContext("gc") as () => void;
  const model = resolveModelDir();
  if (!model) throw new Error("bench serve: no model (models/default is missing)");
  const root = mkdtempSync(join(tmpdir(), "tracecode-bench-serve-"));
  let server: RunningServer | undefined;
  try {
    const dir = join(root, "idx");
    let t0 = performance.now();
    const s = await indexPaths(args.data, dir, { model });
    const filler = addFiller(dir, args.size, 1);
    process.stdout.write(
      `index: ${s.functions} real functions (${args.data.join(", ")}) + ${filler} synthetic = ${s.functions + filler}, built in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
    );
    t0 = performance.now();
    server = await startServer(dir, { port: 0, report: packagePath("docs", "results") });
    process.stdout.write(
      `server up (pool warm) in ${((performance.now() - t0) / 1000).toFixed(1)} s at ${server.url}\n`,
    );
    while (server.state.map.current.status === "computing")
      await new Promise((r) => setTimeout(r, 200));
    const map = server.state.map.current;
    process.stdout.write(
      `map: ${map.status}${map.status === "ready" ? `, UMAP of ${map.ids.length} embeddings in ${map.seconds.toFixed(1)} s (worker thread, at start-up)` : ""}\n`,
    );

    const latency: number[] = [];
    for (let i = 0; i < args.latency; i++) {
      const r = await searchOnce(server.url);
      if (!r.ok) throw new Error(`search failed with HTTP ${r.status}`);
      latency.push(r.ms);
    }
    process.stdout.write(
      `search over HTTP, one client, ${args.latency} searches (query run in the sandbox each time): median ${quantile(latency, 0.5).toFixed(0)} ms, p90 ${quantile(latency, 0.9).toFixed(0)} ms (goal: median ≤ 1000)\n`,
    );

    const before = memory();
    const rounds = [];
    for (let round = 1; round <= 2; round++) {
      const r = await load(server.url, args.searches, args.clients);
      const after = memory();
      rounds.push(after);
      const failed = [...r.failures].map(([status, n]) => `${n} × HTTP ${status || "error"}`);
      process.stdout.write(
        `load round ${round}: ${args.searches} searches from ${args.clients} clients in ${r.seconds.toFixed(1)} s (${(args.searches / r.seconds).toFixed(1)}/s): ${failed.length ? `ERRORS ${failed.join(", ")}` : "0 errors"}; latency median ${quantile(r.times, 0.5).toFixed(0)} ms, p90 ${quantile(r.times, 0.9).toFixed(0)} ms, max ${Math.max(...r.times).toFixed(0)} ms\n`,
      );
    }
    const row = (label: string, m: ReturnType<typeof memory>) =>
      `  ${label.padEnd(16)} rss ${mb(m.rss).padStart(10)}   heap ${mb(m.heap).padStart(9)}   external ${mb(m.external).padStart(9)}\n`;
    process.stdout.write(
      `server process memory (after a full GC):\n${row("before load", before)}${row("after round 1", rounds[0])}${row("after round 2", rounds[1])}`,
    );
    await browser(server, args);
  } finally {
    await server?.close();
    rmSync(root, { recursive: true, force: true });
  }
}
