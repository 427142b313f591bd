import Fastify from 'fastify';
import { ParleyError } from '@parley/core';
import type { FastifyInstance, FastifyReply } from 'fastify';
import swagger from '@fastify/swagger';
import { LINK_DEFAULTS } from '@parley/link';
import type { LinkEvents, LinkManager, LinkOptions } from '@parley/link';
import { join } from 'node:path';
import { SqliteTrackStore, StationHandle, systemClock, TRACKS_FILE } from '@parley/store';
import type { Clock, FeedWriter } from '@parley/store';
import { parseFeedKey } from '@parley/ledger';
import type { AudienceId } from '@parley/ledger';
import { apiRoutes } from './routes/api.js';
import { linkRoutes } from './routes/link.js';
import { witnessRoutes } from './routes/witness.js';
import { loadWitnessSigner, StationWitness, WITNESS_LIMITS } from './witness/witness.js';
import type { WitnessLimits } from './witness/witness.js';
import { StationMetrics } from './metrics.js';
import { HotlineService } from './hotline/hotline-service.js';
import { LiveBus } from './hotline/live-bus.js';
import { consoleRoutes } from './console.js';
import { buildValidator } from './validation.js';
import { httpError } from './http-errors.js';
import { NoticeService } from './notices/notice-service.js';
import { Operators } from './operators/index.js';
import type { OperatorOptions } from './operators/index.js';
import { TrackService } from './tracks/track-service.js';
import { stationLeadership, StationLinks } from './ha.js';
import type { TrackServiceOptions } from './tracks/track-service.js';
import { CotBridge } from './tracks/cot-bridge.js';
import { AreaEncounters, SYSTEM_ACTOR } from './tracks/area-encounters.js';
import type { CotOptions } from './tracks/cot-bridge.js';
import { ConnectionGuard, resolveLimits } from './limits.js';
import { LiveStreams } from './routes/stream.js';
import type { StationLimits } from './limits.js';

// Operator accounts, sessions and the audit log, for the CLI and tests.
export {
  createUser,
  hashPassword,
  listTokens,
  parseExpiry,
  revokeToken,
  setUserDisabled,
  setUserRole,
  tokenView,
  anchorSigner,
  verifyAuditLog,
  verifyAuditRecords,
  verifyPassword,
  SignInThrottle,
  Operators,
  SESSION_COOKIE,
  CSRF_HEADER,
} from './operators/index.js';
export type {
  AuditAnchoring,
  AuditVerification,
  OperatorOptions,
  TokenView,
  UserView,
} from './operators/index.js';

/** How long a shutdown waits for requests in progress to answer. */
const DRAIN_MS = 5000;

export interface StationOptions {
  /** Station data directory (created by `parley init`). */
  dataDir: string;
  clock?: Clock;
  /** Heartbeat interval on every path (default 60 s; tests and the demo use about 1 s). */
  heartbeatMs?: number;
  /** How long a pull waits for new entries before it is answered empty (default 20 s). */
  pullWaitMs?: number;
  pullLimit?: number;
  /** How often deadlines are checked (default 1 s; 0 turns the watch off, tests then call `hotline.checkDeadlines()`). */
  deadlineTickMs?: number;
  /** How often the peer list is re-read from the store (picks up `parley peer add`). */
  peerReloadMs?: number;
  /** pino logger options, or false for none. */
  logger?: boolean | { level: string };
  /** TLS key and certificate (PEM) to serve https; peers pin the certificate. */
  tls?: { key: string; cert: string };
  /** Sign-in throttling (overrides the sign-in limits of `limits`). */
  operators?: OperatorOptions;
  /** Track picture and screening (staleness, tick, horizon, party pairs, hysteresis). */
  tracks?: TrackServiceOptions;
  /** CoT input (TCP listener) and output (push to the party's TAK server); both off by default. */
  cot?: CotOptions;
  /** PostgreSQL URL overriding the one in `station.json` (`parley start --store`). */
  storeUrl?: string;
  /**
   * PostgreSQL (several processes of the station on one database): the leader lease time; a
   * killed leader is replaced after about this long (default 3 s). SQLite has one process, which
   * always leads.
   */
  leaseMs?: number;
  /**
   * The C2SP tlog-witness of the peers' feeds (`POST /witness/v1/add-checkpoint`, PROTOCOL §4.2):
   * on by default with the default limits; false turns it off (the route answers 404).
   */
  witness?: false | Partial<WitnessLimits>;
  /** The operator console bundle served at `/` (default apps/console/dist), or false for none. */
  console?: string | false;
  /** Resource limits: timeouts, connection caps, live streams (defaults in limits.ts, docs/deploy.md). */
  limits?: Partial<StationLimits>;
}

