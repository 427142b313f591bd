import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Station } from '@parley/station';
import { addPeer, api, makeStation, startInProcess, tempRoot, token, waitFor } from './harness.js';
import type { StationDir } from './harness.js';

/** One clock for both stations, moved by the test: deadlines are driven without waiting. */
const clock = { offset: 0, now: () => Date.now() + clock.offset };
const MIN = 60_000;

let A: StationDir;
let B: StationDir;
let a: { station: Station; url: string };
let b: { station: Station; url: string };
const t: Record<string, string> = {};

beforeAll(async () => {
  const root = await tempRoot('parley-hotline-');
  A = await makeStation(root, 'Alpha');
  B = await makeStation(root, 'Bravo');
  a = await startInProcess(A, { clock, deadlineTickMs: 0 });
  b = await startInProcess(B, { clock, deadlineTickMs: 0 });
  await addPeer(A, B, [b.url]);
  await addPeer(B, A, [a.url]);
  for (const [s, side] of [
    [A, 'a'],
    [B, 'b'],
  ] as const) {
    for (const role of ['admin', 'operator', 'approver', 'linguist', 'viewer'] as const)
      t[`${side}.${role}`] = await token(s, role);
  }
});
afterAll(async () => {
  await Promise.allSettled([a.station.close(), b.station.close()]);
});

const A_ = (role: string) => api(a.url, t[`a.${role}`]);
const B_ = (role: string) => api(b.url, t[`b.${role}`]);

async function channel(side: typeof A_, name: string) {
  const r = await side('viewer').get('/api/v1/channels');
  return (r.json.channels as { name: string; status: string; [k: string]: unknown }[]).find(
    (c) => c.name === name,
  );
}

async function openChannel(name: string, agreement: Record<string, unknown>) {
  const p = await A_('admin').post('/api/v1/channels', { name, agreement });
  expect(p.status, JSON.stringify(p.json)).toBe(201);
  await waitFor(
    `B sees ${name} proposed`,
    async () => (await channel(B_, name))?.status === 'proposed',
  );
  const acc = await B_('admin').post(`/api/v1/channels/${name}/accept`, {});
  expect(acc.status, JSON.stringify(acc.json)).toBe(201);
  await waitFor(`A sees ${name} open`, async () => (await channel(A_, name))?.status === 'open');
}

