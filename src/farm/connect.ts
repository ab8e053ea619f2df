/**
 * Reaching the farm's Redis before anything starts. Once connected, workers and coordinators
 * wait through a restart of the server (their clients reconnect for as long as it takes); a
 * server that was never there would make them wait forever without a word. So both first check,
 * in a bounded number of attempts, that the URL names a Redis server that answers, and fail with
 * the URL and the cause otherwise.
 */
import { Redis } from "ioredis";
import { displayRedisUrl, parseRedisUrl, redisDb } from "./url.js";

export { displayRedisUrl, parseRedisUrl, RedisUrlError, redisDb } from "./url.js";

/** No Redis server answered at the URL within the attempts. */
export class RedisUnreachableError extends Error {
  constructor(
    message: string,
    /** The cause's code (`ECONNREFUSED`, `ENOTFOUND`, `ETIMEDOUT`, …) or message. */
    readonly reason: string,
  ) {
    super(message);
    this.name = "RedisUnreachableError";
  }
}

export interface CheckRedisOptions {
  /** Connection attempts before giving up (default 3). */
  attempts?: number;
  /** The pause after the first failed attempt, doubling (default 250 ms). */
  retryDelayMs?: number;
  /** How long one attempt may take, TCP connection to PING's reply (default 5 s). */
  attemptTimeoutMs?: number;
}

/** Errors of the connection itself (worth another attempt), as opposed to a refusal by Redis. */
const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EHOSTDOWN",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EPIPE",
]);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A short name for why a connection failed: the system error code, else the message. */
function reasonOf(e: unknown): string {
  const error = e as { code?: unknown; message?: unknown; errors?: unknown[] };
  if (typeof error?.code === "string" && error.code) return error.code;
  // Node's "happy eyeballs" (localhost → ::1 and 127.0.0.1) fails with an AggregateError.
  if (Array.isArray(error?.errors) && error.errors.length > 0) return reasonOf(error.errors[0]);
  if (typeof error?.message === "string" && error.message) return error.message;
  return String(e);
}

function hintOf(reason: string): string {
  if (reason === "ENOTFOUND" || reason === "EAI_AGAIN") return "does the host name resolve?";
  if (/^Protocol error/.test(reason)) return "what answers there is not a Redis server";
  if (/NOAUTH|WRONGPASS|AUTH/i.test(reason)) {
    return "does the URL carry the right user and password (redis://USER:PASSWORD@HOST:PORT)?";
  }
  return "is redis-server running there (redis-server --port PORT --appendonly yes), and can this machine reach it?";
}

/**
 * ioredis says with `console.warn` when the URL carries a password the server does not need
 * (`[WARN] … does not require a password, but a password was supplied`), once per connection:
 * a worker's or coordinator's several clients would each print it, in another voice than the
 * tool's. `checkRedis` reports it instead (`passwordUnused`), and from its first call on that
 * one warning of ioredis's is dropped (any other goes through).
 */
const PASSWORD_UNUSED = /does not require a password, but a password was supplied/;
let passwordWarnings = 0;
let warnFiltered = false;

function filterPasswordWarning(): void {
  if (warnFiltered) return;
  warnFiltered = true;
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === "string" && PASSWORD_UNUSED.test(args[0])) {
      passwordWarnings++;
      return;
    }
    warn.apply(console, args);
  };
}

/** The URL's database refused by a server that answers (out of range, not permitted). */
class DatabaseRefused extends Error {}

/**
 * One attempt: connect (no reconnection of its own), PING, SELECT the URL's database (ioredis
 * reports a refused SELECT only as an "error" event and goes on with database 0), disconnect.
 * Resolves to undefined on success, else to the error. Leaves no socket or timer behind.
 */
async function attempt(url: string, timeoutMs: number): Promise<unknown> {
  let firstError: unknown;
  const db = redisDb(url);
  const client = new Redis(url, {
    lazyConnect: true,
    // The attempts are ours: this client never reconnects and never queues a command.
    retryStrategy: () => null,
    reconnectOnError: () => false,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    connectTimeout: timeoutMs,
  });
  // The first error is the cause; what follows is its consequence ("Stream isn't writeable").
  client.on("error", (e) => {
    firstError ??= e;
  });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const e = new Error(`no answer in ${timeoutMs} ms`) as Error & { code: string };
      e.code = "ETIMEDOUT";
      reject(e);
    }, timeoutMs);
  });
  try {
    await Promise.race([
      (async () => {
        await client.connect();
        await client.ping();
        if (db !== 0) {
          try {
            await client.select(db);
          } catch (e) {
            throw new DatabaseRefused((e as Error).message);
          }
        }
      })(),
      timedOut,
    ]);
    return undefined;
  } catch (e) {
    if (e instanceof DatabaseRefused) return e;
    // ioredis rejects `connect()` with "Connection is closed"; the cause came as an error event.
    return (e as { code?: string }).code === "ETIMEDOUT" ? e : (firstError ?? e);
  } finally {
    clearTimeout(timer);
    // Disconnecting a client whose socket has closed already would leave ioredis's 2 s timer
    // for a socket that never closes, holding the process up.
    if (client.status !== "end") client.disconnect();
  }
}

/** What `checkRedis` found besides a server that answers. */
export interface RedisCheck {
  /** The URL carries a password the server does not need (it goes on without one). */
  passwordUnused: boolean;
}

/**
 * Checks that a Redis server answers at `url` and serves the URL's database, in at most
 * `attempts` attempts. Throws `RedisUrlError` for a URL that is not `redis://` or `rediss://`,
 * and `RedisUnreachableError` naming the URL (its password hidden) and the cause (Redis's reply
 * for a database it refuses) when no attempt got a PONG and the database.
 */
export async function checkRedis(
  url: string,
  options: CheckRedisOptions = {},
): Promise<RedisCheck> {
  parseRedisUrl(url);
  filterPasswordWarning();
  const attempts = Math.max(1, options.attempts ?? 3);
  const delay = options.retryDelayMs ?? 250;
  const timeoutMs = options.attemptTimeoutMs ?? 5000;
  let error: unknown;
  let made = 0;
  while (made < attempts) {
    made++;
    const warned = passwordWarnings;
    error = await attempt(url, timeoutMs);
    if (error === undefined) return { passwordUnused: passwordWarnings > warned };
    // A server that answers but refuses (a password, a database, a non-Redis reply) will not
    // change its mind.
    if (!CONNECTION_CODES.has(reasonOf(error))) break;
    if (made < attempts) await sleep(delay * 2 ** (made - 1));
  }
  const reason = reasonOf(error);
  if (error instanceof DatabaseRefused) {
    const db = redisDb(url);
    throw new RedisUnreachableError(
      `Redis at ${displayRedisUrl(url)} refuses database ${db} (${reason}): ` +
        (/out of range/i.test(reason)
          ? "a Redis server has databases 0 to 15 unless started with --databases N; name one it has (redis://HOST:PORT/DB)"
          : "may this user use it? Else name another (redis://HOST:PORT/DB)"),
      reason,
    );
  }
  const tries = made === 1 ? "1 attempt" : `${made} attempts`;
  throw new RedisUnreachableError(
    `cannot connect to Redis at ${displayRedisUrl(url)} (${reason}; ${tries}): ${hintOf(reason)}`,
    reason,
  );
}
