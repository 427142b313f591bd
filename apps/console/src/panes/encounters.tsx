import { useEffect, useState } from 'react';
import { ApiError, post } from '../api/client.js';
import { PRECEDENCES } from '../api/types.js';
import type { Encounter, Precedence } from '../api/types.js';
import { formatCourse, formatNm } from '../format.js';
import { useI18n } from '../i18n/i18n.js';
import { Dtg, Pos } from './common.js';
import type { ComposeSeed } from './compose.js';
import type { Ctx } from './shell.js';

const ORDER = { danger: 0, caution: 1 } as const;
const STATE_ORDER = { active: 0, projected: 1, past: 2, resolved: 3 } as const;

/** Minutes from now to `t` (ms), for ordering; far away when unknown. */
function minutesTo(t: number | undefined): number {
  return t === undefined ? 1e9 : (t - Date.now()) / 60_000;
}

export function sortEncounters(list: Encounter[]): Encounter[] {
  return [...list].sort(
    (a, b) =>
      STATE_ORDER[a.state] - STATE_ORDER[b.state] ||
      ORDER[a.level] - ORDER[b.level] ||
      (a.tcpaMin ?? minutesTo(a.enterAt)) - (b.tcpaMin ?? minutesTo(b.enterAt)),
  );
}

function EncounterCard({
  ctx,
  e,
  channel,
  focused,
  onFocus,
  onEdit,
}: {
  ctx: Ctx;
  e: Encounter;
  channel: string | null;
  focused: boolean;
  onFocus: () => void;
  onEdit: (s: ComposeSeed) => void;
}) {
  const { t, tx, lang } = useI18n();
  const d = e.draft;
  const [prec, setPrec] = useState<Precedence>(d?.precedence ?? 'IMMEDIATE');
  const channels = ctx.snap.channels.filter((c) => c.status === 'open').map((c) => c.name);
  const [chan, setChan] = useState<string>(d?.channel ?? channel ?? channels[0] ?? '');
  const [err, setErr] = useState<string | null>(null);
  useEffect(() => {
    if (d?.precedence) setPrec(d.precedence);
  }, [d?.precedence]);
  const act = async (what: 'send' | 'discard') => {
    setErr(null);
    try {
      await post(
        `/api/v1/encounters/${encodeURIComponent(e.id)}/${what}`,
        what === 'send' ? { precedence: prec, ...(chan ? { channel: chan } : {}) } : {},
      );
      ctx.live.later(['encounters', 'messages', 'channels']);
    } catch (x) {
      setErr(x instanceof ApiError ? `${x.code}: ${x.message}` : String(x));
    }
  };
  const upcoming = e.state === 'projected' || e.state === 'active';
  return (
    <div
      className={`card encounter level-${e.level} ${focused ? 'focused' : ''} estate-${e.state}`}
      data-testid="encounter"
      data-level={e.level}
      data-id={e.id}
      onClick={onFocus}
    >
      <div className="row">
        <span className={`badge level-${e.level}`}>{tx(`level_${e.level}`, e.level)}</span>
        <strong>
          {e.aName ?? e.a} ⟷ {e.bName ?? e.b}
        </strong>
        <span className="badge">{tx(`estate_${e.state}`, e.state)}</span>
      </div>
      {e.kind === 'area' ? (
        <div className="small">
          {t('entersArea', { notice: e.notice?.ref ?? e.bName ?? e.b })} <Dtg ms={e.enterAt} />
          {e.enterPos ? (
            <>
              {' '}
              · <Pos lat={e.enterPos.lat} lon={e.enterPos.lon} />
            </>
          ) : null}
        </div>
      ) : (
        <>
          <div className="small">
            {upcoming
              ? t('cpa', {
                  dist: formatNm(e.cpaNm ?? NaN, lang),
                  min: Math.max(0, Math.round((e.tcpaMin ?? 0) * 10) / 10),
                })
              : t('cpaPast', { dist: formatNm(e.cpaNm ?? NaN, lang) })}{' '}
            <Dtg ms={e.cpaAt} />
            {upcoming && typeof e.timeToActMin === 'number'
              ? ` · ${
                  e.timeToActMin > 0
                    ? t('toAct', { min: Math.round(e.timeToActMin * 10) / 10 })
                    : t('noTimeToAct')
                }`
              : ''}
          </div>
          {e.situation ? (
            <div className="small">
              {e.situation === 'head-on'
                ? t('sitHeadOn')
                : t(e.situation === 'crossing' ? 'sitCrossing' : 'sitOvertaking', {
                    who: (e.giveWay === 'b' ? (e.bName ?? e.b) : (e.aName ?? e.a)) ?? '—',
                  })}
            </div>
          ) : null}
          <div className="small muted">
            {t('range', {
              dist: formatNm(e.rangeNm ?? NaN, lang),
              brg: typeof e.bearingDeg === 'number' ? formatCourse(e.bearingDeg) : '—',
            })}
            {typeof e.vsepFt === 'number'
              ? ` · ${t('vsep', { ft: `${Math.round(e.vsepFt)} ft` })}`
              : ''}
            {e.cpaA ? (
              <>
                {' '}
                · <Pos lat={e.cpaA.lat} lon={e.cpaA.lon} />
              </>
            ) : null}
          </div>
        </>
      )}
      {d ? (
        <div
          className={`draft draft-${d.status}`}
          data-testid="encounter-draft"
          data-status={d.status}
        >
          <div className="muted small">
            {t('draftMessage')} <span className="badge code">{d.code}</span>{' '}
            {d.status !== 'pending' ? (
              <span className="badge">
                {d.status === 'sent' ? t('draftSent') : t('draftDiscarded')}
              </span>
            ) : null}
          </div>
          <p lang="en">
            <span className="muted small">EN</span> {d.text.en}
          </p>
          <p lang="zh">
            <span className="muted small">中文</span> {d.text.zh}
          </p>
          {d.status === 'pending' && ctx.can('send') ? (
            <div className="row" onClick={(x) => x.stopPropagation()}>
              <label className="small">
                {t('sendAs')}{' '}
                <select
                  value={prec}
                  onChange={(x) => setPrec(x.target.value as Precedence)}
                  data-testid="encounter-precedence"
                >
                  {PRECEDENCES.map((p) => (
                    <option key={p} value={p}>
                      {tx(`prec_${p}`, p)}
                    </option>
                  ))}
                </select>
              </label>
              <label className="small">
                {t('onChannel')}{' '}
                <select
                  value={chan}
                  onChange={(x) => setChan(x.target.value)}
                  data-testid="encounter-channel"
                >
                  {[...new Set([chan, ...channels])].filter(Boolean).map((c) => (
                    <option key={c} value={c}>
                      #{c}
                    </option>
                  ))}
                </select>
              </label>
              <button
                type="button"
                className="primary"
                onClick={() => void act('send')}
                data-testid="encounter-send"
              >
                {t('send')}
              </button>
              <button
                type="button"
                onClick={() =>
                  onEdit({
                    channel: chan || null,
                    code: d.code,
                    params: d.params,
                    precedence: prec,
                    encounter: e.id,
                  })
                }
                data-testid="encounter-edit"
              >
                {t('edit')}
              </button>
              <button
                type="button"
                onClick={() => void act('discard')}
                data-testid="encounter-discard"
              >
                {t('discard')}
              </button>
            </div>
          ) : null}
        </div>
      ) : null}
      {err ? <p className="error small">{err}</p> : null}
    </div>
  );
}

export function Encounters({
  ctx,
  channel,
  focus,
  onFocus,
  onEdit,
}: {
  ctx: Ctx;
  channel: string | null;
  focus: string | null;
  onFocus: (id: string) => void;
  onEdit: (s: ComposeSeed) => void;
}) {
  const { t } = useI18n();
  const list = sortEncounters(ctx.snap.encounters);
  return (
    <div className="pane" data-testid="encounters">
      {list.length === 0 ? <p className="muted">{t('noEncounters')}</p> : null}
      {list.map((e) => (
        <EncounterCard
          key={e.id}
          ctx={ctx}
          e={e}
          channel={channel}
          focused={focus === e.id}
          onFocus={() => onFocus(e.id)}
          onEdit={onEdit}
        />
      ))}
    </div>
  );
}
