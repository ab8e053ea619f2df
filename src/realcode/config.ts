/**
 * User control at index time: argument types, input count, int range and step budget per
 * function or per file, from a `tracecode.toml` beside the code (it covers its folder and
 * everything below; a nearer one wins) and from `--types FILE` (TOML or JSON, covering every
 * indexed file; it wins over the files beside the code).
 *
 * ```toml
 * [defaults]                      # every function the file covers
 * inputs = 50
 * range = [-100, 100]             # int arguments
 * max_steps = 200000
 *
 * [functions.triangle]            # a function, or Class.method, in any file covered
 * args = ["nonneg_int"]           # the whole signature, or
 * [functions."geometry.py:Point.scale".params]
 * factor = "float"                # per parameter (the rest are inferred)
 * ```
 */
import { existsSync, lstatSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join, relative, sep } from "node:path";
import { parse as parseToml } from "smol-toml";
import { ArgType, fileErrorText } from "../data/index.js";
import type { IntRange } from "../python/index.js";
import type { UserTypes } from "./infer.js";

export const CONFIG_FILE = "tracecode.toml";

/** Run settings for one function (absent: the index's). */
export interface RunSettings {
  inputs?: number;
  range?: IntRange;
  maxSteps?: number;
}

export interface FunctionSettings extends RunSettings {
  types?: UserTypes;
}

interface Section extends RunSettings {
  args?: string[];
  params?: Record<string, string>;
}

export interface TypesConfig {
  /** Where it was read from (for messages). */
  path: string;
  defaults: Section;
  /** By `name`, `Class.method`, or `file.py:name` (file relative to the config's folder). */
  functions: Map<string, Section>;
}

/** An error in a config file, naming the file, the entry and the problem. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Most inputs per function, from `--inputs` or a `tracecode.toml`: memory grows with them. */
export const MAX_INPUTS = 100_000;

function section(raw: unknown, where: string): Section {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw))
    throw new ConfigError(`${where}: expected a table`);
  const out: Section = {};
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    const at = `${where}.${k}`;
    if (k === "inputs" || k === "max_steps") {
      // A file beside the code is as untrusted as the code: no more inputs than --inputs takes.
      const max = k === "inputs" ? MAX_INPUTS : 100_000_000;
      if (typeof v !== "number" || !Number.isInteger(v) || v < 1 || v > max)
        throw new ConfigError(
          `${at}: expected an integer from 1 to ${max}, got ${JSON.stringify(v)}`,
        );
      if (k === "inputs") out.inputs = v;
      else out.maxSteps = v;
    } else if (k === "range") {
      if (
        !Array.isArray(v) ||
        v.length !== 2 ||
        !v.every((x) => Number.isSafeInteger(x)) ||
        (v[0] as number) > (v[1] as number)
      )
        throw new ConfigError(`${at}: expected [min, max] integers with min ≤ max`);
      // Real code's inputs: with boundary values, as REAL_INT_RANGE.
      out.range = { min: v[0] as number, max: v[1] as number, edges: true };
    } else if (k === "args") {
      if (!Array.isArray(v)) throw new ConfigError(`${at}: expected a list of argument types`);
      out.args = v.map((t, i) => argType(t, `${at}[${i}]`));
    } else if (k === "params") {
      if (typeof v !== "object" || v === null || Array.isArray(v))
        throw new ConfigError(`${at}: expected a table of parameter = "type"`);
      out.params = Object.fromEntries(
        Object.entries(v as Record<string, unknown>).map(([p, t]) => [p, argType(t, `${at}.${p}`)]),
      );
    } else
      throw new ConfigError(
        `${at}: unknown setting (known: args, params, inputs, range, max_steps)`,
      );
  }
  return out;
}

function argType(t: unknown, at: string): string {
  const r = ArgType.safeParse(t);
  if (!r.success)
    throw new ConfigError(`${at}: ${r.error.issues[0]?.message ?? "not an argument type"}`);
  return r.data;
}

/** Reads a config file (TOML, or JSON for a `.json` name); throws ConfigError naming the problem. */
export function readTypesConfig(path: string): TypesConfig {
  let raw: unknown;
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new ConfigError(`${path}: ${fileErrorText(e)}`);
  }
  try {
    raw = path.endsWith(".json") ? JSON.parse(text) : parseToml(text);
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    // TOML errors carry their place; the message's first line does not.
    const { line, column } = e as { line?: number; column?: number };
    const at =
      line !== undefined ? `line ${line}${column !== undefined ? `, column ${column}` : ""}: ` : "";
    throw new ConfigError(`${path}: ${at}${(e as Error).message.split("\n")[0]}`);
  }
  const top = raw as Record<string, unknown>;
  const config: TypesConfig = { path, defaults: {}, functions: new Map() };
  for (const [k, v] of Object.entries(top)) {
    if (k === "defaults") config.defaults = section(v, `${path}: defaults`);
    else if (k === "functions") {
      if (typeof v !== "object" || v === null)
        throw new ConfigError(`${path}: functions: expected a table`);
      for (const [name, s] of Object.entries(v as Record<string, unknown>))
        config.functions.set(name, section(s, `${path}: functions.${name}`));
    } else throw new ConfigError(`${path}: unknown table "${k}" (known: defaults, functions)`);
  }
  return config;
}

