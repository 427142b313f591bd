import { isParleyError, ParleyError } from '@parley/core';
import type { PublicKeyB64, StationId } from '@parley/core';
import { AUDIENCE_RE, KIND, parseFeedKey, verifyCheckpointSignature } from '@parley/ledger';
import type { AudienceId, Checkpoint } from '@parley/ledger';
import { repinsFor } from '@parley/store';
import type { PeerRecord } from '@parley/store';
import { FeedReplica } from './feed-replica.js';
import type { ReplicaOwner } from './feed-replica.js';
import { PeerClient } from './peer-client.js';
import { linkDeadlines, PathSet } from './path-health.js';
import type { PathRuntime } from './path-health.js';
import type { VerifyPool } from './verify-pool.js';
import { LINK_DEFAULTS, parseHeartbeatReply, parsePullResponse, ROUTES } from './wire.js';

export type {
  LinkEvents,
  LinkHost,
  LinkOptions,
  LinkState,
  PathStatus,
  PeerStatus,
} from './link-host.js';
import type { LinkHost, LinkOptions, PeerStatus } from './link-host.js';

export const haltKey = (station: string) => `link.halted.${station}`;

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });

/**
 * The link to one peer. It pulls the peer's feeds this station may read — the identity feed and
 * each audience feed it is a member of — over the first healthy path (one long poll for all of
 * them), verifies every entry and checkpoint before storing it, answers each audience feed with
 * a delivered receipt and a witness cosignature in this station's own feed for that audience,
 * and beats on every path. Its cursors are the stored heads of the peer's feeds, so catch-up
 * starts by itself after a restart or an outage and re-delivery is harmless. An equivocation
 * halts the peer and raises an alarm entry.
 */
export class PeerLink implements ReplicaOwner {
  private identity!: FeedReplica;
  private readonly replicas = new Map<AudienceId, FeedReplica>();
  private readonly client: PeerClient;
  private readonly paths: PathSet;
  private readonly stop$ = new AbortController();
  private pullAbort = new AbortController();
  private pullPath: PathRuntime | undefined;
  private loops: Promise<void>[] = [];
  private halted: { reason: string; at: number } | null = null;
  /** Keys this station re-pinned for the peer (emergency rotations it accepts). */
  private repins: readonly PublicKeyB64[] = [];

  constructor(
    private readonly host: LinkHost,
    readonly peer: PeerRecord,
    private readonly opts: LinkOptions = LINK_DEFAULTS,
    private readonly pool?: VerifyPool,
  ) {
    this.paths = new PathSet(
      peer.urls.map((url) => ({ url, tlsCert: peer.tlsCert })),
      opts.heartbeatMs,
      () => host.clock.now(),
      (url, state) => host.events.pathState(peer.name, url, state),
    );
    this.client = new PeerClient({
      self: host.station,
      peer: peer.station as StationId,
      signer: (n) => (n === undefined ? host.writer.currentSigner : host.writer.signerAfter(n)),
      known: () => this.known(),
      peerKeys: (n) => this.keysAt(n),
      now: () => host.clock.now(),
    });
  }

  get peerName(): string {
    return this.peer.name;
  }

  get peerStation(): StationId {
    return this.peer.station as StationId;
  }

  /**
   * Keys the peer may sign requests with: its current key once its identity feed is verified
   * here, else the pinned key; and a key re-pinned for it that its verified feed has not rotated
   * onto yet.
   */
  keys(): readonly PublicKeyB64[] {
    return this.keysAt(this.known());
  }

  /** Keys the peer signs with for a requester holding `n` of its identity feed's entries (§7), re-pins included. */
  keysAt(n: number): readonly PublicKeyB64[] {
    const v = this.identity?.verifier;
    const key =
      (v && n <= v.size ? v.keyForSize(n) : undefined) ??
      v?.currentKey ??
      (this.peer.key as PublicKeyB64);
    const pending = this.repins.filter((k) => k !== key && !v?.keys.some((p) => p.key === k));
    return [key, ...pending];
  }

  /** Entries of the peer's identity feed held here, all verified (the `Parley-Known` this side reports). */
  known(): number {
    return this.identity?.verifier?.size ?? 0;
  }

  /** Re-reads the re-pins recorded in this station's feeds for the peer. */
  async refreshRepins(): Promise<void> {
    this.repins = await repinsFor(this.host.store, this.host.station, this.peer.station);
  }

  /** Whether an emergency rotation of the peer onto `key` is accepted: an operator re-pinned it. */
  acceptsEmergency(key: PublicKeyB64): boolean {
    return this.repins.includes(key);
  }