/** A running station: the Fastify app, the open station directory and its links. */
export interface Station {
  readonly app: FastifyInstance;
  readonly handle: StationHandle;
  readonly links: LinkManager;
  readonly metrics: StationMetrics;
  /** The resource limits in force, and the connection cap's refusals. */
  readonly limits: StationLimits;
  readonly connections: ConnectionGuard;
  /** The live streams open and refused. */
  readonly streams: LiveStreams;
  /** Listens on host:port (port 0 picks a free one) and starts the links; resolves to the URL. */
  listen(opts?: { host?: string; port?: number }): Promise<string>;
  /** Stops the links, answers held pulls, closes the server and the database. */
  close(): Promise<void>;
  readonly hotline: HotlineService;
  readonly bus: LiveBus;
  /** Operator accounts, sessions, sign-in limits and the audit log. */
  readonly operators: Operators;
  /** Notices of planned activity. */
  readonly notices: NoticeService;
  /** The track picture and its encounters. */
  readonly tracks: TrackService;
  /** The CoT input and output (status for health and tests). */
  readonly cot: CotBridge;
  /** Whether this process runs the links, heartbeats and deadline watch (always, on SQLite). */
  readonly leading: () => boolean;
}

/** Link events go to metrics and, for the console, to the live stream. */
function liveLinkEvents(inner: LinkEvents, bus: LiveBus): LinkEvents {
  return {
    ...inner,
    ingested: (peer, n) => {
      inner.ingested(peer, n);
      bus.publish({ type: 'entry', station: peer, seq: n, kind: 'peer', channel: null });
    },
    pathState: (peer, url, state) => {
      inner.pathState(peer, url, state);
      bus.publish({ type: 'link', peer, url, state });
    },
  };
}

/**
 * Builds a station from its data directory (the fastify "app factory" pattern): tests drive it
 * in-process with `app.inject`, multi-station tests bind real loopback ports with `listen`.
 */
