import type { FastifyInstance } from 'fastify';
import type {} from '@fastify/swagger';
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { NOTICE_KINDS, ParleyError } from '@parley/core';
import { AREA_ROLES, noticeGeoJson } from '@parley/geo';
import type { NoticeService } from '../notices/notice-service.js';
import { noticeCot } from '../notices/notice-cot.js';
import { actorOf } from './api.js';

const secured = { security: [{ bearer: [] }] };
const ErrorBody = Type.Object({ code: Type.String(), message: Type.String() });
const Id = Type.Object({ id: Type.String() });

const LatLon = Type.Object(
  {
    lat: Type.Number({ description: 'degrees north' }),
    lon: Type.Number({ description: 'degrees east' }),
  },
  { additionalProperties: false },
);
const Unit = Type.Union([Type.Literal('nm'), Type.Literal('km')]);

/** An area: polygon, circle or corridor. Geometry rules (bow ties, radius 0, poles) are checked after the schema, with coded errors. */
export const AreaSchema = Type.Union(
  [
    Type.Object(
      {
        type: Type.Literal('polygon'),
        points: Type.Array(LatLon, { description: '3–100 vertices, either direction' }),
      },
      { additionalProperties: false },
    ),
    Type.Object(
      { type: Type.Literal('circle'), centre: LatLon, radius: Type.Number(), unit: Unit },
      { additionalProperties: false },
    ),
    Type.Object(
      {
        type: Type.Literal('corridor'),
        points: Type.Array(LatLon, { description: 'centre line, 2–100 points' }),
        halfWidth: Type.Number({ description: 'distance either side of the centre line' }),
        unit: Unit,
      },
      { additionalProperties: false },
    ),
  ],
  { description: 'polygon, circle (centre + radius) or corridor (polyline + half-width)' },
);

export const NoticeSchema = Type.Object(
  {
    kind: Type.Union(
      NOTICE_KINDS.map((k) => Type.Literal(k)),
      { description: NOTICE_KINDS.join(', ') },
    ),
    issuer: Type.Object(
      {
        party: Type.String({ description: 'issuing party' }),
        unit: Type.String({ description: 'issuing unit' }),
      },
      { additionalProperties: false },
    ),
    areas: Type.Array(
      Type.Object(
        {
          role: Type.Optional(
            Type.Union([...AREA_ROLES.map((r) => Type.Literal(r)), Type.Null()], {
              description: 'launch, impact, danger, exercise or route',
            }),
          ),
          area: AreaSchema,
        },
        { additionalProperties: false },
      ),
      { description: '1–8 areas (a launch notice: launch area and impact area)' },
    ),
    band: Type.Object(
      {
        type: Type.String({ description: 'surface, subsurface, altitude or unlimited' }),
        lowerFt: Type.Optional(Type.Number()),
        upperFt: Type.Optional(Type.Number()),
      },
      { additionalProperties: false, description: 'vertical band' },
    ),
    windows: Type.Array(
      Type.Object(
        {
          start: Type.Integer({ description: 'UTC ms' }),
          end: Type.Integer({ description: 'UTC ms' }),
        },
        { additionalProperties: false },
      ),
      { description: '1–16 UTC validity windows' },
    ),
    remark: Type.Optional(Type.String({ description: 'free text, up to 2,000 characters' })),
    contact: Type.String({ description: 'contact channel: a hotline channel, a frequency, …' }),
  },
  { additionalProperties: false },
);

const CreateBody = Type.Object(
  {
    channel: Type.String({ description: 'channel the notice travels on' }),
    notice: NoticeSchema,
    send: Type.Optional(
      Type.Boolean({
        description: 'sign and send at once instead of filing a draft (default false)',
      }),
    ),
  },
  { additionalProperties: false },
);
const AmendBody = Type.Object({ notice: NoticeSchema }, { additionalProperties: false });
const ReasonBody = Type.Object(
  { reason: Type.String({ description: 'why, for the record (1–500 characters)' }) },
  { additionalProperties: false },
);
const RouteBody = Type.Object(
  {
    name: Type.String(),
    unit: Type.String(),
    waypoints: Type.Array(
      Type.Object(
        { lat: Type.Number(), lon: Type.Number(), time: Type.Integer({ description: 'UTC ms' }) },
        { additionalProperties: false },
      ),
      { description: '2–200 waypoints, times strictly increasing' },
    ),
    band: Type.Optional(NoticeSchema.properties.band),
    halfWidth: Type.Optional(Type.Number({ description: 'default 2' })),
    halfWidthUnit: Type.Optional(Unit),
  },
  { additionalProperties: false },
);
const Lateness = Type.Object({
  requiredMs: Type.Integer(),
  leadMs: Type.Integer(),
  lateMs: Type.Integer(),
  late: Type.Boolean(),
  text: Type.String(),
});
const Sent = Type.Object({
  id: Type.String({ description: 'the notice id (its first entry hash)' }),
  version: Type.String({ description: 'hash of the entry just signed' }),
  seq: Type.Integer(),
  lateness: Lateness,
});