  /** Loads the stored state and starts the pull and heartbeat loops. */
  async start(): Promise<void> {
    const { store } = this.host;
    const halted = await store.getMeta(haltKey(this.peer.station));
    this.halted = halted ? (JSON.parse(halted) as { reason: string; at: number }) : null;
    await this.refreshRepins();
    this.identity = new FeedReplica(this.host, this, null, this.pool);
    await this.identity.load();
    for (const f of await store.feeds()) {
      const { station, audience } = parseFeedKey(f.station);
      if (station === this.peer.station && audience) await this.replica(audience);
    }
    this.loops = [this.pullLoop(), ...this.paths.paths.map((p) => this.heartbeatLoop(p))];
  }

  private async replica(audience: AudienceId): Promise<FeedReplica> {
    let r = this.replicas.get(audience);
    if (!r) {
      r = new FeedReplica(this.host, this, audience, this.pool);
      await r.load();
      this.replicas.set(audience, r);
    }
    return r;
  }

  /** Stops the loops, aborting a held pull, and closes the connections. */
  async stop(): Promise<void> {
    this.stop$.abort();
    this.pullAbort.abort();
    await Promise.allSettled(this.loops);
    this.client.close();
  }

  /** Clears a halt after an operator has looked at the alarm. */
  async resume(): Promise<void> {
    this.halted = null;
    await this.host.store.setMeta(haltKey(this.peer.station), '');
  }

  status(): PeerStatus {
    const paths = this.paths.status();
    const last = Math.max(0, ...paths.map((p) => p.lastOkAt ?? 0));
    return {
      name: this.peer.name,
      station: this.peer.station,
      state: this.paths.state(),
      lastExchangeAt: last || null,
      paths,
      size: [this.identity, ...this.replicas.values()].reduce((n, r) => n + (r?.size ?? 0), 0),
      feeds: [this.identity, ...this.replicas.values()]
        .filter((r) => r !== undefined)
        .map((r) => ({ audience: r.audience, size: r.size, deliveredUpTo: r.deliveredUpTo })),
      halted: this.halted,
    };
  }

  /** The highest seq of this station's feed for `audience` that the peer has receipted as delivered. */
  deliveredUpTo(audience: string): number {
    return this.replicas.get(audience as AudienceId)?.deliveredUpTo ?? 0;
  }

  delivered(audience: AudienceId, upTo: number): void {
    this.host.events.delivered(this.peer.name, upTo, audience);
  }

  violation(code: string, message: string): void {
    this.host.events.violation(this.peer.name, code, message);
  }

  private async heartbeatLoop(p: PathRuntime): Promise<void> {
    const signal = this.stop$.signal;
    const deadlineMs = linkDeadlines(this.opts).heartbeat;
    while (!signal.aborted) {
      try {
        const res = await this.client.request(
          p.target,
          'POST',
          ROUTES.heartbeat,
          { ts: this.host.clock.now(), head: this.host.writer.size },
          { deadlineMs, signal },
        );
        if (res.status !== 200)
          throw new ParleyError(
            'PARLEY_E_LINK_MALFORMED',
            `heartbeat answered ${res.status}: ${JSON.stringify(res.json)}`,
            {},
          );
        parseHeartbeatReply(res.json);
        this.paths.heartbeatOk(p);
      } catch (err) {
        if (signal.aborted) break;
        this.paths.heartbeatFailed(p, err);
        if (isParleyError(err) && err.code !== 'PARLEY_E_LINK_UNREACHABLE')
          this.host.events.rejected(this.peer.name, err.code, err.message);
        // A pull held on a path that no longer answers with progress would only end at its
        // deadline: move it to a path that is UP now (or give up on this one once it is DOWN).
        if (p === this.pullPath && (p.state === 'DOWN' || this.paths.otherUp(p)))
          this.pullAbort.abort();
      }
      await sleep(this.opts.heartbeatMs, signal);
    }
  }

