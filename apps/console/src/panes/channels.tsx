import { useState } from 'react';
import { ApiError, post } from '../api/client.js';
import { formatSpan } from '../format.js';
import { useI18n } from '../i18n/i18n.js';
import { Dtg, PrecBadge, StateBadge, memberOrder, useNow } from './common.js';
import type { Ctx } from './shell.js';

export function ChannelList({
  ctx,
  names,
  selected,
  onSelect,
}: {
  ctx: Ctx;
  names: string[];
  selected: string | null;
  onSelect: (name: string) => void;
}) {
  const { t, tx, lang } = useI18n();
  // Deadlines are the station's: counted on its clock.
  const now = useNow() + ctx.live.offset;
  return (
    <section className="panel" aria-label={t('channels')}>
      <h2>{t('channels')}</h2>
      {names.length === 0 ? <p className="muted">{t('noChannels')}</p> : null}
      <ul className="channels">
        {names.map((name) => {
          const c = ctx.snap.channels.find((x) => x.name === name);
          const unread = c
            ? c.unread
            : ctx.snap.messages.filter(
                (m) => m.channel === name && m.station !== ctx.self && !m.status.read,
              ).length;
          const tier = c?.tier ?? 'informal';
          return (
            <li key={name}>
              <button
                type="button"
                className={`channel ${selected === name ? 'on' : ''} ${c?.status === 'suspended' ? 'suspended' : ''}`}
                onClick={() => onSelect(name)}
                data-testid={`channel-${name}`}
              >
                <span className="channel-name">#{name}</span>
                <span className={`badge tier-${tier}`}>{tx(`tier_${tier}`, tier)}</span>
                {c && c.status !== 'open' ? (
                  <span className="badge state-degraded">{tx(`status_${c.status}`, c.status)}</span>
                ) : null}
                {unread > 0 ? <span className="count">{t('unread', { n: unread })}</span> : null}
                {c?.dormant ? (
                  <span className="muted small">
                    {t('dormant', { age: formatSpan(c.idleMs, lang) })}
                  </span>
                ) : null}
                {c?.link.map((l) => (
                  <span key={l.peer} className="paths">
                    {l.paths.map((p, i) => (
                      <span
                        key={p.url}
                        className={`path-dot state-${p.state.toLowerCase()}`}
                        title={`${l.peer} ${t('path')} ${i + 1}: ${p.url} ${p.state}`}
                      >
                        {i + 1}
                      </span>
                    ))}
                  </span>
                ))}
                {c?.members ? (
                  <span className="channel-members" data-testid="channel-members">
                    {memberOrder(c.members, ctx.self, ctx.nameOf)
                      .map((s) => ctx.nameOf(s))
                      .join(' · ')}
                  </span>
                ) : null}
                {c?.deadlines
                  .filter((d) => d.due !== null)
                  .map((d) => {
                    const left = d.due! - now;
                    // With several recipients, who still owes the answer.
                    const owing =
                      (c.members?.length ?? 0) > 2 && d.parties && d.parties.length > 0
                        ? ` · ${t('owedBy', {
                            names: d.parties
                              .map((p) => ctx.nameOf(p.station))
                              .sort()
                              .join(', '),
                          })}`
                        : '';
                    return (
                      <span
                        key={d.id}
                        className={`deadline ${left < 0 ? 'overdue' : left < 120_000 ? 'soon' : ''}`}
                        data-testid="deadline"
                      >
                        {'◷ '}
                        {left < 0
                          ? t('overdueBy', {
                              prec: tx(`prec_${d.precedence}`, d.precedence),
                              left: formatSpan(left, lang),
                            })
                          : t('dueIn', {
                              prec: tx(`prec_${d.precedence}`, d.precedence),
                              left: formatSpan(left, lang),
                            })}
                        {owing}
                      </span>
                    );
                  })}
              </button>
            </li>
          );
        })}
      </ul>
      {ctx.can('channels') ? <ProposeChannel ctx={ctx} /> : null}
    </section>
  );
}

const TIERS = ['tactical', 'theater', 'ministry', 'leader'] as const;

/**
 * For administrators: propose a channel, its tier and its members; each member accepts it. With
 * one peer the channel is that pair's; with several, the members are ticked (none by default:
 * a channel reaches only the stations named, ADR 0003).
 */
