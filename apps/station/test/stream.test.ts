import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Station } from '@parley/station';
import { addPeer, api, makeStation, startInProcess, tempRoot, token } from './harness.js';

let s: { station: Station; url: string };
let viewer: string;
let operator: string;

beforeAll(async () => {
  const root = await tempRoot('parley-stream-');
  const S = await makeStation(root, 'Streamer');
  // One paired peer (never running): traffic needs an audience (ADR 0003).
  await addPeer(S, await makeStation(root, 'Listener'), ['http://127.0.0.1:9']);
  viewer = await token(S, 'viewer');
  operator = await token(S, 'operator');
  s = await startInProcess(S);
});
afterAll(async () => s.station.close());

describe('live stream (server-sent events)', () => {
  it('needs a token', async () => {
    const r = await fetch(`${s.url}/api/v1/stream`);
    expect(r.status).toBe(401);
    expect(((await r.json()) as { code: string }).code).toBe('PARLEY_E_AUTH_REQUIRED');
  });

  it('pushes a new entry to a subscribed viewer at once', async () => {
    const abort = new AbortController();
    const r = await fetch(`${s.url}/api/v1/stream`, {
      headers: { authorization: `Bearer ${viewer}` },
      signal: abort.signal,
    });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/event-stream');
    const reader = r.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const until = async (re: RegExp) => {
      const end = Date.now() + 10_000;
      while (!re.test(text)) {
        if (Date.now() > end) throw new Error(`no ${re} in stream: ${text}`);
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        text += decoder.decode(value);
      }
    };
    await until(/^: parley live stream/m);
    const sent = await api(s.url, operator).send('on the stream', 'ROUTINE', 'ops');
    await until(
      new RegExp(
        `event: entry\\ndata: \\{"type":"entry","station":"stn_[0-9a-f]{24}","audience":"aud_[0-9a-f]{24}","seq":${sent.seq}`,
      ),
    );
    abort.abort();
  });
});
