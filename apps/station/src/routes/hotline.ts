import { ParleyError } from '@parley/core';
import type { FastifyInstance } from 'fastify';
import type {} from '@fastify/swagger';
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import type { HotlineService } from '../hotline/hotline-service.js';
import type { LiveBus } from '../hotline/live-bus.js';
import { isMember, requireMember } from '../auth.js';
import { actorOf } from './api.js';
import {
  CATALOGUE_VERSION,
  CATEGORY_TITLES,
  LANGUAGES,
  catalogue,
  parseCatalogueMessage,
  renderCatalogueMessage,
} from '@parley/core';

/** Renders a stored catalogue message; one this version cannot read shows its code instead of failing the list. */
function render(msg: unknown, lang: 'en' | 'zh'): string {
  try {
    return renderCatalogueMessage(parseCatalogueMessage(msg), lang);
  } catch {
    // Deliberate: a code of a newer catalogue is shown as its code (bodies are checked on the
    // way in, so nothing else reaches here); never call a method of a stored value.
    const code = (msg as { code?: unknown } | null)?.code;
    return `[${typeof code === 'string' ? code : '?'}]`;
  }
}

const ErrorBody = Type.Object({ code: Type.String(), message: Type.String() });
const Ref = Type.Object({
  station: Type.String(),
  audience: Type.Optional(Type.String()),
  seq: Type.Integer(),
  hash: Type.String(),
});
const Created = Type.Object({ entry: Ref });
const Name = Type.Object({ name: Type.String() });
const Id = Type.Object({ id: Type.String() });
const secured = { security: [{ bearer: [] }] };

export const SendBody = Type.Object(
  {
    channel: Type.String({ description: 'channel name' }),
    precedence: Type.String({ description: 'ROUTINE, PRIORITY, IMMEDIATE or FLASH' }),
    text: Type.Optional(
      Type.String({
        description:
          "free text, 1–8,000 characters, in the sender's language (or send `catalogue`)",
      }),
    ),
    catalogue: Type.Optional(
      Type.Object(
        {
          v: Type.Optional(Type.Integer({ description: 'catalogue version' })),
          code: Type.String({ description: 'catalogue code, e.g. MAN-01 (GET /api/v1/catalogue)' }),
          params: Type.Optional(
            Type.Record(Type.String(), Type.Unknown(), {
              description: 'typed parameters of that entry',
            }),
          ),
        },
        {
          description:
            'a coded message: the code and parameters are signed; each reader sees it in their own language',
        },
      ),
    ),
    lang: Type.Optional(
      Type.Union([Type.Literal('en'), Type.Literal('zh')], { description: 'language of the text' }),
    ),
    replyTo: Type.Optional(Type.String({ description: 'id of the message this answers' })),
  },
  { additionalProperties: false },
);

const MembersBody = Type.Object(
  {
    members: Type.Array(Type.String({ pattern: '^stn_[0-9a-f]{24}$' }), {
      minItems: 1,
      maxItems: 63,
      description: "the station ids of the channel's other parties after the change",
    }),
  },
  { additionalProperties: false },
);

