import { useState } from 'react';
import { ApiError, post } from '../api/client.js';
import { useI18n } from '../i18n/i18n.js';
import { Dtg, PrecBadge } from './common.js';
import type { Ctx } from './shell.js';

/** Request a call: a channel, a medium and one proposed UTC slot. */
function RequestCall({ ctx, onError }: { ctx: Ctx; onError: (e: string | null) => void }) {
  const { t, tx } = useI18n();
  const channels = ctx.snap.channels.filter((c) => c.status === 'open').map((c) => c.name);
  const [channel, setChannel] = useState(channels[0] ?? '');
  const [medium, setMedium] = useState<'voice' | 'video'>('voice');
  const [slot, setSlot] = useState(() =>
    new Date(Date.now() + 30 * 60_000).toISOString().slice(0, 16),
  );
  const request = async () => {
    onError(null);
    try {
      await post('/api/v1/calls', {
        channel: channel || channels[0],
        medium,
        slots: [Date.parse(`${slot}:00Z`)],
        precedence: 'PRIORITY',
      });
      ctx.live.later(['calls']);
    } catch (e) {
      onError(e instanceof ApiError ? `${e.code}: ${e.message}` : String(e));
    }
  };
  if (!ctx.can('send') || channels.length === 0) return null;
  return (
    <div className="card row" data-testid="request-call">
      <select value={channel || channels[0]} onChange={(e) => setChannel(e.target.value)}>
        {channels.map((c) => (
          <option key={c} value={c}>
            #{c}
          </option>
        ))}
      </select>
      <select value={medium} onChange={(e) => setMedium(e.target.value as 'voice' | 'video')}>
        <option value="voice">{tx('medium_voice', 'voice')}</option>
        <option value="video">{tx('medium_video', 'video')}</option>
      </select>
      <input type="datetime-local" value={slot} onChange={(e) => setSlot(e.target.value)} />
      <span className="muted">Z</span>
      <button type="button" className="primary" onClick={() => void request()}>
        {t('requestCall')}
      </button>
    </div>
  );
}

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
      <RequestCall ctx={ctx} onError={setErr} />
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
