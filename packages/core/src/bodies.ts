import { Type } from '@sinclair/typebox';
import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { TypeCheck } from '@sinclair/typebox/compiler';
import { parseCatalogueMessage } from './catalogue.js';
import { ChannelAgreementSchema } from './channel.js';
import { isParleyError } from './errors.js';
import { PRECEDENCES } from './precedence.js';
import { MAX_TEXT_CHARS } from './validate.js';

/**
 * The schema of every entry body the protocol gives meaning to (docs/PROTOCOL.md §2.2), one per
 * kind, and `checkBody`, the one check a reader runs before an entry may change any state: the
 * hotline fold, the link (which raises an alarm naming a peer's failing entry) and offline
 * bundle verification all call it. Pure and total: any JSON value goes in, an answer comes out,
 * nothing throws.
 *
 * Bodies are open (a later version may add fields; unknown fields are ignored), but every field
 * a reader uses is checked: its type, its bounds, and for references their exact shape. Kinds
 * the protocol does not define have no schema: the format is extensible, and readers ignore them.
 */

const MAX_INT = Number.MAX_SAFE_INTEGER;
const Seq = Type.Integer({ minimum: 1, maximum: MAX_INT });
const Ms = Type.Integer({ minimum: 0, maximum: 8.64e15 });
const StationId = Type.String({ pattern: '^stn_[0-9a-f]{24}$' });
const AudienceId = Type.String({ pattern: '^aud_[0-9a-f]{24}$' });
const Hash = Type.String({ pattern: '^[0-9a-f]{64}$' });
const PublicKey = Type.String({ pattern: '^[A-Za-z0-9_-]{43}$' });
const Signature = Type.String({ pattern: '^[A-Za-z0-9_-]{86}$' });
/** A person's name as recorded in an entry (`by`, `author`, `approver`). */
const Person = Type.String({ minLength: 1, maxLength: 200 });
const Reason = Type.String({ maxLength: 2000 });
const Lang = Type.String({ pattern: '^[a-z]{2,3}(-[A-Za-z0-9]{1,8}){0,3}$' });
const Text = Type.String({ minLength: 1, maxLength: MAX_TEXT_CHARS });
const Precedence = Type.Union(PRECEDENCES.map((p) => Type.Literal(p)));
/** Call slots: 1–5 UTC times, ms. */
const Slots = Type.Array(Ms, { minItems: 1, maxItems: 5 });

/** A reference to one entry of a feed (§2.2 `ref`). */
const Ref = Type.Object(
  { station: StationId, audience: Type.Optional(AudienceId), seq: Seq, hash: Hash },
  { additionalProperties: false },
);

const open = { additionalProperties: true } as const;

const Checkpoint = Type.Object(
  {
    station: StationId,
    audience: Type.Optional(AudienceId),
    size: Type.Integer({ minimum: 0, maximum: MAX_INT }),
    root: Hash,
    ts: Ms,
    sig: Signature,
  },
  { additionalProperties: false },
);

const NoticeContent = Type.Object(
  {
    kind: Type.String({ minLength: 1, maxLength: 64 }),
    issuer: Type.Object({ party: Type.String(), unit: Type.String() }, open),
    areas: Type.Array(Type.Object({ area: Type.Object({}, open) }, open), {
      minItems: 1,
      maxItems: 64,
    }),
    band: Type.Object({ type: Type.String() }, open),
    windows: Type.Array(Type.Object({ start: Ms, end: Ms }, open), {
      minItems: 1,
      maxItems: 64,
    }),
  },
  open,
);

