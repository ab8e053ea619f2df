/** Flag parsers shared by subcommands; each throws a message naming the flag and the problem. */
import { availableParallelism } from "node:os";
import { type Command, InvalidArgumentError } from "commander";
import { DEFAULT_MAX_STEPS, DEFAULT_TIMEOUT_MS, setUnsafeNoIsolation } from "../python/index.js";
import { UsageError } from "./errors.js";

export function intOption(
  name: string,
  min = Number.MIN_SAFE_INTEGER,
  max = Number.MAX_SAFE_INTEGER,
) {
  return (text: string): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min || n > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `in ${min}..${max}`;
      throw new InvalidArgumentError(`${name} must be an integer ${range}, got "${text}"`);
    }
    return n;
  };
}

/**
 * A count of processes (sandbox children, training runs): an integer in min..max, with a
 * warning past the machine's cores, where more processes add memory and waiting, not speed.
 */
export function processesOption(name: string, min: number, max: number) {
  const parse = intOption(name, min, max);
  return (text: string): number => {
    const n = parse(text);
    const cores = availableParallelism();
    if (n > cores)
      process.stderr.write(
        `tracecode: warning: ${name} ${n} is more than this machine's ${cores} cores: each is a process of its own, and past the cores they add memory, not speed\n`,
      );
    return n;
  };
}

/** `--NAME <value>` with `--no-NAME`: a usage error, where Commander lets the last one win. */
export function oneOfNegated(command: Command, name: string): Command {
  let given: string | undefined;
  const seen = (flag: string) => () => {
    if (given !== undefined && given !== flag)
      throw new UsageError(`${given} and ${flag} together: give one of them`);
    given = flag;
  };
  return command
    .on(`option:${name}`, seen(`--${name}`))
    .on(`option:no-${name}`, seen(`--no-${name}`));
}

export function floatOption(name: string, min = -Infinity, max = Infinity) {
  return (text: string): number => {
    const n = Number(text);
    if (text.trim() === "" || !Number.isFinite(n) || n < min || n > max) {
      throw new InvalidArgumentError(`${name} must be a number in [${min}, ${max}], got "${text}"`);
    }
    return n;
  };
}

export function choiceOption<T extends string>(name: string, choices: readonly T[]) {
  return (text: string): T => {
    if (!(choices as readonly string[]).includes(text)) {
      throw new InvalidArgumentError(`${name} must be one of ${choices.join(", ")}, got "${text}"`);
    }
    return text as T;
  };
}

/**
 * `--format` against the output's extension: a `.jsonl` file holding Parquet (or the reverse)
 * would be read back by its name and fail, so the two must agree when both are given, and a
 * data file's extension must be one of the command's formats.
 */
export function checkFormatAgrees(
  path: string,
  format: string | undefined,
  formats: readonly string[] = ["jsonl", "parquet"],
): void {
  const ext = /\.(jsonl|parquet|npy)$/i.exec(path)?.[1]?.toLowerCase();
  if (ext && !formats.includes(ext))
    throw new UsageError(
      `--out ${path}: this command does not write .${ext} files (it writes ${formats.map((f) => `.${f}`).join(" or ")})`,
    );
  if (format && ext && ext !== format)
    throw new UsageError(
      `--format ${format} does not go with --out ${path} (a .${ext} file): drop --format, or name the file .${format}`,
    );
}

/** Flags of every command that runs untrusted Python. */
export interface SandboxFlags {
  maxSteps: number;
  timeoutMs: number;
  unsafeNoIsolation: boolean;
}

/** Adds the sandbox's flags: the counted budget, the wall-clock safety net, and the unsafe mode. */
export function sandboxOptions(command: Command): Command {
  command
    .option(
      "--max-steps <n>",
      "budget per snippet in block events of its code, all inputs together (counted, so a " +
        "result never depends on the machine's load)",
      intOption("--max-steps", 1),
      DEFAULT_MAX_STEPS,
    )
    .option(
      "--timeout-ms <ms>",
      "wall-clock safety net per snippet, for code that makes no steps (e.g. one huge power)",
      intOption("--timeout-ms", 1, 3_600_000),
      DEFAULT_TIMEOUT_MS,
    );
  return unsafeOption(command);
}

/** --unsafe-no-isolation, for every command that runs Python. */
export function unsafeOption(command: Command): Command {
  return command.option(
    "--unsafe-no-isolation",
    "run untrusted Python without the operating-system boundary (bubblewrap), where it cannot " +
      "be set up; never for code you did not write",
    false,
  );
}

/** Applies --unsafe-no-isolation for this process, warning on every run that uses it. */
export function applySandboxFlags(flags: { unsafeNoIsolation?: boolean }): void {
  if (!flags.unsafeNoIsolation) return;
  process.stderr.write(
    "tracecode: WARNING: --unsafe-no-isolation: untrusted Python runs without the operating-system " +
      "boundary; code that escapes the interpreter can reach this machine's network, processes and files\n",
  );
  setUnsafeNoIsolation(true);
}

/** The options that only shape a farm run (`--chunk`, `--keep`, `--retry-dead`). */
const FARM_ONLY = [
  ["chunk", "--chunk"],
  ["keep", "--keep"],
  ["retryDead", "--retry-dead"],
] as const;

/** Refuses the farm's options on a local run (no `--redis`), where they would do nothing. */
export function farmOnlyOptions(command: Command): Command {
  return command.hook("preAction", (cmd) => {
    if (cmd.opts().redis !== undefined) return;
    const given = FARM_ONLY.filter(([key]) => cmd.getOptionValueSource(key) === "cli");
    if (given.length > 0)
      throw new UsageError(
        `${given.map(([, flag]) => flag).join(", ")} only ${given.length > 1 ? "apply" : "applies"} to a farm run: add --redis URL, or drop ${given.length > 1 ? "them" : "it"}`,
      );
  });
}
