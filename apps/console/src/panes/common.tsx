import { useEffect, useState } from 'react';
import { formatClock, formatDtg, safeDecimal, safePosition } from '../format.js';
import { useI18n } from '../i18n/i18n.js';

/** The current time, re-rendered every `ms`. */
export function useNow(ms = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}

export function UtcClock() {
  const now = useNow();
  return (
    <div className="clock" data-testid="utc-clock" title={new Date(now).toISOString()}>
      <span className="clock-time">{formatClock(now)}</span>
      <span className="clock-dtg">{formatDtg(now)}</span>
    </div>
  );
}

export function LangSwitch() {
  const { lang, setLang } = useI18n();
  return (
    <div className="lang-switch" role="group" aria-label="Language / 语言">
      <button
        type="button"
        className={lang === 'en' ? 'on' : ''}
        onClick={() => setLang('en')}
        data-testid="lang-en"
      >
        EN
      </button>
      <button
        type="button"
        className={lang === 'zh' ? 'on' : ''}
        onClick={() => setLang('zh')}
        data-testid="lang-zh"
      >
        中文
      </button>
    </div>
  );
}

/** A channel's members for display: this station first, then the others by name. */
export function memberOrder(
  members: readonly string[],
  self: string,
  nameOf: (s: string) => string,
): string[] {
  const others = members.filter((s) => s !== self).sort((a, b) => (nameOf(a) < nameOf(b) ? -1 : 1));
  return members.includes(self) ? [self, ...others] : others;
}

/** A date-time group, with the ISO time on hover. */
export function Dtg({ ms }: { ms: number | null | undefined }) {
  if (ms === null || ms === undefined) return <span>—</span>;
  return (
    <time className="dtg" dateTime={new Date(ms).toISOString()} title={new Date(ms).toISOString()}>
      {formatDtg(ms)}
    </time>
  );
}

/** A position in NAVAREA style; decimal degrees on hover. */
export function Pos({ lat, lon }: { lat: number; lon: number }) {
  return (
    <span className="pos" title={safeDecimal(lat, lon)}>
      {safePosition(lat, lon)}
    </span>
  );
}

export function StateBadge({ state }: { state: string }) {
  const { tx } = useI18n();
  return (
    <span className={`badge state-${state.toLowerCase()}`}>{tx(`state_${state}`, state)}</span>
  );
}

export function PrecBadge({ p }: { p: string }) {
  const { tx } = useI18n();
  return <span className={`badge prec-${p.toLowerCase()}`}>{tx(`prec_${p}`, p)}</span>;
}
