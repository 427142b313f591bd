import { checkBody, isParleyError, ParleyError } from '@parley/core';
import type { PublicKeyB64, StationId } from '@parley/core';
import {
  feedKey,
  fromBase64Url,
  KIND,
  parseCheckpointLine,
  parseEntryLine,
  signingBytes,
  verifySignature,
} from '@parley/ledger';
import type { AudienceId, Checkpoint, Entry, FeedVerifier } from '@parley/ledger';
import { loadFeedVerifier } from '@parley/store';
import type { EntryDraft, FeedWriter, StoredEntry } from '@parley/store';
import { REPLAY_WINDOW_MS } from './request-auth.js';
import type { SignatureJob, VerifyPool } from './verify-pool.js';
import type { FeedChunk } from './wire.js';
import type { LinkHost } from './link-host.js';

/** Kinds that get no delivered receipt (receipting them would echo forever). */
const NOT_RECEIPTED = new Set<string>([KIND.receipt, KIND.cosignature]);
/** Kinds that answer another entry (`body.of`): the answered entry must be of the same audience. */
const ANSWERS = new Set<string>([KIND.receipt, 'translation', 'call-response', 'notice-cancel']);
/** Kinds that do not by themselves call for a fresh witness cosignature. */
const NOT_WITNESSED = new Set<string>([KIND.cosignature]);
/**
 * Kinds whose growth is witnessed lazily: once it is `WITNESS_LAG_MS` old, with the next pull
 * answer (or at once with the next entry that calls for a cosignature). In an audience of N a
 * message draws N − 1 receipts; witnessing each at once would draw (N − 1)² cosignatures, each
 * replicated to N − 1 members again (ADR 0003, fan-out).
 */
const LAZILY_WITNESSED = new Set<string>([KIND.receipt]);
/** How old receipt-only growth of a peer's feed is before this station witnesses it. */
export const WITNESS_LAG_MS = 1000;

/** The alarm type of a peer's entry whose body fails the schema of its kind (§2.2). */
export const VIOLATION_ALARM = 'protocol-violation';
/** Store metadata: up to which seq a peer feed's bodies have been checked and alarmed. */
export const checkedKey = (feed: string) => `link.bodies-checked.${feed}`;
/** How many entries may be checked past the stored mark before it is moved. */
export const CHECKED_MARK_EVERY = 10_000;

/** What a replica asks of the link it belongs to. */
export interface ReplicaOwner {
  readonly peerName: string;
  readonly peerStation: StationId;
  /** Records the peer's equivocation: halts the peer and raises the alarm. */
  equivocate(reason: string, evidence: string, audience: AudienceId | null): Promise<void>;
  /** The peer has receipted this station's feed of `audience` up to `upTo`. */
  delivered(audience: AudienceId, upTo: number): void;
  /** Whether an emergency rotation of the peer onto `key` is accepted (an operator re-pinned it). */
  acceptsEmergency(key: PublicKeyB64): boolean;
  /** The peer signed an entry whose body fails its schema: it is stored, kept out of every fold and alarmed. */
  violation(code: string, message: string): void;
}

/**
 * This station's verified copy of one of a peer's feeds: its identity feed, or one of its
 * audience feeds that this station is a member of (ADR 0003). It verifies and stores what the
 * peer serves, all or nothing, and answers an audience feed with a delivered receipt and a
 * witness cosignature in this station's own feed for the same audience.
 */
export class FeedReplica {
  verifier!: FeedVerifier;
  private lastCheckpoint: Checkpoint | null = null;
  private witnessDue = false;
  /** When the peer's feed first grew by entries witnessed lazily only (null: no such growth). */
  private witnessLagSince: number | null = null;
  private receiptDue = false;
  /** The highest seq of this station's feed for the audience that the peer has receipted. */
  deliveredUpTo = 0;
  /** How far the stored mark says the peer's feed is checked (see `alarmViolations`). */
  private checkedMark = 0;
  /** Hashes of the peer's entries already alarmed as protocol violations. */
  private readonly alarmed = new Set<string>();
  readonly feed: string;

