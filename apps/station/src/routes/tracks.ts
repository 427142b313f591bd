import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { ParleyError } from '@parley/core';
import { tracksToGeoJson } from '@parley/geo';
import type { HotlineService } from '../hotline/hotline-service.js';
import type { TrackService } from '../tracks/track-service.js';
import { actorOf } from './api.js';

const ErrorBody = Type.Object({ code: Type.String(), message: Type.String() });
const secured = { security: [{ bearer: [] }] as Record<string, string[]>[] };
const Nullable = <T extends ReturnType<typeof Type.Number>>(t: T) => Type.Union([t, Type.Null()]);
const LatLon = Type.Object({ lat: Type.Number(), lon: Type.Number() });

const TrackView = Type.Object({
  id: Type.String(),
  name: Type.Union([Type.String(), Type.Null()]),
  party: Type.String({ description: 'own, other or third, relative to this station' }),
  source: Type.String({ description: 'ais, cot, geojson or station' }),
  domain: Type.String({ description: 'surface or air' }),
  lat: Type.Number({ description: 'dead-reckoned to `now`' }),
  lon: Type.Number({ description: 'dead-reckoned to `now`' }),
  sog: Type.Number(),
  cog: Type.Number(),
  heading: Nullable(Type.Number()),
  altFt: Nullable(Type.Number()),
  vsFpm: Nullable(Type.Number()),
  at: Type.Integer({ description: 'report time, ms since the epoch' }),
  stale: Type.Boolean(),
});

const DraftView = Type.Object({
  channel: Type.Union([Type.String(), Type.Null()]),
  code: Type.String(),
  params: Type.Record(Type.String(), Type.Unknown()),
  precedence: Type.String(),
  text: Type.Object({ en: Type.String(), zh: Type.String() }),
  status: Type.String({ description: 'pending, sent or discarded' }),
  messageId: Type.Optional(Type.String()),
  timeToActMin: Type.Optional(
    Type.Number({ description: 'pair drafts: TCPA − the handling objective of precedence, min' }),
  ),
  forRecord: Type.Optional(
    Type.Boolean({ description: 'pair drafts: no time to act; for record, act bridge-to-bridge' }),
  ),
});

export const EncounterView = Type.Object({
  id: Type.String(),
  kind: Type.Literal('pair'),
  a: Type.String(),
  b: Type.String(),
  aName: Type.Union([Type.String(), Type.Null()]),
  bName: Type.Union([Type.String(), Type.Null()]),
  domain: Type.String(),
  level: Type.String({ description: 'caution or danger' }),
  state: Type.String({ description: 'projected, active, past or resolved' }),
  reason: Type.Union([Type.String({ description: 'cleared, gone or reopened' }), Type.Null()]),
  cpaNm: Type.Number(),
  tcpaMin: Type.Number(),
  timeToActMin: Type.Number({
    description:
      "TCPA − the encounter channel's handling objective for the draft's precedence (FLASH for danger, IMMEDIATE for caution), minutes; ≤ 0: no time to act over the hotline",
  }),
  rangeNm: Type.Number(),
  bearingDeg: Nullable(Type.Number()),
  vsepFt: Nullable(Type.Number()),
  situation: Type.Union([
    Type.String({ description: 'COLREGS situation: head-on, crossing or overtaking' }),
    Type.Null(),
  ]),
  giveWay: Type.Union([
    Type.String({ description: 'which of a and b gives way: a, b or both' }),
    Type.Null(),
  ]),
  cpaAt: Type.Integer(),
  cpaA: Type.Union([LatLon, Type.Null()]),
  cpaB: Type.Union([LatLon, Type.Null()]),
  since: Type.Integer(),
  updatedAt: Type.Integer(),
  draft: Type.Union([DraftView, Type.Null()]),
});

export const AreaEncounterView = Type.Object({
  id: Type.String(),
  kind: Type.Literal('area'),
  a: Type.String({ description: 'the unit' }),
  aName: Type.Union([Type.String(), Type.Null()]),
  b: Type.String({ description: 'notice:<notice id>' }),
  bName: Type.String({ description: "the notice's reference" }),
  notice: Type.Object({
    id: Type.String(),
    ref: Type.String(),
    kind: Type.String(),
    own: Type.Boolean(),
    area: Type.Integer(),
  }),
  domain: Type.String(),
  level: Type.String({ description: 'caution (projected to enter) or danger (inside)' }),
  state: Type.String({ description: 'projected, active or resolved' }),
  enterAt: Type.Integer(),
  enterPos: LatLon,
  since: Type.Integer(),
  updatedAt: Type.Integer(),
  draft: Type.Union([DraftView, Type.Null()]),
});
const AnyEncounter = Type.Union([EncounterView, AreaEncounterView]);

