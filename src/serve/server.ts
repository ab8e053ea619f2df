/**
 * `startServer`: the HTTP face of an index. One Hono app serves the pages (prebuilt static
 * files from dist/serve/web) and the JSON API (api.ts); one warm sandbox pool behind a bounded
 * queue (gate.ts) runs every query for the server's lifetime.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { type AddressInfo, isIPv4 } from "node:net";
import { extname, join } from "node:path";
import { type ServerType, serve } from "@hono/node-server";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { packagePath } from "../python/pool.js";
import { loadEmbedder, openIndex, SearchError } from "../search/index.js";
import {
  DEFAULT_LIMITS,
  displayPath,
  functionInfo,
  functionRun,
  HttpError,
  type Limits,
  placeQuery,
  reportFile,
  reportInfo,
  type ServeState,
  search,
} from "./api.js";
import { BusyError, type GateOptions, SandboxGate } from "./gate.js";
import { LiveIndex } from "./live-index.js";
import { EmbeddingMap, type MapModel } from "./map.js";

export interface ServeOptions extends GateOptions {
  port?: number;
  host?: string;
  /** A `tracecode report` output folder for the report page. */
  report?: string;
  /** Allow a host other than loopback (the CLI's --allow-remote). */
  allowRemote?: boolean;
  limits?: Partial<Limits>;
  /** Largest request body in bytes (default 256 KiB). */
  maxBodyBytes?: number;
  /** Do not project the embeddings (tests that do not need the map). */
  noMap?: boolean;
}

export interface RunningServer {
  url: string;
  port: number;
  host: string;
  state: ServeState;
  app: Hono;
  close(): Promise<void>;
}

/** localhost, ::1 or a valid IPv4 address in 127/8 (not 127.999.999.999, which no URL parses). */
export const isLoopback = (host: string) => {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || (isIPv4(h) && h.startsWith("127."));
};