const ProposeBody = Type.Object(
  {
    name: Type.String({ description: 'channel name: 1–64 of [a-z0-9._-]' }),
    members: Type.Optional(
      Type.Array(Type.String({ pattern: '^stn_[0-9a-f]{24}$' }), {
        maxItems: 63,
        description:
          "the station ids of the channel's other parties (paired peers); with one peer, none means that peer",
      }),
    ),
    agreement: Type.Object(
      {
        tier: Type.String({ description: 'leader, ministry, theater or tactical' }),
        languages: Type.Optional(Type.Array(Type.String())),
        handling: Type.Optional(
          Type.Record(Type.String(), Type.Integer(), {
            description: 'handling objective per precedence, ms',
          }),
        ),
        escalation: Type.Optional(
          Type.Union([Type.String(), Type.Null()], {
            description: 'channel to escalate unanswered messages to',
          }),
        ),
        dormancyMs: Type.Optional(Type.Integer()),
        leadTimes: Type.Optional(
          Type.Record(Type.String(), Type.Integer(), {
            description:
              'minimum lead time per notice kind, ms (defaults: launch 24 h, live fire and exercises 72 h, transit none)',
          }),
        ),
        screening: Type.Optional(
          Type.Unknown({
            description:
              'agreed encounter thresholds: {surface?, air?: [{level, cpaNm, withinMin, vsepFt?}]} (docs/api.md)',
          }),
        ),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
const ReasonBody = Type.Object(
  { reason: Type.String({ description: 'why, for the record (1–500 characters)' }) },
  { additionalProperties: false },
);
const AckBody = Type.Object(
  {
    readback: Type.Optional(
      Type.String({ description: "what was understood, in the reader's own words" }),
    ),
  },
  { additionalProperties: false },
);
const TranslationBody = Type.Object(
  { lang: Type.String({ description: 'en or zh' }), text: Type.String() },
  { additionalProperties: false },
);
const CallBody = Type.Object(
  {
    channel: Type.String(),
    precedence: Type.Optional(Type.String()),
    slots: Type.Array(Type.Integer(), { description: '1–5 proposed UTC times (ms)' }),
    medium: Type.String({ description: 'voice or video' }),
  },
  { additionalProperties: false },
);
const AnswerBody = Type.Object(
  {
    action: Type.String({ description: 'accept, decline or counter' }),
    slot: Type.Optional(Type.Integer({ description: 'the accepted slot' })),
    slots: Type.Optional(Type.Array(Type.Integer(), { description: 'counter-proposed slots' })),
  },
  { additionalProperties: false },
);

export interface HotlineRouteDeps {
  hotline: HotlineService;
  bus: LiveBus;
}

/** The hotline routes of the operator API: channels, messages with receipts, drafts, translations, calls, alarms (the live stream is stream.ts). */
export async function hotlineRoutes(
  app: FastifyInstance,
  { hotline }: HotlineRouteDeps,
): Promise<void> {
  app.get(
    '/api/v1/channels',
    {
      config: { permission: 'read' },
      schema: {
        description:
          'Channels with agreement, status, dormancy, running deadlines and link health.',
        tags: ['hotline'],
        ...secured,
      },
    },
    async (req) => ({
      channels: await hotline.channels(actorOf(req)),
    }),
  );

  app.post<{ Body: Static<typeof ProposeBody> }>(
    '/api/v1/channels',
    {
      config: { permission: 'channels' },
      schema: {
        description:
          'Proposes a channel, its members and its agreement; it opens when every member has accepted it.',
        tags: ['hotline'],
        ...secured,
        body: ProposeBody,
        response: { 201: Created, '4xx': ErrorBody },
      },
    },
    async (req, reply) =>
      reply.status(201).send({
        entry: await hotline.proposeChannel(
          actorOf(req),
          req.body.name,
          req.body.agreement,
          req.body.members,
        ),
      }),
  );

  app.post<{ Params: Static<typeof Name>; Body: Static<typeof MembersBody> }>(
    '/api/v1/channels/:name/members',
    {
      config: { permission: 'channels' },
      schema: {
        description:
          "Proposes a new member set for an open channel (the other parties' station ids); it takes effect when every new member has accepted it.",
        tags: ['hotline'],
        ...secured,
        params: Name,
        body: MembersBody,
        response: { 201: Created, '4xx': ErrorBody },
      },
    },
    async (req, reply) =>
      reply.status(201).send({
        entry: await hotline.amendMembers(actorOf(req), req.params.name, req.body.members),
      }),
  );

  app.post<{ Params: Static<typeof Name> }>(
    '/api/v1/channels/:name/accept',
    {
      config: { permission: 'channels' },
      schema: {
        description: "Accepts the other station's proposal as it stands.",
        tags: ['hotline'],
        ...secured,
        params: Name,
        response: { 201: Created, '4xx': ErrorBody },
      },
    },
    async (req, reply) =>
      reply.status(201).send({ entry: await hotline.acceptChannel(actorOf(req), req.params.name) }),
  );

  for (const [action, suspend] of [
    ['suspend', true],
    ['resume', false],
  ] as const) {
    app.post<{ Params: Static<typeof Name>; Body: Static<typeof ReasonBody> }>(
      `/api/v1/channels/:name/${action}`,
      {
        config: { permission: 'channels' },
        schema: {
          description: suspend
            ? 'Suspends a channel (recorded with its reason); heartbeats go on.'
            : 'Resumes a suspended channel (recorded with its reason).',
          tags: ['hotline'],
          ...secured,
          params: Name,
          body: ReasonBody,
          response: { 201: Created, '4xx': ErrorBody },
        },
      },
      async (req, reply) =>
        reply.status(201).send({
          entry: await hotline.setSuspended(
            actorOf(req),
            req.params.name,
            suspend,
            req.body.reason,
          ),
        }),
    );
  }

  app.post<{ Body: Static<typeof SendBody> }>(
    '/api/v1/messages',
    {
      config: { permission: 'send' },
      schema: {
        description:
          "Signs a message into this station's feed (201), or on a leader or ministry channel files it for a second person to approve (202).",
        tags: ['hotline'],
        ...secured,
        body: SendBody,
        response: {
          201: Type.Object({ id: Type.String(), seq: Type.Integer() }),
          202: Type.Object({
            draft: Type.Object({
              id: Type.String(),
              channel: Type.String(),
              author: Type.String(),
            }),
          }),
          '4xx': ErrorBody,
        },
      },
    },
    async (req, reply) => {
      const r = await hotline.send(actorOf(req), req.body);
      if ('draft' in r) return reply.status(202).send({ draft: r.draft });
      return reply.status(201).send({ id: r.entry.hash, seq: r.entry.seq });
    },
  );

  app.get(
    '/api/v1/catalogue',
    {
      config: { permission: 'read' },
      schema: {
        description:
          'The bilingual catalogue of coded messages: codes, typed parameters, English and Chinese templates.',
        tags: ['hotline'],
        ...secured,
      },
    },
    async () => ({
      version: CATALOGUE_VERSION,
      languages: LANGUAGES,
      categories: CATEGORY_TITLES,
      entries: catalogue(),
    }),
  );

  app.get<{ Querystring: { channel?: string; lang?: 'en' | 'zh' } }>(
    '/api/v1/messages',
    {
      config: { permission: 'read' },
      schema: {
        description:
          'Messages of both stations (by time, station, seq) with each receipt level and its time, deadline, translations and replies.',
        tags: ['hotline'],
        ...secured,
        querystring: Type.Object(
          {
            channel: Type.Optional(Type.String()),
            lang: Type.Optional(
              Type.Union([Type.Literal('en'), Type.Literal('zh')], {
                description: "reader's language for catalogue messages (default en)",
              }),
            ),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => {
      const actor = actorOf(req);
      const { state } = await hotline.state();
      const name = req.query.channel;
      // A channel the operator is not a member of: 403 whether or not it exists.
      if (name !== undefined) requireMember(actor, name);
      // A channel this station is not a party to does not exist here (ADR 0003): 404, not [].
      if (name !== undefined && !(await hotline.holds(name)))
        throw new ParleyError('PARLEY_E_CHANNEL_NOT_FOUND', `no channel ${name} is held here`, {
          channel: name,
        });
      const messages = [...state.messages.values()]
        .filter(
          (m) =>
            (req.query.channel === undefined || m.channel === req.query.channel) &&
            isMember(actor, m.channel),
        )
        .sort(
          (a, b) =>
            a.ts - b.ts ||
            (a.ref.station < b.ref.station
              ? -1
              : a.ref.station > b.ref.station
                ? 1
                : a.ref.seq - b.ref.seq),
        )
        .map((m) => ({
          id: m.id,
          station: m.ref.station,
          seq: m.ref.seq,
          ts: m.ts,
          channel: m.channel,
          precedence: m.precedence,
          // A catalogue message reads in the reader's language; free text stays as written.
          text: m.catalogue ? render(m.catalogue, req.query.lang ?? 'en') : (m.text ?? ''),
          lang: m.catalogue ? (req.query.lang ?? 'en') : m.lang,
          catalogue: m.catalogue,
          rendered: m.catalogue
            ? { en: render(m.catalogue, 'en'), zh: render(m.catalogue, 'zh') }
            : null,
          author: m.author,
          approver: m.approver,
          replyTo: m.replyTo?.hash ?? null,
          escalates: m.escalates?.hash ?? null,
          status: {
            delivered: m.receipts.delivered !== undefined,
            deliveredAt: m.receipts.delivered?.ts ?? null,
            read: m.receipts.read ?? null,
            understood: m.receipts.understood ?? null,
            deadline: m.deadline,
            alarmed: m.alarmed,
            // Each recipient's own receipts and deadline ("understood by 2 of 3").
            parties: Object.entries(m.recipients)
              .sort(([a], [b]) => (a < b ? -1 : 1))
              .map(([station, r]) => ({
                station,
                deliveredAt: r.delivered?.ts ?? null,
                read: r.read ?? null,
                understood: r.understood ?? null,
                deadline: r.deadline,
              })),
          },
          translations: m.translations,
          replies: m.replies.map((r) => r.hash),
        }));
      return { messages };
    },
  );

  for (const level of ['read', 'understood'] as const) {
    app.post<{ Params: Static<typeof Id>; Body: Static<typeof AckBody> }>(
      `/api/v1/messages/:id/${level}`,
      {
        config: { permission: 'acknowledge' },
        schema: {
          description: `Records that an operator ${level === 'read' ? 'opened' : 'understood'} the peer's message (a signed receipt).`,
          tags: ['hotline'],
          ...secured,
          params: Id,
          body: Type.Optional(AckBody),
        },
      },
      async (req, reply) => {
        const ref = await hotline.acknowledge(
          actorOf(req),
          req.params.id,
          level,
          req.body?.readback,
        );
        return reply.status(ref ? 201 : 200).send({ entry: ref });
      },
    );
  }

  app.post<{ Params: Static<typeof Id>; Body: Static<typeof TranslationBody> }>(
    '/api/v1/messages/:id/translations',
    {
      config: { permission: 'translate' },
      schema: {
        description: 'Attaches a translation as its own signed entry; the original stays.',
        tags: ['hotline'],
        ...secured,
        params: Id,
        body: TranslationBody,
        response: { 201: Created, '4xx': ErrorBody },
      },
    },
    async (req, reply) =>
      reply.status(201).send({
        entry: await hotline.translate(actorOf(req), req.params.id, req.body.lang, req.body.text),
      }),
  );

  app.get(
    '/api/v1/drafts',
    {
      config: { permission: 'read' },
      schema: {
        description: 'Messages awaiting a second person (two-person rule).',
        tags: ['hotline'],
        ...secured,
      },
    },
    async (req) => ({
      drafts: await hotline.drafts(actorOf(req)),
    }),
  );

  app.post<{ Params: Static<typeof Id> }>(
    '/api/v1/drafts/:id/approve',
    {
      config: { permission: 'approve' },
      schema: {
        description: 'The second person approves: the message is signed with both names.',
        tags: ['hotline'],
        ...secured,
        params: Id,
      },
    },
    async (req, reply) => {
      const entry = await hotline.approve(actorOf(req), req.params.id);
      return reply.status(201).send({ id: entry.hash, seq: entry.seq });
    },
  );

  app.delete<{ Params: Static<typeof Id> }>(
    '/api/v1/drafts/:id',
    {
      config: { permission: 'send' },
      schema: { description: 'Discards a draft.', tags: ['hotline'], ...secured, params: Id },
    },
    async (req, reply) => {
      await hotline.discardDraft(actorOf(req), req.params.id);
      return reply.status(204).send();
    },
  );

  app.get(
    '/api/v1/calls',
    {
      config: { permission: 'read' },
      schema: { description: 'Call requests and their answers.', tags: ['hotline'], ...secured },
    },
    async (req) => {
      const actor = actorOf(req);
      const { state } = await hotline.state();
      return {
        calls: [...state.calls.values()]
          .filter((c) => isMember(actor, c.channel))
          .map((c) => ({
            id: c.id,
            station: c.ref.station,
            seq: c.ref.seq,
            ts: c.ts,
            channel: c.channel,
            precedence: c.precedence,
            slots: c.slots,
            medium: c.medium,
            status: c.status,
            responses: c.responses,
            deadline: c.deadline,
          })),
      };
    },
  );

  app.post<{ Body: Static<typeof CallBody> }>(
    '/api/v1/calls',
    {
      config: { permission: 'send' },
      schema: {
        description: 'Requests a call: proposed UTC slots and a medium.',
        tags: ['hotline'],
        ...secured,
        body: CallBody,
        response: { 201: Created, '4xx': ErrorBody },
      },
    },
    async (req, reply) =>
      reply.status(201).send({ entry: await hotline.requestCall(actorOf(req), req.body) }),
  );

  app.post<{ Params: Static<typeof Id>; Body: Static<typeof AnswerBody> }>(
    '/api/v1/calls/:id/answer',
    {
      config: { permission: 'send' },
      schema: {
        description: "Answers the peer's call request: accept a slot, decline, or counter-propose.",
        tags: ['hotline'],
        ...secured,
        params: Id,
        body: AnswerBody,
        response: { 201: Created, '4xx': ErrorBody },
      },
    },
    async (req, reply) =>
      reply
        .status(201)
        .send({ entry: await hotline.answerCall(actorOf(req), req.params.id, req.body) }),
  );

  app.get(
    '/api/v1/alarms',
    {
      config: { permission: 'read' },
      schema: {
        description: "Alarms recorded, and this station's unanswered messages with their age.",
        tags: ['hotline'],
        ...secured,
      },
    },
    async (req) => hotline.alarms(actorOf(req)),
  );
}
