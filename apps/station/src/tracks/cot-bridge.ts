/**
 * The station's CoT connections, both off unless configured:
 * - an input: a TCP listener taking a TAK-style stream; each surface or air unit becomes a track
 *   (`cot:<uid>`, party from the mapping or the type's affiliation);
 * - an output: the deconfliction picture pushed to the party's own TAK server: the tracks that did
 *   not come from CoT (so nothing is echoed back), and a CPA line for every open encounter.
 * node-cot takes a second or two to load, so it is imported only when CoT is switched on.
 */
import { isParleyError } from '@parley/core';
import type { LiveBus, LiveEvent } from '../hotline/live-bus.js';
import type { CotPartyMapping } from './cot.js';
import { CotListener, CotPushClient } from './cot-net.js';
import type { CotListenerOptions } from './cot-net.js';
import type { EncounterView, TrackService, TrackView } from './track-service.js';

export interface CotOptions {
  /** The TCP input; off when absent. Port 0 picks a free one. */
  listen?: { host?: string; port: number };
  /** A TAK server's TCP input to push the picture to; off when absent. */
  push?: { host: string; port: number };
  /** Party attribution of incoming events (by uid, type prefix, affiliation). */
  mapping?: CotPartyMapping;
  /** Connection limits of the TCP input (defaults: COT_LISTENER_DEFAULTS). */
  limits?: Pick<
    CotListenerOptions,
    'maxConnections' | 'maxPerSource' | 'idleMs' | 'eventTimeoutMs' | 'evictAfterMs'
  >;
}

export interface CotStatus {
  listening: { host: string; port: number } | null;
  received: number;
  accepted: number;
  rejected: Record<string, number>;
  /** The input's connections: open now, refused, and closed for idling, hanging or to make room. */
  connections: {
    open: number;
    refused: number;
    closedIdle: number;
    closedStuck: number;
    evicted: number;
  };
  pushing: { host: string; port: number; connected: boolean; sent: number } | null;
}

export class CotBridge {
  private listener: CotListener | undefined;
  private address: { host: string; port: number } | null = null;
  private push: CotPushClient | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly opts: CotOptions,
    private readonly tracks: TrackService,
    private readonly bus: LiveBus,
    private readonly onError: (code: string, message: string) => void,
  ) {}

  async start(): Promise<void> {
    if (!this.opts.listen && !this.opts.push) return;
    const cot = await import('./cot.js');
    if (this.opts.listen) {
      this.listener = new CotListener({
        host: this.opts.listen.host ?? '127.0.0.1',
        port: this.opts.listen.port,
        ...this.opts.limits,
        onEvent: (xml) => {
          try {
            const { report } = cot.cotToTrack(xml, this.opts.mapping ?? {});
            this.tracks.report([report], 'cot');
          } catch (err) {
            if (isParleyError(err)) this.onError(err.code, err.message);
            throw err;
          }
        },
      });
      this.address = await this.listener.listen();
    }
    if (this.opts.push) {
      const push = new CotPushClient({ host: this.opts.push.host, port: this.opts.push.port });
      this.push = push;
      push.start();
      this.unsubscribe = this.bus.subscribe((e: LiveEvent) => {
        if (e.type === 'tracks') {
          // A track stays on the TAK picture as long as it stays live here (not the CoT
          // default of 2 min): it is pushed again only when it is reported again.
          for (const t of e.tracks as TrackView[])
            if (t.source !== 'cot' && !t.stale) {
              const staleMs = Math.max(60_000, t.at + this.tracks.staleMs - e.now);
              push.send(cot.trackToCot(t, { now: e.now, staleMs }));
            }
        } else if (e.type === 'encounter') {
          const enc = e.encounter as EncounterView;
          if (enc.state !== 'resolved' && enc.cpaA && enc.cpaB)
            push.send(
              cot.encounterToCot({
                id: enc.id,
                level: enc.level,
                cpaNm: enc.cpaNm,
                tcpaMin: enc.tcpaMin,
                cpaAt: enc.cpaAt,
                cpaA: enc.cpaA,
                cpaB: enc.cpaB,
                aName: enc.aName,
                bName: enc.bName,
              }),
            );
        }
      });
    }
  }

  status(): CotStatus {
    const s = this.listener?.stats;
    return {
      listening: this.address,
      received: s?.events ?? 0,
      accepted: s?.accepted ?? 0,
      rejected: { ...(s?.rejected ?? {}) },
      connections: {
        open: this.listener?.open ?? 0,
        refused: s?.refused ?? 0,
        closedIdle: s?.closedIdle ?? 0,
        closedStuck: s?.closedStuck ?? 0,
        evicted: s?.evicted ?? 0,
      },
      pushing:
        this.opts.push && this.push
          ? {
              ...this.opts.push,
              connected: this.push.connected,
              sent: this.push.stats.sent,
            }
          : null,
    };
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.push?.close();
    await this.listener?.close();
  }
}
