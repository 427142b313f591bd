import type { PublicKeyB64 } from '@parley/core';
import { ParleyError } from '@parley/core';
import { PeerLink } from './peer-link.js';
import type { LinkHost, LinkOptions, PeerStatus } from './peer-link.js';
import { VerifyPool } from './verify-pool.js';
import { LINK_DEFAULTS } from './wire.js';

/**
 * All of a station's peer links. Peers live in the store (`parley peer add` writes them, even
 * while the station runs); the manager picks up new ones every few seconds.
 */
export class LinkManager {
  private readonly links = new Map<string, PeerLink>();
  private timer: NodeJS.Timeout | undefined;
  private syncing: Promise<void> = Promise.resolve();
  private stopped = false;
  /** Shared by the peer links: catch-up batches are verified on all cores. */
  private pool: VerifyPool | undefined;

  constructor(
    private readonly host: LinkHost,
    private readonly opts: LinkOptions = LINK_DEFAULTS,
    private readonly reloadMs = 2000,
  ) {}

  async start(): Promise<void> {
    this.pool = new VerifyPool();
    await this.sync();
    this.timer = setInterval(() => {
      // A failed reload (the store unavailable, a peer link that cannot start) is logged and
      // tried again on the next tick; the chain stays usable.
      this.syncing = this.syncing
        .then(() => this.sync())
        .catch((err: unknown) => this.host.events.failed('reloading the peers', err));
    }, this.reloadMs);
    this.timer.unref();
  }

  private async sync(): Promise<void> {
    if (this.stopped) return;
    for (const peer of await this.host.store.peers()) {
      const known = this.links.get(peer.station);
      if (known) {
        // A re-pin recorded by `parley peer repin` (another process) is picked up here.
        await known.refreshRepins();
        continue;
      }
      const link = new PeerLink(this.host, peer, this.opts, this.pool);
      this.links.set(peer.station, link);
      await link.start();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.syncing;
    await Promise.all([...this.links.values()].map((l) => l.stop()));
    await this.pool?.close();
  }

  /** Keys a paired station may sign link requests with; undefined for a station that is not a peer. */
  keysOf(station: string): readonly PublicKeyB64[] | undefined {
    return this.links.get(station)?.keys();
  }

  /** Entries of a paired station's feed held here, verified (the `Parley-Known` of a response). */
  knownOf(station: string): number | undefined {
    return this.links.get(station)?.known();
  }

  status(): PeerStatus[] {
    return [...this.links.values()].map((l) => l.status());
  }

  link(station: string): PeerLink | undefined {
    return this.links.get(station);
  }

  /** Resumes a peer halted after an equivocation. */
  async resume(name: string): Promise<void> {
    const link = [...this.links.values()].find((l) => l.peer.name === name);
    if (!link)
      throw new ParleyError('PARLEY_E_PEER_NOT_FOUND', `no peer named ${JSON.stringify(name)}`, {
        name,
      });
    await link.resume();
  }
}