  constructor(
    private readonly host: LinkHost,
    private readonly owner: ReplicaOwner,
    readonly audience: AudienceId | null,
    private readonly pool?: VerifyPool,
  ) {
    this.feed = feedKey(owner.peerStation, audience);
  }

  /** Loads the stored state and appends any answers owed from before a restart. */
  async load(): Promise<void> {
    const { store } = this.host;
    this.verifier = await loadFeedVerifier(store, this.owner.peerStation, this.audience);
    this.verifier.acceptEmergency = (key) => this.owner.acceptsEmergency(key);
    this.lastCheckpoint = await store.latestCheckpoint(this.feed);
    if (!this.audience) return;
    for (const r of await store.entriesOfKind(this.feed, [KIND.receipt])) {
      const e = parseEntryLine(r.line);
      if (!checkBody(e)) this.noteReceipt(e);
    }
    const own = await this.ownWriter();
    if (!own) return;
    const ownReceipts = await store.entriesOfKind(own.feed, [KIND.receipt]);
    const receipted = ownReceipts
      .map((r) => parseEntryLine(r.line).body)
      .filter((b) => b.station === this.owner.peerStation);
    const lastUpTo = Math.max(0, ...receipted.map((b) => Number(b.upTo) || 0));
    this.receiptDue = this.verifier.size > lastUpTo;
    const cosigned = (await store.lastOfKind(own.feed, KIND.cosignature)) !== null;
    this.witnessDue = this.verifier.size > 0 && (!cosigned || this.receiptDue);
    await this.answer();
    await this.catchUpViolations(own);
  }

  /**
   * After a restart: checks the bodies of stored entries not yet checked (a crash between storing
   * and alarming, or entries stored by an older version), alarming each failing one once.
   */
  private async catchUpViolations(own: FeedWriter): Promise<void> {
    const { store } = this.host;
    const checked = Number((await store.getMeta(checkedKey(this.feed))) ?? 0) || 0;
    this.checkedMark = checked;
    if (checked >= this.verifier.size) return;
    for (const r of await store.entriesOfKind(own.feed, [KIND.alarm])) {
      const b = parseEntryLine(r.line).body;
      const of = b.of as { hash?: unknown } | undefined;
      if (b.type === VIOLATION_ALARM && typeof of?.hash === 'string') this.alarmed.add(of.hash);
    }
    let after = checked;
    while (after < this.verifier.size) {
      const rows = await store.entries(this.feed, after, 1000);
      if (rows.length === 0) break;
      await this.alarmViolations(
        rows.map((r) => ({ entry: parseEntryLine(r.line), hash: r.hash })),
      );
      after = rows[rows.length - 1]!.seq;
    }
  }

  /**
   * Checks the bodies of stored entries of the peer's audience feed (§2.2) and appends, in this
   * station's own feed for the audience and in one commit, an alarm naming each entry that fails
   * (station, audience, seq, hash, the failing path). The entries stay stored (they are validly
   * signed and chained: the log stays whole) and every fold leaves them out. Then records how far
   * the feed is checked, so each violation is alarmed once.
   */
  private async alarmViolations(entries: { entry: Entry; hash: string }[]): Promise<void> {
    if (!this.audience || entries.length === 0) return;
    const drafts: EntryDraft[] = [];
    const hashes: string[] = [];
    for (const { entry, hash } of entries) {
      const fault = checkBody(entry);
      if (!fault || this.alarmed.has(hash)) continue;
      const reason = `${entry.kind} seq ${entry.seq} of ${this.feed} fails its schema at ${fault.path}: ${fault.message}`;
      drafts.push({
        kind: KIND.alarm,
        ...(entry.channel !== undefined ? { channel: entry.channel } : {}),
        body: {
          type: VIOLATION_ALARM,
          code: 'PARLEY_E_ENTRY_BODY',
          station: entry.station,
          of: { station: entry.station, audience: this.audience, seq: entry.seq, hash },
          path: fault.path,
          reason: reason.slice(0, 2000),
        },
      });
      hashes.push(hash);
      this.owner.violation('PARLEY_E_ENTRY_BODY', reason);
    }
    if (drafts.length > 0) {
      const writer = await this.ownWriter();
      if (!writer) return;
      await writer.appendMany(drafts);
      for (const h of hashes) this.alarmed.add(h);
    }
    // The mark is a write of its own: it is moved after an alarm, and otherwise every
    // CHECKED_MARK_EVERY entries, so a restart re-checks at most that many (checking is cheap;
    // a durable write per pulled batch is not). Re-checking an entry alarms nothing twice.
    const upTo = entries[entries.length - 1]!.entry.seq;
    if (drafts.length > 0 || upTo - this.checkedMark >= CHECKED_MARK_EVERY) {
      await this.host.store.setMeta(checkedKey(this.feed), String(upTo));
      this.checkedMark = upTo;
    }
  }

