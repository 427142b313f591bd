import { isParleyError, ParleyError } from '@parley/core';
import type { PublicKeyB64, StationId } from '@parley/core';
import {
  fromBase64Url,
  KIND,
  parseCheckpointLine,
  parseEntryLine,
  signingBytes,
  verifyCheckpointSignature,
  verifySignature,
} from '@parley/ledger';
import type { Checkpoint, Entry, FeedVerifier } from '@parley/ledger';
import { loadFeedVerifier, repinsFor } from '@parley/store';
import type { Clock, EntryDraft, FeedWriter, PeerRecord, Store, StoredEntry } from '@parley/store';
import { PeerClient } from './peer-client.js';
import type { PathTarget } from './peer-client.js';
import { REPLAY_WINDOW_MS } from './request-auth.js';
import type { SignatureJob, VerifyPool } from './verify-pool.js';
import { LINK_DEFAULTS, parseHeartbeatReply, parsePullResponse, ROUTES } from './wire.js';

export type LinkState = 'UP' | 'DEGRADED' | 'DOWN';

/** Health of one transport path, from this station's side. */
export interface PathStatus {
  url: string;
  state: LinkState;
  lastOkAt: number | null;
  misses: number;
  lastError: string | null;
}

/** Health and progress of the link to one peer. */
export interface PeerStatus {
  name: string;
  station: string;
  state: LinkState;
  lastExchangeAt: number | null;
  paths: PathStatus[];
  /** Entries of the peer's feed held here, all verified. */
  size: number;
  /** The highest seq of this station's feed that the peer has receipted as delivered. */
  deliveredUpTo: number;
  /** Set after an equivocation: the peer's feed is not accepted until an operator resumes it. */
  halted: { reason: string; at: number } | null;
}

/** Hooks the station uses for metrics and logs. */
export interface LinkEvents {
  rejected(peer: string, code: string, message: string): void;
  ingested(peer: string, entries: number): void;
  equivocation(peer: string, reason: string): void;
  pathState(peer: string, url: string, state: LinkState): void;
  delivered(peer: string, upTo: number): void;
}

export interface LinkOptions {
  heartbeatMs: number;
  pullWaitMs: number;
  pullLimit: number;
}

/** What a peer link needs from its station. */
export interface LinkHost {
  station: StationId;
  store: Store;
  writer: FeedWriter;
  clock: Clock;
  events: LinkEvents;
}

/** Kinds that get no delivered receipt (receipting them would echo forever). */
const NOT_RECEIPTED = new Set<string>([KIND.receipt, KIND.cosignature]);
/** Kinds that do not by themselves call for a fresh witness cosignature. */
const NOT_WITNESSED = new Set<string>([KIND.cosignature]);

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

interface PathRuntime extends PathStatus {
  target: PathTarget;
}

/**
 * The link to one peer. It pulls the peer's feed over the first healthy path (long poll),
 * verifies every entry and checkpoint before storing it, answers with a delivered receipt and a
 * witness cosignature in this station's own feed, and beats on every path. Its cursor is the
 * stored head of the peer's feed, so catch-up starts by itself after a restart or an outage and
 * re-delivery is harmless. An equivocation halts the peer's feed and raises an alarm entry.
 */
export class PeerLink {
  private verifier!: FeedVerifier;
  private readonly client: PeerClient;
  private readonly paths: PathRuntime[];
  private readonly stop$ = new AbortController();
  private pullAbort = new AbortController();
  private pullPath: PathRuntime | undefined;
  private loops: Promise<void>[] = [];
  private halted: { reason: string; at: number } | null = null;
  private deliveredUpTo = 0;
  private lastCheckpoint: Checkpoint | null = null;
  private witnessDue = false;
  private receiptDue = false;
  private failover = 0;
  /** Keys this station re-pinned for the peer (emergency rotations it accepts). */
  private repins: readonly PublicKeyB64[] = [];

