import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEntryLine } from '@parley/ledger';
import { SqliteStore } from '@parley/store';
import { addPeer, makeStation, startInProcess, tempRoot, token } from './harness.js';

describe('graceful shutdown', () => {
  it('answers every request it committed, refuses the rest with a coded 503, and writes nothing it did not answer', async () => {
    const root = await tempRoot('parley-shutdown-');
    const S = await makeStation(root, 'Closer');
    // One paired peer (never running): traffic needs an audience (ADR 0003).
    await addPeer(S, await makeStation(root, 'Listener'), ['http://127.0.0.1:9']);
    const tok = await token(S);
    const { station, url } = await startInProcess(S);
    const post = (i: number) =>
      fetch(`${url}/api/v1/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tok}`, 'content-type': 'application/json' },
        body: JSON.stringify({ channel: 'ops', precedence: 'ROUTINE', text: `m${i}` }),
      }).then(
        async (r) => ({ i, status: r.status, body: (await r.json()) as { code?: string } }),
        () => ({ i, status: 0, body: {} as { code?: string } }),
      );
    const first = await Promise.all(Array.from({ length: 20 }, (_, i) => post(i)));
    expect(first.every((r) => r.status === 201)).toBe(true);
    // 150 requests in flight, and the station shuts down in the middle of them.
    const inflight = Array.from({ length: 150 }, (_, i) => post(100 + i));
    // Close as soon as the first of them is answered: the rest are on the wire or being handled.
    await Promise.race(inflight);
    await station.close();
    const results = await Promise.all(inflight);

    const store = await SqliteStore.open(join(S.dir, 'parley.db'));
    const texts = new Set(
      (await store.byKind('message')).map((e) => String(parseEntryLine(e.line).body.text)),
    );
    await store.close();
    const answered = results.filter((r) => r.status === 201).map((r) => `m${r.i}`);
    for (const r of results) {
      if (r.status === 201) expect(texts.has(`m${r.i}`)).toBe(true);
      else expect(texts.has(`m${r.i}`), `m${r.i} answered ${r.status} but was written`).toBe(false);
      if (r.status === 503) expect(r.body.code).toBe('PARLEY_E_STORE_CLOSED');
    }
    expect(texts.size).toBe(20 + answered.length);
    // Some were answered after shutdown began; none was written without an answer.
    expect(answered.length).toBeGreaterThan(0);
  });
});