/** Notices of planned activity: drafts, send, amend, cancel, acknowledge, list, conflicts, exports; planned routes. */
export async function noticeRoutes(app: FastifyInstance, notices: NoticeService): Promise<void> {
  app.post<{ Body: Static<typeof CreateBody> }>(
    '/api/v1/notices',
    {
      config: { permission: 'send' },
      schema: {
        description:
          'Checks a notice and files it as a local draft (201 {draft}), or with send: true signs it onto the channel (201 {id, seq, lateness}). Malformed geometry or windows are refused with a coded error and nothing is stored.',
        tags: ['notices'],
        ...secured,
        body: CreateBody,
        response: { '4xx': ErrorBody },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      if (req.body.send) {
        const r = await notices.send(actor, req.body);
        return reply.status(201).send({
          id: r.entry.hash,
          version: r.entry.hash,
          seq: r.entry.seq,
          lateness: r.lateness,
        });
      }
      return reply.status(201).send({ draft: await notices.createDraft(actor, req.body) });
    },
  );

  app.get<{ Querystring: { status?: string; channel?: string } }>(
    '/api/v1/notices',
    {
      config: { permission: 'read' },
      schema: {
        description:
          "Notices of both stations with status (upcoming, active, expired, cancelled), lateness, receipts and the NAVAREA text in English and Chinese; this station's drafts; notice entries held but unreadable here (failed the notice checks). `status=active,upcoming` filters.",
        tags: ['notices'],
        ...secured,
        querystring: Type.Object(
          {
            status: Type.Optional(
              Type.String({
                pattern:
                  '^(upcoming|active|expired|cancelled)(,(upcoming|active|expired|cancelled))*$',
              }),
            ),
            channel: Type.Optional(Type.String()),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => {
      const actor = actorOf(req);
      const { now, notices: list } = await notices.list(actor, req.query);
      return {
        now,
        notices: list,
        drafts: await notices.drafts(actor),
        unreadable: await notices.unreadable(actor),
      };
    },
  );

  app.get<{ Querystring: { horizonMin?: number } }>(
    '/api/v1/notices/track-conflicts',
    {
      config: { permission: 'read' },
      schema: {
        description:
          'Every unit dead-reckoned into an active area of a current notice (either station) within the horizon, with its entry time and the notice: for the encounter list.',
        tags: ['notices'],
        ...secured,
        querystring: Type.Object(
          {
            horizonMin: Type.Optional(
              Type.Integer({ minimum: 1, maximum: 1440, description: 'default 60' }),
            ),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => notices.trackConflicts(actorOf(req), (req.query.horizonMin ?? 60) * 60_000),
  );

  app.get<{ Params: Static<typeof Id> }>(
    '/api/v1/notices/:id',
    {
      config: { permission: 'read' },
      schema: {
        description: 'One notice with its versions.',
        tags: ['notices'],
        ...secured,
        params: Id,
      },
    },
    async (req) => notices.get(actorOf(req), req.params.id),
  );

  app.post<{ Params: Static<typeof Id> }>(
    '/api/v1/notices/drafts/:id/send',
    {
      config: { permission: 'send' },
      schema: {
        description:
          'Signs a draft onto its channel. On a leader or ministry channel the sender must be an approver other than its author.',
        tags: ['notices'],
        ...secured,
        params: Id,
        response: { 201: Sent, '4xx': ErrorBody },
      },
    },
    async (req, reply) => {
      const r = await notices.sendDraft(actorOf(req), req.params.id);
      return reply
        .status(201)
        .send({ id: r.entry.hash, version: r.entry.hash, seq: r.entry.seq, lateness: r.lateness });
    },
  );

  app.delete<{ Params: Static<typeof Id> }>(
    '/api/v1/notices/drafts/:id',
    {
      config: { permission: 'send' },
      schema: {
        description: 'Discards a notice draft.',
        tags: ['notices'],
        ...secured,
        params: Id,
      },
    },
    async (req, reply) => {
      await notices.discardDraft(actorOf(req), req.params.id);
      return reply.status(204).send();
    },
  );

  app.post<{ Params: Static<typeof Id>; Body: Static<typeof AmendBody> }>(
    '/api/v1/notices/:id/amend',
    {
      config: { permission: 'send' },
      schema: {
        description: "Amends this station's notice: a new signed version naming the original.",
        tags: ['notices'],
        ...secured,
        params: Id,
        body: AmendBody,
        response: { 201: Sent, '4xx': ErrorBody },
      },
    },
    async (req, reply) => {
      const r = await notices.amend(actorOf(req), req.params.id, req.body.notice);
      return reply
        .status(201)
        .send({ id: req.params.id, version: r.entry.hash, seq: r.entry.seq, lateness: r.lateness });
    },
  );

  app.post<{ Params: Static<typeof Id>; Body: Static<typeof ReasonBody> }>(
    '/api/v1/notices/:id/cancel',
    {
      config: { permission: 'send' },
      schema: {
        description: "Cancels this station's notice (a signed entry with the reason).",
        tags: ['notices'],
        ...secured,
        params: Id,
        body: ReasonBody,
        response: {
          201: Type.Object({ id: Type.String(), seq: Type.Integer() }),
          '4xx': ErrorBody,
        },
      },
    },
    async (req, reply) => {
      const ref = await notices.cancel(actorOf(req), req.params.id, req.body.reason);
      return reply.status(201).send({ id: ref.hash, seq: ref.seq });
    },
  );

  for (const level of ['read', 'understood'] as const) {
    app.post<{ Params: Static<typeof Id> }>(
      `/api/v1/notices/:id/${level}`,
      {
        config: { permission: 'acknowledge' },
        schema: {
          description:
            level === 'understood'
              ? "Acknowledges the other station's notice (current version): an understood receipt."
              : "Marks the other station's notice read.",
          tags: ['notices'],
          ...secured,
          params: Id,
        },
      },
      async (req, reply) => {
        const ref = await notices.acknowledge(actorOf(req), req.params.id, level);
        return reply.status(ref ? 201 : 200).send({ entry: ref });
      },
    );
  }

  app.get<{ Params: Static<typeof Id>; Querystring: { horizonMin?: number } }>(
    '/api/v1/notices/:id/conflicts',
    {
      config: { permission: 'read' },
      schema: {
        description:
          "Space-time conflicts of a notice or draft: with this station's own notices, drafts and planned routes (for the other station's notice) or the other station's notices (for an own one), each with the overlap in km², its polygon and the common windows; units dead-reckoned into an active area within the horizon, with their entry time (tracks is null when the station keeps no track picture); catalogue drafts to raise them.",
        tags: ['notices'],
        ...secured,
        params: Id,
        querystring: Type.Object(
          {
            horizonMin: Type.Optional(
              Type.Integer({ minimum: 1, maximum: 1440, description: 'default 60' }),
            ),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req) =>
      notices.conflicts(actorOf(req), req.params.id, (req.query.horizonMin ?? 60) * 60_000),
  );

  app.get<{ Params: Static<typeof Id> }>(
    '/api/v1/notices/:id/geojson',
    {
      config: { permission: 'read' },
      schema: {
        description: 'A notice or draft as RFC 7946 GeoJSON (split at the antimeridian).',
        tags: ['notices'],
        ...secured,
        params: Id,
      },
    },
    async (req, reply) => {
      const c = await notices.content(actorOf(req), req.params.id);
      return reply
        .header('content-type', 'application/geo+json')
        .send(noticeGeoJson(c.notice, { id: c.id, ref: c.ref, status: c.status }));
    },
  );

  app.get<{ Params: Static<typeof Id> }>(
    '/api/v1/notices/:id/cot',
    {
      config: { permission: 'read' },
      schema: {
        description:
          "A notice or draft as Cursor-on-Target drawing shapes (u-d-c-c circle, u-d-r rectangle, u-d-f free form) for the party's own TAK.",
        tags: ['notices'],
        ...secured,
        params: Id,
      },
    },
    async (req, reply) => {
      const c = await notices.content(actorOf(req), req.params.id);
      return reply.header('content-type', 'application/xml').send(
        noticeCot(c.notice, {
          uid: `parley-notice-${c.id.slice(0, 16)}`,
          ref: c.ref,
          now: Date.now(),
        }),
      );
    },
  );

  app.post<{ Body: Static<typeof RouteBody> }>(
    '/api/v1/routes',
    {
      config: { permission: 'send' },
      schema: {
        description:
          "Records one of this station's planned routes (waypoints with UTC times), local to this station, for the notice conflict check.",
        tags: ['notices'],
        ...secured,
        body: RouteBody,
        response: { '4xx': ErrorBody },
      },
    },
    async (req, reply) =>
      reply.status(201).send({ route: await notices.addRoute(actorOf(req), req.body) }),
  );

  app.get(
    '/api/v1/routes',
    {
      config: { permission: 'read' },
      schema: { description: "This station's planned routes.", tags: ['notices'], ...secured },
    },
    async () => ({ routes: await notices.routes() }),
  );

  app.delete<{ Params: Static<typeof Id> }>(
    '/api/v1/routes/:id',
    {
      config: { permission: 'send' },
      schema: {
        description: 'Deletes a planned route.',
        tags: ['notices'],
        ...secured,
        params: Id,
      },
    },
    async (req, reply) => {
      if (!req.params.id) throw new ParleyError('PARLEY_E_NOT_FOUND', 'no route id', {});
      await notices.deleteRoute(actorOf(req), req.params.id);
      return reply.status(204).send();
    },
  );
}
