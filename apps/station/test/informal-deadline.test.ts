// docs/api.md: a channel name never proposed works as an informal channel "with the default
// objectives". Before the fix such a message had no handling objective at all: no deadline, and
// no alarm however long it went undelivered.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_HANDLING_MS } from '@parley/core';
import { buildStation } from '@parley/station';
import type { Station } from '@parley/station';
import { addPeer, makeStation, tempRoot, token } from './harness.js';

const clock = { offset: 0, now: () => Date.now() + clock.offset };
let station: Station;
let op: string;

beforeAll(async () => {
  const root = await tempRoot('parley-informal-');
  const S = await makeStation(root, 'Informal Test');
  const peer = await makeStation(root, 'Informal Peer');
  await addPeer(S, peer, ['http://127.0.0.1:9']); // never running: nothing is delivered
  op = await token(S, 'operator');
  station = await buildStation({ dataDir: S.dir, clock, deadlineTickMs: 0, tracks: { tickMs: 0 } });
});
afterAll(async () => station.close());

describe('informal channel', () => {
  it('a FLASH message on a name never proposed is alarmed once the default objective passes', async () => {
    const r = await station.app.inject({
      method: 'POST',
      url: '/api/v1/messages',
      headers: { authorization: `Bearer ${op}` },
      payload: { channel: 'informal', precedence: 'FLASH', text: 'Reduce speed' },
    });
    expect(r.statusCode, r.body).toBe(201);
    clock.offset += DEFAULT_HANDLING_MS.FLASH - 60_000;
    expect(await station.hotline.checkDeadlines()).toBe(0);
    clock.offset += 2 * 60_000;
    expect(await station.hotline.checkDeadlines()).toBeGreaterThan(0);
    const alarms = await station.app.inject({
      method: 'GET',
      url: '/api/v1/alarms',
      headers: { authorization: `Bearer ${op}` },
    });
    const list = alarms.json() as { alarms?: unknown[] } | unknown[];
    const items = Array.isArray(list) ? list : (list.alarms ?? []);
    expect(JSON.stringify(items)).toContain('undelivered-overdue');
  });
});
