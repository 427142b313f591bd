import { useState } from 'react';
import { ApiError, post } from '../api/client.js';
import { useI18n } from '../i18n/i18n.js';
import { Dtg, PrecBadge } from './common.js';
import type { Ctx } from './shell.js';

export function Calls({ ctx }: { ctx: Ctx }) {
  const { t, tx } = useI18n();
  const [err, setErr] = useState<string | null>(null);
  const answer = async (id: string, body: unknown) => {
    setErr(null);
    try {
      await post(`/api/v1/calls/${id}/answer`, body);
      ctx.live.later(['calls']);
    } catch (e) {
      setErr(e instanceof ApiError ? `${e.code}: ${e.message}` : String(e));
    }
  };
  const calls = [...ctx.snap.calls].sort((a, b) => b.ts - a.ts);
  return (
    <div className="pane" data-testid="calls">
      {calls.length === 0 ? <p className="muted">{t('noCalls')}</p> : null}
      {calls.map((c) => {
        const theirs = c.station !== ctx.self;
        return (
          <div key={c.id} className="card">
            <div className="row">
              <strong>{ctx.nameOf(c.station)}</strong> <PrecBadge p={c.precedence} />{' '}
              {tx(`medium_${c.medium}`, c.medium)}
              <span className="badge">{tx(`call_${c.status}`, c.status)}</span> <Dtg ms={c.ts} />{' '}
              <span className="muted">#{c.channel}</span>
            </div>
            <ul>
              {c.slots.map((s) => (
                <li key={s}>
                  <Dtg ms={s} />
                  {theirs && c.status === 'open' && ctx.can('send') ? (
                    <button
                      type="button"
                      onClick={() => void answer(c.id, { action: 'accept', slot: s })}
                    >
                      {t('accept')}
                    </button>
                  ) : null}
                </li>
              ))}
            </ul>
            {theirs && c.status === 'open' && ctx.can('send') ? (
              <button type="button" onClick={() => void answer(c.id, { action: 'decline' })}>
                {t('decline')}
              </button>
            ) : null}
          </div>
        );
      })}
      {err ? <p className="error small">{err}</p> : null}
    </div>
  );
}
