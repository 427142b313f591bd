import {
  TWO_PERSON_TIERS,
  HotlineFolder,
  formatAge,
  formatDtg,
  HOTLINE_KIND,
  overdue,
  ParleyError,
  parseAgreement,
  parseChannel,
  parsePrecedence,
  parseText,
  parsePolicyText,
  refKey,
  CATALOGUE_VERSION,
  parseCatalogueMessage,
} from '@parley/core';
import type {
  CallView,
  ChannelView,
  EntryRef,
  HotlineState,
  MessageView,
  Precedence,
} from '@parley/core';
import type { LinkManager } from '@parley/link';
import type { AudienceId } from '@parley/ledger';
import type { Clock, EntryDraft, FeedWriter, Lease, StationHandle } from '@parley/store';
import { isMember, requireMember, requireMemberOr, requirePermission } from '../auth.js';
import type { Actor } from '../auth.js';
import { MessageDrafts } from './drafts.js';
import type { Draft } from './drafts.js';

export type { Draft } from './drafts.js';
import { FeedTail } from './feed-tail.js';
import type { LiveBus } from './live-bus.js';

// Genesis entries name each audience's members.
const KINDS = new Set<string>([...Object.values(HOTLINE_KIND), 'genesis']);
const MAX_REASON = 500;

/** Message content as an operator gives it: free text in a language, optionally replying to a message. */
export interface SendInput {
  channel: unknown;
  precedence: unknown;
  /** Free text, in the sender's language (`lang`). Either this or `catalogue`. */
  text?: unknown;
  lang?: unknown;
  /** A coded catalogue message: code + parameters, rendered in each reader's language. */
  catalogue?: unknown;
  replyTo?: unknown;
}

function parseReason(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > MAX_REASON) {
    throw new ParleyError(
      'PARLEY_E_INVALID_ARGUMENT',
      `a reason of 1–${MAX_REASON} characters is required, got ${JSON.stringify(value)}`,
      {},
    );
  }
  return parsePolicyText(value, { field: 'reason', max: MAX_REASON, multiline: true });
}

function parseLang(value: unknown): 'en' | 'zh' {
  if (value === 'en' || value === 'zh') return value;
  throw new ParleyError(
    'PARLEY_E_INVALID_ARGUMENT',
    `language ${JSON.stringify(value)} is not en or zh`,
    { value },
  );
}

/**
 * The hotline's operations on top of the feeds: channels by agreement, messages with receipts,
 * translations, call requests, the two-person rule, and the deadline watch that raises alarms
 * and escalates. Every decision is recorded as a signed entry; the state is folded from both
 * feeds (`foldHotline`), so both stations compute the same view from the same entries.
 */
export class HotlineService {
  private readonly folder: HotlineFolder;
  /** Reads only what is new in each feed since the last look. */
  private readonly tail: FeedTail;
  private readonly byId = new Map<string, MessageView | CallView>();
  private folding: Promise<void> = Promise.resolve();

  constructor(
    private readonly handle: StationHandle,
    /** The station's links, for link health in the channel list; absent when used from the CLI. */
    private readonly links: LinkManager | undefined,
    private readonly clock: Clock,
    private readonly bus: LiveBus,
  ) {
    this.folder = new HotlineFolder(handle.station);
    this.tail = new FeedTail(handle.store, (kind) => KINDS.has(kind));
    this.drafts_ = new MessageDrafts(handle.store);
  }

  private readonly drafts_: MessageDrafts;

  get station(): string {
    return this.handle.station;
  }

  /**
   * The hotline view, brought up to date by folding only the entries stored since the last look
   * (incremental: the cost follows new traffic, not the length of history).
   */
  async state(): Promise<{ state: HotlineState; byId: Map<string, MessageView | CallView> }> {
    // One catch-up at a time; concurrent callers share it.
    const run = this.folding.then(() => this.catchUp());
    // The chain only orders catch-ups: a failure reaches this call's caller through `await run`,
    // and the next call starts afresh.
    this.folding = run.catch(() => undefined);
    await run;
    return { state: this.folder.snapshot(), byId: this.byId };
  }

