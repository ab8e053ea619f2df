/**
 * Reaching the farm's Redis before anything starts. Once connected, workers and coordinators
 * wait through a restart of the server (their clients reconnect for as long as it takes); a
 * server that was never there would make them wait forever without a word. So both first check,
 * in a bounded number of attempts, that the URL names a Redis server that answers, and fail with
 * the URL and the cause otherwise.
 */
import { Redis } from "ioredis";

/** A `--redis` value that is not a `redis://` or `rediss://` URL: a usage problem. */
export class RedisUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RedisUrlError";
  }
}

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

/** Parses a `--redis` URL; throws `RedisUrlError` for anything but `redis://` and `rediss://`. */
export function parseRedisUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RedisUrlError(`--redis ${url}: not a URL (expected redis://HOST:PORT)`);
  }
  if (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:") {
    throw new RedisUrlError(`--redis ${url}: expected a redis:// or rediss:// URL`);
  }
  return parsed;
}

/** The URL to show: as given, with a password replaced by `***`. */
export function displayRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (!parsed.password) return url;
    parsed.password = "***";
    return parsed.toString();
  } catch {
    return url;
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
 * One attempt: connect (no reconnection of its own), PING, disconnect. Resolves to undefined
 * on success, else to the error. Leaves no socket or timer behind.
 */
async function attempt(url: string, timeoutMs: number): Promise<unknown> {
  let firstError: unknown;
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
      })(),
      timedOut,
    ]);
    return undefined;
  } catch (e) {
    // ioredis rejects `connect()` with "Connection is closed"; the cause came as an error event.
    return (e as { code?: string }).code === "ETIMEDOUT" ? e : (firstError ?? e);
  } finally {
    clearTimeout(timer);
    // Disconnecting a client whose socket has closed already would leave ioredis's 2 s timer
    // for a socket that never closes, holding the process up.
    if (client.status !== "end") client.disconnect();
  }
}

/**
 * Checks that a Redis server answers at `url`, in at most `attempts` attempts. Throws
 * `RedisUrlError` for a URL that is not `redis://` or `rediss://`, and `RedisUnreachableError`
 * naming the URL (its password hidden) and the cause when no attempt got a PONG.
 */
export async function checkRedis(url: string, options: CheckRedisOptions = {}): Promise<void> {
  parseRedisUrl(url);
  const attempts = Math.max(1, options.attempts ?? 3);
  const delay = options.retryDelayMs ?? 250;
  const timeoutMs = options.attemptTimeoutMs ?? 5000;
  let error: unknown;
  let made = 0;
  while (made < attempts) {
    made++;
    error = await attempt(url, timeoutMs);
    if (error === undefined) return;
    // A server that answers but refuses (a password, a non-Redis reply) will not change its mind.
    if (!CONNECTION_CODES.has(reasonOf(error))) break;
    if (made < attempts) await sleep(delay * 2 ** (made - 1));
  }
  const reason = reasonOf(error);
  const tries = made === 1 ? "1 attempt" : `${made} attempts`;
  throw new RedisUnreachableError(
    `cannot connect to Redis at ${displayRedisUrl(url)} (${reason}; ${tries}): ${hintOf(reason)}`,
    reason,
  );
}
