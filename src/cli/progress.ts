/**
 * Progress bars for long work: drawn on an interactive stderr; elsewhere (a log file, a pipe)
 * one plain line at each tenth of the work, so a logged run is not silent for minutes.
 *
 * The line is ours (`formatProgressLine`), not cli-progress's template: a `{name}` of `extra`
 * with no value yet shows "–" (not the placeholder), and the ETA (`EtaEstimate`) is measured
 * from the first finished item on — start-up (a sandbox starting, a model loading) would make
 * the first item's rate hours wrong — and shown only once there is enough to measure.
 */
import cliProgress from "cli-progress";

export interface Progress {
  tick(n?: number, payload?: Record<string, string | number>): void;
  stop(): void;
}

/** What a field without a value yet shows. */
export const NO_VALUE = "–";

/** The ETA waits for this many items after the first finished one… */
export const ETA_MIN_ITEMS = 1;
/** …and this much time after it. */
export const ETA_MIN_MS = 2000;

/**
 * Time left from the rate since the first finished item: the wait for that item holds start-up
 * costs the others do not pay, so it is left out. Null (unknown) until `ETA_MIN_ITEMS` more items
 * and `ETA_MIN_MS` have passed after it.
 */
export class EtaEstimate {
  private first: { value: number; ms: number } | null = null;
  private last: { value: number; ms: number } | null = null;

  /** The bar reached `value` items at time `ms`. */
  record(value: number, ms: number): void {
    if (value <= 0 || (this.last && value <= this.last.value)) return;
    this.first ??= { value, ms };
    this.last = { value, ms };
  }

  /** Seconds left to reach `total`, or null while too little is measured. */
  seconds(total: number): number | null {
    if (!this.first || !this.last) return null;
    const items = this.last.value - this.first.value;
    const ms = this.last.ms - this.first.ms;
    if (items < ETA_MIN_ITEMS || ms < ETA_MIN_MS) return null;
    return Math.max(0, ((total - this.last.value) * ms) / items / 1000);
  }
}

/** `7s`, `3m05s`, `2h04m`; "–" for an unknown or impossible time. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return NO_VALUE;
  const s = Math.round(seconds);
  const two = (n: number) => String(n).padStart(2, "0");
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${two(s % 60)}s`;
  const minutes = Math.round(s / 60);
  return `${Math.floor(minutes / 60)}h${two(minutes % 60)}m`;
}

/** `template` with every `{name}` replaced by the payload's value, or "–" while it has none. */
export function fillFields(
  template: string,
  payload: Readonly<Record<string, string | number | undefined>>,
): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const v = payload[name];
    return v === undefined || v === "" ? NO_VALUE : String(v);
  });
}

export interface ProgressLine {
  label: string;
  value: number;
  total: number;
  /** The drawn bar (cli-progress's), between the brackets. */
  bar: string;
  etaSeconds: number | null;
  /** Text after the ETA with `{name}` fields, e.g. ` | loss {loss}`. */
  extra: string;
  payload: Readonly<Record<string, string | number | undefined>>;
}

/** `train [████░░░░] 2/10 20% | eta 1m04s | loss 0.1234 | val top-1 –`. */
export function formatProgressLine(p: ProgressLine): string {
  const percent = p.total > 0 ? Math.min(100, Math.floor((p.value / p.total) * 100)) : 100;
  return (
    `${p.label} [${p.bar}] ${p.value}/${p.total} ${percent}% | eta ${formatDuration(p.value >= p.total ? 0 : p.etaSeconds)}` +
    fillFields(p.extra, p.payload)
  );
}

export function progressBar(
  label: string,
  total: number,
  extra = "",
  initial: Record<string, string | number> = {},
  stream: NodeJS.WritableStream & { isTTY?: boolean } = process.stderr,
): Progress {
  if (!stream.isTTY) return progressLines(label, total, extra, initial, stream);
  const eta = new EtaEstimate();
  let done = 0;
  const bar = new cliProgress.SingleBar(
    {
      format: (options, params, payload: Record<string, string | number>) =>
        formatProgressLine({
          label,
          value: params.value,
          total: params.total,
          bar: cliProgress.Format.BarFormat(params.progress, options),
          etaSeconds: eta.seconds(params.total),
          extra,
          payload,
        }),
      stream,
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { ...initial });
  return {
    tick: (n = 1, payload) => {
      done += n;
      if (n > 0) eta.record(done, Date.now());
      bar.increment(n, payload);
    },
    stop: () => bar.stop(),
  };
}

/**
 * Progress for a stderr that is not a terminal: `label: 12/120 (10%) | loss 0.1234` each time
 * another tenth of the work is done (counted, so the same run logs the same lines), and nothing
 * between.
 */
function progressLines(
  label: string,
  total: number,
  extra: string,
  initial: Record<string, string | number>,
  stream: NodeJS.WritableStream,
): Progress {
  let done = 0;
  let shown = 0;
  let payload: Record<string, string | number> = { ...initial };
  return {
    tick: (n = 1, p) => {
      done += n;
      if (p) payload = { ...payload, ...p };
      const tenth = total > 0 ? Math.floor((10 * Math.min(done, total)) / total) : 10;
      if (tenth <= shown) return;
      shown = tenth;
      const percent = total > 0 ? Math.floor((100 * Math.min(done, total)) / total) : 100;
      stream.write(`${label}: ${done}/${total} (${percent}%)${fillFields(extra, payload)}\n`);
    },
    stop: () => {},
  };
}