  private async catchUp(): Promise<void> {
    const entries = await this.tail.next();
    for (const e of entries)
      if (e.kind === HOTLINE_KIND.message || e.kind === HOTLINE_KIND.callRequest)
        this.pendingIds.push(refKey(e));
    this.folder.add(entries);
    if (this.pendingIds.length > 0) {
      const s = this.folder.snapshot();
      for (const key of this.pendingIds) {
        const item = s.messages.get(key) ?? s.calls.get(key);
        if (item) this.byId.set(item.id, item);
      }
      this.pendingIds = [];
    }
  }

  private pendingIds: string[] = [];

  /**
   * Appends to this station's feed for the channel's audience (ADR 0003); `undefined`: an
   * informal channel, which goes to the audience of this station and its only peer.
   */
  private async append(
    channel: ChannelView | undefined,
    drafts: EntryDraft[],
    fence?: Lease,
  ): Promise<EntryRef[]> {
    const writer = channel ? await this.writerFor(channel) : await this.informalWriter();
    const sealed = await writer.appendMany(drafts, fence ? { fence } : {});
    return sealed.map((s) => ({
      station: s.entry.station,
      ...(s.entry.audience ? { audience: s.entry.audience } : {}),
      seq: s.entry.seq,
      hash: s.hash,
    }));
  }

  /** This station's feed for a channel's audience, started if this station has not written there yet. */
  async writerFor(channel: ChannelView): Promise<FeedWriter> {
    const audience = channel.audience as AudienceId;
    return (
      (await this.handle.existingAudience(audience)) ?? this.handle.audienceWriter(channel.members)
    );
  }

  private async channel(name: string): Promise<ChannelView | undefined> {
    return (await this.state()).state.channels.get(name);
  }

  /**
   * Whether a channel name means anything here: a channel this station is party to, a name with
   * messages held, or (with exactly one peer) a possible informal channel.
   */
  async holds(name: string): Promise<boolean> {
    const { state } = await this.state();
    if (state.channels.has(name)) return true;
    for (const m of state.messages.values()) if (m.channel === name) return true;
    return (await this.handle.store.peers()).length === 1;
  }

  /** The feed of an informal channel: the audience of this station and its only peer. */
  private async informalWriter(): Promise<FeedWriter> {
    const peers = await this.handle.store.peers();
    if (peers.length !== 1)
      throw new ParleyError(
        'PARLEY_E_CHANNEL_NOT_FOUND',
        `this station has ${peers.length} peers: a channel must be proposed to its members before it carries traffic`,
        {},
      );
    return this.handle.audienceWriter([peers[0]!.station]);
  }

  /** The channel, or `PARLEY_E_CHANNEL_NOT_FOUND` (a station outside a channel's audience never sees it). */
  private async known(name: string): Promise<ChannelView> {
    const c = await this.channel(name);
    if (!c)
      throw new ParleyError('PARLEY_E_CHANNEL_NOT_FOUND', `no channel ${name} has been proposed`, {
        channel: name,
      });
    return c;
  }

  /**
   * Refuses traffic on a channel that is proposed but not accepted by every member, or
   * suspended. A name never proposed is an informal channel, allowed only while this station
   * has exactly one peer (with several, its audience would be undefined: ADR 0003); it returns
   * undefined then.
   */
  private async checkSendable(name: string): Promise<ChannelView | undefined> {
    const c = await this.channel(name);
    if (!c) {
      const peers = await this.handle.store.peers();
      if (peers.length === 1) return undefined;
      throw new ParleyError(
        'PARLEY_E_CHANNEL_NOT_FOUND',
        `no channel ${name} has been proposed, and with ${peers.length} peers an informal channel has no audience: propose it to its members`,
        { channel: name },
      );
    }
    if (c.status === 'proposed')
      throw new ParleyError(
        'PARLEY_E_CHANNEL_NOT_OPEN',
        `channel ${name} awaits the acceptance of ${c.members.filter((m) => !c.accepted.includes(m)).join(', ') || 'its members'}`,
        { channel: name },
      );
    if (c.status === 'suspended') {
      throw new ParleyError(
        'PARLEY_E_CHANNEL_SUSPENDED',
        `channel ${name} is suspended (${c.suspension?.reason ?? ''}); the link itself keeps running`,
        {
          channel: name,
        },
      );
    }
    return c;
  }

