import type { FastifyInstance, FastifyRequest } from 'fastify';
import type {} from '@fastify/swagger';
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { ParleyError, parseMessageDraft } from '@parley/core';
import { KIND, parseEntryLine } from '@parley/ledger';
import type { LinkManager } from '@parley/link';
import type { StationHandle, FeedEntry } from '@parley/store';
import { requirePermission, tokenActor } from '../auth.js';
import type { Actor, Permission } from '../auth.js';
import { httpError } from '../http-errors.js';

const ErrorBody = Type.Object({
  code: Type.String({ description: 'PARLEY_E_* code (docs/errors.md)' }),
  message: Type.String(),
});

export const PostMessageBody = Type.Object(
  {
    channel: Type.String({ description: 'channel name: 1–64 of [a-z0-9._-]' }),
    precedence: Type.String({ description: 'ROUTINE, PRIORITY, IMMEDIATE or FLASH' }),
    text: Type.String({ description: 'message text, 1–8,000 characters' }),
  },
  { additionalProperties: false },
);

const MessageView = Type.Object({
  id: Type.String({ description: 'entry hash' }),
  station: Type.String(),
  seq: Type.Integer(),
  ts: Type.Integer({ description: 'UTC ms when the sender signed it' }),
  channel: Type.String(),
  precedence: Type.String(),
  text: Type.String(),
  status: Type.Object({
    delivered: Type.Boolean({
      description: "true once the receiving station's delivered receipt is held here",
    }),
    deliveredAt: Type.Union([Type.Integer(), Type.Null()], {
      description: 'UTC ms of that receipt',
    }),
  }),
});

const PathView = Type.Object({
  url: Type.String(),
  state: Type.String(),
  lastOkAt: Type.Union([Type.Integer(), Type.Null()]),
});
const PeerView = Type.Object({
  name: Type.String(),
  station: Type.String(),
  state: Type.String({ description: 'UP, DEGRADED or DOWN' }),
  lastExchangeAt: Type.Union([Type.Integer(), Type.Null()]),
  size: Type.Integer({ description: "verified entries of the peer's feed held here" }),
  deliveredUpTo: Type.Integer(),
  halted: Type.Union([Type.Object({ reason: Type.String(), at: Type.Integer() }), Type.Null()]),
  paths: Type.Array(PathView),
});

export interface ApiDeps {
  station: StationHandle;
  links: LinkManager;
  /** Resolves who makes a request (bearer token or session), or null if nobody. */
  resolveActor?: (req: FastifyRequest) => Promise<Actor | null>;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** What the route needs; routes without it are public. */
    permission?: Permission;
  }
  interface FastifyRequest {
    actor?: Actor;
  }
}

/** The actor of a request that passed the permission hook. */
export function actorOf(req: FastifyRequest): Actor {
  return req.actor!;
}

/** First delivered-receipt time for every (station, seq): receipts are cumulative, so scan them in order. */
function deliveryIndex(receipts: FeedEntry[]): (station: string, seq: number) => number | null {
  const byStation = new Map<string, { upTo: number; ts: number }[]>();
  for (const r of receipts) {
    const b = parseEntryLine(r.line).body;
    if (
      b.level !== 'delivered' ||
      typeof b.station !== 'string' ||
      typeof b.upTo !== 'number' ||
      b.station === r.station
    )
      continue;
    const list = byStation.get(b.station) ?? [];
    list.push({ upTo: b.upTo, ts: r.ts });
    byStation.set(b.station, list);
  }
  return (station, seq) => byStation.get(station)?.find((x) => x.upTo >= seq)?.ts ?? null;
}

