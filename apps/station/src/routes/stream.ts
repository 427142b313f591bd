import type { FastifyInstance } from 'fastify';
import type {} from '@fastify/swagger';
import { ParleyError } from '@parley/core';
import { eventFor } from '../hotline/live-bus.js';
import type { LiveBus, LiveEvent } from '../hotline/live-bus.js';
import type { Actor } from '../auth.js';
import type { StationLimits } from '../limits.js';
import { actorOf } from './api.js';

export interface LiveStreamStats {
  /** Streams open now. */
  open: number;
  /** Streams refused: the operator held `streamsPerUser`, or the station `streamsTotal`. */
  refusedPerUser: number;
  refusedTotal: number;
  /** Streams closed because their client did not read (more than `streamBufferBytes` waiting). */
  closedSlow: number;
}

/**
 * Who holds which live streams: at most `streamsPerUser` per operator (or token) and
 * `streamsTotal` in all; more are refused with 429 and a code.
 */
export class LiveStreams {
  readonly stats: LiveStreamStats = { open: 0, refusedPerUser: 0, refusedTotal: 0, closedSlow: 0 };
  private readonly byUser = new Map<string, number>();
  /** Each event is serialised once, however many streams carry it. */
  private readonly frames = new WeakMap<LiveEvent, string>();

  constructor(
    readonly limits: Pick<StationLimits, 'streamsPerUser' | 'streamsTotal' | 'streamBufferBytes'>,
  ) {}

  /** The event as a server-sent-events frame. */
  frame(e: LiveEvent): string {
    let f = this.frames.get(e);
    if (f === undefined) {
      f = `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`;
      this.frames.set(e, f);
    }
    return f;
  }

  /** Takes a stream for `user`; returns its release (idempotent). */
  acquire(user: string): () => void {
    const held = this.byUser.get(user) ?? 0;
    if (held >= this.limits.streamsPerUser) {
      this.stats.refusedPerUser++;
      throw new ParleyError(
        'PARLEY_E_STREAM_LIMIT_USER',
        `${user} has ${held} live streams open, the most allowed; close one first`,
        { retryAfter: 5 },
      );
    }
    if (this.stats.open >= this.limits.streamsTotal) {
      this.stats.refusedTotal++;
      throw new ParleyError(
        'PARLEY_E_STREAM_LIMIT_TOTAL',
        `the station serves ${this.stats.open} live streams, the most allowed; retry shortly`,
        { retryAfter: 5 },
      );
    }
    this.byUser.set(user, held + 1);
    this.stats.open++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.stats.open--;
      const n = (this.byUser.get(user) ?? 1) - 1;
      if (n <= 0) this.byUser.delete(user);
      else this.byUser.set(user, n);
    };
  }
}

/** The live stream (`/api/v1/stream`): server-sent events of every change the console needs. */
export async function streamRoutes(
  app: FastifyInstance,
  {
    bus,
    streams,
    encounterFor,
  }: {
    bus: LiveBus;
    streams: LiveStreams;
    /** An encounter of the live stream as an operator may see it (null: not at all); absent: as it is. */
    encounterFor?: (actor: Actor, view: unknown) => unknown;
  },
): Promise<void> {
  app.get(
    '/api/v1/stream',
    {
      config: { permission: 'read' },
      schema: {
        description:
          "Server-sent events: every change the console needs (entries, link state, alarms, channels, drafts), of the operator's channels only. At most `streamsPerUser` streams per operator and `streamsTotal` in all (429 PARLEY_E_STREAM_LIMIT_USER / _TOTAL). A client that does not read is disconnected once `streamBufferBytes` wait for it; it reconnects and reloads its state.",
        tags: ['hotline'],
        security: [{ bearer: [] }],
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      const encounter = encounterFor && ((view: unknown) => encounterFor(actor, view));
      const release = streams.acquire(actor.name);
      reply.hijack();
      const res = reply.raw;
      if (res.destroyed) {
        release();
        return;
      }
      let off = () => {};
      const timers: NodeJS.Timeout[] = [];
      res.once('close', () => {
        off();
        for (const t of timers) clearInterval(t);
        release();
      });
      // Backpressure: whatever the client has not taken waits in this process. Past the bound
      // the stream is closed rather than thinned — an event left out would leave the console
      // wrong without knowing; a closed stream makes it reconnect and reload everything.
      const write = (text: string) => {
        if (res.destroyed) return;
        res.write(text);
        if (res.writableLength > streams.limits.streamBufferBytes) {
          streams.stats.closedSlow++;
          off();
          res.destroy();
        }
      };
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
      });
      write(': parley live stream\n\n');
      off = bus.subscribe((event) => {
        // Another channel's events do not reach this reader at all (not even their ids).
        const e = eventFor(actor, event, encounter);
        if (e) write(streams.frame(e));
      });
      timers.push(setInterval(() => write(': keepalive\n\n'), 15_000));
    },
  );
}
