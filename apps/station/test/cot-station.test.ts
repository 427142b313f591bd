/**
 * A station with its CoT input and output switched on, over real TCP on 127.0.0.1. A TAK client
 * streams events into the station's listener: a hostile surface unit becomes an `other` track, a
 * ground unit is refused and counted. The station pushes its picture to a TAK server (here a
 * CotListener standing in for one): its own feed's tracks, not the CoT ones it was given (no
 * echo), and a CPA line for the encounter.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Station } from '@parley/station';
import { CotListener } from '../src/tracks/cot-net.js';
import { api, makeStation, tempRoot, token, waitFor } from './harness.js';
import { buildStation } from '@parley/station';

let station: Station;
let url = '';
let tok = '';
const tak: string[] = [];
let takServer: CotListener;

const iso = (ms: number) => new Date(ms).toISOString();

function event(uid: string, type: string, lat: number, lon: number, course: number): string {
  const now = Date.now();
  return (
    `<event version="2.0" uid="${uid}" type="${type}" how="m-g" time="${iso(now)}" ` +
    `start="${iso(now)}" stale="${iso(now + 5 * 60_000)}">` +
    `<point lat="${lat}" lon="${lon}" hae="0" ce="10" le="10"/>` +
    `<detail><contact callsign="LANZHOU 170"/><track course="${course}" speed="6.173"/></detail></event>`
  );
}

beforeAll(async () => {
  takServer = new CotListener({ onEvent: (xml) => void tak.push(xml) });
  const { port: takPort } = await takServer.listen();
  const root = await tempRoot('parley-cot-');
  const A = await makeStation(root, 'Alpha');
  station = await buildStation({
    dataDir: A.dir,
    deadlineTickMs: 0,
    tracks: { tickMs: 0 },
    cot: { listen: { port: 0 }, push: { host: '127.0.0.1', port: takPort } },
  });
  url = await station.listen({ port: 0 });
  tok = await token(A, 'operator');
});
afterAll(async () => {
  await station.close();
  await takServer.close();
});

describe('CoT in and out of a station', () => {
  it('takes a TAK stream: a hostile surface unit becomes a track of the other party; a ground unit is refused and counted', async () => {
    const port = station.cot.status().listening!.port;
    const sock = net.connect({ host: '127.0.0.1', port });
    await new Promise((r) => sock.once('connect', r));
    const lat = 9.875 + 4 / 60;
    const xml = event('LZ-170', 'a-h-S-X-N', lat, 114.35, 180);
    // Split mid-event, with garbage between events, as a real stream may arrive.
    sock.write(xml.slice(0, 40));
    sock.write(xml.slice(40) + '\n garbage \n');
    sock.write(event('TANK-1', 'a-f-G-U-C', 10, 114, 0));
    const got = await waitFor('the CoT track', async () =>
      (
        (await api(url, tok).get('/api/v1/tracks')).json.tracks as {
          id: string;
          party: string;
          source: string;
          name: string;
          sog: number;
        }[]
      ).find((t) => t.id === 'cot:LZ-170'),
    );
    expect(got).toMatchObject({ party: 'other', source: 'cot', name: 'LANZHOU 170' });
    expect(got.sog).toBeCloseTo(12, 1);
    await waitFor('the ground unit counted', async () => {
      const m = (await api(url).get('/metrics')).json as string;
      return /parley_feed_rejected_total\{feed="cot",code="PARLEY_E_COT_UNSUPPORTED"\} 1/.test(m);
    });
    expect(station.cot.status()).toMatchObject({ received: 2, accepted: 1 });
    sock.destroy();
  });

  it('pushes own tracks and the encounter line to the TAK server, never echoing CoT tracks', async () => {
    const r = await api(url, tok).post('/api/v1/tracks', {
      reports: [
        {
          id: 'stn:DDG-73',
          name: 'DECATUR',
          party: 'own',
          domain: 'surface',
          lat: 9.875,
          lon: 114.35 + 0.0003,
          sog: 12,
          cog: 0,
        },
      ],
    });
    expect(r.status).toBe(200);
    await station.tracks.tick();
    const own = await waitFor('own track at the TAK server', async () =>
      tak.find((x) => x.includes('uid="parley.stn:DDG-73"')),
    );
    // It stays on the TAK picture while it is live here (10 min by default), not 2 min.
    const stale = Date.parse(/ stale="([^"]+)"/.exec(own)![1]!);
    const time = Date.parse(/ time="([^"]+)"/.exec(own)![1]!);
    expect(stale - time).toBeGreaterThan(9 * 60_000);
    expect(stale - time).toBeLessThanOrEqual(10 * 60_000);
    await waitFor('the CPA line at the TAK server', async () =>
      tak.some((x) => /type="u-d-f"/.test(x) && x.includes('uid="parley.enc.')),
    );
    expect(tak.some((x) => x.includes('LZ-170') && !x.includes('u-d-f'))).toBe(false);
    expect(station.cot.status().pushing).toMatchObject({ connected: true });
  });

  it('with no open channel, sending the draft is refused (PARLEY_E_ENCOUNTER_DRAFT) and it stays pending', async () => {
    const list = await api(url, tok).get('/api/v1/encounters');
    const e = (list.json.encounters as { id: string; draft: { channel: string | null } | null }[])
      .filter((x) => x.draft !== null)
      .at(0)!;
    expect(e.draft!.channel).toBeNull();
    const r = await api(url, tok).post(`/api/v1/encounters/${e.id}/send`, {});
    expect(r.status).toBe(409);
    expect(r.json.code).toBe('PARLEY_E_ENCOUNTER_DRAFT');
    expect(r.json.message).toMatch(/no open channel/);
    const after = await api(url, tok).get('/api/v1/encounters');
    const same = (after.json.encounters as { id: string; draft: { status: string } }[]).find(
      (x) => x.id === e.id,
    );
    expect(same!.draft.status).toBe('pending');
  });
});
