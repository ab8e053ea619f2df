/**
 * The `--redis` URL of workers and coordinators: parsed and shown without loading BullMQ or
 * Redis's client, so the command line can check it while it parses its options.
 */

/** A `--redis` value that is not a `redis://` or `rediss://` URL: a usage problem. */
export class RedisUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RedisUrlError";
  }
}

/**
 * Parses a `--redis` URL; throws `RedisUrlError` for anything but `redis://HOST:PORT[/DB]` and
 * `rediss://…` (an empty value, another scheme, a path that is not a database number).
 */
export function parseRedisUrl(url: string): URL {
  if (url.trim() === "") {
    throw new RedisUrlError(
      `--redis "${url}" is empty: expected a URL (redis://HOST:PORT); is the variable that should hold it set?`,
    );
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RedisUrlError(`--redis ${url}: not a URL (expected redis://HOST:PORT)`);
  }
  if (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:") {
    throw new RedisUrlError(`--redis ${url}: expected a redis:// or rediss:// URL`);
  }
  // Redis's client reads the path as the database number; it would take "/x" as database 0.
  if (!/^\/?(\d+)?$/.test(parsed.pathname)) {
    throw new RedisUrlError(
      `--redis ${url}: the path "${parsed.pathname}" is not a database number (redis://HOST:PORT/DB)`,
    );
  }
  const db = parsed.searchParams.get("db");
  if (db !== null && !/^\d+$/.test(db)) {
    throw new RedisUrlError(`--redis ${url}: db=${db} is not a database number`);
  }
  return parsed;
}

/** The database number a `--redis` URL selects: its path, else its `?db=`, else 0 (as ioredis). */
export function redisDb(url: string): number {
  const parsed = parseRedisUrl(url);
  const path = parsed.pathname.slice(1);
  return Number(path || parsed.searchParams.get("db") || 0);
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
