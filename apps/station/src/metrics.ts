import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { LinkEvents, LinkState } from '@parley/link';

const STATE_VALUE: Record<LinkState, number> = { DOWN: 0, DEGRADED: 1, UP: 2 };

/** The station's Prometheus metrics, in a registry of its own (two stations may share a process in tests). */
export class StationMetrics {
  readonly registry = new Registry();
  readonly linkRejected = new Counter({
    name: 'parley_link_rejected_total',
    help: 'Station-to-station requests and peer data refused, by direction and error code',
    labelNames: ['direction', 'peer', 'code'] as const,
    registers: [this.registry],
  });
  readonly entriesIngested = new Counter({
    name: 'parley_peer_entries_ingested_total',
    help: "Verified entries of peers' feeds stored",
    labelNames: ['peer'] as const,
    registers: [this.registry],
  });
  readonly entriesAppended = new Counter({
    name: 'parley_entries_appended_total',
    help: "Entries appended to this station's own feed",
    registers: [this.registry],
  });
  readonly equivocations = new Counter({
    name: 'parley_equivocations_total',
    help: 'Equivocations detected (a peer signed two histories)',
    labelNames: ['peer'] as const,
    registers: [this.registry],
  });
  readonly violations = new Counter({
    name: 'parley_protocol_violations_total',
    help: "Peers' validly signed entries whose body fails its schema (stored, left out of the folds, alarmed)",
    labelNames: ['peer', 'code'] as const,
    registers: [this.registry],
  });
  readonly pathState = new Gauge({
    name: 'parley_link_path_state',
    help: 'Transport path state: 2 UP, 1 DEGRADED, 0 DOWN',
    labelNames: ['peer', 'url'] as const,
    registers: [this.registry],
  });
  readonly deliveredUpTo = new Gauge({
    name: 'parley_peer_delivered_up_to',
    help: "Highest seq of this station's feed for an audience that the peer has receipted as delivered",
    labelNames: ['peer', 'audience'] as const,
    registers: [this.registry],
  });
  readonly feedRejected = new Counter({
    name: 'parley_feed_rejected_total',
    help: 'Sensor reports refused (CoT events that are not tracks, malformed events), by feed and code',
    labelNames: ['feed', 'code'] as const,
    registers: [this.registry],
  });
  readonly encounters = new Gauge({
    name: 'parley_encounters_open',
    help: 'Open (unresolved) encounters',
    registers: [this.registry],
  });
  /** Resource use and refusals (issue 16), read when /metrics is scraped. */
  readonly resources = new Gauge({
    name: 'parley_resource',
    help: 'Resource use and refusals: live streams open, refused and closed for not reading; connections open and refused; CoT connections',
    labelNames: ['what'],
    registers: [this.registry],
  });
  readonly tracks = new Gauge({
    name: 'parley_tracks',
    help: 'Tracks held',
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: 'parley_http_request_duration_seconds',
    help: 'HTTP request duration by route',
    labelNames: ['route', 'status'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1, 5, 30],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'parley_' });
  }

  /** Link events wired to these metrics (and to a log line for the ones an operator must see). */
  linkEvents(log: { warn: (obj: object, msg: string) => void }): LinkEvents {
    return {
      rejected: (peer, code, message) => {
        this.linkRejected.inc({ direction: 'inbound-data', peer, code });
        log.warn({ peer, code }, `refused data from peer: ${message}`);
      },
      ingested: (peer, n) => this.entriesIngested.inc({ peer }, n),
      equivocation: (peer, reason) => {
        this.equivocations.inc({ peer });
        log.warn({ peer }, `EQUIVOCATION by ${peer}: ${reason}; its feed is halted`);
      },
      violation: (peer, code, message) => {
        this.violations.inc({ peer, code });
        log.warn({ peer, code }, `PROTOCOL VIOLATION by ${peer}: ${message}; alarm recorded`);
      },
      failed: (what, err) => log.warn({ err }, `link: ${what} failed; trying again`),
      pathState: (peer, url, state) => this.pathState.set({ peer, url }, STATE_VALUE[state]),
      delivered: (peer, upTo, audience) => this.deliveredUpTo.set({ peer, audience }, upTo),
    };
  }
}
