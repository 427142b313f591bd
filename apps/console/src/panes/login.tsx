import { useState } from 'react';
import type { FormEvent } from 'react';
import type { ApiError } from '../api/client.js';
import { useI18n } from '../i18n/i18n.js';
import { LangSwitch, UtcClock } from './common.js';

export function Login({
  onLogin,
}: {
  onLogin: (name: string, password: string) => Promise<ApiError | null>;
}) {
  const { t } = useI18n();
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    const err = await onLogin(name, password);
    setBusy(false);
    if (err)
      setError(
        err.code === 'PARLEY_E_LOGIN_FAILED' ? t('signInFailed') : `${err.code}: ${err.message}`,
      );
  };
  return (
    <div className="login">
      <div className="login-top">
        <UtcClock />
        <LangSwitch />
      </div>
      <form className="login-box" onSubmit={submit} aria-label={t('signIn')}>
        <h1>{t('appTitle')}</h1>
        <p className="muted">{t('signInIntro')}</p>
        <label>
          {t('operatorName')}
          <input
            name="name"
            autoComplete="username"
            value={name}
            onChange={(e) => setName(e.target.value)}
            autoFocus
          />
        </label>
        <label>
          {t('password')}
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        {error ? (
          <p className="error" role="alert">
            {error}
          </p>
        ) : null}
        <button type="submit" disabled={busy || !name || !password}>
          {t('signIn')}
        </button>
      </form>
    </div>
  );
}