function ProposeChannel({ ctx }: { ctx: Ctx }) {
  const { t, tx } = useI18n();
  const [name, setName] = useState('');
  const [tier, setTier] = useState<(typeof TIERS)[number]>('tactical');
  const [members, setMembers] = useState<string[]>([]);
  const [err, setErr] = useState<string | null>(null);
  const peers = ctx.snap.health?.peers ?? [];
  const several = peers.length > 1;
  const chosen = members.filter((s) => peers.some((p) => p.station === s));
  const propose = async () => {
    setErr(null);
    try {
      await post('/api/v1/channels', {
        name,
        agreement: { tier },
        ...(several ? { members: chosen } : {}),
      });
      setName('');
      setMembers([]);
      ctx.live.later(['channels']);
    } catch (e) {
      setErr(e instanceof ApiError ? `${e.code}: ${e.message}` : String(e));
    }
  };
  return (
    <div className="row propose" data-testid="propose-channel">
      <input
        className="grow"
        placeholder={t('newChannel')}
        value={name}
        onChange={(e) => setName(e.target.value)}
        data-testid="propose-name"
      />
      <select
        value={tier}
        onChange={(e) => setTier(e.target.value as (typeof TIERS)[number])}
        data-testid="propose-tier"
      >
        {TIERS.map((x) => (
          <option key={x} value={x}>
            {tx(`tier_${x}`, x)}
          </option>
        ))}
      </select>
      {several ? (
        <fieldset className="propose-members" data-testid="propose-members">
          <span className="muted">{t('proposeTo')}</span>
          {peers.map((p) => (
            <label key={p.station} title={p.station}>
              <input
                type="checkbox"
                checked={members.includes(p.station)}
                onChange={(e) =>
                  setMembers((m) =>
                    e.target.checked ? [...m, p.station] : m.filter((x) => x !== p.station),
                  )
                }
                data-testid={`propose-member-${p.name}`}
              />{' '}
              {p.name}
            </label>
          ))}
        </fieldset>
      ) : null}
      <button
        type="button"
        disabled={!name.trim() || (several && chosen.length === 0)}
        onClick={() => void propose()}
        data-testid="propose"
      >
        {t('propose')}
      </button>
      {err ? <p className="error small">{err}</p> : null}
    </div>
  );
}

export function AlarmList({ ctx }: { ctx: Ctx }) {
  const { t, tx, lang } = useI18n();
  const now = useNow() + ctx.live.offset;
  const { alarms, unanswered } = ctx.snap.alarms;
  return (
    <section className="panel" aria-label={t('alarms')}>
      <h2>
        {t('alarms')}{' '}
        {alarms.length > 0 ? <span className="count alarm">{alarms.length}</span> : null}
      </h2>
      {alarms.length === 0 && unanswered.length === 0 ? (
        <p className="muted">{t('noAlarms')}</p>
      ) : null}
      <ul className="alarms">
        {[...alarms]
          .reverse()
          .slice(0, 20)
          .map((a) => (
            <li key={a.ref.hash} className="alarm" title={a.reason}>
              <strong>{tx(`alarm_${a.type}`, a.type)}</strong> <Dtg ms={a.ts} />{' '}
              {a.channel ? <span className="muted">#{a.channel}</span> : null}
              <div className="small">{lang === 'en' ? a.reason : null}</div>
            </li>
          ))}
        {unanswered.map((u) => (
          <li key={u.id} className="unanswered" title={u.summary}>
            <PrecBadge p={u.precedence} /> <span className="muted">#{u.channel}</span>{' '}
            {t('unanswered')}
            <div className="small">
              {t('sentAt')} <Dtg ms={u.sentAt} />,{' '}
              {t('noAnswerFor', { age: formatSpan(now - u.sentAt, lang) })}
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Link path changes since the console opened: a cut path shows here as it happens. */
export function LinkLog({ ctx }: { ctx: Ctx }) {
  const { t } = useI18n();
  const log = ctx.snap.linkLog;
  const peers = ctx.snap.health?.peers ?? [];
  const pathNo = (url: string) => {
    for (const p of peers) {
      const i = p.paths.findIndex((x) => x.url === url);
      if (i >= 0) return i + 1;
    }
    return '?';
  };
  return (
    <section className="panel" aria-label={t('linkEvents')} data-testid="link-log">
      <h2>{t('linkEvents')}</h2>
      {log.length === 0 ? <p className="muted small">{t('noLinkEvents')}</p> : null}
      <ul className="alarms">
        {log.map((l) => (
          <li
            key={`${l.ts}:${l.url}:${l.state}`}
            className={`link-event state-${l.state.toLowerCase()}`}
          >
            <Dtg ms={l.ts} /> {l.peer} {t('path')} {pathNo(l.url)} <StateBadge state={l.state} />
          </li>
        ))}
      </ul>
    </section>
  );
}