  constructor(
    private readonly host: LinkHost,
    readonly peer: PeerRecord,
    private readonly opts: LinkOptions = LINK_DEFAULTS,
    private readonly pool?: VerifyPool,
  ) {
    this.paths = peer.urls.map((url) => ({
      url,
      state: 'DOWN',
      lastOkAt: null,
      misses: 0,
      lastError: null,
      target: { url, tlsCert: peer.tlsCert },
    }));
    this.client = new PeerClient({
      self: host.station,
      peer: peer.station as StationId,
      signer: (n) => (n === undefined ? host.writer.currentSigner : host.writer.signerAfter(n)),
      known: () => this.verifier?.size ?? 0,
      peerKeys: (n) => this.keysAt(n),
      now: () => host.clock.now(),
    });
  }

  /**
   * Keys the peer may sign requests with: its current key once its feed is verified here, else
   * the pinned key; and a key re-pinned for it that its verified feed has not rotated onto yet.
   */
  keys(): readonly PublicKeyB64[] {
    return this.keysAt(this.verifier?.size ?? 0);
  }

  /** Keys the peer signs with for a requester holding `n` of its entries (§7), re-pins included. */
  keysAt(n: number): readonly PublicKeyB64[] {
    const v = this.verifier;
    const key =
      (v && n <= v.size ? v.keyForSize(n) : undefined) ??
      v?.currentKey ??
      (this.peer.key as PublicKeyB64);
    const pending = this.repins.filter((k) => k !== key && !v?.keys.some((p) => p.key === k));
    return [key, ...pending];
  }

  /** Entries of the peer's feed held here, all verified (the `Parley-Known` this side reports). */
  known(): number {
    return this.verifier?.size ?? 0;
  }

  /** Re-reads the re-pins recorded in this station's feed for the peer. */
  async refreshRepins(): Promise<void> {
    this.repins = await repinsFor(this.host.store, this.host.station, this.peer.station);
  }

  /** Loads the stored state and starts the pull and heartbeat loops. */
  async start(): Promise<void> {
    const { store } = this.host;
    this.verifier = await loadFeedVerifier(store, this.peer.station as StationId);
    await this.refreshRepins();
    this.verifier.acceptEmergency = (key) => this.repins.includes(key);
    this.lastCheckpoint = await store.latestCheckpoint(this.peer.station);
    const halted = await store.getMeta(haltKey(this.peer.station));
    this.halted = halted ? (JSON.parse(halted) as { reason: string; at: number }) : null;
    for (const r of await store.entriesOfKind(this.peer.station, [KIND.receipt]))
      this.noteReceipt(parseEntryLine(r.line));
    // Catch up on answers owed from before a restart: a receipt and a cosignature of what is held.
    const ownReceipts = await store.entriesOfKind(this.host.station, [KIND.receipt]);
    const receipted = ownReceipts
      .map((r) => parseEntryLine(r.line).body)
      .filter((b) => b.station === this.peer.station);
    const lastUpTo = Math.max(0, ...receipted.map((b) => Number(b.upTo) || 0));
    this.receiptDue = this.verifier.size > lastUpTo;
    const cosigned = (await store.lastOfKind(this.host.station, KIND.cosignature)) !== null;
    this.witnessDue = this.verifier.size > 0 && (!cosigned || this.receiptDue);
    await this.answer();
    this.loops = [this.pullLoop(), ...this.paths.map((p) => this.heartbeatLoop(p))];
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
    const states = this.paths.map((p) => p.state);
    const state: LinkState = states.every((s) => s === 'UP')
      ? 'UP'
      : states.every((s) => s === 'DOWN')
        ? 'DOWN'
        : 'DEGRADED';
    const oks = this.paths.map((p) => p.lastOkAt ?? 0);
    const last = Math.max(0, ...oks);
    return {
      name: this.peer.name,
      station: this.peer.station,
      state,
      lastExchangeAt: last || null,
      paths: this.paths.map(({ target: _t, ...p }) => ({ ...p })),
      size: this.verifier?.size ?? 0,
      deliveredUpTo: this.deliveredUpTo,
      halted: this.halted,
    };
  }

  /** The highest seq of this station's feed the peer has receipted as delivered. */
  get delivered(): number {
    return this.deliveredUpTo;
  }

  private markOk(p: PathRuntime): void {
    p.lastOkAt = this.host.clock.now();
    p.misses = 0;
    p.lastError = null;
    this.setState(p, 'UP');
  }