const ReportsBody = Type.Object(
  {
    reports: Type.Array(Type.Unknown(), {
      minItems: 1,
      maxItems: 10_000,
      description: 'track reports (docs/api.md): id, name?, party, domain, lat, lon, sog, cog, …',
    }),
  },
  { additionalProperties: false },
);
const Id = Type.Object({ id: Type.String({ maxLength: 200 }) });
const NameBody = Type.Object(
  { name: Type.String({ description: '1–64 printable characters' }) },
  { additionalProperties: false },
);
const SendDraftBody = Type.Object(
  {
    precedence: Type.Optional(Type.String()),
    channel: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

/** Tracks and encounters (`/api/v1/tracks`, `/api/v1/encounters`). */
export async function trackRoutes(
  app: FastifyInstance,
  deps: { tracks: TrackService; hotline: HotlineService },
): Promise<void> {
  const { tracks, hotline } = deps;

  app.get(
    '/api/v1/tracks',
    {
      config: { permission: 'read' },
      schema: {
        description: 'Every track held, dead-reckoned to now; stale ones flagged.',
        tags: ['tracks'],
        ...secured,
        response: {
          200: Type.Object({ now: Type.Integer(), tracks: Type.Array(TrackView) }),
          '4xx': ErrorBody,
        },
      },
    },
    async () => tracks.list(),
  );

  app.get(
    '/api/v1/tracks.geojson',
    {
      config: { permission: 'read' },
      schema: {
        description: 'The track picture as a GeoJSON FeatureCollection of points.',
        tags: ['tracks'],
        ...secured,
      },
    },
    async (_req, reply) => {
      reply.header('content-type', 'application/geo+json');
      return tracksToGeoJson(tracks.list().tracks);
    },
  );

  app.post<{ Body: Static<typeof ReportsBody> }>(
    '/api/v1/tracks',
    {
      config: { permission: 'send' },
      schema: {
        description:
          "Position reports from the station's own feeds. All or nothing: one bad report refuses the batch (400 PARLEY_E_TRACK_INVALID naming its index).",
        tags: ['tracks'],
        ...secured,
        body: ReportsBody,
        response: { 200: Type.Object({ accepted: Type.Integer() }), '4xx': ErrorBody },
      },
    },
    async (req) => ({ accepted: tracks.report(req.body.reports) }),
  );

  app.post<{ Params: Static<typeof Id>; Body: Static<typeof NameBody> }>(
    '/api/v1/tracks/:id/name',
    {
      config: { permission: 'send' },
      schema: {
        description:
          'Names a unit (hull number, call sign); the name stays until another is given.',
        tags: ['tracks'],
        ...secured,
        params: Id,
        body: NameBody,
        response: { 200: TrackView, '4xx': ErrorBody },
      },
    },
    async (req) => tracks.name(req.params.id, req.body.name),
  );

  app.get(
    '/api/v1/encounters',
    {
      config: { permission: 'read' },
      schema: {
        description: 'Current encounters (and recently resolved ones), newest first, with drafts.',
        tags: ['tracks'],
        ...secured,
        response: {
          200: Type.Object({ now: Type.Integer(), encounters: Type.Array(AnyEncounter) }),
          '4xx': ErrorBody,
        },
      },
    },
    async (req) => tracks.encountersFor(actorOf(req)),
  );

  app.post<{ Params: Static<typeof Id>; Body: Static<typeof SendDraftBody> }>(
    '/api/v1/encounters/:id/send',
    {
      config: { permission: 'send' },
      schema: {
        description:
          "Sends the encounter's draft as a hotline message (201), optionally at another precedence or on another channel.",
        tags: ['tracks'],
        ...secured,
        params: Id,
        body: SendDraftBody,
        response: {
          201: Type.Object({ id: Type.String(), seq: Type.Integer() }),
          202: Type.Object({ draft: Type.Object({ id: Type.String() }) }),
          '4xx': ErrorBody,
        },
      },
    },
    async (req, reply) => {
      const id = req.params.id;
      tracks.requireDraftMember(actorOf(req), id);
      const sent = await tracks.sendDraft<{ status: 201 | 202; body: object }>(id, async (d) => {
        const channel = req.body.channel ?? d.channel;
        if (channel === null)
          throw new ParleyError(
            'PARLEY_E_ENCOUNTER_DRAFT',
            `encounter ${id}: no open channel to send its draft on; name one`,
            { id, status: 'pending' },
          );
        const r = await hotline.send(actorOf(req), {
          channel,
          precedence: req.body.precedence ?? d.precedence,
          catalogue: { code: d.code, params: d.params },
        });
        return 'draft' in r
          ? { messageId: r.draft.id, result: { status: 202, body: { draft: { id: r.draft.id } } } }
          : {
              messageId: r.entry.hash,
              result: { status: 201, body: { id: r.entry.hash, seq: r.entry.seq } },
            };
      });
      return reply.status(sent.status).send(sent.body);
    },
  );

  app.post<{ Params: Static<typeof Id> }>(
    '/api/v1/encounters/:id/discard',
    {
      config: { permission: 'send' },
      schema: {
        description: "Discards the encounter's draft; the encounter stays listed.",
        tags: ['tracks'],
        ...secured,
        params: Id,
        response: { 200: AnyEncounter, '4xx': ErrorBody },
      },
    },
    async (req) => {
      tracks.requireDraftMember(actorOf(req), req.params.id);
      return tracks.settleDraft(req.params.id, 'discarded');
    },
  );
}
