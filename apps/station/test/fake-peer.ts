// A scriptable fake peer station for hostile-peer tests (in the spirit of Matrix's Complement
// fake homeserver). It has its own real Ed25519 identity and a real feed built with the ledger,
// and two halves:
//
// - a SERVER answering `POST /link/v1/pull` (its identity feed) and `POST /link/v1/heartbeat` like a real station
//   (requests authenticated, responses signed and bound to the request nonce, long polls held),
//   whose pull answers can be scripted: honest, withheld, reordered, duplicated, with a gap, a
//   wrong prev, a forged signature, a future timestamp, an equivocation (a different validly
//   signed entry for a seq already served, a fork at head, a checkpoint with a wrong root), a
//   response signed by the wrong key or replayed from an earlier request, a malformed body.
// - a CLIENT sending signed requests to a real station's /link/v1 routes, with knobs to forge
//   the signature, replay a captured request byte for byte, claim another station, skew the
//   date, send an oversized or malformed body, or omit headers.
import { createServer, request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { isParleyError } from '@parley/core';
import type { PublicKeyB64, StationId } from '@parley/core';
import {
  fromHex,
  generateIdentity,
  GENESIS_PREV,
  KIND,
  MerkleTree,
  sealEntry,
  signCheckpoint,
  signerFromPem,
  stationIdFromKey,
  toBase64Url,
  toHex,
} from '@parley/ledger';
import type { Checkpoint, SealedEntry, Signer, UnsignedEntry } from '@parley/ledger';
import {
  H,
  NonceCache,
  REPLAY_WINDOW_MS,
  requestBytes,
  signResponse,
  verifyRequest,
  verifyResponse,
} from '@parley/link';
import type { FeedChunk } from '@parley/link';

/** What the scripts answer: the fake peer's one feed (sent as its identity feed, `asPullAnswer`). */
export type PullResponse = Omit<FeedChunk, 'audience'> & { station: string };
import { httpError } from '@parley/station';

export const DAY_MS = 24 * 60 * 60 * 1000;

/** A fresh Ed25519 identity: signer, public key and the station id it would have. */
export function newIdentity(): { signer: Signer; key: PublicKeyB64; station: StationId } {
  const { privatePem, publicKey } = generateIdentity();
  return {
    signer: signerFromPem(privatePem),
    key: publicKey,
    station: stationIdFromKey(publicKey),
  };
}

/** 64 random hex digits: a hash nothing hashes to. */
export function randomHash(): string {
  return toHex(randomBytes(32));
}

const unsigned = (e: SealedEntry): UnsignedEntry => {
  const { sig: _sig, ...rest } = e.entry;
  return rest;
};

/**
 * The fake peer's honest feed: a genesis entry, then whatever the test appends, each sealed with
 * the peer's key and chained; the Merkle tree and checkpoints follow the ledger's rules (§2–§4).
 * `forge` builds entries that are NOT part of the feed (for hostile answers).
 */
export class FakeFeed {
  readonly entries: SealedEntry[] = [];
  private readonly tree = new MerkleTree();
  private readonly listeners = new Set<() => void>();

  constructor(
    readonly name: string,
    readonly signer: Signer,
    readonly station: StationId,
  ) {
    this.push({ kind: KIND.genesis, body: { name, key: signer.publicKey } });
  }

  get size(): number {
    return this.entries.length;
  }

  /** Entry `seq` (1-based). */
  at(seq: number): SealedEntry {
    const e = this.entries[seq - 1];
    if (!e) throw new Error(`fake feed has no seq ${seq} (size ${this.size})`);
    return e;
  }

  /** Hash of entry `seq` (64 zeros for seq 0). */
  hashAt(seq: number): string {
    return seq === 0 ? GENESIS_PREV : this.at(seq).hash;
  }

  private lastTs(): number {
    return this.entries[this.entries.length - 1]?.entry.ts ?? 0;
  }

  private push(draft: { kind: string; channel?: string; body: Record<string, unknown> }) {
    const seq = this.size + 1;
    const sealed = sealEntry(
      {
        v: 1,
        station: this.station,
        seq,
        prev: this.hashAt(seq - 1),
        ts: Math.max(Date.now(), this.lastTs()),
        kind: draft.kind,
        ...(draft.channel !== undefined ? { channel: draft.channel } : {}),
        body: draft.body,
      } as UnsignedEntry,
      this.signer,
    );
    this.entries.push(sealed);
    this.tree.appendLeaf(fromHex(sealed.hash)!);
    for (const l of [...this.listeners]) l();
    return sealed;
  }

  /** Appends an operator message (wakes held pulls, like a commit on a real station). */
  message(text: string, channel = 'ops'): SealedEntry {
    return this.push({ kind: KIND.message, channel, body: { precedence: 'FLASH', text } });
  }

  /** Appends `n` messages. */
  messages(n: number, prefix = 'fake'): SealedEntry[] {
    return Array.from({ length: n }, (_, i) => this.message(`${prefix} ${this.size + 1} (${i})`));
  }

  /** Merkle root of the first `size` entries, hex. */
  root(size = this.size): string {
    return toHex(this.tree.root(size));
  }

  /** A checkpoint over the first `size` entries; `root` and `signer` may be overridden to forge one. */
  checkpoint(
    size = this.size,
    opts: { root?: string; signer?: Signer; ts?: number } = {},
  ): Checkpoint {
    return signCheckpoint(
      this.station,
      size,
      opts.root ?? this.root(size),
      opts.ts ?? Math.max(this.at(size).entry.ts, Date.now()),
      opts.signer ?? this.signer,
    );
  }

  /**
   * An entry at `seq` that is not appended: by default the honest entry's content (or a new
   * message if the feed has not reached `seq`), with any field overridden, signed by `signer`
   * (the peer's own key unless given, i.e. validly signed).
   */
  forge(seq: number, over: Partial<UnsignedEntry> = {}, signer: Signer = this.signer): SealedEntry {
    const base: UnsignedEntry =
      seq <= this.size
        ? unsigned(this.at(seq))
        : {
            v: 1,
            station: this.station,
            seq,
            prev: seq === this.size + 1 ? this.hashAt(this.size) : randomHash(),
            ts: Math.max(Date.now(), this.lastTs()),
            kind: KIND.message,
            channel: 'ops',
            body: { precedence: 'FLASH', text: `forged ${seq}` },
          };
    return sealEntry({ ...base, ...over } as UnsignedEntry, signer);
  }

  /**
   * A validly signed alternative history: entries `from`..`to` that share 1..from-1 with the feed
   * and then diverge (different text), each chained to the one before it in the fork.
   */
  fork(from: number, to: number): SealedEntry[] {
    const out: SealedEntry[] = [];
    let prev = this.hashAt(from - 1);
    for (let seq = from; seq <= to; seq++) {
      const e = this.forge(seq, {
        prev,
        kind: KIND.message,
        channel: 'ops',
        body: { precedence: 'FLASH', text: `the other history, seq ${seq}` },
        ts: Math.max(Date.now(), this.lastTs()),
      });
      out.push(e);
      prev = e.hash;
    }
    return out;
  }

  /** What a real station answers to "entries after `after`": up to `limit` entries and its latest checkpoint. */
  answer(after: number, limit: number): PullResponse {
    return {
      station: this.station,
      entries: this.entries.slice(after, after + limit).map((e) => e.line),
      checkpoint: this.size > 0 ? this.checkpoint() : null,
      head: this.size,
    };
  }

  /** Calls `fn` after every append; returns the unsubscribe function. */
  onAppend(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
}

/** One pull the fake peer's server received. */
export interface PullInfo {
  after: number;
  limit: number;
  wait: number;
  /** The request's nonce (what the response must be bound to). */
  nonce: string;
  from: string;
  at: number;
}

/** A captured signed response (for replaying it to another request). */
export interface CapturedResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** How to answer one pull. */
export interface Answer {
  status?: number;
  /** JSON body (serialised with JSON.stringify). */
  body?: unknown;
  /** Exact body bytes instead of `body`. */
  raw?: string | Buffer;
  /** Key to sign the response with; null sends it unsigned. Default: the peer's own key. */
  signer?: Signer | null;
  /** Send exactly this captured response (headers and body), whatever the request was. */
  replay?: CapturedResponse;
  /**
   * Hold the pull (long poll) until the feed grows, the script changes, `wait` ends or the
   * server closes, then ask the script again. Default: false.
   */
  hold?: boolean;
}

export type PullScript = (q: PullInfo, fake: FakePeer) => Answer;

const linesOf = (xs: readonly SealedEntry[]) => xs.map((e) => e.line);

/**
 * Ready-made pull scripts. Each corrupts the answer a real station would give; while there is
 * nothing after `after` to corrupt, the scripts that need a new entry hold the pull like an
 * honest station would, and strike when the test appends one.
 */
export const scripts = {
  /** Serve the feed as a real station would. */
  honest: (): PullScript => (q, f) => {
    const body = f.feed.answer(q.after, q.limit);
    return { body, hold: body.entries.length === 0 };
  },

  /** Answer every pull empty (after holding it), as if the feed had not grown. */
  withhold: (): PullScript => (q, f) => ({
    body: { station: f.station, entries: [], checkpoint: null, head: q.after },
    hold: true,
  }),

  /** Helper: corrupt the honest batch after `after` with `fn` (only when it is non-empty). */
  corrupt:
    (
      fn: (batch: SealedEntry[], q: PullInfo, f: FakePeer) => string[],
      opts: { checkpoint?: boolean } = {},
    ): PullScript =>
    (q, f) => {
      const batch = f.feed.entries.slice(q.after, q.after + q.limit);
      if (batch.length === 0) return scripts.honest()(q, f);
      return {
        body: {
          station: f.station,
          entries: fn(batch, q, f),
          checkpoint: opts.checkpoint ? f.feed.checkpoint() : null,
          head: f.feed.size,
        },
      };
    },

  /** The batch in reverse order. */
  reorder: (): PullScript =>
    scripts.corrupt((b) => (b.length > 1 ? linesOf([...b].reverse()) : linesOf(b))),

  /** Every entry of the batch twice in a row. */
  duplicate: (): PullScript => scripts.corrupt((b) => b.flatMap((e) => [e.line, e.line])),

  /** Entries the puller already holds, then the new ones: harmless re-delivery. */
  resend: (): PullScript =>
    scripts.corrupt((b, q, f) => [...linesOf(f.feed.entries.slice(0, q.after)), ...linesOf(b)]),

  /** The batch with its first entry left out: a gap. */
  gap: (): PullScript => scripts.corrupt((b) => linesOf(b.slice(1))),

  /** The first entry kept, the second left out: a gap in the middle (the first must not be stored either). */
  gapAfterFirst: (): PullScript =>
    scripts.corrupt((b) => (b.length > 2 ? [b[0]!.line, ...linesOf(b.slice(2))] : linesOf(b))),

  /** The next entry with a wrong prev, signed by another key (a forgery, not a fork). */
  wrongPrev: (intruder: Signer): PullScript =>
    scripts.corrupt((b, q, f) => [
      f.feed.forge(q.after + 1, { prev: randomHash() }, intruder).line,
      ...linesOf(b.slice(1)),
    ]),

  /** The next entry's exact content re-signed by another key. */
  forgeSignature: (intruder: Signer): PullScript =>
    scripts.corrupt((b, q, f) => [
      f.feed.forge(q.after + 1, {}, intruder).line,
      ...linesOf(b.slice(1)),
    ]),

  /**
   * The entry `at` places into the batch re-signed by another key, the rest honest: in a batch
   * large enough for the receiver's verify pool, the forgery sits in a worker's share.
   */
  forgeSignatureAt: (intruder: Signer, at: number): PullScript =>
    scripts.corrupt((b, q, f) =>
      b.map((e, i) => (i === at ? f.feed.forge(q.after + 1 + i, {}, intruder).line : e.line)),
    ),

  /** The next entry, validly signed, but timestamped `aheadMs` in the future. */
  futureTs: (aheadMs = DAY_MS): PullScript =>
    scripts.corrupt((b, q, f) => [
      f.feed.forge(q.after + 1, { ts: Date.now() + aheadMs }).line,
      ...linesOf(b.slice(1)),
    ]),

  /** Validly signed entries of another station id (its own genesis, say): refused as the wrong station. */
  wrongStation: (other: { signer: Signer; station: StationId }): PullScript =>
    scripts.corrupt((_b, q, f) => [
      sealEntry({ ...unsigned(f.feed.forge(q.after + 1)), station: other.station }, other.signer)
        .line,
    ]),

  /** Equivocation: a different, validly signed entry for `seq`, which the puller already holds. */
  equivocateAt:
    (seq: number): PullScript =>
    (q, f) => ({
      body: {
        station: f.station,
        entries: [
          f.feed.forge(seq, { body: { precedence: 'FLASH', text: `a different seq ${seq}` } }).line,
        ],
        checkpoint: null,
        head: f.feed.size,
      },
    }),

  /**
   * Equivocation inside one answer: the next (new) entry, then a different validly signed entry
   * for the same seq, both chained to what the puller holds.
   */
  twoVersionsOfNext: (): PullScript => (q, f) => {
    const seq = q.after + 1;
    if (seq > f.feed.size) f.feed.messages(1, 'the next one');
    const honest = f.feed.at(seq);
    const other = f.feed.forge(seq, { body: { precedence: 'FLASH', text: `another seq ${seq}` } });
    return {
      body: {
        station: f.station,
        entries: [honest.line, other.line],
        checkpoint: null,
        head: f.feed.size,
      },
    };
  },

  /** Equivocation: a fork at head, the next entry validly signed but chained to another history. */
  forkAtHead: (): PullScript => (q, f) => {
    const fork = f.feed.fork(q.after, q.after + 1);
    return {
      body: {
        station: f.station,
        entries: [fork[fork.length - 1]!.line],
        checkpoint: null,
        head: q.after + 1,
      },
    };
  },

  /** Equivocation: a validly signed checkpoint over what the puller holds, with a wrong root. */
  wrongRootCheckpoint: (): PullScript => (q, f) => ({
    body: {
      station: f.station,
      entries: [],
      checkpoint: f.feed.checkpoint(q.after, { root: randomHash() }),
      head: q.after,
    },
  }),

  /** A checkpoint with the right root signed by another key: a forgery, refused, no alarm. */
  forgeCheckpoint:
    (intruder: Signer): PullScript =>
    (q, f) => ({
      body: {
        station: f.station,
        entries: [],
        checkpoint: f.feed.checkpoint(q.after, { signer: intruder }),
        head: q.after,
      },
    }),

  /** The honest answer, signed by another key. */
  signWith:
    (signer: Signer): PullScript =>
    (q, f) => ({ ...scripts.honest()(q, f), signer }),

  /** The honest answer, unsigned. */
  unsigned: (): PullScript => (q, f) => ({ ...scripts.honest()(q, f), signer: null }),

  /** Replays the response captured for an earlier request (validly signed, for another nonce). */
  replayResponse:
    (captured: CapturedResponse): PullScript =>
    () => ({ replay: captured }),

  /** A signed body that is not JSON. */
  notJson: (): PullScript => () => ({ raw: '{"station": "stn_' }),

  /** A signed JSON body that is not a pull response. */
  wrongShape: (): PullScript => (q, f) => ({
    body: { ...f.feed.answer(q.after, q.limit), extra: true, entries: 'none' },
  }),
};

/** The longest a fake pull is held, whatever `wait` says (keeps tests quick to close). */
const MAX_HOLD_MS = 2_000;

/**
 * The fake peer station. `start()` listens on 127.0.0.1 (port 0); `trust()` pairs a real
 * station (so its signed requests are accepted); `script()` sets how pulls are answered from now
 * on, `once()` queues a script for the next pull only.
 */
export class FakePeer {
  readonly feed: FakeFeed;
  readonly station: StationId;
  readonly key: PublicKeyB64;
  /** Every pull received (authenticated), in order. */
  readonly pulls: PullInfo[] = [];
  /** Heartbeats received (authenticated). */
  heartbeats = 0;
  /** Requests refused by the fake's own authentication, by code. */
  readonly refused: string[] = [];
  /** The last honest, validly signed pull response (to replay). */
  lastResponse: CapturedResponse | undefined;
  /** Key to sign heartbeat replies with; null: unsigned. Default: the peer's key. */
  heartbeatSigner: Signer | null | undefined;

  private server: Server | undefined;
  private url_ = '';
  private readonly trusted = new Map<string, PublicKeyB64[]>();
  private readonly nonces = new NonceCache();
  private persistent: PullScript = scripts.honest();
  private readonly queue: PullScript[] = [];
  private readonly wakers = new Set<() => void>();
  private closed = false;

  constructor(readonly name = 'Foxtrot') {
    const id = newIdentity();
    this.station = id.station;
    this.key = id.key;
    this.feed = new FakeFeed(name, id.signer, id.station);
    this.feed.onAppend(() => this.wake());
  }

  static async start(name = 'Foxtrot'): Promise<FakePeer> {
    const f = new FakePeer(name);
    await f.listen();
    return f;
  }

  get url(): string {
    return this.url_;
  }

  get signer(): Signer {
    return this.feed.signer;
  }

  /** What a real station's `addPeer` needs to pair with this fake. */
  get dir(): { name: string; dir: string; station: string; key: string } {
    return { name: this.name, dir: '', station: this.station, key: this.key };
  }

  /** Accepts signed requests from `station` under `key`. */
  trust(station: string, key: string): void {
    this.trusted.set(station, [key as PublicKeyB64]);
  }

  /** Answers every pull with `s` from now on (held pulls are asked again at once). */
  script(s: PullScript): void {
    this.queue.length = 0;
    this.persistent = s;
    this.wake();
  }

  /** Answers the next pull with `s`, then goes back to the persistent script. */
  once(s: PullScript): void {
    this.queue.push(s);
    this.wake();
  }

  /** Number of pulls received so far. */
  get pullCount(): number {
    return this.pulls.length;
  }

  private wake(): void {
    for (const w of [...this.wakers]) w();
  }

  private listen(): Promise<void> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500).end(String(err));
      });
    });
    this.server = server;
    return new Promise((resolve) =>
      server.listen(0, '127.0.0.1', () => {
        this.url_ = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        resolve();
      }),
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.wake();
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private async readBody(req: IncomingMessage): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of req as AsyncIterable<Buffer>) {
      size += c.length;
      if (size > 1024 * 1024) throw new Error('request body too large');
      chunks.push(c);
    }
    return Buffer.concat(chunks);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await this.readBody(req);
    const rawNonce = req.headers[H.nonce];
    const nonce = typeof rawNonce === 'string' ? rawNonce : '';
    let from: string;
    try {
      from = verifyRequest({
        headers: req.headers,
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        body,
        self: this.station,
        now: Date.now(),
        keysOf: (s) => this.trusted.get(s),
        nonces: this.nonces,
      }).station;
    } catch (err) {
      const { status, body: b } = httpError(err);
      this.refused.push(b.code);
      return this.send(res, nonce, { status, body: b });
    }
    const url = new URL(req.url ?? '/', 'http://fake');
    if (req.method === 'POST' && url.pathname === '/link/v1/pull') {
      // The fake peer has one feed, its identity feed: the cursor the station holds for it.
      let parsed: {
        feeds?: { audience: string | null; after: number }[];
        limit?: number;
        wait?: number;
      } = {};
      try {
        parsed = JSON.parse(body.toString('utf8')) as typeof parsed;
      } catch {
        // an empty or broken body counts as no cursors
      }
      const own = parsed.feeds?.find((f) => f.audience === null);
      const q: PullInfo = {
        after: own?.after ?? 0,
        limit: parsed.limit ?? 1000,
        wait: parsed.wait ?? 0,
        nonce,
        from,
        at: Date.now(),
      };
      this.pulls.push(q);
      return this.answerPull(req, res, q);
    }
    if (req.method === 'POST' && url.pathname === '/link/v1/heartbeat') {
      this.heartbeats++;
      return this.send(res, nonce, {
        body: { station: this.station, ts: Date.now(), head: this.feed.size },
        ...(this.heartbeatSigner !== undefined ? { signer: this.heartbeatSigner } : {}),
      });
    }
    return this.send(res, nonce, {
      status: 404,
      body: { code: 'PARLEY_E_NOT_FOUND', message: 'no such link route' },
    });
  }

  private async answerPull(req: IncomingMessage, res: ServerResponse, q: PullInfo): Promise<void> {
    const pick = (): PullScript => this.queue[0] ?? this.persistent;
    let script = pick();
    let answer = script(q, this);
    if (answer.hold && q.wait > 0 && !this.closed) {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.wakers.delete(done);
          req.off('close', done);
          resolve();
        };
        const timer = setTimeout(done, Math.min(q.wait, MAX_HOLD_MS));
        this.wakers.add(done);
        req.on('close', done);
      });
      if (res.destroyed || this.closed) return void res.destroy();
      script = pick();
      answer = script(q, this);
    }
    if (this.queue[0] === script) this.queue.shift();
    this.send(res, q.nonce, asPullAnswer(answer));
  }

  private send(res: ServerResponse, nonce: string, a: Answer): void {
    if (res.destroyed) return;
    let status = a.status ?? 200;
    let body: Buffer =
      a.raw !== undefined ? Buffer.from(a.raw) : Buffer.from(JSON.stringify(a.body ?? {}));
    let headers: Record<string, string>;
    if (a.replay) {
      ({ status, headers, body } = a.replay);
    } else if (a.signer === null) {
      headers = {};
    } else {
      headers = signResponse(a.signer ?? this.signer, {
        status,
        from: this.station,
        requestNonce: nonce,
        // The fake keeps no copy of the requester's feed.
        known: 0,
        body,
        now: Date.now(),
      });
      if (a.signer === undefined && a.raw === undefined && status === 200)
        this.lastResponse = { status, headers, body };
    }
    res.writeHead(status, {
      ...headers,
      'content-type': 'application/json',
      'content-length': String(body.length),
    });
    res.end(body);
  }

  /** A client sending this fake's signed requests to a real station. */
  client(target: { url: string; station: string; key: string }): FakeClient {
    return new FakeClient({ station: this.station, signer: this.signer }, target);
  }
}

