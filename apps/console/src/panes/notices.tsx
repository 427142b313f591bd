import type { Notice } from '../api/types.js';
import { useI18n } from '../i18n/i18n.js';
import { Dtg } from './common.js';
import type { Ctx } from './shell.js';

/** The time window of a notice, whichever way the station spells it. */
export function noticeWindow(n: Notice): { start: number; end: number } | null {
  const w = n.window ?? (n as { windows?: { start: number; end: number }[] }).windows?.[0];
  if (w && typeof w.start === 'number') return w;
  const start = n.start ?? n.from;
  const end = n.end ?? n.to;
  return typeof start === 'number' && typeof end === 'number' ? { start, end } : null;
}

export function noticeTitle(n: Notice, lang: 'en' | 'zh'): string {
  const pick = (v: unknown): string | undefined =>
    typeof v === 'string'
      ? v
      : v && typeof v === 'object'
        ? ((v as Record<string, string>)[lang] ?? Object.values(v as Record<string, string>)[0])
        : undefined;
  return pick(n.title) ?? pick(n.text) ?? n.kind ?? n.id;
}

export function Notices({ ctx }: { ctx: Ctx }) {
  const { t, lang, tx } = useI18n();
  const notices = ctx.snap.notices;
  if (notices === null) return <p className="muted pane">{t('noticesUnavailable')}</p>;
  return (
    <div className="pane" data-testid="notices">
      {notices.length === 0 ? <p className="muted">{t('noNotices')}</p> : null}
      {notices.map((n) => {
        const w = noticeWindow(n);
        return (
          <div key={n.id} className={`card notice kind-${n.kind ?? ''}`} data-testid="notice">
            <div className="row">
              <strong>{noticeTitle(n, lang)}</strong>
              {n.kind ? <span className="badge">{n.kind}</span> : null}
              {n.status ? (
                <span className="badge">{tx(`status_${n.status}`, n.status)}</span>
              ) : null}
              {n.station ? <span className="muted small">{ctx.nameOf(n.station)}</span> : null}
            </div>
            {w ? (
              <div className="small">
                <Dtg ms={w.start} /> → <Dtg ms={w.end} />
              </div>
            ) : null}
          </div>
        );
      })}
    </div>
  );
}
