import { useState } from 'react';
import { CATALOGUE_VERSION, parseCatalogueMessage, renderCatalogueMessage } from '@parley/core';
import { ApiError, del, post } from '../api/client.js';
import type { Draft } from '../api/types.js';
import { useI18n } from '../i18n/i18n.js';
import { Dtg, PrecBadge } from './common.js';
import type { Ctx } from './shell.js';

function draftText(d: Draft, lang: 'en' | 'zh'): string {
  if (d.body.text) return d.body.text;
  if (!d.body.catalogue) return '';
  try {
    return renderCatalogueMessage(
      parseCatalogueMessage({ v: CATALOGUE_VERSION, ...d.body.catalogue }),
      lang,
    );
  } catch {
    return `[${d.body.catalogue.code}]`;
  }
}

/** The two-person rule: drafts on leader and ministry channels wait here for a second person. */
export function Approvals({ ctx }: { ctx: Ctx }) {
  const { t, lang } = useI18n();
  const [err, setErr] = useState<string | null>(null);
  const act = async (fn: () => Promise<unknown>) => {
    setErr(null);
    try {
      await fn();
      ctx.live.later(['drafts', 'messages', 'channels']);
    } catch (e) {
      setErr(e instanceof ApiError ? `${e.code}: ${e.message}` : String(e));
    }
  };
  return (
    <div className="pane" data-testid="approvals">
      {ctx.snap.drafts.length === 0 ? <p className="muted">{t('noDrafts')}</p> : null}
      {ctx.snap.drafts.map((d) => {
        const mine = d.author === ctx.me.name;
        return (
          <div key={d.id} className="card" data-testid="draft">
            <div className="row">
              <strong>#{d.channel}</strong>
              {d.body.precedence ? <PrecBadge p={d.body.precedence} /> : null}
              <span className="muted small">
                {t('draftBy', { name: d.author, time: '' })}
                <Dtg ms={d.created} />
              </span>
            </div>
            <p>{draftText(d, lang)}</p>
            {d.body.catalogue && !d.body.text ? (
              <p className="muted small">{draftText(d, lang === 'zh' ? 'en' : 'zh')}</p>
            ) : null}
            <div className="row">
              {ctx.can('approve') ? (
                <button
                  type="button"
                  className="primary"
                  disabled={mine}
                  onClick={() => void act(() => post(`/api/v1/drafts/${d.id}/approve`))}
                  data-testid="approve"
                >
                  {t('approve')}
                </button>
              ) : null}
              {mine ? <span className="muted small">{t('ownDraft')}</span> : null}
              {ctx.can('send') ? (
                <button type="button" onClick={() => void act(() => del(`/api/v1/drafts/${d.id}`))}>
                  {t('discard')}
                </button>
              ) : null}
            </div>
          </div>
        );
      })}
      {err ? <p className="error small">{err}</p> : null}
    </div>
  );
}