/** One request as it went on the wire (to replay it byte for byte). */
export interface SentRequest {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body: Buffer;
}

/** A real station's answer to a fake request. */
export interface Reply {
  status: number;
  // Tests check the refusal body field by field.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
  headers: IncomingHttpHeaders;
  /** True when the response is signed by the target station and bound to this request's nonce. */
  signed: boolean;
  request: SentRequest;
}

export interface SendOptions {
  method?: 'GET' | 'POST';
  /** Path with query, e.g. `/link/v1/heartbeat`. */
  path: string;
  /** JSON body (serialised). */
  body?: unknown;
  /** Exact body bytes instead of `body` (malformed JSON, oversized bodies). */
  rawBody?: string | Buffer;
  /** Sign with this key instead of the station's own (a forgery). */
  signer?: Signer;
  /** Claim to be this station. */
  station?: string;
  /** The station the signature says the request is for (default: the real target). */
  target?: string;
  /** Add this to the date header (and to the signed date). */
  skewMs?: number;
  /** Use this nonce (22 base64url characters) instead of a fresh one. */
  nonce?: string;
  /** Leave these headers out (names from `H`). */
  omit?: string[];
  /** Content type; null for none. Default application/json. */
  contentType?: string | null;
  /** Sign a different body than the one sent (a body tampered with on the path). */
  signBody?: string | Buffer;
  /** `Parley-Known`: entries of the target's feed this sender claims to hold (default 0). */
  known?: number;
}

