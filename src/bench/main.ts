/**
 * `npm run bench -- NAME [args]`: runs the benchmark in `src/bench/NAME.ts`, whose default
 * export takes the remaining arguments. Benchmarks compare against a reference measured in
 * the same run and print the ratio, because this machine is shared and noisy.
 */
import { readdirSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here)
  .filter((f) => f.endsWith(".js") && f !== "main.js")
  .map((f) => f.replace(/\.js$/, ""))
  .sort();
const [name, ...rest] = process.argv.slice(2);
if (!name || !available.includes(name)) {
  process.stderr.write(
    `usage: npm run bench -- NAME [args]\n  NAME: one of ${available.join(", ") || "(none built)"}\n`,
  );
  process.exit(name ? 1 : 0);
}
const bench = (await import(`./${name}.js`)) as { default: (args: string[]) => Promise<void> };
await bench.default(rest);