/**
 * Settings per function: `--types` (given) first, then the nearest `tracecode.toml` above the
 * file, up to (and including) the indexed root's folder. Read files are cached.
 */
export class SettingsResolver {
  /** Per folder its tracecode.toml, null for none, or why it cannot be used. */
  private readonly cache = new Map<string, TypesConfig | ConfigError | null>();
  private readonly texts = new WeakMap<TypesConfig, string>();

  constructor(
    private readonly given: TypesConfig | undefined,
    private readonly roots: readonly string[],
  ) {}

  /**
   * The folder's tracecode.toml, or null. Throws ConfigError, each time it is asked, for one
   * that cannot be used: the files it covers are then not indexed, the others are. A link is
   * not followed (the file sits beside untrusted code: it could point at any host file).
   */
  private configIn(dir: string): TypesConfig | null {
    let c = this.cache.get(dir);
    if (c === undefined) {
      const p = join(dir, CONFIG_FILE);
      try {
        const stat = existsSync(p) ? lstatSync(p) : undefined;
        if (stat?.isSymbolicLink())
          throw new ConfigError(`${p}: a symbolic link; a ${CONFIG_FILE} is read only as a file`);
        c = stat?.isFile() ? readTypesConfig(p) : null;
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        c = e;
      }
      this.cache.set(dir, c);
    }
    if (c instanceof ConfigError) throw c;
    return c;
  }

  /** The configs covering `file`, strongest first. */
  configsFor(file: string): TypesConfig[] {
    const out: TypesConfig[] = [];
    if (this.given) out.push(this.given);
    const root = this.roots
      .map((r) => (existsSync(r) && statSync(r).isDirectory() ? r : dirname(r)))
      .filter((r) => file === r || file.startsWith(r + sep))
      .sort((a, b) => b.length - a.length)[0];
    let dir = dirname(file);
    for (;;) {
      const c = this.configIn(dir);
      if (c) out.push(c);
      if (!root || dir === root || !dir.startsWith(root)) break;
      const up = dirname(dir);
      if (up === dir) break;
      dir = up;
    }
    return out;
  }

  /** The content of the configs covering `file`, as one text; undefined when none does. */
  fingerprint(file: string): string | undefined {
    const configs = this.configsFor(file);
    if (configs.length === 0) return undefined;
    return configs
      .map((c) => {
        let text = this.texts.get(c);
        if (text === undefined) {
          text = JSON.stringify([c.defaults, [...c.functions]]);
          this.texts.set(c, text);
        }
        return text;
      })
      .join("\n");
  }

  /** Every config read so far: the given one and those found beside the files asked about. */
  configs(): TypesConfig[] {
    const found = [...this.cache.values()].filter(
      (c): c is TypesConfig => c !== null && !(c instanceof ConfigError),
    );
    return this.given ? [this.given, ...found] : found;
  }

  /**
   * Entries of the configs read that name no function of `names` (`f`, `Class.method`, or
   * `file.py:f` by its function part): a misspelt name would otherwise change nothing, silently.
   */
  unmatched(names: ReadonlySet<string>): string[] {
    return this.configs().flatMap((c) =>
      [...c.functions.keys()]
        .filter((key) => !names.has(key.slice(key.lastIndexOf(":") + 1)))
        .map((key) => `${c.path}: [functions."${key}"] names no indexed function`),
    );
  }

  /** The settings of function `name` of `file`. */
  settingsFor(file: string, name: string): FunctionSettings {
    const out: FunctionSettings = {};
    const apply = (s: Section | undefined) => {
      if (!s) return;
      out.inputs ??= s.inputs;
      out.range ??= s.range;
      out.maxSteps ??= s.maxSteps;
      if ((s.args || s.params) && !out.types)
        out.types = {
          ...(s.args ? { args: s.args } : {}),
          ...(s.params ? { params: s.params } : {}),
        };
    };
    for (const c of this.configsFor(file)) {
      const rel = relative(dirname(c.path), file).split(sep).join("/");
      apply(c.functions.get(`${rel}:${name}`) ?? c.functions.get(`${basename(file)}:${name}`));
      apply(c.functions.get(name));
    }
    for (const c of this.configsFor(file)) apply(c.defaults);
    for (const k of Object.keys(out) as (keyof FunctionSettings)[])
      if (out[k] === undefined) delete out[k];
    return out;
  }
}
