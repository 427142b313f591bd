import { useI18n } from '../i18n/i18n.js';
import { Dtg, StateBadge } from './common.js';
import type { Ctx } from './shell.js';

export function LinkStatus({ ctx }: { ctx: Ctx }) {
  const { t } = useI18n();
  const h = ctx.snap.health;
  return (
    <div className="pane" data-testid="link-status">
      <h2>{t('link')}</h2>
      {h?.peers.map((p) => (
        <div key={p.station} className="card">
          <div className="row">
            <strong>{p.name}</strong> <StateBadge state={p.state} />
            {p.halted ? (
              <span className="badge state-down">{t('halted', { reason: p.halted.reason })}</span>
            ) : null}
          </div>
          <div className="muted small">
            {p.station} · {t('lastExchange', { time: '' })}
            <Dtg ms={p.lastExchangeAt} /> · {t('receiptedUpTo', { n: p.deliveredUpTo })}
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
        </div>
      ))}
      <h2>{t('transcript')}</h2>
      {ctx.snap.feeds.map((f) => (
        <div key={f.station} className="card" data-testid="feed">
          <div className="row">
            <strong>{t('feedOf', { name: ctx.nameOf(f.station) })}</strong>
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