  get size(): number {
    return this.verifier?.size ?? 0;
  }

  /** This station's own feed for the same audience (created once the peer's copy names its members). */
  private async ownWriter(): Promise<FeedWriter | undefined> {
    const members = this.verifier.members;
    if (!this.audience || !members) return undefined;
    return this.host.audienceWriter(members);
  }

  /**
   * Verifies one feed's part of a pull response and stores it in one transaction, or stores
   * nothing: every entry must continue the verified feed, name this feed's audience, and the
   * checkpoint must match the verified entries. An audience feed whose members do not include
   * this station is refused (`PARLEY_E_AUDIENCE_NOT_MEMBER`).
   */
  async ingest(res: FeedChunk): Promise<number> {
    const v = this.verifier;
    const entries = res.entries.map((line) => ({ line, entry: parseEntryLine(line) }));
    const pre = await this.preverify(entries.map((e) => e.entry));
    const mark = v.mark();
    const rows: StoredEntry[] = [];
    const receipts: Entry[] = [];
    const stored: { entry: Entry; hash: string }[] = [];
    let receiptDue = false;
    let witnessDue = false;
    let lagging = false;
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
            await this.owner.equivocate(
              `two different entries signed for seq ${entry.seq} of ${this.feed}`,
              line,
              this.audience,
            );
            throw new ParleyError(
              'PARLEY_E_LINK_EQUIVOCATION',
              `peer ${this.owner.peerName} signed two different entries for seq ${entry.seq}`,
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
            await this.owner.equivocate(
              `seq ${entry.seq} of ${this.feed} does not extend the verified feed (a fork)`,
              line,
              this.audience,
            );
          }
          throw err;
        }
        const of = entry.body.of as { audience?: unknown } | undefined;
        if (
          this.audience &&
          ANSWERS.has(entry.kind) &&
          typeof of === 'object' &&
          of !== null &&
          of.audience !== this.audience
        ) {
          // A receipt (or other answer) counts only within the audience of what it answers: one
          // naming another audience's entry is refused, never stored or counted.
          throw new ParleyError(
            'PARLEY_E_AUDIENCE_NOT_MEMBER',
            `seq ${entry.seq} (${entry.kind}) of ${this.feed} answers an entry of ${String(of.audience ?? 'no audience')}, not of its own audience`,
            { seq: entry.seq },
          );
        }
        if (entry.seq === 1 && this.audience && !v.members?.includes(this.host.station)) {
          throw new ParleyError(
            'PARLEY_E_AUDIENCE_NOT_MEMBER',
            `peer ${this.owner.peerName} served ${this.audience}, whose members do not include this station`,
            { audience: this.audience },
          );
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
        if (LAZILY_WITNESSED.has(entry.kind)) lagging = true;
        else if (!NOT_WITNESSED.has(entry.kind)) witnessDue = true;
        if (entry.kind === KIND.receipt) receipts.push(entry);
        stored.push({ entry, hash });
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
            await this.owner.equivocate(
              `checkpoint of size ${cp.size} contradicts the verified entries of ${this.feed}`,
              JSON.stringify(cp),
              this.audience,
            );
          }
          throw err;
        }
        checkpoint = cp;
      }
      if (rows.length > 0 || checkpoint) await this.host.store.append(this.feed, rows, checkpoint);
    } catch (err) {
      v.rollback(mark);
      throw err;
    }
    if (checkpoint) this.lastCheckpoint = checkpoint;
    // A receipt with a body that fails its schema counts for nothing.
    for (const r of receipts) if (!checkBody(r)) this.noteReceipt(r);
    if (rows.length > 0) this.host.events.ingested(this.owner.peerName, rows.length);
    if (this.audience) {
      this.receiptDue ||= receiptDue;
      this.witnessDue ||= witnessDue;
      if (lagging && this.witnessLagSince === null) this.witnessLagSince = this.host.clock.now();
      await this.answer();
      await this.alarmViolations(stored);
    }
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

  /**
   * Appends what this station owes for what it stored of an audience feed: a delivered receipt
   * and a witness cosignature, in one commit of its own feed for that audience.
   */
  async answer(): Promise<void> {
    if (
      !this.witnessDue &&
      this.witnessLagSince !== null &&
      this.host.clock.now() - this.witnessLagSince >= WITNESS_LAG_MS
    )
      this.witnessDue = true;
    if (!this.receiptDue && !this.witnessDue) return;
    const writer = await this.ownWriter();
    if (!writer) return;
    const drafts: EntryDraft[] = [];
    const v = this.verifier;
    if (this.receiptDue && v.size > 0) {
      drafts.push({
        kind: KIND.receipt,
        body: {
          level: 'delivered',
          station: this.owner.peerStation,
          upTo: v.size,
          hash: v.head,
        },
      });
    }
    const cp = this.lastCheckpoint;
    if (this.witnessDue && cp) drafts.push({ kind: KIND.cosignature, body: { ...cp } });
    if (drafts.length === 0) return;
    await writer.appendMany(drafts);
    this.receiptDue = false;
    if (cp && this.witnessDue) {
      this.witnessDue = false;
      this.witnessLagSince = null;
    }
  }

  private noteReceipt(e: Entry): void {
    const b = e.body;
    if (
      this.audience &&
      b.level === 'delivered' &&
      b.station === this.host.station &&
      typeof b.upTo === 'number' &&
      b.upTo > this.deliveredUpTo
    ) {
      this.deliveredUpTo = b.upTo;
      this.owner.delivered(this.audience, b.upTo);
    }
  }

  private sameCheckpoint(
    a: { size: number; root: string; ts: number },
    b: Checkpoint | null,
  ): boolean {
    return b !== null && a.size === b.size && a.root === b.root && a.ts === b.ts;
  }

  signedByPeer(entry: Entry, key: PublicKeyB64 | undefined): boolean {
    const sig = fromBase64Url(entry.sig);
    return key !== undefined && sig !== undefined && verifySignature(key, signingBytes(entry), sig);
  }

  /** An entry at a seq already held: harmless if identical, an equivocation if validly signed and different. */
  private async checkKnown(entry: Entry): Promise<void> {
    const [stored] = await this.host.store.entries(this.feed, entry.seq - 1, 1);
    if (!stored) return;
    const parsed = parseEntryLine(stored.line);
    if (parsed.sig === entry.sig && stored.prev === entry.prev) return;
    if (
      this.signedByPeer(entry, this.verifier.keyForSeq(entry.seq)) &&
      JSON.stringify(parsed) !== JSON.stringify(entry)
    ) {
      await this.owner.equivocate(
        `two different entries signed for seq ${entry.seq} of ${this.feed}`,
        JSON.stringify(entry),
        this.audience,
      );
      throw new ParleyError(
        'PARLEY_E_LINK_EQUIVOCATION',
        `peer ${this.owner.peerName} signed two different entries for seq ${entry.seq}`,
        { seq: entry.seq },
      );
    }
  }
}
