/**
 * Doctest examples as a free check: each `>>> f(literal, …)` with an expected output runs
 * exactly as written (in the sandbox, in its module), and its result is compared with the
 * expected text — the return value's encoding against the printed repr (spaces outside quotes
 * ignored), an exception by its type.
 */
import { createHash } from "node:crypto";
import { raisedType, type TracerPool } from "../python/index.js";
import type { Candidate } from "../realcode/index.js";
import { extractFile } from "../realcode/index.js";

export interface DoctestCheck {
  examples: number;
  agree: number;
  /** The first examples that disagree: the call, what it expects, what it gave. */
  mismatches: { call: string; expected: string; got: string }[];
}

/** Removes whitespace outside string quotes; sets as `{…}`. */
export function normaliseRepr(text: string): string {
  let out = "";
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      out += c;
      if (c === "\\") out += text[++i] ?? "";
      else if (c === quote) quote = null;
    } else if (c === "'" || c === '"') {
      quote = c;
      out += c;
    } else if (!/\s/.test(c)) out += c;
  }
  return out.replace(/^(set|frozenset)\{/, "{").replace(/^frozenset\(\{(.*)\}\)$/, "{$1}");
}

/** Does our output encoding match a doctest's expected text? */
export function doctestAgrees(expected: string, got: string): boolean {
  if (got.startsWith("raise:")) {
    const last = expected.trim().split("\n").pop() ?? "";
    const m = /^([\w.]+)(:|$)/.exec(last);
    return (
      expected.startsWith("Traceback") && m !== null && m[1].split(".").pop() === raisedType(got)
    );
  }
  if (expected.startsWith("Traceback")) return false;
  const e = normaliseRepr(expected);
  const g = normaliseRepr(got);
  if (e === g) return true;
  // our sets sort their items; a doctest prints them in iteration order
  if (got.startsWith("set{") && e.startsWith("{") && g.startsWith("{")) {
    const items = (s: string) => s.slice(1, -1).split(",").sort().join(",");
    return items(e) === items(g);
  }
  return false;
}

/** Runs the doctest examples of `candidates` (functions in a module); results by candidate. */
export async function checkDoctests(
  candidates: readonly Candidate[],
  o: { pool: TracerPool; unitOf: (c: Candidate) => string | undefined; timeoutMs?: number },
): Promise<Map<Candidate, DoctestCheck>> {
  const out = new Map<Candidate, DoctestCheck>();
  const byModule = new Map<string, ReturnType<typeof extractFile>>();
  const jobs: Promise<void>[] = [];
  for (const c of candidates) {
    if (c.module === undefined) continue;
    let file = byModule.get(c.module);
    if (!file) {
      file = extractFile(c.module);
      byModule.set(c.module, file);
    }
    const f = file.functions.find((g) => g.name === c.name && g.line === c.line);
    const examples = (f?.doctests ?? []).filter((d) => d.expected !== null).slice(0, 12);
    if (examples.length === 0) continue;
    // One job per argument signature of the examples (values travel typed, as for any input).
    const bySig = new Map<string, typeof examples>();
    for (const e of examples) {
      const k = JSON.stringify(e.args.map((a) => a.type));
      bySig.set(k, [...(bySig.get(k) ?? []), e]);
    }
    const check: DoctestCheck = { examples: examples.length, agree: 0, mismatches: [] };
    out.set(c, check);
    for (const [sig, list] of bySig) {
      const types = JSON.parse(sig) as string[];
      const values = list.map((e) => e.args.map((a) => a.value));
      const key = `doctest:${createHash("sha256")
        .update(JSON.stringify([types, values]))
        .digest("hex")
        .slice(0, 16)}`;
      jobs.push(
        o.pool
          .trace({
            code: c.module,
            module: true,
            entry: c.name,
            inputs: { key, types, values },
            unit: o.unitOf(c),
            timeoutMs: o.timeoutMs,
          })
          .then((r) => {
            list.forEach((e, i) => {
              const got =
                r.status === "ok" ? (r.runs[i]?.[2] ?? "?") : `${r.status}: ${r.error ?? ""}`;
              if (r.status === "ok" && doctestAgrees(e.expected as string, got)) check.agree++;
              else if (check.mismatches.length < 3)
                check.mismatches.push({
                  call: e.text,
                  expected: e.expected as string,
                  got: got.slice(0, 200),
                });
            });
          }),
      );
    }
  }
  await Promise.all(jobs);
  return out;
}