  /**
   * Proposes a channel to its members: the station ids of the other parties (with one peer and
   * none named, that peer). It opens once every member has accepted this exact proposal.
   */
  async proposeChannel(
    actor: Actor,
    nameArg: unknown,
    agreementArg: unknown,
    membersArg?: unknown,
  ): Promise<EntryRef> {
    requirePermission(actor, 'channels');
    const name = parseChannel(nameArg);
    requireMember(actor, name);
    const agreement = parseAgreement(agreementArg);
    const members = await this.parseMembers(membersArg);
    if (await this.channel(name))
      throw new ParleyError(
        'PARLEY_E_CHANNEL_EXISTS',
        `channel ${name} is already proposed or open`,
        { channel: name },
      );
    const writer = await this.handle.audienceWriter(members);
    const [sealed] = await writer.appendMany([
      { kind: HOTLINE_KIND.channelPropose, channel: name, body: { agreement, by: actor.name } },
    ]);
    return {
      station: sealed!.entry.station,
      audience: sealed!.entry.audience!,
      seq: sealed!.entry.seq,
      hash: sealed!.hash,
    };
  }

  /** A channel's other parties: paired peers' station ids, distinct; none given means the only peer. */
  private async parseMembers(value: unknown): Promise<string[]> {
    const peers = await this.handle.store.peers();
    if (value === undefined || (Array.isArray(value) && value.length === 0)) {
      if (peers.length === 1) return [peers[0]!.station];
      throw new ParleyError(
        'PARLEY_E_INVALID_ARGUMENT',
        `name the channel's members (station ids): this station has ${peers.length} peers`,
        {},
      );
    }
    if (!Array.isArray(value) || value.length > 63 || !value.every((m) => typeof m === 'string'))
      throw new ParleyError(
        'PARLEY_E_INVALID_ARGUMENT',
        'members must be a list of up to 63 station ids',
        {},
      );
    const known = new Set(peers.map((p) => p.station));
    const out = [...new Set(value as string[])];
    for (const m of out) {
      if (m === this.station || !known.has(m))
        throw new ParleyError(
          'PARLEY_E_PEER_NOT_FOUND',
          `member ${JSON.stringify(m)} is not a paired peer of this station`,
          { member: m },
        );
    }
    return out.sort();
  }

  async acceptChannel(actor: Actor, nameArg: unknown): Promise<EntryRef> {
    requirePermission(actor, 'channels');
    const name = parseChannel(nameArg);
    requireMember(actor, name);
    const c = await this.known(name);
    const amend = c.amendment;
    if (amend && amend.members.includes(this.station) && !amend.accepted.includes(this.station)) {
      // A change of members: agreed in the feeds of the new audience.
      const writer = await this.handle.audienceWriter(amend.members);
      const [sealed] = await writer.appendMany([
        {
          kind: HOTLINE_KIND.channelAccept,
          channel: name,
          body: { proposal: amend.proposal, by: actor.name },
        },
      ]);
      return {
        station: sealed!.entry.station,
        audience: sealed!.entry.audience!,
        seq: sealed!.entry.seq,
        hash: sealed!.hash,
      };
    }
    if (c.status !== 'proposed' || c.accepted.includes(this.station)) {
      throw new ParleyError(
        'PARLEY_E_CHANNEL_STATE',
        `channel ${name} is ${c.status}${c.accepted.includes(this.station) ? ' and this station has already agreed to it' : ''}`,
        { channel: name },
      );
    }
    const [ref] = await this.append(c, [
      {
        kind: HOTLINE_KIND.channelAccept,
        channel: name,
        body: { proposal: c.proposal, by: actor.name },
      },
    ]);
    return ref!;
  }