/** The operator API (`/api/v1/*`), bearer-token authenticated by role; the contract is docs/api.md. */
export async function apiRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const { station, links } = deps;
  const resolveActor =
    deps.resolveActor ?? ((req: FastifyRequest) => tokenActor(station.store, req));

  app.addHook('onRequest', async (req: FastifyRequest) => {
    const needed = req.routeOptions.config.permission;
    if (!needed) return;
    const actor = (await resolveActor(req)) ?? null;
    if (!actor)
      throw new ParleyError(
        'PARLEY_E_AUTH_REQUIRED',
        'sign in, or send Authorization: Bearer TOKEN',
        {},
      );
    requirePermission(actor, needed);
    req.actor = actor;
  });

  app.setErrorHandler((err, req, reply) => {
    const { status, body } = httpError(err);
    if (status >= 500) req.log.error({ err }, 'API error');
    return reply.status(status).send(body);
  });

  app.get(
    '/api/v1/health',
    {
      schema: {
        description: 'Station identity and link health per peer and path. No authentication.',
        tags: ['operator'],
        response: {
          200: Type.Object({
            station: Type.String(),
            name: Type.String(),
            size: Type.Integer(),
            peers: Type.Array(PeerView),
          }),
        },
      },
    },
    async () => ({
      station: station.station,
      name: station.config.name,
      size: station.writer.size,
      peers: links.status(),
    }),
  );

  app.post<{ Body: Static<typeof PostMessageBody> }>(
    '/api/v1/messages',
    {
      config: { permission: 'send' },
      schema: {
        description: "Signs a message into this station's feed; the link delivers it.",
        tags: ['operator'],
        security: [{ bearer: [] }],
        body: PostMessageBody,
        response: {
          201: Type.Object({ id: Type.String(), seq: Type.Integer() }),
          '4xx': ErrorBody,
        },
      },
    },
    async (req, reply) => {
      const draft = parseMessageDraft(req.body);
      const sealed = await station.writer.append({
        kind: KIND.message,
        channel: draft.channel,
        body: { precedence: draft.precedence, text: draft.text },
      });
      return reply.status(201).send({ id: sealed.hash, seq: sealed.entry.seq });
    },
  );

  app.get<{ Querystring: { channel?: string } }>(
    '/api/v1/messages',
    {
      config: { permission: 'read' },
      schema: {
        description:
          'Messages of both stations, by time, then station, then seq, with delivery status.',
        tags: ['operator'],
        security: [{ bearer: [] }],
        querystring: Type.Object(
          { channel: Type.Optional(Type.String()) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ messages: Type.Array(MessageView) }), '4xx': ErrorBody },
      },
    },
    async (req) => {
      const opts = req.query.channel !== undefined ? { channel: req.query.channel } : {};
      const [rows, receipts] = await Promise.all([
        station.store.byKind(KIND.message, opts),
        station.store.byKind(KIND.receipt),
      ]);
      const deliveredAt = deliveryIndex(receipts);
      return {
        messages: rows.map((r) => {
          const e = parseEntryLine(r.line);
          const at = deliveredAt(r.station, r.seq);
          return {
            id: r.hash,
            station: r.station,
            seq: r.seq,
            ts: r.ts,
            channel: r.channel ?? '',
            precedence: String(e.body.precedence),
            text: String(e.body.text),
            status: { delivered: at !== null, deliveredAt: at },
          };
        }),
      };
    },
  );

  app.get(
    '/api/v1/feeds',
    {
      config: { permission: 'read' },
      schema: {
        description:
          'The latest verified checkpoint of every feed this station holds. Once the link settles both stations show the same.',
        tags: ['operator'],
        security: [{ bearer: [] }],
        response: {
          200: Type.Array(
            Type.Object({
              station: Type.String(),
              size: Type.Integer(),
              root: Type.String(),
              ts: Type.Integer(),
            }),
          ),
          '4xx': ErrorBody,
        },
      },
    },
    async () => {
      const out = [];
      for (const f of await station.store.feeds()) {
        const cp = await station.store.latestCheckpoint(f.station);
        if (cp) out.push({ station: cp.station, size: cp.size, root: cp.root, ts: cp.ts });
      }
      return out;
    },
  );
}
