import { useState } from 'react';
import { ApiError, post } from '../api/client.js';
import type { Notice } from '../api/types.js';
import { useI18n } from '../i18n/i18n.js';
import { Dtg } from './common.js';
import type { Ctx } from './shell.js';

/** The notice's overall window: first start to last end. */
export function noticeWindow(n: Notice): { start: number; end: number } | null {
  const w = n.notice.windows;
  if (w.length === 0) return null;
  return { start: w[0]!.start, end: Math.max(...w.map((x) => x.end)) };
}

export function noticeTitle(n: Notice, lang: 'en' | 'zh'): string {
  const kind = n.notice.kind;
  const k = lang === 'zh' ? (KIND_ZH[kind] ?? kind) : kind.replace(/-/g, ' ').toUpperCase();
  return `${k} · ${n.notice.issuer.unit}`;
}

const KIND_ZH: Record<string, string> = {
  'naval-exercise': '海上演习',
  'live-fire': '实弹射击',
  launch: '发射',
  'air-exercise': '空中演习',
  'missile-test': '导弹试验',
};

export function Notices({ ctx }: { ctx: Ctx }) {
  const { t, lang, tx } = useI18n();
  const [err, setErr] = useState<string | null>(null);
  const notices = ctx.snap.notices;
  if (notices === null) return <p className="muted pane">{t('noticesUnavailable')}</p>;
  const ack = async (id: string, level: 'read' | 'understood') => {
    setErr(null);
    try {
      await post(`/api/v1/notices/${encodeURIComponent(id)}/${level}`);
      ctx.live.later(['notices']);
    } catch (e) {
      setErr(e instanceof ApiError ? `${e.code}: ${e.message}` : String(e));
    }
  };
  const order = { active: 0, upcoming: 1, expired: 2, cancelled: 3 } as const;
  const list = [...notices].sort((a, b) => order[a.status] - order[b.status] || b.ts - a.ts);
  return (
    <div className="pane" data-testid="notices">
      {list.length === 0 ? <p className="muted">{t('noNotices')}</p> : null}
      {list.map((n) => (
        <div
          key={n.id}
          className={`card notice status-${n.status} ${n.lateness.late ? 'late' : ''}`}
          data-testid="notice"
          data-kind={n.notice.kind}
        >
          <div className="row">
            <strong>{noticeTitle(n, lang)}</strong>
            <span className={`badge nstatus-${n.status}`}>
              {tx(`nstatus_${n.status}`, n.status)}
            </span>
            {n.lateness.late ? (
              <span className="badge state-down" data-testid="notice-late">
                {t('late')} · {n.lateness.text}
              </span>
            ) : null}
            {n.amended ? <span className="badge">{t('amended')}</span> : null}
            <span className="muted small">
              {ctx.nameOf(n.station)} · {n.ref}
            </span>
          </div>
          {n.notice.windows.map((w) => (
            <div key={w.start} className="small">
              <Dtg ms={w.start} /> → <Dtg ms={w.end} />
            </div>
          ))}
          <p className="notice-text" lang={lang}>
            {n.text[lang]}
          </p>
          {n.cancelled ? (
            <p className="small error">
              {t('cancelled')}: {n.cancelled.reason}
            </p>
          ) : null}
          <div className="ticks">
            <span className={`tick ${n.receipts.delivered ? 'done' : ''}`}>
              {n.receipts.delivered ? '✓' : '·'} {t('delivered')}{' '}
              <Dtg ms={n.receipts.delivered?.ts} />
            </span>
            <span className={`tick ${n.receipts.read ? 'done' : ''}`}>
              {n.receipts.read ? '✓' : '·'} {t('read')} <Dtg ms={n.receipts.read?.ts} />
            </span>
            <span className={`tick ${n.receipts.understood ? 'done' : ''}`}>
              {n.receipts.understood ? '✓' : '·'} {t('understood')}{' '}
              <Dtg ms={n.receipts.understood?.ts} />
            </span>
            {!n.own && ctx.can('acknowledge') && !n.receipts.understood ? (
              <button
                type="button"
                className="primary"
                onClick={() => void ack(n.id, 'understood')}
              >
                {t('markUnderstood')}
              </button>
            ) : null}
          </div>
        </div>
      ))}
      {err ? <p className="error small">{err}</p> : null}
    </div>
  );
}
