import type { FastifyInstance, FastifyRequest } from 'fastify';
import type {} from '@fastify/swagger';
import { Type } from '@sinclair/typebox';
import { ParleyError } from '@parley/core';
import type { LinkManager } from '@parley/link';
import type { StationHandle } from '@parley/store';
import type { HotlineService } from '../hotline/hotline-service.js';
import type { LiveBus } from '../hotline/live-bus.js';
import { hotlineRoutes } from './hotline.js';
import { noticeRoutes } from './notices.js';
import type { NoticeService } from '../notices/notice-service.js';
import { trackRoutes } from './tracks.js';
import { keyRoutes } from './keys.js';
import { checkpointNoteRoutes } from './witness.js';
import type { StationWitness } from '../witness/witness.js';
import type { TrackService } from '../tracks/track-service.js';
import { requirePermission, tokenActor } from '../auth.js';
import type { Actor, Permission } from '../auth.js';
import { httpError } from '../http-errors.js';
import { LIMIT_DEFAULTS } from '../limits.js';
import { LiveStreams, streamRoutes } from './stream.js';
import { installJsonParser } from '../validation.js';

const ErrorBody = Type.Object({
  code: Type.String({ description: 'PARLEY_E_* code (docs/errors.md)' }),
  message: Type.String(),
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
  size: Type.Integer({ description: "verified entries of the peer's feeds held here" }),
  feeds: Type.Array(
    Type.Object({
      audience: Type.Union([Type.String(), Type.Null()], {
        description: 'the audience of the feed; null for the identity feed',
      }),
      size: Type.Integer({ description: 'verified entries held here' }),
      deliveredUpTo: Type.Integer({
        description: "how far the peer has receipted this station's feed of that audience",
      }),
    }),
  ),
  halted: Type.Union([Type.Object({ reason: Type.String(), at: Type.Integer() }), Type.Null()]),
  paths: Type.Array(PathView),
});

export interface ApiDeps {
  station: StationHandle;
  links: LinkManager;
  /** Resolves who makes a request (bearer token or session), or null if nobody. */
  resolveActor?: (req: FastifyRequest) => Promise<Actor | null>;
  hotline: HotlineService;
  bus: LiveBus;
  /** Notices of planned activity. */
  notices?: NoticeService;
  /** The track picture and encounters. */
  tracks?: TrackService;
  /** Installs the operator routes (login, logout, me, users, audit) and the audit hook in this scope. */
  operators?: { register(app: FastifyInstance): Promise<void> };
  /** This station's witness of its peers' feeds (docs/PROTOCOL.md §4.2), if it runs one. */
  witness?: StationWitness;
  /** Who holds which live streams, and their caps (default: the limits.ts defaults). */
  streams?: LiveStreams;
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

/** The operator API (`/api/v1/*`), bearer-token authenticated by role; the contract is docs/api.md. */
export async function apiRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const { station, links } = deps;
  const resolveActor =
    deps.resolveActor ?? ((req: FastifyRequest) => tokenActor(station.store, req));

  installJsonParser(app);
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
    const retryAfter = (err as { details?: { retryAfter?: unknown } }).details?.retryAfter;
    if (typeof retryAfter === 'number') reply.header('retry-after', String(retryAfter));
    return reply.status(status).send(body);
  });

  if (deps.operators) await deps.operators.register(app);

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
              audience: Type.Optional(Type.String()),
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
        if (cp)
          out.push({
            station: cp.station,
            ...(cp.audience ? { audience: cp.audience } : {}),
            size: cp.size,
            root: cp.root,
            ts: cp.ts,
          });
      }
      return out;
    },
  );

  const tracks = deps.tracks;
  await hotlineRoutes(app, { hotline: deps.hotline, bus: deps.bus });
  await streamRoutes(app, {
    bus: deps.bus,
    streams: deps.streams ?? new LiveStreams(LIMIT_DEFAULTS),
    ...(tracks
      ? {
          encounterFor: (actor: Actor, view: unknown) =>
            tracks.visibleTo(actor, view as Parameters<TrackService['visibleTo']>[1]),
        }
      : {}),
  });
  await keyRoutes(app, { station, links });
  await checkpointNoteRoutes(app, { station, ...(deps.witness ? { witness: deps.witness } : {}) });
  if (deps.notices) await noticeRoutes(app, deps.notices);
  if (deps.tracks) await trackRoutes(app, { tracks: deps.tracks, hotline: deps.hotline });
}
