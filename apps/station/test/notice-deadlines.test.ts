// A notice nobody acknowledges does not fail silently: two real stations, one test-driven clock.
// Alpha's live-fire notice (IMMEDIATE: 30 min on the channel) is not marked understood by Bravo;
// past the objective Alpha's deadline watch records one alarm entry, shown with the hotline's
// alarms; a notice acknowledged in time raises none.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Station } from '@parley/station';
import {
  addPeer,
  api,
  makeStation,
  openChannel,
  startInProcess,
  tempRoot,
  token,
  waitFor,
} from './harness.js';

const clock = { offset: 0, now: () => Date.now() + clock.offset };
const MIN = 60_000;
const H = 60 * MIN;
let a: { station: Station; url: string };
let b: { station: Station; url: string };
let ta = '';
let tb = '';

beforeAll(async () => {
  const root = await tempRoot('parley-notice-deadline-');
  const A = await makeStation(root, 'Alpha');
  const B = await makeStation(root, 'Bravo');
  const opts = { clock, deadlineTickMs: 0, tracks: { tickMs: 0 } };
  a = await startInProcess(A, opts);
  b = await startInProcess(B, opts);
  await addPeer(A, B, [b.url]);
  await addPeer(B, A, [a.url]);
  ta = await token(A, 'admin');
  tb = await token(B, 'admin');
  await openChannel({ url: a.url, token: ta }, { url: b.url, token: tb }, 'ops', {
    tier: 'theater',
  });
});
afterAll(async () => {
  await Promise.allSettled([a.station.close(), b.station.close()]);
});

function notice(kind: string) {
  const now = clock.now();
  return {
    kind,
    issuer: { party: 'Alpha', unit: 'CSG 5' },
    areas: [{ area: { type: 'circle', centre: { lat: 12, lon: 114 }, radius: 10, unit: 'nm' } }],
    band: { type: 'surface' },
    windows: [{ start: now + 100 * H, end: now + 104 * H }],
    remark: 'Keep clear.',
    contact: 'hotline channel ops',
  };
}

describe('notice acknowledgment deadlines', () => {
  it('an unacknowledged live-fire notice raises one alarm after 30 min; an acknowledged one none', async () => {
    const fire = await api(a.url, ta).post('/api/v1/notices', {
      channel: 'ops',
      send: true,
      notice: notice('live-fire'),
    });
    expect(fire.status, JSON.stringify(fire.json)).toBe(201);
    const ex = await api(a.url, ta).post('/api/v1/notices', {
      channel: 'ops',
      send: true,
      notice: notice('naval-exercise'),
    });
    expect(ex.status).toBe(201);
    await waitFor(
      'both notices at Bravo',
      async () =>
        (await api(b.url, tb).get(`/api/v1/notices/${ex.json.id}`)).status === 200 &&
        (await api(b.url, tb).get(`/api/v1/notices/${fire.json.id}`)).status === 200,
    );
    const ack = await api(b.url, tb).post(`/api/v1/notices/${ex.json.id}/understood`, {});
    expect(ack.status, JSON.stringify(ack.json)).toBe(201);
    await waitFor(
      'the acknowledgment at Alpha',
      async () =>
        (await api(a.url, ta).get(`/api/v1/notices/${ex.json.id}`)).json.acknowledged === true,
    );

    expect(await a.station.notices.checkDeadlines()).toBe(0);
    clock.offset += 29 * MIN;
    expect(await a.station.notices.checkDeadlines()).toBe(0);
    clock.offset += 2 * MIN;
    expect(await a.station.notices.checkDeadlines()).toBe(1);
    expect(await a.station.notices.checkDeadlines()).toBe(0); // once
    const alarms = (await api(a.url, ta).get('/api/v1/alarms')).json.alarms as {
      type: string;
      of: { hash: string };
      reason: string;
    }[];
    const mine = alarms.filter((x) => x.type === 'notice-unacknowledged');
    expect(mine).toHaveLength(1);
    expect(mine[0]!.of.hash).toBe(fire.json.id);
    expect(mine[0]!.reason).toMatch(/\(IMMEDIATE\) on ops: not acknowledged for 31 min/);
    // The exercise (PRIORITY, 3 h) was acknowledged: past its objective still nothing.
    clock.offset += 3 * H;
    expect(await a.station.notices.checkDeadlines()).toBe(0);
  });
});