export async function buildStation(opts: StationOptions): Promise<Station> {
  const clock = opts.clock ?? systemClock;
  const handle = await StationHandle.open(opts.dataDir, {
    clock,
    ...(opts.storeUrl !== undefined ? { storeUrl: opts.storeUrl } : {}),
  });
  const metrics = new StationMetrics();
  const limits = resolveLimits(opts.limits);
  // Timeouts are checked this often (Node's default, 30 s, would let a slow request overstay).
  const checking = { connectionsCheckingInterval: 1000 };
  const app = Fastify({
    logger: opts.logger ?? false,
    ...(opts.tls
      ? { https: { key: opts.tls.key, cert: opts.tls.cert, ...checking } }
      : { http: checking }),
    forceCloseConnections: true,
    // Slow clients cannot hold sockets (issue 16): the request must arrive in time, an idle socket
    // closes; the answer may take long (a link pull waits up to 60 s), so no response deadline.
    requestTimeout: limits.requestTimeoutMs,
    connectionTimeout: limits.connectionTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    maxRequestsPerSocket: limits.maxRequestsPerSocket,
    bodyLimit: limits.bodyLimitBytes,
    // Refuse unknown fields rather than silently dropping them, and take bodies as sent (no type
    // coercion; query strings and path parameters keep it): bad input gets a coded error.
    schemaController: { compilersFactory: { buildValidator } },
    // A path fastify cannot route (bad percent-encoding, an over-long parameter) is answered
    // with a coded body too, like every other refusal.
    frameworkErrors: (err, _req, reply) => {
      const { status, body } = httpError(err);
      void (reply as unknown as FastifyReply).status(status).send(body);
    },
  });
  app.server.headersTimeout = limits.headersTimeoutMs;
  // Errors outside the API, link and witness scopes (a body that fails to parse on its way to
  // the not-found handler) get the same coded body as every other refusal.
  app.setErrorHandler((err, req, reply) => {
    const { status, body } = httpError(err);
    if (status >= 500) req.log.error({ err }, 'error');
    return reply.status(status).send(body);
  });
  const connections = new ConnectionGuard(limits, !opts.tls);
  const streams = new LiveStreams(limits);
  connections.install(app.server);
  const shutdown = new AbortController();
  const linkOpts: LinkOptions = {
    heartbeatMs: opts.heartbeatMs ?? LINK_DEFAULTS.heartbeatMs,
    pullWaitMs: opts.pullWaitMs ?? LINK_DEFAULTS.pullWaitMs,
    pullLimit: opts.pullLimit ?? LINK_DEFAULTS.pullLimit,
  };
  const bus = new LiveBus();
  // Every process answers peers and operators; only the leader runs the links (ha.ts).
  const links = new StationLinks(
    {
      station: handle.station,
      store: handle.store,
      writer: handle.writer,
      clock,
      events: liveLinkEvents(metrics.linkEvents(app.log), bus),
      audienceWriter: (members) => handle.audienceWriter(members),
      sharedWith: (peer) => handle.sharedWith(peer),
    },
    linkOpts,
    opts.peerReloadMs ?? 2000,
  );
  // Other processes of the station append to the same feeds: catch up as soon as they do. Every
  // feed of this station (identity and audiences, ADR 0003) is watched the same way.
  const watched = new Map<FeedWriter, () => void>();
  const watch = (w: FeedWriter) => {
    if (watched.has(w)) return;
    const unfollow = w.follow((err) =>
      app.log.warn({ err, feed: w.feed }, 'catching up on appends of another process failed'),
    );
    const off = w.onCommit((size) => {
      metrics.entriesAppended.inc();
      bus.publish({
        type: 'entry',
        station: handle.station,
        ...(w.audience ? { audience: w.audience } : {}),
        seq: size,
        kind: '',
        channel: null,
      });
    });
    watched.set(w, () => {
      unfollow();
      off();
    });
  };
  const watchAll = async () => {
    for (const w of await handle.audienceWriters()) watch(w);
  };
  watch(handle.writer);
  await watchAll();
  const offCreated = handle.onAudienceCreated((w) => watch(w));
  // SQLite reports no other process's appends (`parley rotate-key` or `parley post` beside the
  // running station): look at the stored heads every reload tick, so held pulls see them.
  const sqliteRefresh =
    handle.store.engine === 'sqlite'
      ? setInterval(() => {
          for (const w of watched.keys())
            void w
              .refresh()
              .catch((err: unknown) =>
                app.log.warn({ err, feed: w.feed }, 'reading appends of other processes failed'),
              );
        }, opts.peerReloadMs ?? 2000)
      : undefined;
  sqliteRefresh?.unref();
  // An audience feed another process of this station started is opened here when it appears.
  const offOwnAppends = handle.store.onAppend((feed, size) => {
    const { station, audience } = parseFeedKey(feed);
    if (station === handle.station && audience && !handle.members(audience))
      void handle
        .existingAudience(audience)
        .then(async (w) => {
          await watchAll();
          // It opened at the stored head: what is there already was appended by the other process.
          if (w && w.size > 0)
            bus.publish({
              type: 'entry',
              station,
              audience,
              seq: Math.max(w.size, size ?? 0),
              kind: '',
              channel: null,
            });
        })
        .catch((err: unknown) =>
          app.log.warn({ err, audience }, 'opening an audience feed of another process failed'),
        );
  });
  // What the leading process stores from a peer reaches the live stream of the others too.
  const offPeerAppends = handle.store.onAppend((station, size) => {
    const feed = parseFeedKey(station);
    if (feed.station !== handle.station && station !== '*' && !links.leading)
      bus.publish({
        type: 'entry',
        station: feed.station,
        ...(feed.audience ? { audience: feed.audience } : {}),
        seq: size ?? 0,
        kind: 'peer',
        channel: null,
      });
  });
  const witness =
    opts.witness === false
      ? undefined
      : new StationWitness(
          {
            station: handle.station,
            store: handle.store,
            signer: await loadWitnessSigner(opts.dataDir),
            clock,
            keysOf: (s) => links.keysOf(s),
            members: (aud) => handle.members(aud as AudienceId),
          },
          { ...WITNESS_LIMITS, ...(opts.witness ?? {}) },
        );
  const hotline = new HotlineService(handle, links, clock, bus);
  // Audit records are signed with the station's current identity key as they are appended (ADR 0004).
  const operators = new Operators(
    handle.store,
    clock,
    {
      ...opts.operators,
      signIn: {
        freePerAddress: limits.signInFreePerAddress,
        freePerAccount: limits.signInFreePerAccount,
        baseDelayMs: limits.signInBaseDelayMs,
        maxDelayMs: limits.signInMaxDelayMs,
        accountMaxDelayMs: limits.signInAccountMaxDelayMs,
        windowMs: limits.signInWindowMs,
        ...opts.operators?.signIn,
      },
      passwordChecks: {
        concurrency: limits.signInConcurrentChecks,
        perAddress: limits.signInInProgressPerAddress,
        ...opts.operators?.passwordChecks,
      },
    },
    { station: handle.station, signer: () => handle.writer.currentSigner },
  );
  const notices = new NoticeService(handle, hotline, clock, bus, (msg, err) =>
    app.log.error({ err }, msg),
  );
  // Sensor data in its own file beside the transcript database (ADR 0002).
  const trackStore = new SqliteTrackStore(join(opts.dataDir, TRACKS_FILE));
  const tracks = new TrackService(
    trackStore,
    clock,
    bus,
    { channels: async () => [...(await hotline.state()).state.channels.values()] },
    { warn: (message) => app.log.warn(message), ...opts.tracks },
  );
  bus.subscribe((e) => {
    if (e.type !== 'tracks' && e.type !== 'encounter') return;
    metrics.tracks.set(tracks.size);
    metrics.encounters.set(tracks.openEncounters);
  });
  const cotOpts: CotOptions = {
    ...opts.cot,
    limits: {
      maxConnections: limits.cotMaxConnections,
      maxPerSource: limits.cotMaxPerSource,
      idleMs: limits.cotIdleMs,
      eventTimeoutMs: limits.cotEventTimeoutMs,
      evictAfterMs: limits.cotEvictAfterMs,
      ...opts.cot?.limits,
    },
  };
  const cot = new CotBridge(cotOpts, tracks, bus, (code, message) => {
    metrics.feedRejected.inc({ feed: 'cot', code });
    app.log.warn({ code }, `CoT event refused: ${message}`);
  });
  // Notice conflicts read the live track picture (stale tracks left out), dead-reckoned to now.
  notices.setTrackSource(() => {
    const { now, tracks: list } = tracks.list();
    return list
      .filter((t) => !t.stale)
      .map((t) => ({
        id: t.id,
        name: t.name,
        party: t.party,
        lat: t.lat,
        lon: t.lon,
        sog: t.sog,
        cog: t.cog,
        time: now,
        altFt: t.altFt,
        vsFpm: t.vsFpm,
      }));
  });

  // Units heading into notice areas join the encounter list, each with its catalogue draft.
  tracks.attachAreas(
    new AreaEncounters(
      notices,
      (id) => tracks.record(id),
      async (id) => (await notices.get(SYSTEM_ACTOR, id)).channel,
      bus,
    ),
  );

  // Requests being handled, for a graceful shutdown (the live stream stays open by design).
  let inflight = 0;
  let closing = false;
  app.addHook('onRequest', async (req, reply) => {
    if (closing) {
      // Nothing new starts once shutdown has begun: a request refused here wrote nothing.
      reply.header('connection', 'close');
      throw new ParleyError(
        'PARLEY_E_STORE_CLOSED',
        'the station is shutting down; retry when it is back',
        {},
      );
    }
    if (req.routeOptions.url === '/api/v1/stream') return;
    inflight++;
    reply.raw.once('close', () => inflight--);
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Parley station API',
        version: '1',
        description:
          'Operator API (/api/v1) and station-to-station link (/link/v1). See docs/api.md and docs/PROTOCOL.md.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          session: { type: 'apiKey', in: 'cookie', name: 'parley_session' },
        },
      },
    },
  });
  app.addHook('onResponse', async (req, reply) => {
    metrics.httpDuration.observe(
      { route: req.routeOptions.url ?? 'unknown', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
  await app.register(async (scope) =>
    linkRoutes(scope, {
      serve: {
        station: handle.station,
        store: handle.store,
        writer: handle.writer,
        sharedWith: (peer) => handle.sharedWith(peer),
        onAudienceCreated: (fn) => handle.onAudienceCreated(fn),
        shutdown: shutdown.signal,
      },
      links,
      clock,
      metrics,
    }),
  );
  await app.register(async (scope) =>
    apiRoutes(scope, {
      station: handle,
      links,
      hotline,
      bus,
      resolveActor: operators.resolveActor,
      operators,
      notices,
      tracks,
      ...(witness ? { witness } : {}),
      streams,
    }),
  );
  if (witness)
    await app.register(async (scope) =>
      witnessRoutes(scope, { witness, leading: () => leadership.leading() }),
    );
  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
    const c = cot.status().connections;
    for (const [what, n] of Object.entries({
      streams_open: streams.stats.open,
      streams_refused_per_user: streams.stats.refusedPerUser,
      streams_refused_total: streams.stats.refusedTotal,
      streams_closed_slow: streams.stats.closedSlow,
      connections_open: connections.connections,
      connections_refused_per_source: connections.stats.refusedPerSource,
      connections_refused_total: connections.stats.refusedTotal,
      cot_connections_open: c.open,
      cot_connections_refused: c.refused,
      cot_connections_closed_idle: c.closedIdle,
      cot_connections_closed_stuck: c.closedStuck,
      cot_connections_evicted: c.evicted,
    }))
      metrics.resources.set({ what }, n);
    reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });
  app.get('/api/docs', { schema: { hide: true } }, async () => app.swagger());
  if (opts.console !== false) await consoleRoutes(app, opts.console);

  let closed = false;
  // The leader's duties — the peer links and the deadline watch — with its writes fenced by its
  // lease, so that a process that lost the lease (paused, cut off) cannot write as leader.
  let deadlineTimer: NodeJS.Timeout | undefined;
  const leadership = stationLeadership(handle.store, {
    leaseMs: opts.leaseMs ?? 3000,
    onLead: async (lease) => {
      await links.lead(lease);
      const tick = opts.deadlineTickMs ?? 1000;
      if (tick > 0) {
        deadlineTimer = setInterval(() => {
          const fence = lease ? { fence: lease } : {};
          hotline
            .checkDeadlines(fence)
            .then(() => notices.checkDeadlines(fence))
            .catch((err: unknown) => app.log.error({ err }, 'deadline watch failed'));
        }, tick);
      }
    },
    onFollow: async () => {
      clearInterval(deadlineTimer);
      await links.follow();
    },
    log: (msg, err) => app.log.warn({ err }, `leadership: ${msg}`),
    info: (msg) => app.log.info(`leadership: ${msg}`),
  });
  return {
    app,
    handle,
    links,
    metrics,
    limits,
    connections,
    streams,
    hotline,
    bus,
    operators,
    tracks,
    cot,
    notices,
    leading: () => leadership.leading(),
    async listen({ host = '127.0.0.1', port = 0 } = {}) {
      await app.listen({ host, port });
      await links.start();
      await leadership.start();
      tracks.start();
      await cot.start();
      const addr = app.server.address();
      const p = typeof addr === 'object' && addr ? addr.port : port;
      const h = host.includes(':') ? `[${host}]` : host;
      return `${opts.tls ? 'https' : 'http'}://${h}:${p}`;
    },
    async close() {
      if (closed) return;
      closed = true;
      closing = true;
      shutdown.abort();
      await leadership.stop();
      notices.close();
      await links.stop();
      await cot.stop();
      await tracks.stop();
      // Let requests already being handled finish and answer (an appended message must not
      // look failed to its sender), for at most DRAIN_MS; then close every socket.
      const until = Date.now() + DRAIN_MS;
      while (inflight > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
      await app.close();
      for (const stop of watched.values()) stop();
      offCreated();
      offOwnAppends();
      clearInterval(sqliteRefresh);
      offPeerAppends();
      await handle.close();
      trackStore.close();
    },
  };
}