/** Sends signed (or deliberately mis-signed) link requests to one real station. */
export class FakeClient {
  constructor(
    readonly self: { station: StationId; signer: Signer },
    readonly target: { url: string; station: string; key: string },
  ) {}

  /** Builds and sends a request; see `SendOptions` for the knobs. */
  send(o: SendOptions): Promise<Reply> {
    const method = o.method ?? (o.body !== undefined || o.rawBody !== undefined ? 'POST' : 'GET');
    const body =
      o.rawBody !== undefined
        ? Buffer.from(o.rawBody)
        : o.body !== undefined
          ? Buffer.from(JSON.stringify(o.body))
          : Buffer.alloc(0);
    const date = Date.now() + (o.skewMs ?? 0);
    const nonce = o.nonce ?? toBase64Url(randomBytes(16));
    const station = o.station ?? this.self.station;
    const sig = (o.signer ?? this.self.signer).sign(
      requestBytes({
        method,
        path: o.path,
        from: station,
        target: o.target ?? this.target.station,
        date,
        nonce,
        known: o.known ?? 0,
        body: o.signBody !== undefined ? Buffer.from(o.signBody) : body,
      }),
    );
    const headers: Record<string, string> = {
      [H.station]: station,
      [H.date]: String(date),
      [H.nonce]: nonce,
      [H.known]: String(o.known ?? 0),
      [H.signature]: toBase64Url(sig),
    };
    if (o.contentType !== null) headers['content-type'] = o.contentType ?? 'application/json';
    for (const h of o.omit ?? []) delete headers[h];
    return this.replay({ method, path: o.path, headers, body });
  }

