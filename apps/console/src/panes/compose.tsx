import { useEffect, useMemo, useState } from 'react';
import {
  CATALOGUE_VERSION,
  ENUM_LABELS,
  parseCatalogueMessage,
  renderCatalogueMessage,
} from '@parley/core';
import { ApiError, post } from '../api/client.js';
import { PRECEDENCES } from '../api/types.js';
import type { CatalogueEntry, CatalogueParam, Lang, Precedence } from '../api/types.js';
import { useI18n } from '../i18n/i18n.js';
import { PrecBadge } from './common.js';
import type { Ctx } from './shell.js';

/** What an encounter's "Edit" hands the composer. */
export interface ComposeSeed {
  channel: string | null;
  code: string;
  params: Record<string, unknown>;
  precedence: Precedence;
  /** The encounter whose draft this replaces (discarded once the edited message is sent). */
  encounter?: string;
}

type Raw = Record<string, string>;

/** Raw form values of a parameter, from a typed value. */
function toRaw(p: CatalogueParam, v: unknown): Raw {
  const k = p.name;
  if (v === undefined || v === null) return {};
  switch (p.kind) {
    case 'position': {
      const pos = v as { lat: number; lon: number };
      return { [`${k}.lat`]: String(pos.lat), [`${k}.lon`]: String(pos.lon) };
    }
    case 'distance': {
      const d = v as { value: number; unit: string };
      return { [`${k}.value`]: String(d.value), [`${k}.unit`]: d.unit };
    }
    case 'time':
      return { [k]: new Date(v as number).toISOString().slice(0, 16) };
    default:
      return { [k]: String(v) };
  }
}

/** Typed parameters from the form; empty optional fields are left out. */
function fromRaw(entry: CatalogueEntry, raw: Raw): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of entry.params) {
    const k = p.name;
    const r = raw[k];
    switch (p.kind) {
      case 'position':
        if (raw[`${k}.lat`] || raw[`${k}.lon`])
          out[k] = { lat: Number(raw[`${k}.lat`]), lon: Number(raw[`${k}.lon`]) };
        break;
      case 'distance':
        if (raw[`${k}.value`])
          out[k] = { value: Number(raw[`${k}.value`]), unit: raw[`${k}.unit`] ?? 'nm' };
        break;
      case 'time':
        if (r) out[k] = Date.parse(`${r}:00Z`);
        break;
      case 'course':
      case 'speed':
      case 'altitude':
      case 'duration':
        if (r !== undefined && r !== '') out[k] = Number(r);
        break;
      default:
        if (r) out[k] = r;
    }
  }
  return out;
}

function ParamInput({
  p,
  raw,
  set,
}: {
  p: CatalogueParam;
  raw: Raw;
  set: (k: string, v: string) => void;
}) {
  const k = p.name;
  const { t, tx, lang } = useI18n();
  const input = (key: string, props: Record<string, unknown> = {}) => (
    <input
      value={raw[key] ?? ''}
      onChange={(e) => set(key, e.target.value)}
      data-testid={`param-${key}`}
      {...props}
    />
  );
  /** A choice; `labels` (the catalogue's own, so the form reads as the message will) or the value. */
  const select = (
    key: string,
    options: readonly string[],
    labels?: Readonly<Record<string, Readonly<Record<'en' | 'zh', string>>>>,
  ) => (
    <select
      value={raw[key] ?? options[0]}
      onChange={(e) => set(key, e.target.value)}
      data-testid={`param-${key}`}
    >
      {options.map((o) => (
        <option key={o} value={o}>
          {labels?.[o]?.[lang] ?? o}
        </option>
      ))}
    </select>
  );
  let body;
  switch (p.kind) {
    case 'position':
      body = (
        <>
          {input(`${k}.lat`, {
            type: 'number',
            step: 'any',
            placeholder: t('latN'),
            min: -90,
            max: 90,
          })}
          {input(`${k}.lon`, {
            type: 'number',
            step: 'any',
            placeholder: t('lonE'),
            min: -180,
            max: 180,
          })}
        </>
      );
      break;
    case 'distance':
      body = (
        <>
          {input(`${k}.value`, { type: 'number', step: 'any', min: 0 })}
          {select(`${k}.unit`, ['nm', 'yd', 'm', 'km'])}
        </>
      );
      break;
    case 'time':
      body = (
        <>
          {input(k, { type: 'datetime-local' })} <span className="muted">Z</span>
        </>
      );
      break;
    case 'course':
    case 'speed':
    case 'altitude':
    case 'duration':
      body = input(k, { type: 'number', step: 'any', min: p.kind === 'altitude' ? -2000 : 0 });
      break;
    case 'side':
    case 'turn':
    case 'medium':
    case 'situation':
    case 'note':
      body = select(k, Object.keys(ENUM_LABELS[p.kind]), ENUM_LABELS[p.kind]);
      break;
    default:
      body = input(k, { type: 'text', maxLength: 200 });
  }
  return (
    <label className="param">
      <span className="param-name">
        {tx(`pk_${p.kind}`, p.kind)}{' '}
        <span className="muted small mono">
          {p.name}
          {p.required ? '' : ` (${t('optional')})`}
        </span>
      </span>
      <span className="param-input">{body}</span>
    </label>
  );
}

