/**
 * The honest index summary: functions and methods counted by outcome — a behaviour class (from
 * calls that returned), always raises, not run — each with its reasons grouped (the names and
 * numbers in a message are dropped so alike reasons add up), where the signatures came from,
 * and how the doctest examples agreed.
 */

export type Outcome = "behaviour" | "always_raises" | "not_run";

export interface OutcomeCounts {
  total: number;
  behaviour: number;
  always_raises: number;
  not_run: number;
  /** Per outcome other than behaviour: reason → count. */
  reasons: { always_raises: Record<string, number>; not_run: Record<string, number> };
}

export interface IndexReport {
  functions: OutcomeCounts;
  methods: OutcomeCounts;
  /** Where the signatures of functions with a behaviour came from (row, hints, user, inferred). */
  signatures: Record<string, number>;
  /** Signatures chosen by probing among inferred candidates. */
  probed: number;
  doctests: { functions: number; examples: number; agree: number };
}

const counts = (): OutcomeCounts => ({
  total: 0,
  behaviour: 0,
  always_raises: 0,
  not_run: 0,
  reasons: { always_raises: {}, not_run: {} },
});

export const emptyReport = (): IndexReport => ({
  functions: counts(),
  methods: counts(),
  signatures: {},
  probed: 0,
  doctests: { functions: 0, examples: 0, agree: 0 },
});

/** `text` cut to `n` characters, the cut shown by "…". */
const clip = (text: string, n: number) => (text.length > n ? `${text.slice(0, n - 1)}…` : text);

/** A reason with names, quoted text and numbers dropped, so alike reasons group. */
export function reasonKey(status: string, text: string): string {
  const t = text.replace(/\s+/g, " ").trim();
  if (status === "always_raises") {
    if (t.startsWith("abstract: ")) return "abstract: raises NotImplementedError";
    // `raised X on all N drawn inputs`, or as the tracer says it, `raises X on every input`.
    const m = /^(?:raised (\w+) on all |raises (\w+)(?:;.*?)? on every input)/.exec(t);
    const type = m?.[1] ?? m?.[2];
    return type ? `raises ${type}` : "raises several exception types";
  }
  if (status === "timeout")
    return /step budget/.test(t) ? "timeout: step budget spent" : "timeout: wall clock";
  const generic = t
    .replace(/"[^"]*"/g, '"…"')
    .replace(/'[^']*'/g, "'…'")
    .replace(/\(line \d+[^)]*\)/g, "")
    .replace(/\bline \d+\b/g, "line N")
    .replace(/\d+/g, "N")
    .replace(/\s+/g, " ")
    .trim();
  if (status === "runtime_error") {
    if (/^signature mismatch/.test(t)) return "signature mismatch";
    const raised = /line N raised (\w+)/.exec(generic) ?? /raised (\w+)/.exec(generic);
    const diagnosed = /^not defined: ([^;]*)/.exec(t);
    if (diagnosed) return `not defined: ${diagnosed[1].trim()}`;
    if (/is not defined/.test(t)) {
      const refused = /skipped: sandbox: ([^;]*)/.exec(t);
      if (refused)
        return `not defined: the sandbox refused a statement (${refused[1].replace(/\s*\(line \d+\)/, "").trim()})`;
      return raised ? `not defined: a module statement raised ${raised[1]}` : "not defined";
    }
    const m = /exception while defining the code: (\w+)/.exec(t);
    if (m) return `module raised ${m[1]}`;
    return `runtime error: ${clip(generic, 60)}`;
  }
  if (status === "no_inputs") return clip(generic, 80);
  if (status === "limit") {
    // A function body the sandbox refused, reached on every call (named by the index).
    const refused = /^refused: ([^;]*)/.exec(t);
    if (refused) return refused[1].trim();
    // An exception of the sandbox's own on every call (a builtin or module it withholds).
    const withheld = /^withheld: (.*?) \(\w+ on (?:all|\d+ of) \d+ drawn inputs/.exec(t);
    if (withheld) return withheld[1];
    const raw = /^sandbox: (.*) \(def \S+, line \d+, refused; called on every input\)$/.exec(t);
    if (raw)
      return `the sandbox refuses a function's definition (${raw[1].replace(/\s*\(line \d+\)/, "").trim()})`;
  }
  return `${status}: ${clip(generic, 70)}`;
}

/** Counts one function or method. */
export function countOutcome(
  r: IndexReport,
  method: boolean,
  status: string,
  reason: string,
  argsFrom: string,
  signature?: string | null,
): void {
  const c = method ? r.methods : r.functions;
  c.total++;
  if (status === "ok") {
    c.behaviour++;
    r.signatures[argsFrom] = (r.signatures[argsFrom] ?? 0) + 1;
  } else {
    const outcome = status === "always_raises" ? "always_raises" : "not_run";
    c[outcome]++;
    const k = reasonKey(status, reason);
    c.reasons[outcome][k] = (c.reasons[outcome][k] ?? 0) + 1;
  }
  if (signature) {
    const s = JSON.parse(signature) as {
      doctest?: { examples: number; agree: number };
      chosen?: boolean;
    };
    if (s.chosen) r.probed++;
    if (s.doctest) {
      r.doctests.functions++;
      r.doctests.examples += s.doctest.examples;
      r.doctests.agree += s.doctest.agree;
    }
  }
}

/** Adds `b` into `a` (for totals over several runs). */
export function addReports(a: IndexReport, b: IndexReport): IndexReport {
  const addCounts = (x: OutcomeCounts, y: OutcomeCounts) => {
    x.total += y.total;
    x.behaviour += y.behaviour;
    x.always_raises += y.always_raises;
    x.not_run += y.not_run;
    for (const o of ["always_raises", "not_run"] as const)
      for (const [k, n] of Object.entries(y.reasons[o]))
        x.reasons[o][k] = (x.reasons[o][k] ?? 0) + n;
  };
  addCounts(a.functions, b.functions);
  addCounts(a.methods, b.methods);
  for (const [k, n] of Object.entries(b.signatures)) a.signatures[k] = (a.signatures[k] ?? 0) + n;
  a.probed += b.probed;
  a.doctests.functions += b.doctests.functions;
  a.doctests.examples += b.doctests.examples;
  a.doctests.agree += b.doctests.agree;
  return a;
}
