// Retries that do not duplicate: Idempotency-Key on the POST routes that sign entries, stored in
// the station store so the guarantee holds across a restart. Two real stations on loopback.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Station } from '@parley/station';
import {
  addPeer,
  makeStation,
  openChannel,
  startInProcess,
  tempRoot,
  token,
  waitFor,
} from './harness.js';
import type { StationDir } from './harness.js';

/* eslint-disable @typescript-eslint/no-explicit-any */

let A: StationDir;
let B: StationDir;
let a: { station: Station; url: string };
let b: { station: Station; url: string };
let adminA: string;
let adminB: string;
let operatorA: string;

async function post(url: string, bearer: string, path: string, body: unknown, key?: string) {
  const r = await fetch(url + path, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${bearer}`,
      'content-type': 'application/json',
      ...(key !== undefined ? { 'idempotency-key': key } : {}),
    },
    body: JSON.stringify(body),
  });
  return { status: r.status, text: await r.text(), replayed: r.headers.get('idempotent-replayed') };
}

async function messages(url: string, bearer: string): Promise<any[]> {
  const r = await fetch(`${url}/api/v1/messages?channel=ops`, {
    headers: { authorization: `Bearer ${bearer}` },
  });
  return ((await r.json()) as any).messages;
}

beforeAll(async () => {
  const root = await tempRoot('parley-idem-');
  A = await makeStation(root, 'Alpha');
  B = await makeStation(root, 'Bravo');
  a = await startInProcess(A, { deadlineTickMs: 0 });
  b = await startInProcess(B, { deadlineTickMs: 0 });
  await addPeer(A, B, [b.url]);
  await addPeer(B, A, [a.url]);
  adminA = await token(A, 'admin');
  adminB = await token(B, 'admin');
  operatorA = await token(A, 'operator');
  await openChannel({ url: a.url, token: adminA }, { url: b.url, token: adminB }, 'ops', {
    tier: 'theater',
  });
});
afterAll(async () => {
  await Promise.allSettled([a?.station.close(), b?.station.close()]);
});

describe('Idempotency-Key', () => {
  const body = { channel: 'ops', precedence: 'FLASH', text: 'hold fire in sector 4' };
  const key = randomUUID();
  let first: { status: number; text: string };

  it('a retry with the same key and body gets the same response and signs nothing new', async () => {
    first = await post(a.url, operatorA, '/api/v1/messages', body, `"${key}"`);
    expect(first.status, first.text).toBe(201);
    const again = await post(a.url, operatorA, '/api/v1/messages', body, `"${key}"`);
    expect(again).toEqual({ status: 201, text: first.text, replayed: 'true' });
    // The bare form of the same key is the same key.
    expect((await post(a.url, operatorA, '/api/v1/messages', body, key)).text).toBe(first.text);
    expect((await messages(a.url, operatorA)).filter((m) => m.text === body.text)).toHaveLength(1);
  });

  it('the same key with another body is 422; a malformed key is 400; another operator has their own keys', async () => {
    const other = await post(a.url, operatorA, '/api/v1/messages', { ...body, text: 'other' }, key);
    expect(other.status).toBe(422);
    expect(JSON.parse(other.text).code).toBe('PARLEY_E_IDEMPOTENCY_KEY_REUSED');
    const bad = await post(a.url, operatorA, '/api/v1/messages', body, 'x'.repeat(256));
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text).code).toBe('PARLEY_E_IDEMPOTENCY_KEY_INVALID');
    // The admin's key space is not the operator's: the same key sends the admin's message.
    const admins = await post(a.url, adminA, '/api/v1/messages', body, key);
    expect(admins.status).toBe(201);
    expect(admins.replayed).toBeNull();
    expect(admins.text).not.toBe(first.text);
    expect((await messages(a.url, operatorA)).filter((m) => m.text === body.text)).toHaveLength(2);
  });

  it('concurrent duplicates: one runs, the others get 409 while it is in flight or its replay after', async () => {
    const k = randomUUID();
    const b2 = { ...body, text: 'concurrent retry storm' };
    const all = await Promise.all(
      Array.from({ length: 6 }, () => post(a.url, operatorA, '/api/v1/messages', b2, k)),
    );
    const ok = all.filter((r) => r.status === 201);
    const busy = all.filter((r) => r.status === 409);
    expect(ok.length + busy.length).toBe(6);
    expect(ok.filter((r) => r.replayed === null)).toHaveLength(1);
    expect(new Set(ok.map((r) => r.text)).size).toBe(1);
    for (const r of busy) expect(JSON.parse(r.text).code).toBe('PARLEY_E_IDEMPOTENCY_IN_FLIGHT');
    expect((await messages(a.url, operatorA)).filter((m) => m.text === b2.text)).toHaveLength(1);
  });

  it('other signing routes replay too: read receipt at the receiver, channel suspend', async () => {
    const id = JSON.parse(first.text).id as string;
    await waitFor('B holds the message', async () =>
      (await messages(b.url, adminB)).some((m) => m.id === id),
    );
    const k = randomUUID();
    const read1 = await post(b.url, adminB, `/api/v1/messages/${id}/read`, {}, k);
    expect(read1.status, read1.text).toBe(201);
    const read2 = await post(b.url, adminB, `/api/v1/messages/${id}/read`, {}, k);
    expect(read2).toEqual({ ...read1, replayed: 'true' });

    const s = randomUUID();
    const sus1 = await post(a.url, adminA, '/api/v1/channels/ops/suspend', { reason: 'drill' }, s);
    expect(sus1.status, sus1.text).toBe(201);
    const sus2 = await post(a.url, adminA, '/api/v1/channels/ops/suspend', { reason: 'drill' }, s);
    expect(sus2).toEqual({ ...sus1, replayed: 'true' });
    // Without the key, the second suspend is what it always was: the channel is already suspended.
    expect(
      (await post(a.url, adminA, '/api/v1/channels/ops/suspend', { reason: 'drill' })).status,
    ).toBe(409);
    const resumed = await post(
      a.url,
      adminA,
      '/api/v1/channels/ops/resume',
      { reason: 'drill over' },
      randomUUID(),
    );
    expect(resumed.status, resumed.text).toBe(201);
  });

  it('the OpenAPI document shows the header on the signing POST routes', async () => {
    const doc: any = await (await fetch(`${a.url}/api/docs`)).json();
    for (const path of ['/api/v1/messages', '/api/v1/channels/{name}/suspend', '/api/v1/calls']) {
      const params = doc.paths[path].post.parameters as { in: string; name: string }[];
      expect(params, path).toContainEqual(
        expect.objectContaining({ in: 'header', name: 'idempotency-key' }),
      );
    }
    expect(JSON.stringify(doc.paths['/api/v1/tokens'].post.parameters ?? [])).not.toContain(
      'idempotency-key',
    );
  });

  it('keys are stored durably: after a restart the retry still gets the same response, one entry', async () => {
    const before = (await messages(a.url, operatorA)).length;
    await a.station.close();
    a = await startInProcess(A, { deadlineTickMs: 0 });
    const again = await post(a.url, operatorA, '/api/v1/messages', body, key);
    expect(again).toEqual({ status: 201, text: first.text, replayed: 'true' });
    const after = await messages(a.url, operatorA);
    expect(after.length).toBe(before);
    expect(after.filter((m) => m.id === JSON.parse(first.text).id)).toHaveLength(1);
  });
});
