import { useEffect, useMemo, useState } from 'react';
import type { Live, Snapshot } from '../api/live.js';
import type { Me } from '../api/types.js';
import { useI18n } from '../i18n/i18n.js';
import { MapView } from '../map/map-view.js';
import { Access } from './access.js';
import { Approvals } from './approvals.js';
import { Calls } from './calls.js';
import { ChannelList, AlarmList, LinkLog } from './channels.js';
import { LangSwitch, StateBadge, UtcClock } from './common.js';
import { Conversation } from './conversation.js';
import { Encounters } from './encounters.js';
import { LinkStatus } from './link-status.js';
import { Notices } from './notices.js';
import type { ComposeSeed } from './compose.js';

type Tab = 'conversation' | 'encounters' | 'approvals' | 'notices' | 'calls' | 'link' | 'access';

export interface Ctx {
  me: Me;
  live: Live;
  snap: Snapshot;
  can: (permission: string) => boolean;
  /** This station's id. */
  self: string;
  /** A station id's display name ("us" for this one). */
  nameOf: (station: string) => string;
}

export function Shell({
  me,
  live,
  snap,
  onSignOut,
}: {
  me: Me;
  live: Live;
  snap: Snapshot;
  onSignOut: () => void;
}) {
  const { t, tx, lang } = useI18n();
  const [tab, setTab] = useState<Tab>('conversation');
  const [channel, setChannel] = useState<string | null>(null);
  const [seed, setSeed] = useState<ComposeSeed | null>(null);
  const [focus, setFocus] = useState<string | null>(null);
  useEffect(() => live.setLang(lang), [live, lang]);

  const self = snap.health?.station ?? '';
  const ctx = useMemo<Ctx>(
    () => ({
      me,
      live,
      snap,
      can: (p) => me.permissions.includes(p),
      self,
      nameOf: (s) =>
        s === self
          ? (snap.health?.name ?? t('you'))
          : (snap.health?.peers.find((p) => p.station === s)?.name ?? s.slice(0, 10)),
    }),
    [me, live, snap, self, t],
  );

  // Channels: the agreed ones, plus informal channels that have messages.
  const channelNames = useMemo(() => {
    const names = snap.channels.map((c) => c.name);
    for (const m of snap.messages) if (!names.includes(m.channel)) names.push(m.channel);
    return names;
  }, [snap.channels, snap.messages]);
  // Until the watch picks one, the channel with the latest message is shown.
  const latest = snap.messages.reduce<{ channel: string; ts: number } | null>(
    (best, m) => (!best || m.ts > best.ts ? { channel: m.channel, ts: m.ts } : best),
    null,
  );
  const selected = channel ?? latest?.channel ?? channelNames[0] ?? null;

  const pendingEncounters = snap.encounters.filter(
    (e) => e.draft?.status === 'pending' && e.state !== 'past' && e.state !== 'resolved',
  );
  const peers = snap.health?.peers ?? [];
  const tabs: [Tab, string, number][] = [
    ['conversation', t('conversation'), snap.channels.reduce((n, c) => n + c.unread, 0)],
    ['encounters', t('encounters'), pendingEncounters.length],
    ['approvals', t('approvals'), snap.drafts.length],
    ['notices', t('notices'), snap.notices?.length ?? 0],
    ['calls', t('calls'), snap.calls.filter((c) => c.status === 'open').length],
    ['link', t('linkStatus'), 0],
    ...(ctx.can('users') ? [['access', t('access'), 0] as [Tab, string, number]] : []),
  ];

  return (
    <div className="shell">
      <header className="top">
        <div className="brand">
          <strong>PARLEY</strong>
          <span data-testid="station-name">{snap.health?.name ?? '…'}</span>
        </div>
        <div className="top-link" data-testid="link-state">
          {peers.map((peer) => (
            <span
              key={peer.station}
              className="peer-link"
              data-testid="peer-link"
              data-station={peer.station}
              title={peer.station}
            >
              <span className="muted">
                {t('link')} ⇄ {peer.name}
              </span>
              <StateBadge state={peer.state} />
              {peer.paths.map((p, i) => (
                <span
                  key={p.url}
                  className={`path-dot state-${p.state.toLowerCase()}`}
                  title={`${peer.name} ${t('path')} ${i + 1}: ${p.url} ${p.state}`}
                >
                  {i + 1}
                </span>
              ))}
            </span>
          ))}
          {snap.stream === 'error' ? (
            <span className="badge state-down" title={t('streamLost')}>
              {t('streamLost')}
            </span>
          ) : null}
          {snap.lastError ? (
            <span className="badge state-degraded" title={snap.lastError}>
              {t('error')}
            </span>
          ) : null}
        </div>
        <UtcClock />
        <LangSwitch />
        <div className="who" data-testid="who">
          <span>{me.name}</span>
          <span className="muted">{tx(`role_${me.role}`, me.role)}</span>
          {!me.permissions.includes('send') ? <span className="badge">{t('readOnly')}</span> : null}
          <button type="button" className="link-button" onClick={onSignOut}>
            {t('signOut')}
          </button>
        </div>
      </header>
      <aside className="left">
        <ChannelList
          ctx={ctx}
          names={channelNames}
          selected={selected}
          onSelect={(c) => (setChannel(c), setTab('conversation'))}
        />
        <AlarmList ctx={ctx} />
        <LinkLog ctx={ctx} />
      </aside>
      <main className="centre">
        <MapView
          ctx={ctx}
          focus={focus}
          onEncounter={(id) => {
            setFocus(id);
            setTab('encounters');
          }}
          onNotice={() => setTab('notices')}
        />
      </main>
      <section className="right">
        <nav className="tabs" role="tablist">
          {tabs.map(([id, label, n]) => (
            <button
              key={id}
              role="tab"
              aria-selected={tab === id}
              className={tab === id ? 'on' : ''}
              onClick={() => setTab(id)}
              data-testid={`tab-${id}`}
            >
              {label}
              {n > 0 ? <span className="count">{n}</span> : null}
            </button>
          ))}
        </nav>
        <div className="tab-body">
          {tab === 'conversation' ? (
            <Conversation
              ctx={ctx}
              channel={selected}
              seed={seed}
              onSeedUsed={() => setSeed(null)}
            />
          ) : tab === 'encounters' ? (
            <Encounters
              ctx={ctx}
              channel={selected}
              focus={focus}
              onFocus={setFocus}
              onEdit={(s) => {
                setSeed(s);
                if (s.channel) setChannel(s.channel);
                setTab('conversation');
              }}
            />
          ) : tab === 'approvals' ? (
            <Approvals ctx={ctx} />
          ) : tab === 'notices' ? (
            <Notices ctx={ctx} />
          ) : tab === 'calls' ? (
            <Calls ctx={ctx} />
          ) : tab === 'access' ? (
            <Access ctx={ctx} />
          ) : (
            <LinkStatus ctx={ctx} />
          )}
        </div>
      </section>
    </div>
  );
}
