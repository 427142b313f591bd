import { useEffect, useRef, useState } from 'react';
import { ApiError, post } from '../api/client.js';
import type { Channel, Message, PartyStatus } from '../api/types.js';
import { formatSpan } from '../format.js';
import { useI18n } from '../i18n/i18n.js';
import { Dtg, PrecBadge, memberOrder, useNow } from './common.js';
import { Compose } from './compose.js';
import type { ComposeSeed } from './compose.js';
import type { Ctx } from './shell.js';

function Tick({
  label,
  ts,
  by,
  testid,
}: {
  label: string;
  ts: number | null | undefined;
  by?: string | null;
  testid: string;
}) {
  const done = ts !== null && ts !== undefined;
  return (
    <span className={`tick ${done ? 'done' : ''}`} data-testid={testid} data-done={done}>
      {done ? '✓' : '·'} {label}
      {done ? (
        <>
          {' '}
          <Dtg ms={ts} />
          {by ? <span className="muted"> {by}</span> : null}
        </>
      ) : null}
    </span>
  );
}

/** A deadline counted on the station's clock: "due in 4 min 10 s" or "overdue 1 min 02 s". */
function Deadline({ due, now, testid }: { due: number; now: number; testid: string }) {
  const { t, lang } = useI18n();
  return (
    <span className={`deadline ${due < now ? 'overdue' : ''}`} data-testid={testid}>
      {'◷ '}
      {due < now
        ? t('overdueBy', { prec: '', left: formatSpan(now - due, lang) })
        : t('dueIn', { prec: '', left: formatSpan(due - now, lang) })}
    </span>
  );
}

/**
 * Each recipient's receipts of an own message on a channel of several parties: delivered, read
 * and understood with their times, its read-back and its own deadline; above them, how many
 * have understood.
 */
function PartyTicks({ ctx, parties, now }: { ctx: Ctx; parties: PartyStatus[]; now: number }) {
  const { t } = useI18n();
  const n = parties.filter((p) => p.understood).length;
  const rows = [...parties].sort((a, b) =>
    ctx.nameOf(a.station) < ctx.nameOf(b.station) ? -1 : 1,
  );
  return (
    <div className="parties">
      <div
        className={`party-summary ${n === parties.length ? 'all' : ''}`}
        data-testid="understood-by"
        data-n={n}
        data-total={parties.length}
      >
        {t('understoodBy', { n, total: parties.length })}
      </div>
      {rows.map((p) => (
        <div
          key={p.station}
          className={`party-row ${p.understood ? 'understood' : ''}`}
          data-testid="party"
          data-station={p.station}
        >
          <strong className="party-name">{ctx.nameOf(p.station)}</strong>
          <Tick label={t('delivered')} ts={p.deliveredAt} testid="party-delivered" />
          <Tick label={t('read')} ts={p.read?.ts} by={p.read?.by} testid="party-read" />
          <Tick
            label={t('understood')}
            ts={p.understood?.ts}
            by={p.understood?.by}
            testid="party-understood"
          />
          {p.deadline && !p.understood ? (
            <Deadline due={p.deadline} now={now} testid="party-deadline" />
          ) : null}
          {p.understood?.readback ? (
            <span className="readback-text" data-testid="party-readback">
              “{p.understood.readback}”
            </span>
          ) : null}
        </div>
      ))}
    </div>
  );
}