export function Compose({
  ctx,
  channel,
  seed,
  onSeedUsed,
}: {
  ctx: Ctx;
  channel: string;
  seed: ComposeSeed | null;
  onSeedUsed: () => void;
}) {
  const { t, tx, lang } = useI18n();
  const entries = ctx.snap.catalogue?.entries ?? [];
  const [mode, setMode] = useState<'catalogue' | 'text'>('catalogue');
  const [code, setCode] = useState('INT-01');
  const [raw, setRaw] = useState<Raw>({});
  const [search, setSearch] = useState('');
  const [text, setText] = useState('');
  const [textLang, setTextLang] = useState<Lang>(lang);
  const [precedence, setPrecedence] = useState<Precedence>('IMMEDIATE');
  const [status, setStatus] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [fromEncounter, setFromEncounter] = useState<string | undefined>(undefined);

  useEffect(() => {
    if (!seed) return;
    const entry = entries.find((e) => e.code === seed.code);
    setMode('catalogue');
    setCode(seed.code);
    setPrecedence(seed.precedence);
    setRaw(
      entry ? Object.assign({}, ...entry.params.map((p) => toRaw(p, seed.params[p.name]))) : {},
    );
    setFromEncounter(seed.encounter);
    onSeedUsed();
  }, [seed, entries, onSeedUsed]);

  const entry = entries.find((e) => e.code === code);
  const preview = useMemo(() => {
    if (mode === 'text') return null;
    if (!entry) return { error: '—' };
    try {
      const msg = parseCatalogueMessage({
        v: CATALOGUE_VERSION,
        code,
        params: fromRaw(entry, raw),
      });
      return {
        en: renderCatalogueMessage(msg, 'en'),
        zh: renderCatalogueMessage(msg, 'zh'),
        params: msg.params,
      };
    } catch (err) {
      return { error: err instanceof Error ? err.message : String(err) };
    }
  }, [mode, entry, code, raw]);

  const filtered = entries.filter((e) => {
    const q = search.trim().toLowerCase();
    return (
      !q || e.code.toLowerCase().includes(q) || e.en.toLowerCase().includes(q) || e.zh.includes(q)
    );
  });
  const categories = [...new Set(filtered.map((e) => e.category))];
  const canSend = ctx.can('send');
  const ready =
    canSend && !busy && (mode === 'text' ? text.trim() !== '' : !!preview && !('error' in preview));

  const send = async () => {
    setBusy(true);
    setStatus(null);
    try {
      const body =
        mode === 'text'
          ? { channel, precedence, text, lang: textLang }
          : {
              channel,
              precedence,
              catalogue: { code, params: preview && 'params' in preview ? preview.params : {} },
            };
      const r = await post<{ id?: string; draft?: { id: string } }>('/api/v1/messages', body);
      if (r.draft) setStatus(t('queuedForApproval'));
      if (fromEncounter) {
        await post(`/api/v1/encounters/${encodeURIComponent(fromEncounter)}/discard`).catch(
          () => undefined,
        );
        setFromEncounter(undefined);
      }
      setText('');
      ctx.live.later(['messages', 'drafts', 'channels', 'encounters']);
    } catch (err) {
      setStatus(err instanceof ApiError ? `${err.code}: ${err.message}` : String(err));
    } finally {
      setBusy(false);
    }
  };

  if (!canSend)
    return (
      <div className="compose disabled" data-testid="compose">
        <p className="muted">{t('cannotSend')}</p>
      </div>
    );

  return (
    <div className="compose" data-testid="compose">
      <div className="row">
        <div className="seg">
          <button
            type="button"
            className={mode === 'catalogue' ? 'on' : ''}
            onClick={() => setMode('catalogue')}
          >
            {t('catalogueMessage')}
          </button>
          <button
            type="button"
            className={mode === 'text' ? 'on' : ''}
            onClick={() => setMode('text')}
            data-testid="mode-text"
          >
            {t('freeText')}
          </button>
        </div>
        <div className="seg prec-picker" role="radiogroup" aria-label={t('precedence')}>
          {PRECEDENCES.map((p) => (
            <button
              key={p}
              type="button"
              role="radio"
              aria-checked={precedence === p}
              className={`prec-${p.toLowerCase()} ${precedence === p ? 'on' : ''}`}
              onClick={() => setPrecedence(p)}
              data-testid={`prec-${p}`}
            >
              {tx(`prec_${p}`, p)}
            </button>
          ))}
        </div>
      </div>
      {mode === 'catalogue' ? (
        <>
          <div className="row">
            <input
              className="grow"
              placeholder={t('searchCatalogue')}
              value={search}
              onChange={(e) => setSearch(e.target.value)}
              data-testid="catalogue-search"
            />
            <select
              value={code}
              onChange={(e) => {
                setCode(e.target.value);
                setRaw({});
              }}
              data-testid="catalogue-code"
              aria-label={t('chooseCode')}
            >
              {categories.map((c) => (
                <optgroup key={c} label={ctx.snap.catalogue?.categories[c]?.[lang] ?? c}>
                  {filtered
                    .filter((e) => e.category === c)
                    .map((e) => (
                      <option key={e.code} value={e.code}>
                        {e.code} {lang === 'zh' ? e.zh : e.en}
                      </option>
                    ))}
                </optgroup>
              ))}
            </select>
          </div>
          {entry && entry.params.length > 0 ? (
            <div className="params">
              {entry.params.map((p) => (
                <ParamInput
                  key={p.name}
                  p={p}
                  raw={raw}
                  set={(k, v) => setRaw((r) => ({ ...r, [k]: v }))}
                />
              ))}
            </div>
          ) : null}
          <div className="preview" data-testid="preview">
            {preview && 'error' in preview ? (
              <p className="error small">{preview.error}</p>
            ) : preview ? (
              <>
                <p lang="en">
                  <span className="muted small">EN</span> {preview.en}
                </p>
                <p lang="zh">
                  <span className="muted small">中文</span> {preview.zh}
                </p>
              </>
            ) : null}
          </div>
        </>
      ) : (
        <div className="row">
          <textarea
            className="grow"
            rows={3}
            maxLength={8000}
            placeholder={t('textPlaceholder')}
            value={text}
            onChange={(e) => setText(e.target.value)}
            data-testid="free-text"
          />
          <select
            value={textLang}
            onChange={(e) => setTextLang(e.target.value as Lang)}
            aria-label={t('language')}
          >
            <option value="en">EN</option>
            <option value="zh">中文</option>
          </select>
        </div>
      )}
      <div className="row">
        <button
          type="button"
          className="primary"
          disabled={!ready}
          onClick={() => void send()}
          data-testid="send"
        >
          {busy ? t('sending') : t('send')} <PrecBadge p={precedence} /> #{channel}
        </button>
        {status ? <span className="small">{status}</span> : null}
      </div>
    </div>
  );
}