describe('hotline semantics on two real stations', () => {
  it('opens channels by proposal and acceptance; a station cannot accept its own proposal', async () => {
    await openChannel('ministry-ops', { tier: 'ministry' });
    await openChannel('theater-ops', { tier: 'theater', escalation: 'ministry-ops' });
    const own = await A_('admin').post('/api/v1/channels', {
      name: 'solo',
      agreement: { tier: 'tactical' },
    });
    expect(own.status).toBe(201);
    const self = await A_('admin').post('/api/v1/channels/solo/accept', {});
    expect(self.status).toBe(409);
    expect(self.json.code).toBe('PARLEY_E_CHANNEL_STATE');
    const notOpen = await A_('operator').post('/api/v1/messages', {
      channel: 'solo',
      precedence: 'FLASH',
      text: 'x',
    });
    expect(notOpen.json.code).toBe('PARLEY_E_CHANNEL_NOT_OPEN');
    const c = await channel(A_, 'theater-ops');
    expect(c).toMatchObject({
      status: 'open',
      tier: 'theater',
      dormant: false,
      agreement: { escalation: 'ministry-ops', handling: { FLASH: 10 * MIN } },
    });
  });

  it('FLASH: delivered → read → understood, each visible at the sender with its time', async () => {
    const sent = await A_('operator').send(
      'Your destroyer is closing my bow. State your intentions.',
      'FLASH',
      'theater-ops',
    );
    const atB = await waitFor('delivered at B', async () =>
      (await B_('viewer').messages('theater-ops')).find((m) => m.id === sent.id),
    );
    expect(atB.status.delivered).toBe(true);
    const read = await B_('operator').post(`/api/v1/messages/${sent.id}/read`, {});
    expect(read.status).toBe(201);
    const und = await B_('operator').post(`/api/v1/messages/${sent.id}/understood`, {
      readback: '你方要求我说明意图',
    });
    expect(und.status).toBe(201);
    const atA = await waitFor('understood seen at A', async () => {
      const m = (await A_('viewer').messages('theater-ops')).find(
        (x) => x.id === sent.id,
      ) as unknown as {
        status: {
          delivered: boolean;
          deliveredAt: number;
          read: { ts: number } | null;
          understood: { ts: number; readback: string; by: string } | null;
          deadline: number;
        };
      };
      return m?.status.understood ? m : undefined;
    });
    expect(atA.status.deliveredAt).toBeGreaterThan(0);
    expect(atA.status.read!.ts).toBeGreaterThanOrEqual(atA.status.deliveredAt);
    expect(atA.status.understood).toMatchObject({
      readback: '你方要求我说明意图',
      by: expect.stringContaining('token:'),
    });
    expect(atA.status.deadline).toBe(atA.status.deliveredAt + 10 * MIN);
    // The sender cannot acknowledge its own message.
    const ownAck = await A_('operator').post(`/api/v1/messages/${sent.id}/understood`, {});
    expect(ownAck.json.code).toBe('PARLEY_E_RECEIPT_NOT_ALLOWED');
  });

  it('a FLASH left unanswered past its deadline raises an alarm and escalates to the agreed channel', async () => {
    const sent = await A_('operator').send(
      'Request you keep well clear of me.',
      'FLASH',
      'theater-ops',
    );
    await waitFor('delivered', async () =>
      (await A_('viewer').messages('theater-ops')).find(
        (m) => m.id === sent.id && m.status.delivered,
      ),
    );
    expect(await a.station.hotline.checkDeadlines()).toBe(0);
    clock.offset += 11 * MIN;
    expect(await a.station.hotline.checkDeadlines()).toBe(1);
    expect(await a.station.hotline.checkDeadlines(), 'an alarm is raised once').toBe(0);
    const alarms = (await A_('viewer').get('/api/v1/alarms')).json;
    expect(alarms.alarms).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'understood-overdue', channel: 'theater-ops' }),
      ]),
    );
    expect(alarms.unanswered).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          id: sent.id,
          summary: expect.stringMatching(/^sent \d{6}Z [A-Z]{3} \d{2}, no answer for 1\d min$/),
        }),
      ]),
    );
    // The escalation notice crosses to B on the ministry channel, referencing the message.
    const esc = await waitFor('escalation at B', async () =>
      (await B_('viewer').messages('ministry-ops')).find(
        (m) => (m as unknown as { escalates: string | null }).escalates === sent.id,
      ),
    );
    expect(esc.precedence).toBe('FLASH');
    // A coded escalation notice (ESC-01), readable in either language.
    expect(esc.text).toMatch(
      /^Message sent \d{6}Z [A-Z]{3} \d{2} on channel theater-ops unanswered for 1\d min$/,
    );
    expect((esc as unknown as { catalogue: { code: string } }).catalogue.code).toBe('ESC-01');
    // It stays visible until answered.
    clock.offset += 32 * 60 * MIN;
    const later = (await A_('viewer').get('/api/v1/alarms')).json.unanswered.find(
      (u: { id: string }) => u.id === sent.id,
    );
    expect(later.summary).toMatch(/no answer for 32 h/);
  });

  it('suspension refuses new messages, is recorded with its reason, and the link keeps beating', async () => {
    const s = await B_('admin').post('/api/v1/channels/theater-ops/suspend', {
      reason: 'talks suspended by the ministry',
    });
    expect(s.status).toBe(201);
    await waitFor(
      'A sees suspended',
      async () => (await channel(A_, 'theater-ops'))?.status === 'suspended',
    );
    const refused = await A_('operator').post('/api/v1/messages', {
      channel: 'theater-ops',
      precedence: 'FLASH',
      text: 'hello?',
    });
    expect(refused.status).toBe(409);
    expect(refused.json.code).toBe('PARLEY_E_CHANNEL_SUSPENDED');
    const health = (await A_('viewer').get('/api/v1/health')).json;
    expect(health.peers[0].state).toBe('UP');
    const c = await channel(A_, 'theater-ops');
    expect(c?.suspension).toMatchObject({
      station: B.station,
      reason: 'talks suspended by the ministry',
    });
    const again = await B_('admin').post('/api/v1/channels/theater-ops/suspend', {
      reason: 'twice',
    });
    expect(again.json.code).toBe('PARLEY_E_CHANNEL_STATE');
    const r = await A_('admin').post('/api/v1/channels/theater-ops/resume', {
      reason: 'resumed after consultation',
    });
    expect(r.status).toBe(201);
    await waitFor('B sees open', async () => (await channel(B_, 'theater-ops'))?.status === 'open');
    expect(
      ((await channel(B_, 'theater-ops'))?.history as { kind: string }[]).map((h) => h.kind),
    ).toEqual(['proposed', 'accepted', 'suspended', 'resumed']);
  });

  it('two-person rule: a ministry message waits for an approver, and both names are in the entry', async () => {
    const r = await A_('operator').post('/api/v1/messages', {
      channel: 'ministry-ops',
      precedence: 'IMMEDIATE',
      text: 'Proposal for a call at the ministerial level.',
    });
    expect(r.status).toBe(202);
    const draftId = r.json.draft.id as string;
    expect(
      (await B_('viewer').messages('ministry-ops')).some((m) =>
        m.text.startsWith('Proposal for a call'),
      ),
    ).toBe(false);
    const byOperator = await A_('operator').post(`/api/v1/drafts/${draftId}/approve`, {});
    expect(byOperator.status).toBe(403);
    const ok = await A_('approver').post(`/api/v1/drafts/${draftId}/approve`, {});
    expect(ok.status, JSON.stringify(ok.json)).toBe(201);
    const atB = await waitFor('approved message at B', async () =>
      (await B_('viewer').messages('ministry-ops')).find((m) => m.id === ok.json.id),
    );
    expect(atB).toMatchObject({
      author: expect.stringContaining('token:'),
      approver: expect.stringContaining('token:'),
    });
    expect((await A_('viewer').get('/api/v1/drafts')).json.drafts).toEqual([]);
    // An approver's own draft still needs someone else.
    const own = await A_('approver').post('/api/v1/messages', {
      channel: 'ministry-ops',
      precedence: 'ROUTINE',
      text: 'mine',
    });
    const self = await A_('approver').post(`/api/v1/drafts/${own.json.draft.id}/approve`, {});
    expect(self.json.code).toBe('PARLEY_E_SELF_APPROVAL');
  });

  it('a catalogue message is signed as code + parameters and read in English at one station, Chinese at the other', async () => {
    const catalogue = { code: 'MAN-08', params: { course: 275, speed: 12 } };
    const sent = await A_('operator').post('/api/v1/messages', {
      channel: 'theater-ops',
      precedence: 'IMMEDIATE',
      catalogue,
    });
    expect(sent.status, JSON.stringify(sent.json)).toBe(201);
    const en = (
      await A_('viewer').get('/api/v1/messages?channel=theater-ops&lang=en')
    ).json.messages.find((m: { id: string }) => m.id === sent.json.id);
    const zh = await waitFor('Chinese reading at B', async () =>
      (await B_('viewer').get('/api/v1/messages?channel=theater-ops&lang=zh')).json.messages.find(
        (m: { id: string }) => m.id === sent.json.id,
      ),
    );
    expect(en.text).toBe('My course is 275° and my speed is 12 kn');
    expect(zh.text).toMatch(/航向275°/);
    expect(zh.text).toMatch(/航速12节/);
    expect(zh.lang).toBe('zh');
    // What was signed is the code and parameters, identical at both stations.
    expect(zh.catalogue).toEqual({ v: 1, ...catalogue });
    expect(zh.rendered).toEqual(en.rendered);
    const cat = (await B_('viewer').get('/api/v1/catalogue')).json;
    expect(cat.entries.length).toBeGreaterThanOrEqual(40);
    expect(cat.entries.find((e: { code: string }) => e.code === 'MAN-01')).toMatchObject({
      en: 'I am maneuvering to avoid you',
      zh: expect.any(String),
    });
  });

  it('a linguist attaches a translation as its own entry; the original stays', async () => {
    const sent = await B_('operator').post('/api/v1/messages', {
      channel: 'theater-ops',
      precedence: 'ROUTINE',
      text: '我正在机动避让你。',
      lang: 'zh',
    });
    expect(sent.status).toBe(201);
    await waitFor('at A', async () =>
      (await A_('viewer').messages('theater-ops')).find((m) => m.id === sent.json.id),
    );
    const tr = await A_('linguist').post(`/api/v1/messages/${sent.json.id}/translations`, {
      lang: 'en',
      text: 'I am maneuvering to avoid you.',
    });
    expect(tr.status).toBe(201);
    const m = await waitFor('translation at B', async () => {
      const x = (await B_('viewer').messages('theater-ops')).find(
        (y) => y.id === sent.json.id,
      ) as unknown as { text: string; translations: { lang: string; text: string }[] };
      return x?.translations.length ? x : undefined;
    });
    expect(m.text).toBe('我正在机动避让你。');
    expect(m.translations).toEqual([
      expect.objectContaining({ lang: 'en', text: 'I am maneuvering to avoid you.' }),
    ]);
    const notLinguist = await A_('operator').post(`/api/v1/messages/${sent.json.id}/translations`, {
      lang: 'en',
      text: 'x',
    });
    expect(notLinguist.status).toBe(403);
  });

  it('a call request is accepted for one of the proposed slots', async () => {
    const slots = [clock.now() + 2 * 3_600_000, clock.now() + 3 * 3_600_000];
    const req = await A_('operator').post('/api/v1/calls', {
      channel: 'theater-ops',
      slots,
      medium: 'voice',
      precedence: 'IMMEDIATE',
    });
    expect(req.status).toBe(201);
    const id = req.json.entry.hash as string;
    await waitFor('call at B', async () =>
      (await B_('viewer').get('/api/v1/calls')).json.calls.find((c: { id: string }) => c.id === id),
    );
    const bad = await B_('operator').post(`/api/v1/calls/${id}/answer`, {
      action: 'accept',
      slot: slots[0]! + 1,
    });
    expect(bad.json.code).toBe('PARLEY_E_CALL_STATE');
    const ok = await B_('operator').post(`/api/v1/calls/${id}/answer`, {
      action: 'accept',
      slot: slots[1],
    });
    expect(ok.status).toBe(201);
    const call = await waitFor('accepted at A', async () =>
      (await A_('viewer').get('/api/v1/calls')).json.calls.find(
        (c: { id: string; status: string }) => c.id === id && c.status === 'accepted',
      ),
    );
    expect(call.responses[0]).toMatchObject({ action: 'accept', slot: slots[1] });
    const past = await A_('operator').post('/api/v1/calls', {
      channel: 'theater-ops',
      slots: [clock.now() - 1000],
      medium: 'voice',
    });
    expect(past.json.code).toBe('PARLEY_E_BAD_SLOTS');
  });

  it('a channel without substantive traffic past its threshold shows dormant; heartbeats do not count', async () => {
    const before = await channel(A_, 'ministry-ops');
    expect(before).toMatchObject({ dormant: false });
    clock.offset += 8 * 24 * 60 * MIN;
    const after = await channel(A_, 'ministry-ops');
    expect(after).toMatchObject({ dormant: true });
    expect(after!.idleMs as number).toBeGreaterThan(7 * 24 * 60 * MIN);
    // A substantive exchange wakes it up.
    await A_('operator').post('/api/v1/messages', {
      channel: 'ministry-ops',
      precedence: 'ROUTINE',
      text: 'Weekly check.',
    });
    const drafts = (await A_('viewer').get('/api/v1/drafts')).json.drafts as {
      id: string;
      channel: string;
    }[];
    for (const d of drafts.filter((x) => x.channel === 'ministry-ops'))
      await A_('approver').post(`/api/v1/drafts/${d.id}/approve`, {});
    expect(await channel(A_, 'ministry-ops')).toMatchObject({ dormant: false });
  });

  it('hostile operator input gets a coded 4xx and writes nothing', async () => {
    const size = await a.station.handle.totalSize();
    const cases: [string, unknown, string, string][] = [
      [
        '/api/v1/messages',
        { channel: 'theater-ops', precedence: 'FLASH', text: 'x'.repeat(8001) },
        'operator',
        'PARLEY_E_TEXT_TOO_LONG',
      ],
      [
        '/api/v1/messages',
        { channel: 'theater-ops', precedence: 'FLASH', text: 'x', replyTo: 'nope' },
        'operator',
        'PARLEY_E_MESSAGE_NOT_FOUND',
      ],
      [
        '/api/v1/messages',
        // A number is a type error of the body (no coercion to "1"): the schema refuses it.
        { channel: 'theater-ops', precedence: 1, text: 'x' },
        'operator',
        'PARLEY_E_BAD_REQUEST',
      ],
      [
        '/api/v1/messages',
        { channel: 'theater-ops', precedence: 'FLASH', text: 'x', extra: true },
        'operator',
        'PARLEY_E_BAD_REQUEST',
      ],
      [
        '/api/v1/messages',
        { channel: 'theater-ops', precedence: 'FLASH', text: 'x' },
        'viewer',
        'PARLEY_E_FORBIDDEN',
      ],
      [
        '/api/v1/channels',
        { name: 'x', agreement: { tier: 'captain' } },
        'admin',
        'PARLEY_E_BAD_AGREEMENT',
      ],
      [
        '/api/v1/channels',
        { name: 'theater-ops', agreement: { tier: 'theater' } },
        'admin',
        'PARLEY_E_CHANNEL_EXISTS',
      ],
      [
        '/api/v1/channels',
        { name: 'y', agreement: { tier: 'theater' } },
        'operator',
        'PARLEY_E_FORBIDDEN',
      ],
      ['/api/v1/channels/nothing/suspend', { reason: 'r' }, 'admin', 'PARLEY_E_CHANNEL_NOT_FOUND'],
      [
        '/api/v1/channels/theater-ops/suspend',
        { reason: '' },
        'admin',
        'PARLEY_E_INVALID_ARGUMENT',
      ],
      ['/api/v1/messages/nope/understood', {}, 'operator', 'PARLEY_E_MESSAGE_NOT_FOUND'],
      ['/api/v1/drafts/nope/approve', {}, 'approver', 'PARLEY_E_DRAFT_NOT_FOUND'],
      [
        '/api/v1/calls',
        { channel: 'theater-ops', slots: [], medium: 'voice' },
        'operator',
        'PARLEY_E_BAD_SLOTS',
      ],
      [
        '/api/v1/calls',
        { channel: 'theater-ops', slots: [clock.now() + MIN], medium: 'fax' },
        'operator',
        'PARLEY_E_INVALID_ARGUMENT',
      ],
      [
        '/api/v1/messages',
        { channel: 'theater-ops', precedence: 'FLASH', catalogue: { code: 'XYZ-99' } },
        'operator',
        'PARLEY_E_CATALOGUE_UNKNOWN_CODE',
      ],
      [
        '/api/v1/messages',
        {
          channel: 'theater-ops',
          precedence: 'FLASH',
          catalogue: { code: 'MAN-08', params: { course: 'north', speed: 12 } },
        },
        'operator',
        'PARLEY_E_CATALOGUE_PARAM',
      ],
      [
        '/api/v1/messages',
        {
          channel: 'theater-ops',
          precedence: 'FLASH',
          catalogue: { code: 'MAN-14', params: { position: { lat: 91, lon: 0 } } },
        },
        'operator',
        'PARLEY_E_CATALOGUE_PARAM',
      ],
      [
        '/api/v1/messages',
        { channel: 'theater-ops', precedence: 'FLASH', text: 'x', catalogue: { code: 'MAN-01' } },
        'operator',
        'PARLEY_E_INVALID_ARGUMENT',
      ],
    ];
    for (const [path, body, role, code] of cases) {
      const r = await A_(role).post(path, body);
      expect(r.status, `${path} ${code}`).toBeGreaterThanOrEqual(400);
      expect(r.status, `${path} ${code}`).toBeLessThan(500);
      expect(r.json.code, path).toBe(code);
    }
    expect(await a.station.handle.totalSize()).toBe(size);
  });
});