  private async pullLoop(): Promise<void> {
    const signal = this.stop$.signal;
    const deadlines = linkDeadlines(this.opts);
    let failures = 0;
    while (!signal.aborted) {
      if (this.halted) {
        await sleep(this.opts.heartbeatMs, signal);
        continue;
      }
      const { path: p, probe } = this.paths.pick();
      this.pullPath = p;
      this.pullAbort = new AbortController();
      const abort = AbortSignal.any([signal, this.pullAbort.signal]);
      try {
        const body = {
          feeds: [this.identity, ...this.replicas.values()].map((r) => ({
            audience: r.audience,
            after: r.size,
          })),
          limit: this.opts.pullLimit,
          // A probe must not sit in a long poll on a path that may not answer.
          wait: probe ? 0 : this.opts.pullWaitMs,
        };
        const res = await this.client.request(p.target, 'POST', ROUTES.pull, body, {
          deadlineMs: probe ? deadlines.probe : deadlines.pull,
          signal: abort,
        });
        if (res.status !== 200) {
          const body = res.json as { code?: string; message?: string } | null;
          throw new ParleyError(
            'PARLEY_E_LINK_MALFORMED',
            `pull answered ${res.status} ${body?.code ?? ''} ${body?.message ?? ''}`.trim(),
            {},
          );
        }
        await this.ingest(res.json);
        // Verified and stored (or verified empty): only now is the path known to carry the feed.
        this.paths.pullOk(p);
        failures = 0;
      } catch (caught) {
        if (signal.aborted) break;
        const err = this.pullAbort.signal.aborted
          ? new ParleyError(
              'PARLEY_E_LINK_UNREACHABLE',
              `pull on ${p.url} abandoned: the path stopped answering heartbeats`,
              {},
            )
          : caught;
        // Whatever failed, the path did not carry the feed: it is not UP, and the next pull
        // goes to a path that is (`PathSet.pick`).
        this.paths.pullFailed(p, err);
        if (!probe) failures++;
        if (isParleyError(err) && err.code !== 'PARLEY_E_LINK_UNREACHABLE') {
          this.host.events.rejected(this.peer.name, err.code, err.message);
          // An emergency rotation waits for an operator's re-pin (`parley peer repin`).
          if (err.code === 'PARLEY_E_KEY_REPIN_REQUIRED')
            await this.refreshRepins().catch((err: unknown) =>
              this.host.events.failed('reading the re-pins', err),
            );
        }
        // Try the next path at once after a first failure; back off when failures repeat.
        if (failures > 1)
          await sleep(
            Math.min(1000 * 2 ** Math.min(failures - 2, 4), Math.max(this.opts.heartbeatMs, 1000)),
            signal,
          );
      } finally {
        this.pullPath = undefined;
      }
    }
  }

  /**
   * Verifies a pull response feed by feed: each feed's part is stored in one transaction, or
   * nothing of it (`FeedReplica.ingest`). A feed the response names for the first time becomes
   * a new replica, kept only once its part verified. The first refusal stops the response.
   */
  async ingest(json: unknown): Promise<number> {
    const res = parsePullResponse(json);
    if (res.station !== this.peer.station) {
      throw new ParleyError(
        'PARLEY_E_LINK_MALFORMED',
        `pull response is for station ${res.station}, not ${this.peer.station}`,
        {},
      );
    }
    let stored = 0;
    for (const chunk of res.feeds) {
      if (chunk.audience === null) {
        stored += await this.identity.ingest(chunk);
        continue;
      }
      if (!AUDIENCE_RE.test(chunk.audience)) {
        throw new ParleyError('PARLEY_E_LINK_MALFORMED', `bad audience ${chunk.audience}`, {});
      }
      const audience = chunk.audience as AudienceId;
      const known = this.replicas.get(audience);
      if (known) {
        stored += await known.ingest(chunk);
        continue;
      }
      const fresh = new FeedReplica(this.host, this, audience, this.pool);
      await fresh.load();
      stored += await fresh.ingest(chunk);
      if (fresh.size > 0) this.replicas.set(audience, fresh);
    }
    // Receipt-only growth is witnessed once it is old enough, with the next answer (even empty).
    for (const r of this.replicas.values()) await r.answer();
    return stored;
  }

  /**
   * The peer signed two histories of one of its feeds: the halt is recorded durably, and an
   * alarm entry goes into this station's feed for that audience (for the identity feed, into its
   * feed for the pair's audience, so no other party learns of the pairing).
   */
  async equivocate(reason: string, evidence: string, audience: AudienceId | null): Promise<void> {
    if (this.halted) return;
    const at = this.host.clock.now();
    this.halted = { reason, at };
    await this.host.store.setMeta(haltKey(this.peer.station), JSON.stringify(this.halted));
    // The evidence is itself signed by the peer; keep it whole when it fits in an entry.
    const body: Record<string, unknown> = {
      type: 'equivocation',
      station: this.peer.station,
      reason,
    };
    if (evidence.length <= 16_384) body.evidence = evidence;
    const members = audience ? this.replicas.get(audience)?.verifier.members : undefined;
    const writer = await this.host.audienceWriter(members ?? [this.peer.station]);
    await writer.append({ kind: KIND.alarm, body });
    this.host.events.equivocation(this.peer.name, reason);
  }

  /** Test and diagnostics hook: verifies a checkpoint signature under the peer's keys. */
  verifiesCheckpoint(cp: Checkpoint): boolean {
    return this.keys().some((k) => verifyCheckpointSignature(cp, k));
  }
}
