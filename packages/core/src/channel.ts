import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { ParleyError } from './errors.js';
import { DEFAULT_HANDLING_MS, PRECEDENCES } from './precedence.js';
import type { Precedence } from './precedence.js';
import { CHANNEL_RE } from './validate.js';
import { DEFAULT_LEAD_MS, NOTICE_KINDS } from './notice-kinds.js';
import type { NoticeKind } from './notice-kinds.js';

/**
 * Tiers of the hotline, highest first. A channel links the two parties at one tier; an
 * unanswered message escalates to the channel its agreement names (normally the next tier up).
 */
export const TIERS = ['leader', 'ministry', 'theater', 'tactical'] as const;
export type Tier = (typeof TIERS)[number];

/** Tiers on which a message waits for a second person (an approver) before it is sent. */
export const TWO_PERSON_TIERS: readonly Tier[] = ['leader', 'ministry'];

/** Default time without substantive traffic after which a channel is shown dormant: 7 days. */
export const DEFAULT_DORMANCY_MS = 7 * 24 * 3_600_000;

const HandlingSchema = Type.Object(
  Object.fromEntries(
    PRECEDENCES.map((p) => [
      p,
      Type.Integer({
        minimum: 60_000,
        maximum: 7 * 24 * 3_600_000,
        description: `handling objective for ${p}, ms`,
      }),
    ]),
  ) as Record<Precedence, ReturnType<typeof Type.Integer>>,
  { additionalProperties: false },
);

const LeadTimesSchema = Type.Object(
  Object.fromEntries(
    NOTICE_KINDS.map((k) => [
      k,
      Type.Integer({
        minimum: 0,
        maximum: 365 * 24 * 3_600_000,
        description: `minimum lead time of a ${k} notice, ms`,
      }),
    ]),
  ) as Record<NoticeKind, ReturnType<typeof Type.Integer>>,
  {
    additionalProperties: false,
    description:
      'minimum lead time per notice kind, ms (defaults: launch 24 h, live fire and exercises 72 h, transit none); absent in agreements made before notices',
  },
);

const LevelSchema = Type.Object(
  {
    level: Type.Union([Type.Literal('caution'), Type.Literal('danger')]),
    cpaNm: Type.Number({ exclusiveMinimum: 0, maximum: 50, description: 'CPA below this, nm' }),
    withinMin: Type.Number({
      exclusiveMinimum: 0,
      maximum: 120,
      description: 'within this many minutes',
    }),
    vsepFt: Type.Optional(
      Type.Number({
        exclusiveMinimum: 0,
        maximum: 20_000,
        description: 'air: vertical separation below this, ft',
      }),
    ),
  },
  { additionalProperties: false },
);

const ScreeningSchema = Type.Object(
  {
    surface: Type.Optional(Type.Array(LevelSchema, { minItems: 1, maxItems: 2 })),
    air: Type.Optional(Type.Array(LevelSchema, { minItems: 1, maxItems: 2 })),
  },
  {
    additionalProperties: false,
    description:
      "encounter thresholds the two parties agree for their units (a domain given replaces the station's defaults: surface caution 2 nm / 30 min, danger 0.25 nm / 15 min; air 1 nm and 1,000 ft / 5 min)",
  },
);
export type ScreeningAgreement = Static<typeof ScreeningSchema>;

/** What both stations agree when a channel opens (carried in the proposal, accepted as a whole). */
export const ChannelAgreementSchema = Type.Object(
  {
    tier: Type.Union(
      TIERS.map((t) => Type.Literal(t)),
      { description: 'leader, ministry, theater or tactical' },
    ),
    languages: Type.Array(Type.Union([Type.Literal('en'), Type.Literal('zh')]), {
      minItems: 1,
      maxItems: 2,
      uniqueItems: true,
      description: 'working languages of the channel',
    }),
    handling: HandlingSchema,
    escalation: Type.Union([Type.String({ pattern: CHANNEL_RE.source }), Type.Null()], {
      description: 'channel an unanswered message escalates to, or null',
    }),
    dormancyMs: Type.Integer({
      minimum: 60_000,
      description: 'no substantive exchange for this long marks the channel dormant',
    }),
    leadTimes: Type.Optional(LeadTimesSchema),
    screening: Type.Optional(ScreeningSchema),
  },
  { additionalProperties: false },
);
export type ChannelAgreement = Static<typeof ChannelAgreementSchema>;

const agreementCheck = TypeCompiler.Compile(ChannelAgreementSchema);

/** Fills defaults into a partial agreement and checks it, or throws `PARLEY_E_BAD_AGREEMENT` naming the field. */
export function parseAgreement(input: unknown): ChannelAgreement {
  const i = (typeof input === 'object' && input !== null ? input : {}) as Partial<ChannelAgreement>;
  const value = {
    tier: i.tier,
    languages: i.languages ?? ['en', 'zh'],
    handling: { ...DEFAULT_HANDLING_MS, ...(i.handling ?? {}) },
    escalation: i.escalation ?? null,
    dormancyMs: i.dormancyMs ?? DEFAULT_DORMANCY_MS,
    leadTimes: { ...DEFAULT_LEAD_MS, ...(i.leadTimes ?? {}) },
    ...(i.screening !== undefined ? { screening: i.screening } : {}),
  };
  if (!agreementCheck.Check(value)) {
    const e = agreementCheck.Errors(value).First();
    throw new ParleyError(
      'PARLEY_E_BAD_AGREEMENT',
      `channel agreement ${e ? `${e.path}: ${e.message} (${JSON.stringify(e.value)})` : 'is malformed'}`,
      {
        path: e?.path,
      },
    );
  }
  return value as ChannelAgreement;
}

/** The minimum lead time of a notice kind on a channel (an agreement without `leadTimes` uses the defaults). */
export function leadTimeFor(agreement: ChannelAgreement | undefined, kind: NoticeKind): number {
  return agreement?.leadTimes?.[kind] ?? DEFAULT_LEAD_MS[kind];
}

/** Receipt levels a message goes through, in order. */
export const RECEIPT_LEVELS = ['delivered', 'read', 'understood'] as const;
export type ReceiptLevel = (typeof RECEIPT_LEVELS)[number];

/** Lifecycle of a channel as both feeds record it. */
export type ChannelStatus = 'proposed' | 'open' | 'suspended';