  /**
   * Proposes a new member set for an open channel (members added or removed): a proposal in the
   * new audience's feeds that names the channel's current proposal. The channel moves to the new
   * audience once every new member has accepted it; until then it goes on as it is. A removed
   * member keeps what it holds and receives nothing written after (ADR 0003).
   */
  async amendMembers(actor: Actor, nameArg: unknown, membersArg: unknown): Promise<EntryRef> {
    requirePermission(actor, 'channels');
    const name = parseChannel(nameArg);
    requireMember(actor, name);
    const c = await this.known(name);
    if (c.status === 'proposed' || c.amendment) {
      throw new ParleyError(
        'PARLEY_E_CHANNEL_STATE',
        `channel ${name} is ${c.amendment ? 'already being amended' : 'not agreed yet'}`,
        { channel: name },
      );
    }
    const members = await this.parseMembers(membersArg);
    const all = [...new Set([...members, this.station])].sort();
    if (JSON.stringify(all) === JSON.stringify(c.members))
      throw new ParleyError('PARLEY_E_INVALID_ARGUMENT', `channel ${name} has these members`, {
        channel: name,
      });
    const writer = await this.handle.audienceWriter(members);
    const [sealed] = await writer.appendMany([
      {
        kind: HOTLINE_KIND.channelPropose,
        channel: name,
        body: { agreement: c.agreement, supersedes: c.proposal, by: actor.name },
      },
    ]);
    return {
      station: sealed!.entry.station,
      audience: sealed!.entry.audience!,
      seq: sealed!.entry.seq,
      hash: sealed!.hash,
    };
  }

  /** Suspends (for political reasons, say) or resumes a channel: an explicit, signed, recorded act with its reason. */
  async setSuspended(
    actor: Actor,
    nameArg: unknown,
    suspend: boolean,
    reasonArg: unknown,
  ): Promise<EntryRef> {
    requirePermission(actor, 'channels');
    const name = parseChannel(nameArg);
    requireMember(actor, name);
    const reason = parseReason(reasonArg);
    const c = await this.known(name);
    if (c.status !== (suspend ? 'open' : 'suspended')) {
      throw new ParleyError(
        'PARLEY_E_CHANNEL_STATE',
        `channel ${name} is ${c.status}; cannot ${suspend ? 'suspend' : 'resume'} it`,
        { channel: name },
      );
    }
    const kind = suspend ? HOTLINE_KIND.channelSuspend : HOTLINE_KIND.channelResume;
    const [ref] = await this.append(c, [{ kind, channel: name, body: { reason, by: actor.name } }]);
    this.bus.publish({
      type: 'channel',
      channel: name,
      status: suspend ? 'suspended' : 'open',
      reason,
    });
    return ref!;
  }

  /** Checks a message and returns its entry body (the same check for sending and for drafting). */
  private async messageBody(
    actor: Actor,
    input: SendInput,
    extra: Record<string, unknown> = {},
  ): Promise<{ channel: string; body: Record<string, unknown>; view: ChannelView | undefined }> {
    const channel = parseChannel(input.channel);
    requireMember(actor, channel);
    const precedence = parsePrecedence(input.precedence);
    const body: Record<string, unknown> = { precedence };
    if (input.catalogue !== undefined) {
      if (input.text !== undefined) {
        throw new ParleyError(
          'PARLEY_E_INVALID_ARGUMENT',
          'a message is either free text or a catalogue message, not both',
          {},
        );
      }
      // The code and parameters are what is signed; each reader renders them in their language.
      const c = input.catalogue;
      // Operators may leave out the version (this station's) and empty parameters.
      body.catalogue = parseCatalogueMessage(
        typeof c === 'object' && c !== null && !Array.isArray(c)
          ? { v: CATALOGUE_VERSION, params: {}, ...c }
          : c,
      );
    } else {
      body.text = parseText(input.text);
      if (input.lang !== undefined) body.lang = parseLang(input.lang);
    }
    if (input.replyTo !== undefined) {
      const target = (await this.state()).byId.get(String(input.replyTo));
      if (!target || !('receipts' in target) || target.channel !== channel)
        throw new ParleyError(
          'PARLEY_E_MESSAGE_NOT_FOUND',
          `no message ${JSON.stringify(input.replyTo)} to reply to`,
          {},
        );
      body.replyTo = target.ref;
    }
    const view = await this.checkSendable(channel);
    return { channel, body: { ...body, ...extra, author: actor.name }, view };
  }