  private markFailed(p: PathRuntime, err: unknown): void {
    p.misses++;
    p.lastError = err instanceof Error ? err.message : String(err);
    this.setState(p, p.misses >= 3 ? 'DOWN' : 'DEGRADED');
    // A held pull on a path that stopped answering would only end at its timeout: fail over now.
    if (p === this.pullPath && p.state === 'DOWN') this.pullAbort.abort();
  }

  private setState(p: PathRuntime, state: LinkState): void {
    if (p.state !== state) {
      p.state = state;
      this.host.events.pathState(this.peer.name, p.url, state);
    }
  }

  /** The path to pull on: the first UP one in order of preference, else the first DEGRADED, else each DOWN one in turn. */
  private pickPath(): PathRuntime {
    return (
      this.paths.find((p) => p.state === 'UP') ??
      this.paths.find((p) => p.state === 'DEGRADED') ??
      this.paths[this.failover++ % this.paths.length]!
    );
  }

  private async heartbeatLoop(p: PathRuntime): Promise<void> {
    const signal = this.stop$.signal;
    while (!signal.aborted) {
      try {
        const res = await this.client.request(
          p.target,
          'POST',
          ROUTES.heartbeat,
          { ts: this.host.clock.now(), head: this.host.writer.size },
          {
            timeoutMs: Math.max(500, Math.min(this.opts.heartbeatMs, 10_000)),
            signal,
          },
        );
        if (res.status !== 200)
          throw new ParleyError(
            'PARLEY_E_LINK_MALFORMED',
            `heartbeat answered ${res.status}: ${JSON.stringify(res.json)}`,
            {},
          );
        parseHeartbeatReply(res.json);
        this.markOk(p);
      } catch (err) {
        if (signal.aborted) break;
        this.markFailed(p, err);
        if (isParleyError(err) && err.code !== 'PARLEY_E_LINK_UNREACHABLE')
          this.host.events.rejected(this.peer.name, err.code, err.message);
      }
      await sleep(this.opts.heartbeatMs, signal);
    }
  }