function MessageCard({ ctx, m }: { ctx: Ctx; m: Message }) {
  const { t, lang } = useI18n();
  // Deadlines are the station's: counted on its clock.
  const now = useNow() + ctx.live.offset;
  const own = m.station === ctx.self;
  const [readback, setReadback] = useState('');
  const [err, setErr] = useState<string | null>(null);
  const [tlText, setTlText] = useState('');
  const ack = async (level: 'read' | 'understood') => {
    setErr(null);
    try {
      await post(
        `/api/v1/messages/${m.id}/${level}`,
        level === 'understood' && readback ? { readback } : {},
      );
      ctx.live.later(['messages', 'channels']);
    } catch (e) {
      setErr(e instanceof ApiError ? `${e.code}: ${e.message}` : String(e));
    }
  };
  const translate = async () => {
    try {
      await post(`/api/v1/messages/${m.id}/translations`, {
        lang: m.lang === 'zh' ? 'en' : m.lang === 'en' ? 'zh' : lang,
        text: tlText,
      });
      setTlText('');
      ctx.live.later(['messages']);
    } catch (e) {
      setErr(e instanceof ApiError ? `${e.code}: ${e.message}` : String(e));
    }
  };
  const other = lang === 'zh' ? 'en' : 'zh';
  const deadline = m.status.deadline;
  const parties = m.status.parties ?? [];
  // Several recipients: each has its own ticks. This station's own receipts of a peer's message
  // are its own row (the message's status is set only once every recipient has reached it).
  const multi = parties.length > 1;
  const mine = parties.find((p) => p.station === ctx.self);
  const myRead = mine ? mine.read : m.status.read;
  const myUnderstood = mine ? mine.understood : m.status.understood;
  return (
    <article
      className={`msg ${own ? 'own' : 'peer'} prec-${m.precedence.toLowerCase()}`}
      data-testid="message"
      data-id={m.id}
    >
      {m.escalates ? (
        <div className="banner escalation">
          ⚠ {t('escalation')}: {t('escalates')}
        </div>
      ) : null}
      {m.status.alarmed ? <div className="banner alarm">{t('deadlineMissed')}</div> : null}
      <header>
        <strong>{ctx.nameOf(m.station)}</strong> <PrecBadge p={m.precedence} /> <Dtg ms={m.ts} />
        {m.author ? <span className="muted small"> {t('by', { name: m.author })}</span> : null}
        {m.approver ? (
          <span className="muted small"> · {t('approvedBy', { name: m.approver })}</span>
        ) : null}
        {m.catalogue ? <span className="badge code">{m.catalogue.code}</span> : null}
      </header>
      <div className={`msg-body ${m.translations.length > 0 ? 'with-translation' : ''}`}>
        <div className="original">
          {m.translations.length > 0 ? (
            <span className="muted small">
              {t('original')} {m.lang ? `(${m.lang})` : ''}
            </span>
          ) : null}
          <p className="msg-text" lang={m.lang ?? undefined} data-testid="message-text">
            {m.text}
          </p>
          {m.rendered ? (
            <p className="msg-other muted" lang={other}>
              {m.rendered[other]}
            </p>
          ) : null}
        </div>
        {m.translations.map((tr) => (
          <div
            key={`${tr.station}:${tr.ts}`}
            className="translation"
            lang={tr.lang}
            data-testid="translation"
          >
            <span className="muted small">
              {t('translation', { lang: tr.lang })} {tr.translator ?? ''}
            </span>
            <p>{tr.text}</p>
          </div>
        ))}
      </div>
      <footer className="ticks">
        {own && multi ? (
          <>
            <Tick label={t('sent')} ts={m.ts} testid="tick-sent" />
            {deadline && !m.status.understood ? (
              <Deadline due={deadline} now={now} testid="msg-deadline" />
            ) : null}
            <PartyTicks ctx={ctx} parties={parties} now={now} />
          </>
        ) : own ? (
          <>
            <Tick label={t('sent')} ts={m.ts} testid="tick-sent" />
            <Tick label={t('delivered')} ts={m.status.deliveredAt} testid="tick-delivered" />
            <Tick
              label={t('read')}
              ts={m.status.read?.ts}
              by={m.status.read?.by}
              testid="tick-read"
            />
            <Tick
              label={t('understood')}
              ts={m.status.understood?.ts}
              by={m.status.understood?.by}
              testid="tick-understood"
            />
            {deadline && !m.status.understood ? (
              <Deadline due={deadline} now={now} testid="msg-deadline" />
            ) : null}
          </>
        ) : (
          <>
            <Tick label={t('read')} ts={myRead?.ts} by={myRead?.by} testid="tick-read" />
            <Tick
              label={t('understood')}
              ts={myUnderstood?.ts}
              by={myUnderstood?.by}
              testid="tick-understood"
            />
            {ctx.can('acknowledge') && !myRead ? (
              <button type="button" onClick={() => void ack('read')} data-testid="mark-read">
                {t('markRead')}
              </button>
            ) : null}
            {ctx.can('acknowledge') && !myUnderstood ? (
              <>
                <input
                  className="readback"
                  placeholder={t('readback')}
                  value={readback}
                  onChange={(e) => setReadback(e.target.value)}
                  data-testid="readback"
                />
                <button
                  type="button"
                  className="primary"
                  onClick={() => void ack('understood')}
                  data-testid="mark-understood"
                >
                  {t('markUnderstood')}
                </button>
              </>
            ) : null}
          </>
        )}
        {!(own && multi) && myUnderstood?.readback ? (
          <div className="readback-text">“{myUnderstood.readback}”</div>
        ) : null}
      </footer>
      {!own && ctx.can('translate') && !m.catalogue ? (
        <div className="row">
          <input
            data-testid="translate-text"

            className="grow"
            value={tlText}
            onChange={(e) => setTlText(e.target.value)}
            placeholder={t('addTranslation')}
          />
          <button
            type="button"
            disabled={!tlText.trim()}
            data-testid="translate"
            onClick={() => void translate()}
          >
            {t('addTranslation')}
          </button>
        </div>
      ) : null}
      {err ? <p className="error small">{err}</p> : null}
    </article>
  );
}