  /**
   * Sends a message, or, on a leader or ministry channel, files it as a draft for a second
   * person to approve. Returns the entry, or the draft awaiting approval.
   */
  async send(actor: Actor, input: SendInput): Promise<{ entry: EntryRef } | { draft: Draft }> {
    requirePermission(actor, 'send');
    const { channel, body, view } = await this.messageBody(actor, input);
    if (view && TWO_PERSON_TIERS.includes(view.agreement.tier)) {
      const draft = await this.drafts_.file(channel, actor.name, this.clock.now(), body);
      this.bus.publish({ type: 'draft', id: draft.id, channel });
      return { draft };
    }
    const [entry] = await this.append(view, [{ kind: HOTLINE_KIND.message, channel, body }]);
    return { entry: entry! };
  }

  /** The drafts of the actor's channels. */
  async drafts(actor: Actor): Promise<Draft[]> {
    return this.drafts_.list(actor);
  }

  /** The second person approves a draft: it is signed into the feed with both names. */
  async approve(actor: Actor, id: string): Promise<EntryRef> {
    requirePermission(actor, 'approve');
    const draft = await this.drafts_.get(actor, id);
    if (draft.author === actor.name)
      throw new ParleyError(
        'PARLEY_E_SELF_APPROVAL',
        `${actor.name} wrote draft ${id} and cannot also approve it`,
        { id },
      );
    const view = await this.checkSendable(draft.channel);
    const [entry] = await this.append(view, [
      {
        kind: HOTLINE_KIND.message,
        channel: draft.channel,
        body: { ...draft.body, approver: actor.name },
      },
    ]);
    await this.drafts_.remove(id);
    return entry!;
  }

  /** Discards a draft of one of the actor's channels (another channel's: as if there were none). */
  async discardDraft(actor: Actor, id: string): Promise<void> {
    requirePermission(actor, 'send');
    await this.drafts_.get(actor, id);
    await this.drafts_.remove(id);
  }

  /**
   * Where an answer to a message goes: its channel when the channel is of the message's own
   * audience, else (an informal channel) straight to that audience's feed.
   */
  private async channelOf(m: MessageView | CallView): Promise<ChannelView> {
    const c = await this.channel(m.channel);
    if (c && c.audience === (m.ref.audience ?? null)) return c;
    const members = this.folder.members(m.ref.audience ?? '');
    if (!members)
      throw new ParleyError(
        'PARLEY_E_AUDIENCE_NOT_MEMBER',
        `message ${m.id} is not in an audience of this station`,
        { id: m.id },
      );
    return { ...(c ?? ({} as ChannelView)), audience: m.ref.audience!, members: [...members] };
  }

  /** A message of one of the actor's channels (another channel's: as if it were not held). */
  private async peerMessage(actor: Actor, id: string): Promise<MessageView> {
    const m = (await this.state()).byId.get(id);
    const notFound = () =>
      new ParleyError(
        'PARLEY_E_MESSAGE_NOT_FOUND',
        `no message ${JSON.stringify(id)} is held here`,
        {
          id,
        },
      );
    if (!m || !('receipts' in m)) throw notFound();
    requireMemberOr(actor, m.channel, notFound);
    return m;
  }

