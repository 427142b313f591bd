// Soak (issue 16): the CoT port under idle and trickling connections. Before: 16 idle sockets
// held every place for up to 10 minutes and all TAK input stopped. Now: one address holds at most
// `cotMaxPerSource`, a connection stuck mid-event is closed after `cotEventTimeoutMs`, and when
// the port is full a newcomer takes the place of the connection longest without a whole event; a
// TAK feed gets in and its events become tracks throughout, descriptors and memory stay bounded,
// operators and the peer are served.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from './harness.js';
import { probeDuring, resource, sampler, startSoak } from './soak.js';
import type { Soak } from './soak.js';

const SOURCES = 16;
const PER_SOURCE = 12; // more than the default share of 8
const ATTACK_MS = 30_000;
const MAX_ATTEMPTS = 3000;
const FD_BOUND = 64 + 100; // the default cap, plus the station's own
const RSS_BOUND_MIB = 150;

let s: Soak;
let cotPort = 0;
beforeAll(async () => {
  // A free port for the station's CoT input (it prints only its HTTP URL).
  cotPort = await new Promise<number>((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
  s = await startSoak('parley-soak-cot-', {
    args: ['--cot-port', String(cotPort), '--limit', 'cotEventTimeoutMs=10000'],
  });
}, 60_000);
afterAll(async () => s?.close());

const iso = (ms: number) => new Date(ms).toISOString();
function event(uid: string): string {
  const now = Date.now();
  return (
    `<event version="2.0" uid="${uid}" type="a-h-S-X-N" how="m-g" time="${iso(now)}" ` +
    `start="${iso(now)}" stale="${iso(now + 5 * 60_000)}">` +
    `<point lat="10.1" lon="114.3" hae="0" ce="10" le="10"/>` +
    `<detail><contact callsign="${uid}"/><track course="90" speed="5"/></detail></event>`
  );
}

function connect(localAddress: string): Promise<net.Socket | null> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port: cotPort, localAddress }, () =>
      resolve(sock),
    );
    sock.once('error', () => resolve(null));
  });
}

describe('soak: idle and trickling CoT connections', () => {
  it(`${SOURCES} addresses holding ${PER_SOURCE} idle or trickling connections each: a TAK feed still gets in and is taken, operators and the peer served`, async () => {
    const use = sampler(s.a.proc.pid!);
    const end = Date.now() + ATTACK_MS;
    const tally = { attempts: 0, closedByStation: 0 };
    const live = new Set<net.Socket>();
    // Half the attackers say nothing, half trickle the start of an event that never ends.
    const attacker = async (k: number) => {
      const from = `127.0.0.${2 + (k % SOURCES)}`;
      while (tally.attempts < MAX_ATTEMPTS && Date.now() < end) {
        tally.attempts++;
        const sock = await connect(from);
        if (sock) {
          live.add(sock);
          let drip: NodeJS.Timeout | undefined;
          if (k % 2 === 1) {
            sock.write('<event uid="never-ends"');
            drip = setInterval(() => sock.write(' '), 1000);
          }
          await new Promise<void>((resolve) => {
            sock.on('error', () => undefined);
            sock.once('close', () => resolve());
            const t = setTimeout(() => sock.destroy(), Math.max(0, end - Date.now()));
            sock.once('close', () => clearTimeout(t));
          });
          clearInterval(drip);
          live.delete(sock);
          if (Date.now() < end) tally.closedByStation++;
        }
        await new Promise((r) => setTimeout(r, 500));
      }
    };
    const attack = Promise.all(Array.from({ length: SOURCES * PER_SOURCE }, (_, k) => attacker(k)));
    // The TAK feed: joins once the attack has filled the port (5 s), then reports a new unit every
    // second on its connection (reconnecting if it is ever closed).
    const seen: number[] = [];
    let sent = 0;
    const feed = (async () => {
      await new Promise((r) => setTimeout(r, 5000));
      let sock: net.Socket | null = null;
      const has = async (n: number) =>
        (
          (await api(s.a.url, s.operator).get('/api/v1/tracks')).json.tracks as { id: string }[]
        ).some((t) => t.id === `cot:SOAK-${n}`);
      for (let n = 0; Date.now() < end - 2000 && n < 40; n++) {
        sent++;
        const t0 = Date.now();
        // A TAK client reconnects when its connection is closed, and sends again.
        while (Date.now() - t0 < 15_000) {
          if (!sock || sock.destroyed) {
            sock = await connect('127.0.0.1');
            sock?.on('error', () => undefined);
          }
          sock?.write(event(`SOAK-${n}`));
          await new Promise((r) => setTimeout(r, 300));
          if (await has(n).catch(() => false)) {
            seen.push(Date.now() - t0);
            break;
          }
        }
        await new Promise((r) => setTimeout(r, 700));
      }
      sock?.destroy();
    })();
    const rounds = await probeDuring(s, Promise.all([attack, feed]), 1000);
    for (const sock of live) sock.destroy();
    const m = {
      refused: await resource(s.a.url, 'cot_connections_refused'),
      evicted: await resource(s.a.url, 'cot_connections_evicted'),
      stuck: await resource(s.a.url, 'cot_connections_closed_stuck'),
    };
    const { base, peak, now } = use.stop();
    console.log(
      `CoT soak: ${tally.attempts} attacker connections (${tally.closedByStation} closed by the station); ` +
        `station: ${m.refused} refused, ${m.evicted} evicted for a newcomer, ${m.stuck} closed stuck mid-event; ` +
        `TAK feed: ${seen.length} of ${sent} units taken, slowest ${Math.max(...seen)} ms; fds ${base.fds} → peak ${peak.fds} (now ${now.fds}); ` +
        `RSS ${base.rssMiB.toFixed(0)} → peak ${peak.rssMiB.toFixed(0)} MiB; ${rounds.length} probe rounds, slowest ` +
        `${Math.max(...rounds.map((r) => r.slowestMs))} ms, oldest peer exchange ${Math.max(...rounds.map((r) => r.peerAgeMs))} ms`,
    );
    // Every unit the feed sent became a track within 15 s.
    expect(sent).toBeGreaterThanOrEqual(10);
    expect(seen).toHaveLength(sent);
    expect(m.refused).toBeGreaterThan(0);
    expect(m.evicted).toBeGreaterThan(0);
    expect(m.stuck).toBeGreaterThan(0);
    expect(peak.fds).toBeLessThan(FD_BOUND);
    expect(peak.rssMiB - base.rssMiB).toBeLessThan(RSS_BOUND_MIB);
    for (const r of rounds) {
      expect(r).toMatchObject({ health: 200, authenticated: 200, signIn: 200 });
      expect(r.peerAgeMs).toBeLessThan(10_000);
    }
  }, 120_000);
});
