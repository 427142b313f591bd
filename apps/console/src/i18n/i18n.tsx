import { createContext, useContext } from 'react';
import type { Lang } from '../api/types.js';
import { STRINGS } from './strings.js';
import type { StringKey } from './strings.js';

export type Translate = (key: StringKey, params?: Record<string, string | number>) => string;

/** Looks a UI string up in a language and fills its `{placeholders}`. */
export function translate(
  lang: Lang,
  key: StringKey,
  params?: Record<string, string | number>,
): string {
  const s: string = STRINGS[key][lang];
  return params
    ? s.replace(/\{(\w+)\}/g, (m, k: string) => (k in params ? String(params[k]) : m))
    : s;
}

/** Like `translate`, for keys built at run time (`state_UP`); unknown keys show as given. */
export function translateLoose(lang: Lang, key: string, fallback: string): string {
  return key in STRINGS ? STRINGS[key as StringKey][lang] : fallback;
}

export interface I18n {
  lang: Lang;
  setLang: (l: Lang) => void;
  t: Translate;
  /** A run-time key (`prec_FLASH`) or the fallback text. */
  tx: (key: string, fallback: string) => string;
}

export const I18nContext = createContext<I18n>({
  lang: 'en',
  setLang: () => {},
  t: (k, p) => translate('en', k, p),
  tx: (k, f) => translateLoose('en', k, f),
});

export const useI18n = () => useContext(I18nContext);
