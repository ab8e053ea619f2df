/** The schema of claims.json: the machine-readable verdicts, their numbers and definitions. */
import { z } from "zod";
import { CLAIM_IDS, PART_STATUSES, VERDICTS } from "./claims.js";
import { PROTOCOL_CHOICES } from "./protocol.js";

const SpreadJson = z.object({
  mean: z.number(),
  min: z.number(),
  max: z.number(),
  /** Seeds where the number is defined, of `of` seeds evaluated. */
  n: z.number().int().nonnegative(),
  of: z.number().int().nonnegative(),
});

const VerdictJson = z.enum(VERDICTS);

const PartJson = z.object({
  test: z.string(),
  paper: z.string().nullable(),
  status: z.enum(PART_STATUSES),
  seeds: z.number().int().nonnegative(),
  seedsHolding: z.number().int().nonnegative(),
  value: SpreadJson.nullable(),
  measured: z.string(),
});

const ClaimJson = z.object({
  id: z.enum(CLAIM_IDS),
  figure: z.string(),
  quote: z.string(),
  paperFigure: z.string(),
  definition: z.string(),
  parts: z.array(PartJson).min(1),
  verdict: VerdictJson,
});

const ProtocolRowJson = z.object({
  choice: z.enum(PROTOCOL_CHOICES),
  option: z.string(),
  label: z.string(),
  reference: z.string().nullable(),
  seeds: z.number().int().nonnegative(),
  finalTop1: SpreadJson.nullable(),
  convergedAt: SpreadJson.nullable(),
  reached: z.number().int().nonnegative(),
  deltaFinal: z.number().nullable(),
  verdicts: z.partialRecord(z.enum(CLAIM_IDS), VerdictJson),
  changes: z.array(z.enum(CLAIM_IDS)),
});

export const ClaimsFile = z.object({
  sweep: z.object({
    dir: z.string(),
    presets: z.array(z.string()),
    seeds: z.number().int(),
    quick: z.boolean(),
    data: z.string(),
    command: z.string(),
  }),
  thresholds: z.record(z.string(), z.number()),
  definitions: z.object({
    verdicts: z.string(),
    terms: z.record(z.string(), z.string()),
    thresholds: z.record(z.string(), z.string()),
  }),
  claims: z.array(ClaimJson).length(CLAIM_IDS.length),
  protocol: z.array(ProtocolRowJson),
  truncation: z
    .object({
      limit: z.number().int(),
      snippets: z.number().int(),
      longer: z.number().int(),
      allCut: z.number().int(),
      someCut: z.number().int(),
      unjudged: z.number().int(),
    })
    .nullable(),
  missing: z.array(
    z.object({
      preset: z.string(),
      label: z.string(),
      seed: z.number().int(),
      run: z.string(),
      why: z.string(),
    }),
  ),
});
export type ClaimsFile = z.infer<typeof ClaimsFile>;