  /** Marks a peer's message read or understood (with an optional readback in the reader's own words). */
  async acknowledge(
    actor: Actor,
    id: string,
    level: 'read' | 'understood',
    readback?: unknown,
  ): Promise<EntryRef | null> {
    requirePermission(actor, 'acknowledge');
    const m = await this.peerMessage(actor, id);
    const mine = m.recipients[this.station];
    if (m.ref.station === this.station || !mine) {
      throw new ParleyError(
        'PARLEY_E_RECEIPT_NOT_ALLOWED',
        `message ${id} ${m.ref.station === this.station ? "is this station's own" : 'is not addressed to this station'}; only a receiving party acknowledges`,
        { id },
      );
    }
    // Acknowledging twice is harmless: the first receipt stands.
    if (mine[level]) return null;
    const body: Record<string, unknown> = { level, of: m.ref, by: actor.name };
    if (readback !== undefined && readback !== null && readback !== '')
      body.readback = parseText(readback, 'readback');
    const [ref] = await this.append(await this.channelOf(m), [
      { kind: HOTLINE_KIND.receipt, channel: m.channel, body },
    ]);
    return ref!;
  }

  /** Attaches a translation as a separate signed entry; the original is never replaced. */
  async translate(actor: Actor, id: string, langArg: unknown, textArg: unknown): Promise<EntryRef> {
    requirePermission(actor, 'translate');
    const m = await this.peerMessage(actor, id);
    const [ref] = await this.append(await this.channelOf(m), [
      {
        kind: HOTLINE_KIND.translation,
        channel: m.channel,
        body: {
          of: m.ref,
          lang: parseLang(langArg),
          text: parseText(textArg, 'translation'),
          by: actor.name,
        },
      },
    ]);
    return ref!;
  }

  /** Proposes a call: 1–5 future UTC slots and a medium; it has a deadline like a message. */
  async requestCall(
    actor: Actor,
    input: { channel: unknown; precedence?: unknown; slots: unknown; medium: unknown },
  ): Promise<EntryRef> {
    requirePermission(actor, 'send');
    const channel = parseChannel(input.channel);
    requireMember(actor, channel);
    const precedence = parsePrecedence(input.precedence ?? 'PRIORITY');
    const slots = this.parseSlots(input.slots);
    const medium = input.medium === 'voice' || input.medium === 'video' ? input.medium : undefined;
    if (!medium)
      throw new ParleyError(
        'PARLEY_E_INVALID_ARGUMENT',
        `medium ${JSON.stringify(input.medium)} is not voice or video`,
        {},
      );
    const view = await this.checkSendable(channel);
    const [ref] = await this.append(view, [
      {
        kind: HOTLINE_KIND.callRequest,
        channel,
        body: { precedence, slots, medium, by: actor.name },
      },
    ]);
    return ref!;
  }

  private parseSlots(value: unknown): number[] {
    const now = this.clock.now();
    if (
      !Array.isArray(value) ||
      value.length < 1 ||
      value.length > 5 ||
      !value.every((v) => Number.isSafeInteger(v) && v > now)
    ) {
      throw new ParleyError(
        'PARLEY_E_BAD_SLOTS',
        `call slots ${JSON.stringify(value)} are not 1–5 future UTC times (ms)`,
        {},
      );
    }
    return [...(value as number[])].sort((a, b) => a - b);
  }