/** The request's path as sent, before any decoding. */
const rawPath = (url: string) => url.slice(url.indexOf("/", url.indexOf(":") + 3)).split(/[?#]/)[0];

/** Why a browser's request comes from another site (another origin), or null. */
function crossSite(req: { url: string; header(n: string): string | undefined }): string | null {
  const site = req.header("sec-fetch-site");
  if (site !== undefined && site !== "same-origin" && site !== "none")
    return `Sec-Fetch-Site: ${site}`;
  const origin = req.header("origin");
  const own = `${req.url.slice(0, req.url.indexOf(":"))}://${req.header("host") ?? ""}`;
  if (origin !== undefined && origin.toLowerCase() !== own.toLowerCase())
    return `Origin: ${origin}, not ${own}`;
  return null;
}

const PAGES: Record<string, string> = {
  "/": "index.html",
  "/function": "function.html",
  "/map": "map.html",
  "/report": "report.html",
};
const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
};
const CSP =
  "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; " +
  "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/** The prebuilt web assets, read once (they are small). */
function loadAssets(): Map<string, { body: Buffer; type: string }> {
  const dir = packagePath("dist", "serve", "web");
  if (!existsSync(dir))
    throw new Error(`the web assets ${dir} are missing: run \`npm run build\` first`);
  const out = new Map<string, { body: Buffer; type: string }>();
  for (const f of readdirSync(dir)) {
    const type = TYPES[extname(f)];
    if (type) out.set(f, { body: readFileSync(join(dir, f)), type });
  }
  return out;
}

/** The index's model, when its embeddings can be used for the map; else why not. */
function mapModel(dir: string): MapModel {
  const store = openIndex(dir);
  try {
    const modelDir = store.getMeta("model");
    if (!modelDir)
      return { embedder: null, reason: "the index has no embeddings (built without a model)" };
    if (!existsSync(join(modelDir, "model.json")))
      return { embedder: null, reason: `the index's model ${displayPath(modelDir)} is missing` };
    const embedder = loadEmbedder(modelDir);
    if (embedder.id !== store.getMeta("model_id"))
      return {
        embedder: null,
        reason: `the model in ${displayPath(modelDir)} changed since indexing (re-run tracecode index)`,
      };
    return { embedder };
  } finally {
    store.close();
  }
}

export function buildApp(state: ServeState, options: ServeOptions = {}): Hono {
  const assets = loadAssets();
  const app = new Hono();
  const maxBody = options.maxBodyBytes ?? 256 * 1024;

  app.use("*", async (c, next) => {
    // A page on another site must not reach this server through a name that resolves to
    // loopback (DNS rebinding): only loopback names are served unless remote use was allowed.
    // A Host no URL can hold is refused as well: building the request's URL would fail later.
    const header = c.req.header("host") ?? "";
    const host = header.replace(/:\d+$/, "");
    if (!URL.canParse(`http://${header}/`) || (!options.allowRemote && !isLoopback(host)))
      return c.json(
        {
          error: `host ${JSON.stringify(host)} is not served (${options.allowRemote ? "not a valid host" : "loopback only"})`,
        },
        403,
      );
    // A path that is not valid percent-encoding (`/report/files/%`) is the client's error.
    const path = rawPath(c.req.url);
    try {
      decodeURIComponent(path);
    } catch {
      return c.json(
        {
          error: `the path ${JSON.stringify(path)} is malformed: each % must start an escape such as %2F, and the escapes must spell UTF-8`,
        },
        400,
      );
    }
    await next();
    c.header("X-Content-Type-Options", "nosniff");
    c.header("Referrer-Policy", "no-referrer");
    if (!c.res.headers.has("Content-Security-Policy")) c.header("Content-Security-Policy", CSP);
  });
  // Another site's page can make the browser send a request here (an <img> is enough): it
  // cannot read the answer, but the work would be done and the run queue filled. Browsers mark
  // such requests (Sec-Fetch-Site, Origin); clients that send neither (curl, scripts) are served.
  app.use("/api/*", async (c, next) => {
    const why = crossSite(c.req);
    if (why)
      return c.json(
        {
          error: `cross-site request refused (${why}): the API answers this server's own pages, and clients that send no Origin (curl, scripts)`,
        },
        403,
      );
    await next();
  });
  app.use(
    "/api/*",
    bodyLimit({
      maxSize: maxBody,
      onError: (c) =>
        c.json({ error: `the request body is over ${maxBody.toLocaleString("en")} bytes` }, 413),
    }),
  );

  const json = async (c: {
    req: { header(n: string): string | undefined; text(): Promise<string> };
  }) => {
    // JSON only: a plain form or text post from another page cannot run code here.
    if (!(c.req.header("content-type") ?? "").toLowerCase().startsWith("application/json"))
      throw new HttpError(415, "send the request body as JSON (Content-Type: application/json)");
    const text = await c.req.text();
    try {
      return JSON.parse(text) as unknown;
    } catch (e) {
      throw new HttpError(400, `the request body is not valid JSON: ${(e as Error).message}`);
    }
  };

  app.get("/api/info", (c) => {
    const { store } = state;
    const map = state.map.refreshed();
    return c.json({
      index: displayPath(state.dir),
      functions: store.count("functions"),
      behaviours: store.count("behaviours"),
      files: store.count("files"),
      statuses: store.statusCounts(),
      model: store.getMeta("model") ? displayPath(store.getMeta("model")!) : null,
      inputs: Number(store.getMeta("inputs")),
      map: map.status,
      // Why there is no map, for the pages to say so instead of linking to a broken one.
      ...(map.status === "unavailable" ? { mapReason: map.reason } : {}),
      ...(map.status === "failed" ? { mapReason: map.error } : {}),
      report: state.reportDir ? displayPath(state.reportDir) : null,
      limits: { ...state.limits, bodyBytes: maxBody },
      sandbox: { ...state.gate.load(), slots: state.gate.running, queue: state.gate.queued },
    });
  });
  app.post("/api/search", async (c) => c.json(await search(state, await json(c))));
  app.get("/api/functions/:id", (c) =>
    c.json(functionInfo(state, c.req.param("id"), c.req.query("rows") !== "0")),
  );
  app.get("/api/functions/:id/run", async (c) =>
    c.json(await functionRun(state, c.req.param("id"), c.req.query("input"))),
  );
  app.get("/api/map", (c) => {
    const m = state.map.refreshed();
    const status = { ready: 200, computing: 202, unavailable: 409, failed: 500 } as const;
    return c.json(m, status[m.status]);
  });
  app.post("/api/map/place", async (c) => c.json(await placeQuery(state, await json(c))));
  app.get("/api/report", (c) => c.json(reportInfo(state)));
  app.get("/report/files/*", (c) => {
    const path = decodeURIComponent(c.req.path.slice("/report/files/".length));
    const f = reportFile(state, path);
    c.header("Content-Type", f.type);
    // The report's own page runs in a sandbox: no scripts, no access to this origin.
    if (f.type.startsWith("text/html"))
      c.header("Content-Security-Policy", "sandbox; default-src 'self' data: 'unsafe-inline'");
    return c.body(new Uint8Array(f.body));
  });
  for (const [route, file] of Object.entries(PAGES)) {
    app.get(route, (c) => {
      const a = assets.get(file)!;
      return c.body(new Uint8Array(a.body), 200, { "Content-Type": a.type });
    });
  }
  // Pages name an empty icon; this answers browsers that ask anyway (an API answer opened in a tab).
  app.get("/favicon.ico", (c) => c.body(null, 204));
  app.get("/assets/:file", (c) => {
    const a = assets.get(c.req.param("file"));
    if (!a || a.type.startsWith("text/html")) return c.json({ error: "no such asset" }, 404);
    return c.body(new Uint8Array(a.body), 200, {
      "Content-Type": a.type,
      "Cache-Control": "no-cache",
    });
  });

  // A known path asked with another method is 405 with Allow, not "no such endpoint": the
  // methods come from the routes registered above (a middleware's method is ALL).
  const methods = new Map<string, Set<string>>();
  for (const r of app.routes)
    if (r.method !== "ALL") methods.set(r.path, (methods.get(r.path) ?? new Set()).add(r.method));
  for (const [path, set] of methods) {
    const allow = [...set, ...(set.has("GET") ? ["HEAD"] : [])].join(", ");
    const use = [...set].join(" or ");
    app.all(path, (c) => {
      c.header("Allow", allow);
      return c.json(
        { error: `${c.req.method} is not allowed on ${c.req.path}: use ${use} (Allow: ${allow})` },
        405,
      );
    });
  }

  app.notFound((c) =>
    c.json(
      {
        error: `no such ${c.req.path.startsWith("/api/") ? "endpoint" : "page"}: ${c.req.method} ${c.req.path}`,
      },
      404,
    ),
  );
  app.onError((e, c) => {
    if (e instanceof HttpError) return c.json({ error: e.message }, e.status);
    if (e instanceof BusyError) {
      c.header("Retry-After", "1");
      return c.json({ error: e.message }, 503);
    }
    if (e instanceof SearchError) return c.json({ error: e.message }, 422);
    return c.json({ error: `internal error: ${e.message}` }, 500);
  });
  return app;
}

/** Opens the index, starts the warm pool and the map, and listens. */
export async function startServer(dir: string, options: ServeOptions = {}): Promise<RunningServer> {
  const host = options.host ?? "127.0.0.1";
  if (!isLoopback(host) && !options.allowRemote)
    throw new Error(
      `--host ${host} is not a loopback address: anyone who can reach it could run code in this machine's sandbox; pass --allow-remote to serve it anyway`,
    );
  if (options.report && !existsSync(options.report))
    throw new Error(`--report ${options.report}: no such folder`);
  if (options.report && !existsSync(join(options.report, "claims.json")))
    throw new Error(
      `--report ${options.report}: not a report folder (no claims.json): make one with tracecode report RUNS_DIR --out DIR`,
    );
  const runs: ServeState["runs"] = new Map();
  // Runs cached by function id belong to the file they were made from.
  const index = new LiveIndex(dir, () => runs.clear());
  const map = new EmbeddingMap(index, () =>
    options.noMap ? { embedder: null, reason: "the map is turned off" } : mapModel(dir),
  );
  const gate = new SandboxGate(options);
  const state: ServeState = {
    dir,
    get store() {
      return index.current;
    },
    gate,
    map,
    reportDir: options.report,
    limits: { ...DEFAULT_LIMITS, ...options.limits },
    runs,
  };
  let server: ServerType | undefined;
  try {
    const app = buildApp(state, options);
    map.start();
    await gate.warm();
    const info = await new Promise<AddressInfo>((resolve, reject) => {
      server = serve({ fetch: app.fetch, port: options.port ?? 7878, hostname: host }, resolve);
      server.once("error", (e: NodeJS.ErrnoException) =>
        reject(
          e.code === "EADDRINUSE"
            ? new Error(
                `port ${options.port ?? 7878} on ${host} is in use by another program: pass another --port, or --port 0 for a free one`,
              )
            : e,
        ),
      );
    });
    const shown = info.family === "IPv6" ? `[${info.address}]` : info.address;
    return {
      url: `http://${shown}:${info.port}/`,
      port: info.port,
      host,
      state,
      app,
      close: async () => {
        await new Promise<void>((resolve) => {
          if (!server) return resolve();
          server.close(() => resolve());
          (server as { closeAllConnections?: () => void }).closeAllConnections?.();
        });
        await map.close();
        await gate.close();
        index.close();
      },
    };
  } catch (e) {
    server?.close();
    await map.close();
    await gate.close();
    index.close();
    throw e;
  }
}
