/** Progress bars for long work: drawn on an interactive stderr only, silent otherwise. */
import cliProgress from "cli-progress";

export interface Progress {
  tick(n?: number, payload?: Record<string, string | number>): void;
  stop(): void;
}

export function progressBar(label: string, total: number, extra = ""): Progress {
  if (!process.stderr.isTTY) return { tick() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {value}/{total} {percentage}% | eta {eta_formatted}${extra}`,
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0);
  return {
    tick: (n = 1, payload) => bar.increment(n, payload),
    stop: () => bar.stop(),
  };
}
