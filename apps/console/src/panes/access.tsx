import { useCallback, useEffect, useState } from 'react';
import { ApiError, get, post } from '../api/client.js';
import { useI18n } from '../i18n/i18n.js';
import { Dtg } from './common.js';
import type { Ctx } from './shell.js';

// The admin pane: operators (disable, enable, change role) and bearer tokens (create with an
// expiry, revoke). Every button is one action with one Idempotency-Key (api/client.ts).

interface UserRow {
  name: string;
  role: string;
  channels: '*' | string[];
  created: number;
  disabled: boolean;
}
interface TokenRow {
  id: string;
  label: string;
  role: string;
  created: number;
  expires: number | null;
  revoked: number | null;
  state: 'active' | 'expired' | 'revoked';
}

const ROLES = ['viewer', 'operator', 'linguist', 'approver', 'admin'] as const;

export function Access({ ctx }: { ctx: Ctx }) {
  const { t } = useI18n();
  const [users, setUsers] = useState<UserRow[]>([]);
  const [tokens, setTokens] = useState<TokenRow[]>([]);
  const [err, setErr] = useState<string | null>(null);
  const [created, setCreated] = useState<string | null>(null);
  const [role, setRole] = useState<string>('viewer');
  const [label, setLabel] = useState('');
  const [expires, setExpires] = useState('30d');

  const load = useCallback(async () => {
    const [u, tk] = await Promise.all([
      get<{ users: UserRow[] }>('/api/v1/users'),
      get<{ tokens: TokenRow[] }>('/api/v1/tokens'),
    ]);
    setUsers(u.users);
    setTokens(tk.tokens);
  }, []);
  useEffect(() => {
    void load().catch((e: unknown) => setErr(String(e)));
  }, [load]);

  const act = async (fn: () => Promise<unknown>) => {
    setErr(null);
    try {
      await fn();
      await load();
    } catch (e) {
      setErr(e instanceof ApiError ? `${e.code}: ${e.message}` : String(e));
    }
  };

  return (
    <div className="pane" data-testid="access">
      <h3>{t('operators')}</h3>
      <table className="small">
        <tbody>
          {users.map((u) => (
            <tr key={u.name} data-testid={`user-${u.name}`}>
              <td>
                <strong>{u.name}</strong>
              </td>
              <td>
                <select
                  aria-label={t('role')}
                  value={u.role}
                  disabled={u.name === ctx.me.name}
                  data-testid={`role-${u.name}`}
                  onChange={(e) =>
                    void act(() => post(`/api/v1/users/${u.name}/role`, { role: e.target.value }))
                  }
                >
                  {ROLES.map((r) => (
                    <option key={r} value={r}>
                      {t(`role_${r}`)}
                    </option>
                  ))}
                </select>
              </td>
              <td className="muted">{u.channels === '*' ? '*' : u.channels.join(', ')}</td>
              <td>{u.disabled ? t('disabled') : t('enabled')}</td>
              <td>
                {u.name === ctx.me.name ? null : (
                  <button
                    type="button"
                    data-testid={`${u.disabled ? 'enable' : 'disable'}-${u.name}`}
                    onClick={() =>
                      void act(() =>
                        post(`/api/v1/users/${u.name}/${u.disabled ? 'enable' : 'disable'}`),
                      )
                    }
                  >
                    {u.disabled ? t('enable') : t('disable')}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      <h3>{t('tokens')}</h3>
      <table className="small">
        <tbody>
          {tokens.map((tk) => (
            <tr key={tk.id} data-testid={`token-${tk.id}`}>
              <td>
                <code>{tk.id}</code>
              </td>
              <td>{tk.label || '—'}</td>
              <td>{t(`role_${tk.role as (typeof ROLES)[number]}`)}</td>
              <td>{t(`token_${tk.state}`)}</td>
              <td className="muted">
                {tk.expires !== null ? <Dtg ms={tk.expires} /> : t('noExpiry')}
              </td>
              <td>
                {tk.state === 'active' ? (
                  <button
                    type="button"
                    data-testid={`revoke-${tk.id}`}
                    onClick={() => void act(() => post(`/api/v1/tokens/${tk.id}/revoke`))}
                  >
                    {t('revoke')}
                  </button>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="row">
        <select aria-label={t('role')} value={role} onChange={(e) => setRole(e.target.value)}>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {t(`role_${r}`)}
            </option>
          ))}
        </select>
        <input
          aria-label={t('tokenLabel')}
          placeholder={t('tokenLabel')}
          value={label}
          onChange={(e) => setLabel(e.target.value)}
        />
        <input
          aria-label={t('tokenExpires')}
          placeholder="30d"
          value={expires}
          onChange={(e) => setExpires(e.target.value)}
          data-testid="token-expires"
        />
        <button
          type="button"
          className="primary"
          data-testid="create-token"
          onClick={() =>
            void act(async () => {
              const r = await post<{ token: string }>('/api/v1/tokens', {
                role,
                label,
                ...(expires.trim() ? { expires: expires.trim() } : {}),
              });
              setCreated(r.token);
            })
          }
        >
          {t('createToken')}
        </button>
      </div>
      {created ? (
        <p className="small" data-testid="new-token">
          {t('tokenShownOnce')} <code>{created}</code>
        </p>
      ) : null}
      {err ? <p className="error small">{err}</p> : null}
    </div>
  );
}
