/** Flag parsers shared by subcommands; each throws a message naming the flag and the problem. */
import { InvalidArgumentError } from "commander";

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
