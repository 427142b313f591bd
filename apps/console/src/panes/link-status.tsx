import type { PeerKeys } from '../api/types.js';
import { useI18n } from '../i18n/i18n.js';
import { Dtg, StateBadge, memberOrder } from './common.js';
import type { Ctx } from './shell.js';

/** The channels that live in an audience's feeds, or the audience id while none is known. */
function audienceLabel(ctx: Ctx, audience: string): string {
  const names = ctx.snap.channels.filter((c) => c.audience === audience).map((c) => `#${c.name}`);
  return names.length > 0 ? names.join(' ') : audience;
}

/** A peer's safety number, when its key last rotated, and its key history as verified here. */
function PeerKeyHistory({ keys }: { keys: PeerKeys }) {
  const { t } = useI18n();
  const current = keys.keys[keys.keys.length - 1];
  const rotated = keys.keys.length > 1 ? current : undefined;
  return (
    <div className="peer-keys" data-testid="peer-keys">
      <div className="row">
        <span>{t('safetyNumber')}</span>
        <span className="mono safety" data-testid="safety-number" title={keys.currentKey}>
          {current?.safety ?? '—'}
        </span>
      </div>
      <div className="small" data-testid="key-rotated">
        {rotated ? (
          <>
            {t('lastRotated', { time: '' })}
            <Dtg ms={rotated.since} />
            {rotated.emergency ? (
              <span className="badge state-degraded"> {t('emergencyRotation')}</span>
            ) : null}
          </>
        ) : (
          <span className="muted">{t('neverRotated')}</span>
        )}
      </div>
      <details open={keys.keys.length > 1}>
        <summary className="small">{t('keyHistory')}</summary>
        <ol className="key-history small">
          {keys.keys.map((k, i) => (
            <li key={k.key} data-testid="key" data-current={k.to === null}>
              <span className="mono" title={k.key}>
                {k.key.slice(0, 12)}…
              </span>{' '}
              <span className="mono">{k.safety}</span>{' '}
              <span className="muted">
                {t('keySigns', { from: k.from, to: k.to === null ? '' : k.to })} ·{' '}
                {t('keySince')}{' '}
              </span>
              <Dtg ms={k.since} />
              {i === 0 ? <span className="muted"> · {t('keyGenesis')}</span> : null}
              {k.to === null ? <span className="badge state-up">{t('keyCurrent')}</span> : null}
              {k.emergency ? (
                <span className="badge state-degraded">{t('emergencyRotation')}</span>
              ) : null}
            </li>
          ))}
        </ol>
        {keys.repins.length > 0 ? (
          <ul className="small">
            {keys.repins.map((r) => (
              <li key={r.seq} data-testid="repin">
                {t('repinnedBy', { name: r.by })} <Dtg ms={r.at} />{' '}
                <span className="mono">{r.safety}</span>
                {r.applied ? null : <span className="muted"> · {t('pendingRepin')}</span>}
              </li>
            ))}
          </ul>
        ) : null}
      </details>
    </div>
  );
}

export function LinkStatus({ ctx }: { ctx: Ctx }) {
  const { t, tx } = useI18n();
  const h = ctx.snap.health;
  const channels = ctx.snap.channels.filter((c) => c.members && c.members.length > 0);
  return (
    <div className="pane" data-testid="link-status">
      <h2>
        {t('peers')} <span className="count">{h?.peers.length ?? 0}</span>
      </h2>
      {h && h.peers.length === 0 ? <p className="muted">{t('noPeers')}</p> : null}
      {h?.peers.map((p) => {
        const keys = ctx.snap.peers?.find((k) => k.station === p.station);
        return (
          <div key={p.station} className="card" data-testid="peer" data-station={p.station}>
            <div className="row">
              <strong data-testid="peer-name">{p.name}</strong> <StateBadge state={p.state} />
              {p.halted ? (
                <span className="badge state-down">{t('halted', { reason: p.halted.reason })}</span>
              ) : null}
            </div>
            <div className="muted small">
              <span className="mono" data-testid="peer-station">
                {p.station}
              </span>{' '}
              · {t('lastExchange', { time: '' })}
              <Dtg ms={p.lastExchangeAt} />
            </div>
            <table className="paths-table">
              <tbody>
                {p.paths.map((x, i) => (
                  <tr key={x.url} data-testid="path-row">
                    <td>
                      {t('path')} {i + 1}
                    </td>
                    <td className="mono">{x.url}</td>
                    <td>
                      <StateBadge state={x.state} />
                    </td>
                    <td>
                      <Dtg ms={x.lastOkAt} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <ul className="small muted peer-feeds">
              {(p.feeds ?? [])
                .filter((f) => f.audience !== null)
                .map((f) => (
                  <li key={f.audience}>
                    {t('receiptedFeed', {
                      feed: audienceLabel(ctx, f.audience!),
                      n: f.deliveredUpTo,
                    })}
                  </li>
                ))}
            </ul>
            {keys ? <PeerKeyHistory keys={keys} /> : null}
          </div>
        );
      })}
      <h2>{t('channelMembers')}</h2>
      <table className="members-table" data-testid="audiences">
        <tbody>
          {channels.map((c) => (
            <tr key={c.name} data-testid="audience" data-channel={c.name}>
              <td>#{c.name}</td>
              <td>{tx(`status_${c.status}`, c.status)}</td>
              <td data-testid="audience-members">
                {memberOrder(c.members!, ctx.self, ctx.nameOf).map((s, i) => {
                  const ok = c.accepted?.includes(s) ?? true;
                  return (
                    <span
                      key={s}
                      className={ok ? '' : 'muted'}
                      title={`${s} · ${ok ? t('acceptedMark') : t('notAcceptedMark')}`}
                    >
                      {i > 0 ? ', ' : ''}
                      {ctx.nameOf(s)}
                      {ok ? '' : ' …'}
                    </span>
                  );
                })}
              </td>
              <td className="mono small muted" title={t('audience')}>
                {c.audience}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>{t('transcript')}</h2>
      {ctx.snap.feeds.map((f) => (
        <div key={`${f.station}/${f.audience ?? ''}`} className="card" data-testid="feed">
          <div className="row">
            <strong>{t('feedOf', { name: ctx.nameOf(f.station) })}</strong>
            <span className="muted small">
              {f.audience ? audienceLabel(ctx, f.audience) : t('identityFeed')}
            </span>
            <span>{t('entries', { n: f.size })}</span>
            <span className="badge state-up">
              ✓ {t('verifiedAt', { time: '' })}
              <Dtg ms={f.ts} />
            </span>
          </div>
          <div className="mono small muted" title={f.root}>
            {t('root')} {f.root.slice(0, 32)}…
          </div>
        </div>
      ))}
    </div>
  );
}
