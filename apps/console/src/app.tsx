import { useCallback, useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import { ApiError, get, onUnauthorized, post, setCsrf } from './api/client.js';
import { Live } from './api/live.js';
import type { Lang, Me } from './api/types.js';
import { I18nContext, translate, translateLoose } from './i18n/i18n.js';
import type { I18n } from './i18n/i18n.js';
import { Login } from './panes/login.js';
import { Shell } from './panes/shell.js';

const LANG_KEY = 'parley.lang';

function initialLang(): Lang {
  const saved = localStorage.getItem(LANG_KEY);
  if (saved === 'en' || saved === 'zh') return saved;
  return navigator.language.startsWith('zh') ? 'zh' : 'en';
}

export function App() {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const setLang = useCallback((l: Lang) => {
    localStorage.setItem(LANG_KEY, l);
    document.documentElement.lang = l === 'zh' ? 'zh-CN' : 'en';
    setLangState(l);
  }, []);
  const i18n = useMemo<I18n>(
    () => ({
      lang,
      setLang,
      t: (k, p) => translate(lang, k, p),
      tx: (k, f) => translateLoose(lang, k, f),
    }),
    [lang, setLang],
  );

  useEffect(() => {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    // A reloaded page recovers its session (and CSRF token) from the cookie.
    get<Me>('/api/v1/me')
      .then((m) => {
        setCsrf(m.csrf);
        setMe(m);
      })
      .catch(() => setMe(null));
  }, []);

  useEffect(
    () =>
      onUnauthorized(() => {
        setCsrf(undefined);
        setMe(null);
      }),
    [],
  );

  const signOut = useCallback(async () => {
    await post('/api/v1/logout').catch(() => undefined);
    setCsrf(undefined);
    setMe(null);
  }, []);

  const onLogin = useCallback(async (name: string, password: string) => {
    try {
      const r = await post<{ csrf: string }>('/api/v1/login', { name, password });
      setCsrf(r.csrf);
      setMe(await get<Me>('/api/v1/me'));
      return null;
    } catch (err) {
      return err instanceof ApiError ? err : new ApiError(0, 'NETWORK', String(err));
    }
  }, []);

  return (
    <I18nContext.Provider value={i18n}>
      {me === undefined ? null : me === null ? (
        <Login onLogin={onLogin} />
      ) : (
        <Signed me={me} onSignOut={signOut} />
      )}
    </I18nContext.Provider>
  );
}

function Signed({ me, onSignOut }: { me: Me; onSignOut: () => void }) {
  const [live] = useState(() => new Live(initialLang()));
  useEffect(() => {
    live.start();
    // For the browser tests and the curious: the console's picture of its station.
    (window as unknown as { __parleyLive?: Live }).__parleyLive = live;
    return () => live.stop();
  }, [live]);
  const snap = useSyncExternalStore(
    useCallback((fn) => live.subscribe(fn), [live]),
    () => live.snap,
  );
  return <Shell me={me} live={live} snap={snap} onSignOut={onSignOut} />;
}