  /** Answers the peer's call request: accept one proposed slot, decline, or counter-propose. */
  async answerCall(
    actor: Actor,
    id: string,
    input: { action: unknown; slot?: unknown; slots?: unknown },
  ): Promise<EntryRef> {
    requirePermission(actor, 'send');
    const c = (await this.state()).byId.get(id);
    const notFound = () =>
      new ParleyError('PARLEY_E_CALL_NOT_FOUND', `no call request ${JSON.stringify(id)}`, { id });
    if (!c || 'receipts' in c) throw notFound();
    requireMemberOr(actor, c.channel, notFound);
    if (c.ref.station === this.station || c.status !== 'open' || !c.recipients[this.station]) {
      throw new ParleyError(
        'PARLEY_E_CALL_STATE',
        `call request ${id} is ${c.status}${c.ref.station === this.station ? " and is this station's own" : ''}`,
        { id },
      );
    }
    const body: Record<string, unknown> = { of: c.ref, action: input.action, by: actor.name };
    if (input.action === 'accept') {
      if (!c.slots.includes(input.slot as number))
        throw new ParleyError(
          'PARLEY_E_CALL_STATE',
          `slot ${JSON.stringify(input.slot)} was not proposed`,
          { id },
        );
      body.slot = input.slot;
    } else if (input.action === 'counter') {
      body.slots = this.parseSlots(input.slots);
    } else if (input.action !== 'decline') {
      throw new ParleyError(
        'PARLEY_E_INVALID_ARGUMENT',
        `action ${JSON.stringify(input.action)} is not accept, decline or counter`,
        {},
      );
    }
    const [ref] = await this.append(await this.channelOf(c), [
      { kind: HOTLINE_KIND.callResponse, channel: c.channel, body },
    ]);
    return ref!;
  }

  /**
   * The deadline watch: for each of this station's messages or call requests whose handling
   * objective has passed unanswered, records an alarm entry once and, if the channel's agreement
   * names an escalation channel that is open, sends an escalation notice there referencing it.
   * Called every second by the station (and directly by tests with an injected clock).
   */
  /** `fence`: the leader's lease (several processes on one database); its alarms are refused once the lease is lost. */
  async checkDeadlines(opts: { fence?: Lease } = {}): Promise<number> {
    const { state } = await this.state();
    const now = this.clock.now();
    // Each party is alarmed once per message and kind (an alarm without parties covers all).
    const alarmed = new Set<string>();
    for (const a of state.alarms) {
      if (!a.of || a.ref.station !== this.station) continue;
      const target = state.messages.get(refKey(a.of)) ?? state.calls.get(refKey(a.of));
      const parties = a.parties.length > 0 ? a.parties : Object.keys(target?.recipients ?? {});
      for (const p of parties) alarmed.add(`${refKey(a.of)}|${a.type}|${p}`);
    }
    const due = overdue(state, this.station, now)
      .map((o) => ({
        ...o,
        parties: o.parties.filter((p) => !alarmed.has(`${o.key}|${o.kind}|${p}`)),
      }))
      .filter((o) => o.parties.length > 0);
    const names = new Map((await this.handle.store.peers()).map((p) => [p.station, p.name]));
    for (const o of due) {
      const who = o.parties.map((p) => names.get(p) ?? p).join(', ');
      const reason = `sent ${formatDtg(o.since)} (${o.precedence}) on ${o.channel}: ${o.kind === 'undelivered-overdue' ? 'not delivered' : 'no answer'} for ${formatAge(now - o.since)} from ${who}`;
      // undefined for an informal channel (a name never proposed): default objectives, no escalation.
      const view = state.channels.get(o.channel);
      // An informal channel has an audience only while the station has exactly one peer.
      if (!view && names.size !== 1) continue;
      const alarm: EntryDraft = {
        kind: HOTLINE_KIND.alarm,
        channel: o.channel,
        body: { type: o.kind, of: o.ref, reason, due: o.due, parties: o.parties },
      };
      const target = view?.agreement.escalation;
      const esc = target ? state.channels.get(target) : undefined;
      let escalation: EntryDraft | undefined;
      if (target && (!esc || esc.status !== 'open')) {
        alarm.body.escalation = `not possible: channel ${target} is ${esc?.status ?? 'not agreed'}`;
      } else if (target) {
        const code = o.kind === 'call-unanswered' ? 'ESC-02' : 'ESC-01';
        const params: Record<string, unknown> = {
          time: o.since,
          duration: Math.max(1, Math.floor((now - o.since) / 60_000)),
        };
        if (code === 'ESC-01') params.channel = o.channel;
        escalation = {
          kind: HOTLINE_KIND.message,
          channel: target,
          body: {
            precedence: this.escalatedPrecedence(o.precedence),
            catalogue: parseCatalogueMessage({ v: CATALOGUE_VERSION, code, params }),
            escalates: o.ref,
            parties: o.parties,
            author: 'deadline watch',
          },
        };
      }
      // The escalation channel may have another audience: its notice goes to that audience's feed.
      if (escalation && view && esc!.audience === view.audience)
        await this.append(view, [alarm, escalation], opts.fence);
      else {
        await this.append(view, [alarm], opts.fence);
        if (escalation) await this.append(esc!, [escalation], opts.fence);
      }
      this.bus.publish({
        type: 'alarm',
        kind: o.kind,
        of: o.ref,
        channel: o.channel,
        reason,
        parties: o.parties,
      });
    }
    return due.length;
  }