/** A channel's parties by name; while it is proposed, who has yet to accept. */
function Members({ ctx, channel }: { ctx: Ctx; channel: Channel }) {
  const { t } = useI18n();
  const members = memberOrder(channel.members ?? [], ctx.self, ctx.nameOf);
  const waiting = members.filter((s) => !(channel.accepted ?? members).includes(s));
  return (
    <span className="muted small" data-testid="conv-members">
      {t('members')}: {members.map((s) => ctx.nameOf(s)).join(', ')}
      {channel.status === 'proposed' && waiting.length > 0
        ? ` · ${t('awaiting', { names: waiting.map((s) => ctx.nameOf(s)).join(', ') })}`
        : ''}
    </span>
  );
}

/** For administrators: accept the other station's proposal, suspend or resume with a reason. */
function ChannelAdmin({ ctx, channel }: { ctx: Ctx; channel: Channel }) {
  const { t } = useI18n();
  const [reason, setReason] = useState('');
  const [err, setErr] = useState<string | null>(null);
  const act = async (path: string, body: unknown) => {
    setErr(null);
    try {
      await post(`/api/v1/channels/${encodeURIComponent(channel.name)}/${path}`, body);
      setReason('');
      ctx.live.later(['channels']);
    } catch (e) {
      setErr(e instanceof ApiError ? `${e.code}: ${e.message}` : String(e));
    }
  };
  return (
    <span className="row channel-admin" data-testid="channel-admin">
      {channel.status === 'proposed' &&
      !(channel.accepted ?? [channel.proposedBy]).includes(ctx.self) ? (
        <button type="button" className="primary" onClick={() => void act('accept', {})}>
          {t('acceptChannel')}
        </button>
      ) : null}
      {channel.status === 'open' || channel.status === 'suspended' ? (
        <>
          <input
            placeholder={t('reason')}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            data-testid="channel-reason"
          />
          <button
            type="button"
            disabled={!reason.trim()}
            onClick={() => void act(channel.status === 'open' ? 'suspend' : 'resume', { reason })}
            data-testid="channel-suspend"
          >
            {channel.status === 'open' ? t('suspend') : t('resume')}
          </button>
        </>
      ) : null}
      {err ? <span className="error small">{err}</span> : null}
    </span>
  );
}

export function Conversation({
  ctx,
  channel,
  seed,
  onSeedUsed,
}: {
  ctx: Ctx;
  channel: string | null;
  seed: ComposeSeed | null;
  onSeedUsed: () => void;
}) {
  const { t, tx } = useI18n();
  const list = useRef<HTMLDivElement>(null);
  const messages = ctx.snap.messages.filter((m) => m.channel === channel);
  useEffect(() => {
    list.current?.scrollTo({ top: list.current.scrollHeight });
  }, [messages.length]);
  if (!channel) return <p className="muted pane">{t('selectChannel')}</p>;
  const c = ctx.snap.channels.find((x) => x.name === channel);
  return (
    <div className="conversation" data-testid="conversation">
      <div className="conv-head">
        <strong>#{channel}</strong>
        {c ? <span className="badge">{tx(`status_${c.status}`, c.status)}</span> : null}
        {c?.suspension ? <span className="badge state-degraded">{c.suspension.reason}</span> : null}
        {c?.members ? <Members ctx={ctx} channel={c} /> : null}
        {c && ctx.can('channels') ? <ChannelAdmin ctx={ctx} channel={c} /> : null}
      </div>
      <div className="messages" ref={list}>
        {messages.length === 0 ? <p className="muted">{t('noMessages')}</p> : null}
        {messages.map((m) => (
          <MessageCard key={m.id} ctx={ctx} m={m} />
        ))}
      </div>
      <Compose ctx={ctx} channel={channel} seed={seed} onSeedUsed={onSeedUsed} />
    </div>
  );
}