/** Body schemas by entry kind. */
export const BODY_SCHEMAS: Readonly<Record<string, TSchema>> = {
  genesis: Type.Object(
    {
      name: Type.String({ minLength: 1, maxLength: 64 }),
      key: PublicKey,
      members: Type.Optional(Type.Array(StationId, { minItems: 2, maxItems: 64 })),
    },
    open,
  ),
  'key-rotation': Type.Object(
    { next: PublicKey, proof: Signature, emergency: Type.Optional(Type.Boolean()) },
    open,
  ),
  'key-repin': Type.Object(
    { station: StationId, key: PublicKey, safety: Type.String({ maxLength: 200 }), by: Person },
    open,
  ),
  message: Type.Object(
    {
      precedence: Precedence,
      text: Type.Optional(Text),
      lang: Type.Optional(Lang),
      catalogue: Type.Optional(
        Type.Object(
          {
            v: Type.Integer({ minimum: 1, maximum: MAX_INT }),
            code: Type.String(),
            params: Type.Object({}, open),
          },
          open,
        ),
      ),
      replyTo: Type.Optional(Ref),
      escalates: Type.Optional(Ref),
      author: Type.Optional(Person),
      approver: Type.Optional(Person),
      parties: Type.Optional(Type.Array(StationId, { maxItems: 64 })),
    },
    open,
  ),
  receipt: Type.Union([
    Type.Object(
      { level: Type.Literal('delivered'), station: StationId, upTo: Seq, hash: Hash },
      open,
    ),
    Type.Object(
      {
        level: Type.Union([Type.Literal('read'), Type.Literal('understood')]),
        of: Ref,
        by: Type.Optional(Type.Union([Person, Type.Null()])),
        readback: Type.Optional(Text),
      },
      open,
    ),
  ]),
  cosignature: Checkpoint,
  alarm: Type.Object(
    {
      type: Type.String({ pattern: '^[a-z][a-z0-9-]{0,63}$' }),
      station: Type.Optional(StationId),
      of: Type.Optional(Ref),
      reason: Reason,
      evidence: Type.Optional(Type.String({ maxLength: 16_384 })),
      due: Type.Optional(Ms),
      escalation: Type.Optional(Reason),
      parties: Type.Optional(Type.Array(StationId, { maxItems: 64 })),
    },
    open,
  ),
  'channel-propose': Type.Object(
    {
      agreement: ChannelAgreementSchema,
      supersedes: Type.Optional(Ref),
      by: Type.Optional(Person),
    },
    open,
  ),
  'channel-accept': Type.Object({ proposal: Ref, by: Type.Optional(Person) }, open),
  'channel-suspend': Type.Object({ reason: Reason, by: Type.Optional(Person) }, open),
  'channel-resume': Type.Object({ reason: Reason, by: Type.Optional(Person) }, open),
  translation: Type.Object({ of: Ref, lang: Lang, text: Text, by: Type.Optional(Person) }, open),
  'call-request': Type.Object(
    {
      precedence: Type.Optional(Precedence),
      slots: Slots,
      medium: Type.Union([Type.Literal('voice'), Type.Literal('video')]),
      by: Type.Optional(Person),
    },
    open,
  ),
  'call-response': Type.Object(
    {
      of: Ref,
      action: Type.Union([
        Type.Literal('accept'),
        Type.Literal('decline'),
        Type.Literal('counter'),
      ]),
      slot: Type.Optional(Ms),
      slots: Type.Optional(Slots),
      by: Type.Optional(Person),
    },
    open,
  ),
  notice: Type.Object(
    {
      notice: NoticeContent,
      amends: Type.Optional(Ref),
      by: Type.Optional(Person),
      approver: Type.Optional(Person),
    },
    open,
  ),
  'notice-cancel': Type.Object({ of: Ref, reason: Reason, by: Type.Optional(Person) }, open),
};

/** Kinds whose entries must name a channel (`channel` in the entry). */
const NEEDS_CHANNEL = new Set([
  'message',
  'call-request',
  'channel-propose',
  'channel-accept',
  'channel-suspend',
  'channel-resume',
  'notice',
]);

const compiled = new Map<string, TypeCheck<TSchema>>(
  Object.entries(BODY_SCHEMAS).map(([k, s]) => [k, TypeCompiler.Compile(s)]),
);

/** Why a body fails its kind's schema: the JSON pointer of the first bad field and what is wrong. */
export interface BodyFault {
  /** JSON pointer into the entry (`/body/agreement`, `/channel`). */
  path: string;
  message: string;
}

/** Whether the protocol defines a body schema for this kind. */
export function hasBodySchema(kind: string): boolean {
  return compiled.has(kind);
}

/**
 * A short, safe description of a hostile value: bounded in depth and length whatever its size or
 * nesting, and it never calls the value's own methods (`{"toString": 1}` is data here).
 */
function show(v: unknown, depth = 0): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 37)}...` : v);
  if (typeof v !== 'object' || v === null)
    return typeof v === 'number' ? `${v}` : `${v as boolean}`;
  if (depth >= 2) return Array.isArray(v) ? '[…]' : '{…}';
  if (Array.isArray(v)) {
    const items = v.slice(0, 3).map((x) => show(x, depth + 1));
    return `[${items.join(',')}${v.length > 3 ? ',…' : ''}]`;
  }
  const keys = Object.keys(v);
  const items = keys
    .slice(0, 3)
    .map((k) => `${JSON.stringify(k)}:${show((v as Record<string, unknown>)[k], depth + 1)}`);
  return `{${items.join(',')}${keys.length > 3 ? ',…' : ''}}`;
}

/**
 * Checks an entry's body (and the header fields its kind needs) against the schema of its kind:
 * null if it conforms or the kind has no schema, else the first fault. Total: never throws.
 */
export function checkBody(e: {
  kind: string;
  channel?: string | null;
  body: unknown;
}): BodyFault | null {
  try {
    const check = compiled.get(e.kind);
    if (!check) return null;
    if (NEEDS_CHANNEL.has(e.kind) && typeof e.channel !== 'string')
      return { path: '/channel', message: `a ${e.kind} entry must name a channel` };
    const body = e.body;
    if (!check.Check(body)) {
      const first = check.Errors(body).First();
      const path = `/body${first?.path ?? ''}`;
      return {
        path,
        message: first
          ? `${first.message} (found ${show(first.value)})`
          : `does not match the ${e.kind} schema`,
      };
    }
    const b = body as Record<string, unknown>;
    if (e.kind === 'message') {
      if ((b.text === undefined) === (b.catalogue === undefined))
        return { path: '/body', message: 'a message has either text or catalogue, exactly one' };
      if (b.catalogue !== undefined) {
        try {
          parseCatalogueMessage(b.catalogue);
        } catch (err) {
          if (!isParleyError(err)) throw err;
          const sub = typeof err.details.path === 'string' ? err.details.path : '';
          return { path: `/body/catalogue${sub}`, message: `${err.code}: ${err.message}` };
        }
      }
    }
    return null;
  } catch (err) {
    // A schema check cannot fail on JSON input; if it ever does, the entry stays out.
    return { path: '/body', message: `could not be checked: ${String((err as Error)?.message)}` };
  }
}