  private escalatedPrecedence(p: Precedence): Precedence {
    return p === 'ROUTINE' ? 'PRIORITY' : p === 'PRIORITY' ? 'IMMEDIATE' : 'FLASH';
  }

  /** Open alarms and unanswered messages with their age, for the watch: of the actor's channels. */
  async alarms(actor: Actor): Promise<{
    alarms: HotlineState['alarms'];
    unanswered: {
      id: string;
      channel: string;
      precedence: string;
      sentAt: number;
      due: number;
      kind: string;
      parties: string[];
      age: string;
      summary: string;
    }[];
  }> {
    const { state } = await this.state();
    const now = this.clock.now();
    const unanswered = overdue(state, this.station, now)
      .filter((o) => isMember(actor, o.channel))
      .map((o) => {
        const id = (state.messages.get(o.key) ?? state.calls.get(o.key))!.id;
        const age = formatAge(now - o.since);
        return {
          id,
          channel: o.channel,
          precedence: o.precedence,
          sentAt: o.since,
          due: o.due,
          kind: o.kind,
          parties: o.parties,
          age,
          summary: `sent ${formatDtg(o.since)}, no answer for ${age}`,
        };
      });
    return { alarms: state.alarms.filter((a) => isMember(actor, a.channel)), unanswered };
  }

  /** Channels with their agreement, status, dormancy, running deadlines and link health. */
  async channels(actor: Actor): Promise<unknown[]> {
    const { state } = await this.state();
    const now = this.clock.now();
    const health = this.links?.status() ?? [];
    return [...state.channels.values()]
      .filter((c) => isMember(actor, c.name))
      .map((c) => {
        const msgs = [...state.messages.values()].filter((m) => m.channel === c.name);
        const running = msgs.filter(
          (m) => !m.receipts.understood && m.deadline !== null && m.ref.station === this.station,
        );
        // Unread here: this station's own read receipt, whatever the other recipients did.
        const unread = msgs.filter(
          (m) => m.ref.station !== this.station && !m.recipients[this.station]?.read,
        ).length;
        const idle = now - c.lastSubstantiveAt;
        return {
          name: c.name,
          audience: c.audience,
          members: c.members,
          accepted: c.accepted,
          amendment: c.amendment,
          status: c.status,
          tier: c.agreement.tier,
          agreement: c.agreement,
          proposedBy: c.proposedBy,
          acceptedBy: c.acceptedBy,
          suspension: c.suspension,
          history: c.history,
          lastSubstantiveAt: c.lastSubstantiveAt,
          idleMs: idle,
          dormant: idle > c.agreement.dormancyMs,
          unread,
          deadlines: running.map((m) => ({
            id: m.id,
            precedence: m.precedence,
            due: m.deadline,
            overdue: now > (m.deadline ?? Infinity),
            parties: Object.entries(m.recipients)
              .filter(([, r]) => !r.understood)
              .map(([station, r]) => ({
                station,
                due: r.deadline,
                overdue: now > (r.deadline ?? Infinity),
              })),
          })),
          link: health
            .filter((p) => c.members.includes(p.station))
            .map((p) => ({
              peer: p.name,
              state: p.state,
              paths: p.paths.map((x) => ({ url: x.url, state: x.state })),
            })),
        };
      });
  }
}