  /** A heartbeat, as a real peer sends it. */
  heartbeat(o: Partial<SendOptions> = {}): Promise<Reply> {
    return this.send({ path: '/link/v1/heartbeat', body: { ts: Date.now(), head: 1 }, ...o });
  }

  /** A pull that does not wait, of the target's identity feed from `after` (and any feed shared with this peer). */
  pull(after = 0, o: Partial<SendOptions> = {}): Promise<Reply> {
    return this.send({
      path: '/link/v1/pull',
      body: { feeds: [{ audience: null, after }], limit: 10, wait: 0 },
      ...o,
    });
  }

  /** Sends exactly this request again: same headers, same body, same nonce and signature. */
  replay(r: SentRequest): Promise<Reply> {
    const url = new URL(r.path, this.target.url);
    return new Promise<Reply>((resolve, reject) => {
      let answered = false;
      const req = httpRequest(
        url,
        {
          method: r.method,
          agent: false,
          headers: { ...r.headers, 'content-length': String(r.body.length) },
          timeout: 10_000,
        },
        (res) => {
          answered = true;
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const raw = Buffer.concat(chunks);
            let json: unknown = raw.toString('utf8');
            try {
              json = JSON.parse(raw.toString('utf8'));
            } catch {
              // keep the text
            }
            let signed = true;
            try {
              verifyResponse({
                headers: res.headers,
                status: res.statusCode ?? 0,
                peer: this.target.station as StationId,
                keys: [this.target.key as PublicKeyB64],
                requestNonce: r.headers[H.nonce] ?? '',
                body: raw,
              });
            } catch (err) {
              if (!isParleyError(err)) throw err;
              signed = false;
            }
            resolve({
              status: res.statusCode ?? 0,
              json,
              headers: res.headers,
              signed,
              request: r,
            });
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${r.method} ${r.path} timed out`)));
      // A server may answer (413) and close before it has read an oversized body: that is fine.
      req.on('error', (err) => {
        if (!answered) reject(err);
      });
      req.end(r.body);
    });
  }
}

/**
 * The scripts speak of one feed (`{station, entries, checkpoint, head}`): on the wire that is the
 * fake peer's identity feed in a pull response (`{station, feeds: [{audience: null, …}]}`).
 * Anything else (raw bytes, a replay, an error) goes out as it is.
 */
function asPullAnswer(a: Answer): Answer {
  const b = a.body as Record<string, unknown> | undefined;
  if (a.raw !== undefined || a.replay || !b || typeof b !== 'object' || !('entries' in b)) return a;
  const { station, ...feed } = b;
  return { ...a, body: { station, feeds: [{ audience: null, ...feed }] } };
}

/** Half a replay window: a skew the station must still accept. */
export const TOLERATED_SKEW_MS = REPLAY_WINDOW_MS / 2;