  private async pullLoop(): Promise<void> {
    const signal = this.stop$.signal;
    let failures = 0;
    while (!signal.aborted) {
      if (this.halted) {
        await sleep(this.opts.heartbeatMs, signal);
        continue;
      }
      const p = this.pickPath();
      this.pullPath = p;
      this.pullAbort = new AbortController();
      const abort = AbortSignal.any([signal, this.pullAbort.signal]);
      try {
        const q = `${ROUTES.entries}?after=${this.verifier.size}&limit=${this.opts.pullLimit}&wait=${this.opts.pullWaitMs}`;
        const res = await this.client.request(p.target, 'GET', q, undefined, {
          timeoutMs: this.opts.pullWaitMs + 10_000,
          signal: abort,
        });
        this.markOk(p);
        if (res.status !== 200) {
          const body = res.json as { code?: string; message?: string };
          throw new ParleyError(
            'PARLEY_E_LINK_MALFORMED',
            `pull answered ${res.status} ${body.code ?? ''} ${body.message ?? ''}`.trim(),
            {},
          );
        }
        await this.ingest(res.json);
        failures = 0;
      } catch (err) {
        if (signal.aborted) break;
        failures++;
        if (isParleyError(err) && err.code !== 'PARLEY_E_LINK_UNREACHABLE') {
          // The path answered, but with something this station refuses: count it, keep the path.
          this.host.events.rejected(this.peer.name, err.code, err.message);
          // An emergency rotation waits for an operator's re-pin (`parley peer repin`).
          if (err.code === 'PARLEY_E_KEY_REPIN_REQUIRED')
            await this.refreshRepins().catch(() => undefined);
        } else {
          this.markFailed(p, err);
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
   * Verifies a pull response and stores it in one transaction, or stores nothing: every entry
   * must continue the verified feed, and the checkpoint must match the verified entries.
   */
  async ingest(json: unknown): Promise<number> {
    const res = parsePullResponse(json);
    const v = this.verifier;
    if (res.station !== this.peer.station) {
      throw new ParleyError(
        'PARLEY_E_LINK_MALFORMED',
        `pull response is for station ${res.station}, not ${this.peer.station}`,
        {},
      );
    }
    const entries = res.entries.map((line) => ({ line, entry: parseEntryLine(line) }));
    const pre = await this.preverify(entries.map((e) => e.entry));
    const mark = v.mark();
    const rows: StoredEntry[] = [];
    const receipts: Entry[] = [];
    let receiptDue = false;
    let witnessDue = false;
    let checkpoint: Checkpoint | undefined;
    try {
      const now = this.host.clock.now();
      for (const { line, entry } of entries) {
        if (entry.seq <= mark.size) {
          await this.checkKnown(entry);
          continue;
        }
        if (entry.seq <= v.size) {
          // A seq this very batch already carried: a repeat, or a second signed version (a fork).
          const held = rows[entry.seq - mark.size - 1];
          if (
            held &&
            held.line !== line &&
            this.signedByPeer(entry, v.keyForSeq(entry.seq) ?? v.currentKey)
          ) {
            await this.equivocate(`two different entries signed for seq ${entry.seq}`, line);
            throw new ParleyError(
              'PARLEY_E_LINK_EQUIVOCATION',
              `peer ${this.peer.name} signed two different entries for seq ${entry.seq}`,
              { seq: entry.seq },
            );
          }
        }
        if (entry.ts > now + REPLAY_WINDOW_MS) {
          throw new ParleyError(
            'PARLEY_E_LINK_CLOCK_SKEW',
            `seq ${entry.seq} is timestamped ${entry.ts}, ahead of this station's clock ${now}`,
            { seq: entry.seq },
          );
        }
        let hash: string;
        try {
          hash = v.push(entry, pre.get(entry));
        } catch (err) {
          if (
            isParleyError(err, 'PARLEY_E_ENTRY_PREV_HASH') &&
            this.signedByPeer(entry, v.currentKey)
          ) {
            await this.equivocate(
              `seq ${entry.seq} does not extend the verified feed (a fork)`,
              line,
            );
          }
          throw err;
        }
        rows.push({
          seq: entry.seq,
          hash,
          prev: entry.prev,
          ts: entry.ts,
          kind: entry.kind,
          channel: entry.channel ?? null,
          line,
        });
        if (!NOT_RECEIPTED.has(entry.kind)) receiptDue = true;
        if (!NOT_WITNESSED.has(entry.kind)) witnessDue = true;
        if (entry.kind === KIND.receipt) receipts.push(entry);
      }
      if (
        res.checkpoint &&
        res.checkpoint.size <= v.size &&
        !this.sameCheckpoint(res.checkpoint, this.lastCheckpoint)
      ) {
        const cp = parseCheckpointLine(JSON.stringify(res.checkpoint));
        try {
          v.checkCheckpoint(cp);
        } catch (err) {
          if (isParleyError(err, 'PARLEY_E_CHECKPOINT_ROOT')) {
            await this.equivocate(
              `checkpoint of size ${cp.size} contradicts the verified entries`,
              JSON.stringify(cp),
            );
          }
          throw err;
        }
        checkpoint = cp;
      }
      if (rows.length > 0 || checkpoint)
        await this.host.store.append(this.peer.station, rows, checkpoint);
    } catch (err) {
      v.rollback(mark);
      throw err;
    }
    if (checkpoint) this.lastCheckpoint = checkpoint;
    for (const r of receipts) this.noteReceipt(r);
    if (rows.length > 0) this.host.events.ingested(this.peer.name, rows.length);
    this.receiptDue ||= receiptDue;
    this.witnessDue ||= witnessDue;
    await this.answer();
    return rows.length;
  }

  /**
   * Signing bytes and signature checks for the new entries of a batch, done ahead on the verify
   * pool. Only entries under the feed's current key are vouched for: the run stops at the first
   * key rotation (later entries need the new key) and at seq 1 (the genesis key comes from the
   * entry). Whatever is not vouched for is checked by the feed verifier itself, which raises the
   * coded error; this only saves work, it never accepts anything the verifier would refuse.
   */
  private async preverify(
    entries: Entry[],
  ): Promise<Map<Entry, { bytes: Uint8Array; verifiedKey?: PublicKeyB64 }>> {
    const out = new Map<Entry, { bytes: Uint8Array; verifiedKey?: PublicKeyB64 }>();
    const key = this.verifier.currentKey;
    if (!this.pool || !key) return out;
    const fresh: Entry[] = [];
    let next = this.verifier.size + 1;
    for (const e of entries) {
      if (e.seq < next) continue;
      if (e.seq !== next || e.seq === 1) break;
      next++;
      const sig = fromBase64Url(e.sig);
      if (!sig) break;
      fresh.push(e);
      out.set(e, { bytes: signingBytes(e) });
      if (e.kind === KIND.keyRotation) break;
    }
    if (fresh.length === 0) return out;
    const jobs: SignatureJob[] = fresh.map((e) => ({
      key,
      bytes: out.get(e)!.bytes,
      sig: fromBase64Url(e.sig)!,
    }));
    const ok = await this.pool.verifyAll(jobs);
    fresh.forEach((e, i) => {
      if (ok[i]) out.get(e)!.verifiedKey = key;
    });
    return out;
  }

  /** Appends what this station owes for what it stored: a delivered receipt and a witness cosignature, in one commit. */
  private async answer(): Promise<void> {
    const drafts: EntryDraft[] = [];
    const v = this.verifier;
    if (this.receiptDue && v.size > 0) {
      drafts.push({
        kind: KIND.receipt,
        body: { level: 'delivered', station: this.peer.station, upTo: v.size, hash: v.head },
      });
    }
    const cp = this.lastCheckpoint;
    if (this.witnessDue && cp) {
      drafts.push({
        kind: KIND.cosignature,
        body: { station: cp.station, size: cp.size, root: cp.root, ts: cp.ts, sig: cp.sig },
      });
    }
    if (drafts.length === 0) return;
    await this.host.writer.appendMany(drafts);
    this.receiptDue = false;
    if (cp) this.witnessDue = false;
  }

  private noteReceipt(e: Entry): void {
    const b = e.body;
    if (
      b.level === 'delivered' &&
      b.station === this.host.station &&
      typeof b.upTo === 'number' &&
      b.upTo > this.deliveredUpTo
    ) {
      this.deliveredUpTo = b.upTo;
      this.host.events.delivered(this.peer.name, b.upTo);
    }
  }

  private sameCheckpoint(
    a: { size: number; root: string; ts: number },
    b: Checkpoint | null,
  ): boolean {
    return b !== null && a.size === b.size && a.root === b.root && a.ts === b.ts;
  }

  private signedByPeer(entry: Entry, key: PublicKeyB64 | undefined): boolean {
    const sig = fromBase64Url(entry.sig);
    return key !== undefined && sig !== undefined && verifySignature(key, signingBytes(entry), sig);
  }

  /** An entry at a seq already held: harmless if identical, an equivocation if validly signed and different. */
  private async checkKnown(entry: Entry): Promise<void> {
    const [stored] = await this.host.store.entries(this.peer.station, entry.seq - 1, 1);
    if (!stored) return;
    const parsed = parseEntryLine(stored.line);
    if (parsed.sig === entry.sig && stored.prev === entry.prev) return;
    if (
      this.signedByPeer(entry, this.verifier.keyForSeq(entry.seq)) &&
      JSON.stringify(parsed) !== JSON.stringify(entry)
    ) {
      await this.equivocate(
        `two different entries signed for seq ${entry.seq}`,
        JSON.stringify(entry),
      );
      throw new ParleyError(
        'PARLEY_E_LINK_EQUIVOCATION',
        `peer ${this.peer.name} signed two different entries for seq ${entry.seq}`,
        { seq: entry.seq },
      );
    }
  }

  private async equivocate(reason: string, evidence: string): Promise<void> {
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
    await this.host.writer.append({ kind: KIND.alarm, body });
    this.host.events.equivocation(this.peer.name, reason);
  }

  /** Test and diagnostics hook: verifies a checkpoint signature under the peer's keys. */
  verifiesCheckpoint(cp: Checkpoint): boolean {
    return this.keys().some((k) => verifyCheckpointSignature(cp, k));
  }
}
