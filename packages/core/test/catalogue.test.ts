import fc from 'fast-check';
import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import {
  CATALOGUE_CATEGORIES,
  CATALOGUE_VERSION,
  CATEGORY_TITLES,
  CatalogueEntrySchema,
  LANGUAGES,
  PARAM_KINDS,
  PARAM_SCHEMAS,
  catalogue,
  catalogueEntry,
  formatDtg,
  formatPosition,
  isParleyError,
  parseCatalogueMessage,
  renderCatalogueMessage,
} from '@parley/core';
import type { CatalogueEntry, CatalogueMessage, Language, ParamKind } from '@parley/core';

const ENTRIES = catalogue();

/** Throws unless `fn` throws a ParleyError of `code`; returns its message. */
function coded(fn: () => unknown, code: string): string {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(isParleyError(caught), `expected ${code}, got ${String(caught)}`).toBe(true);
  expect((caught as { code: string }).code).toBe(code);
  return (caught as Error).message;
}

const placeholders = (template: string): string[] =>
  [...template.matchAll(/\{([^{}]*)\}/g)].map((m) => m[1]!);
/** The template with its optional `[ … ]` segments removed. */
const requiredPart = (template: string): string => template.replace(/\[[^\]]*\]/g, '');

// ---------------------------------------------------------------------------------------------
// Arbitraries: one valid value per parameter kind.

/** Printable text without template syntax, so a leftover `{` can only come from a template. */
const SAFE_CHARS = [
  ...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 -/.,:#',
  ...'中国海军舰船飞机通报区域',
  '🚢',
];
const safeText = (max: number) =>
  fc
    .array(fc.constantFrom(...SAFE_CHARS), { minLength: 1, maxLength: max })
    .map((cs) => cs.join('').slice(0, max))
    .filter((s) => s.trim().length > 0 && s.length <= max && !/[\ud800-\udbff]$/.test(s));

const ARBITRARIES: { [K in ParamKind]: fc.Arbitrary<unknown> } = {
  position: fc.record({
    lat: fc.double({ min: -90, max: 90, noNaN: true, noDefaultInfinity: true }),
    lon: fc.double({ min: -180, max: 180, noNaN: true, noDefaultInfinity: true }),
  }),
  time: fc.integer({ min: 0, max: 8.64e15 }),
  course: fc.double({ min: 0, max: 360, maxExcluded: true, noNaN: true }),
  speed: fc.double({ min: 0, max: 2000, noNaN: true }),
  distance: fc.record({
    value: fc.double({ min: 0, max: 100_000, noNaN: true }),
    unit: fc.constantFrom('nm', 'km', 'yd', 'm'),
  }),
  altitude: fc.integer({ min: -2000, max: 100_000 }),
  duration: fc.integer({ min: 0, max: 366 * 24 * 60 }),
  unit: safeText(40),
  text: safeText(200),
  channel: fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,63}$/),
  side: fc.constantFrom('port', 'starboard'),
  turn: fc.constantFrom('port', 'starboard'),
  medium: fc.constantFrom('voice', 'video'),
  situation: fc.constantFrom('head-on', 'crossing', 'overtaking'),
  note: fc.constant('record'),
};

/** A valid message for one entry: every required parameter, optional ones sometimes. */
function messageFor(e: CatalogueEntry): fc.Arbitrary<CatalogueMessage> {
  const fields: Record<string, fc.Arbitrary<unknown>> = {};
  const optional: string[] = [];
  for (const p of e.params) {
    fields[p.name] = ARBITRARIES[p.kind];
    if (!p.required) optional.push(p.name);
  }
  return fc
    .record(fields, { requiredKeys: e.params.filter((p) => p.required).map((p) => p.name) })
    .map((params) => ({ v: CATALOGUE_VERSION, code: e.code, params }) as CatalogueMessage);
}

const anyMessage = fc.constantFrom(...ENTRIES).chain(messageFor);

// ---------------------------------------------------------------------------------------------

describe('the catalogue', () => {
  it('has version 1, two languages and at least 40 entries', () => {
    expect(CATALOGUE_VERSION).toBe(1);
    expect(LANGUAGES).toEqual(['en', 'zh']);
    expect(ENTRIES.length).toBeGreaterThanOrEqual(40);
  });

  it('codes are unique, well-formed, and prefixed by category', () => {
    const codes = ENTRIES.map((e) => e.code);
    expect(new Set(codes).size).toBe(codes.length);
    const prefixes = new Map<string, string>();
    for (const e of ENTRIES) {
      expect(e.code).toMatch(/^[A-Z]{3}-\d{2}$/);
      const prefix = e.code.slice(0, 3);
      expect(prefixes.get(prefix) ?? e.category, e.code).toBe(e.category);
      prefixes.set(prefix, e.category);
    }
  });

  it('every entry matches the entry schema and every category is used', () => {
    for (const e of ENTRIES) expect(Value.Check(CatalogueEntrySchema, e), e.code).toBe(true);
    for (const c of CATALOGUE_CATEGORIES) {
      expect(
        ENTRIES.some((e) => e.category === c),
        c,
      ).toBe(true);
      expect(CATEGORY_TITLES[c].en.length).toBeGreaterThan(0);
      expect(CATEGORY_TITLES[c].zh.length).toBeGreaterThan(0);
    }
  });

  it('every placeholder in both templates is a declared parameter, and vice versa', () => {
    for (const e of ENTRIES) {
      const names = e.params.map((p) => p.name);
      expect(new Set(names).size, e.code).toBe(names.length);
      for (const lang of LANGUAGES) {
        const used = placeholders(e[lang]);
        expect(new Set(used), `${e.code} ${lang}`).toEqual(new Set(names));
        // Optional parameters sit only inside [ … ], required ones only outside.
        const outside = new Set(placeholders(requiredPart(e[lang])));
        for (const p of e.params)
          expect(outside.has(p.name), `${e.code} ${p.name}`).toBe(p.required);
        expect(requiredPart(e[lang]), `${e.code} ${lang}`).not.toMatch(/[[\]]/);
      }
    }
  });

  it('CUES / ICS signals are given where the meaning is the ICS one', () => {
    const cues = Object.fromEntries(
      ENTRIES.filter((e) => e.cues).map((e) => [e.cues, e.en] as const),
    );
    expect(cues.PP).toBe('Keep well clear of me');
    expect(cues.RU).toBe('Keep clear of me; I am maneuvering with difficulty');
    expect(cues.SO).toBe('You should stop your vessel instantly');
    expect(cues.ZL).toBe('Your signal was received but not understood');
    const signals = ENTRIES.flatMap((e) => (e.cues ? [e.cues] : []));
    expect(new Set(signals).size).toBe(signals.length);
  });

  it('holds the issue’s examples verbatim, in English and in Chinese', () => {
    const examples: [string, string][] = [
      ['I am maneuvering to avoid you', '我正在机动避让你'],
      ['State your intentions', '请说明你的意图'],
      ['Keep well clear of me', '请与我保持安全距离'],
      ['I intend to pass astern of you', '我将从你船尾通过'],
      ['Your signal was received but not understood', '你的信号已收到但未理解'],
      ['I am conducting flight operations', '我正在进行飞行作业'],
      ['Request you reduce speed', '请减速'],
      ['Your notice received; we will keep clear of the area', '你方通报已收到，我方将避开该区域'],
    ];
    for (const [en, zh] of examples) {
      const e = ENTRIES.find((x) => x.en === en);
      expect(e, en).toBeDefined();
      expect(e!.params).toEqual([]);
      const msg: CatalogueMessage = { v: 1, code: e!.code, params: {} };
      expect(renderCatalogueMessage(msg, 'en')).toBe(en);
      expect(renderCatalogueMessage(msg, 'zh')).toBe(zh);
    }
    const notice = ENTRIES.find((x) => x.en === 'Your notice {text} received');
    expect(notice?.params).toEqual([{ name: 'text', kind: 'text', required: true }]);
    const call = ENTRIES.find((x) => x.en === 'Request a call at {time} by {medium}');
    expect(call?.category).toBe('call');
    const escalation = ENTRIES.find(
      (x) => x.en === 'Message sent {time} on channel {channel} unanswered for {duration}',
    );
    expect(escalation?.category).toBe('escalation');
  });

  it('templates keep to their language and its punctuation', () => {
    for (const e of ENTRIES) {
      const enText = e.en.replace(/\{[^}]*\}/g, '');
      const zhText = e.zh.replace(/\{[^}]*\}/g, '');
      expect(enText, e.code).not.toMatch(/[\u3000-\u9fff\uff00-\uffef]/);
      expect(zhText, e.code).toMatch(/[\u4e00-\u9fff]/);
      expect(zhText, e.code).not.toMatch(/[A-Za-z,;:!?]/); // full-width ，；：in Chinese
      expect(zhText, e.code).not.toContain('您'); // CUES-style 你 throughout
      for (const t of [e.en, e.zh]) expect(t, e.code).toBe(t.trim());
    }
  });

  it('uses the standard Chinese terms for course, speed and distance', () => {
    for (const e of ENTRIES) {
      const kinds = new Set(e.params.map((p) => p.kind));
      if (kinds.has('course') && e.category !== 'air') expect(e.zh, e.code).toContain('航向');
      if (kinds.has('speed') && e.code !== 'MAN-17') expect(e.zh, e.code).toContain('航速');
    }
    expect(catalogueEntry('MAN-08')!.zh).toBe('我航向{course}，航速{speed}');
  });

  it('is frozen, and lookups do not reach the prototype', () => {
    expect(Object.isFrozen(ENTRIES)).toBe(true);
    for (const e of ENTRIES) {
      expect(Object.isFrozen(e)).toBe(true);
      expect(Object.isFrozen(e.params)).toBe(true);
    }
    expect(catalogueEntry('MAN-01')?.en).toBe('I am maneuvering to avoid you');
    for (const k of ['__proto__', 'constructor', 'toString', 'man-01', '']) {
      expect(catalogueEntry(k)).toBeUndefined();
    }
  });

  it('declares a schema with a description for every parameter kind', () => {
    for (const k of PARAM_KINDS) {
      expect(typeof PARAM_SCHEMAS[k].description, k).toBe('string');
    }
  });
});

describe('rendering', () => {
  it('renders every entry in both languages with generated parameters, nothing left over', () => {
    fc.assert(
      fc.property(anyMessage, (msg) => {
        for (const lang of LANGUAGES) {
          const text = renderCatalogueMessage(msg, lang);
          expect(text).not.toMatch(/[{}[\]]/);
          expect(text).not.toMatch(/undefined|NaN|Infinity|null/);
          for (const p of catalogueEntry(msg.code)!.params) {
            const v = msg.params[p.name];
            if (v === undefined) continue;
            if (p.kind === 'time') expect(text).toContain(formatDtg(v as number));
            if (p.kind === 'position') {
              const pos = v as { lat: number; lon: number };
              expect(text).toContain(formatPosition(pos.lat, pos.lon));
            }
            if (p.kind === 'unit' || p.kind === 'text' || p.kind === 'channel') {
              expect(text).toContain(v as string);
            }
          }
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('renders each entry at least once (every code reached)', () => {
    for (const e of ENTRIES) {
      const [msg] = fc.sample(messageFor(e), { numRuns: 1, seed: 42 });
      for (const lang of LANGUAGES) {
        expect(renderCatalogueMessage(msg!, lang)).not.toMatch(/[{}[\]]/);
      }
    }
  });

  it('is deterministic and does not touch the message', () => {
    fc.assert(
      fc.property(anyMessage, (msg) => {
        const before = JSON.stringify(msg);
        const deep = structuredClone(msg);
        for (const lang of LANGUAGES) {
          expect(renderCatalogueMessage(msg, lang)).toBe(renderCatalogueMessage(deep, lang));
        }
        expect(JSON.stringify(msg)).toBe(before);
      }),
    );
  });

  it.each<[CatalogueMessage, string, string]>([
    [
      { v: 1, code: 'MAN-08', params: { course: 275, speed: 12 } },
      'My course is 275° and my speed is 12 kn',
      '我航向275°，航速12节',
    ],
    [
      { v: 1, code: 'MAN-11', params: { distance: { value: 5, unit: 'nm' } } },
      'I will maintain 5 nm from you',
      '我将与你保持5海里距离',
    ],
    [
      { v: 1, code: 'MAN-06', params: { side: 'port' } },
      'I intend to pass you port to port',
      '我将与你左舷对左舷通过',
    ],
    [
      { v: 1, code: 'MAN-07', params: { turn: 'starboard' } },
      'I am altering my course to starboard',
      '我正在向右转向',
    ],
    [
      { v: 1, code: 'MAN-14', params: { position: { lat: 9.875, lon: 114.35 } } },
      'My position is 09-52.5N 114-21.0E',
      '我的位置为09-52.5N 114-21.0E',
    ],
    [
      { v: 1, code: 'CAL-01', params: { time: Date.UTC(2018, 8, 30, 14, 2), medium: 'video' } },
      'Request a call at 301402Z SEP 18 by video',
      '请求于301402Z SEP 18进行视频通话',
    ],
    [
      {
        v: 1,
        code: 'ESC-01',
        params: { time: Date.UTC(2001, 3, 1, 0, 55), channel: 'ops', duration: 32 * 60 },
      },
      'Message sent 010055Z APR 01 on channel ops unanswered for 32 h',
      '010055Z APR 01在ops频道发出的电文已32小时未获答复',
    ],
    [
      {
        v: 1,
        code: 'INC-01',
        params: {
          unit: 'DDG-73',
          position: { lat: 9.875, lon: 114.35 },
          time: Date.UTC(2018, 8, 30, 14, 2),
          distance: { value: 45, unit: 'yd' },
        },
      },
      'Unsafe encounter with DDG-73 at 09-52.5N 114-21.0E at 301402Z SEP 18; closest approach 45 yd',
      '301402Z SEP 18在09-52.5N 114-21.0E与DDG-73发生不安全相遇，最近距离45码',
    ],
    [
      { v: 1, code: 'AIR-04', params: { altitude: 25000, course: 90 } },
      'My altitude is 25000 ft, heading 090°',
      '我高度25000英尺，航向090°',
    ],
    [
      { v: 1, code: 'NTC-01', params: { text: 'NAVAREA XI 0123/24' } },
      'Your notice NAVAREA XI 0123/24 received',
      '你方通报NAVAREA XI 0123/24已收到',
    ],
  ])('%j', (msg, en, zh) => {
    expect(renderCatalogueMessage(msg, 'en')).toBe(en);
    expect(renderCatalogueMessage(msg, 'zh')).toBe(zh);
  });

  it('leaves out an optional segment when its parameter is absent', () => {
    const code = 'SAF-04';
    expect(catalogueEntry(code)!.params.some((p) => !p.required)).toBe(true);
    expect(renderCatalogueMessage({ v: 1, code, params: {} }, 'en')).toBe('Man overboard');
    expect(renderCatalogueMessage({ v: 1, code, params: {} }, 'zh')).toBe('有人落水');
    const params = { position: { lat: -0.5, lon: -179.99 } };
    expect(renderCatalogueMessage({ v: 1, code, params }, 'en')).toBe(
      'Man overboard at 00-30.0S 179-59.4W',
    );
    expect(renderCatalogueMessage({ v: 1, code, params }, 'zh')).toBe(
      '有人落水，位置00-30.0S 179-59.4W',
    );
  });

  it('encounter drafts: the record note and the situation read in each language', () => {
    const params = {
      note: 'record',
      unit: 'DECATUR',
      position: { lat: 10.2, lon: 114.2 },
      course: 315,
      speed: 12,
      distance: { value: 45, unit: 'yd' },
      time: Date.UTC(2018, 8, 30, 14, 2),
      situation: 'crossing',
    };
    const msg = { v: 1, code: 'MAN-20', params } as CatalogueMessage;
    const en = renderCatalogueMessage(msg, 'en');
    expect(en).toMatch(
      /^FOR RECORD, the ships act bridge-to-bridge \(VHF, CUES\): My ship DECATUR/,
    );
    expect(en).toContain('crossing situation with your ship');
    expect(en).toContain('You are the give-way vessel: request you keep out of my way');
    const zh = renderCatalogueMessage(msg, 'zh');
    expect(zh).toMatch(/^仅供备案/);
    expect(zh).toContain('交叉相遇局面');
    expect(zh).toContain('你舰为让路船，请你避让我舰');
    const { note: _n, ...live } = params;
    expect(renderCatalogueMessage({ ...msg, params: live } as CatalogueMessage, 'en')).toMatch(
      /^My ship DECATUR/,
    );
    // Encounter wording uses 相遇 (encounter), never 遭遇态势.
    for (const e of ENTRIES) expect(e.zh, e.code).not.toContain('遭遇');
  });

  it('inserts text as given and never expands placeholders inside it', () => {
    const msg: CatalogueMessage = { v: 1, code: 'INT-03', params: { text: '{text} [x] {course}' } };
    expect(renderCatalogueMessage(msg, 'en')).toBe('My intentions are: {text} [x] {course}');
    expect(renderCatalogueMessage(msg, 'zh')).toBe('我的意图是：{text} [x] {course}');
  });

  it('refuses an unknown language and an invalid message', () => {
    const ok: CatalogueMessage = { v: 1, code: 'INT-01', params: {} };
    expect(
      coded(() => renderCatalogueMessage(ok, 'fr' as Language), 'PARLEY_E_INVALID_ARGUMENT'),
    ).toContain('"fr"');
    coded(() => renderCatalogueMessage(ok, 'toString' as Language), 'PARLEY_E_INVALID_ARGUMENT');
    coded(
      () =>
        renderCatalogueMessage({ v: 1, code: 'MAN-08', params: { course: 400, speed: 1 } }, 'en'),
      'PARLEY_E_CATALOGUE_PARAM',
    );
  });
});

describe('parseCatalogueMessage', () => {
  it('round trips through JSON unchanged', () => {
    fc.assert(
      fc.property(anyMessage, (generated) => {
        const msg = parseCatalogueMessage(generated);
        // The canonical form is the JSON meaning of the input (-0 is 0 in JSON).
        expect(msg).toEqual(JSON.parse(JSON.stringify(generated)));
        expect(parseCatalogueMessage(JSON.parse(JSON.stringify(msg)))).toEqual(msg);
      }),
      { numRuns: 3000 },
    );
  });

  it('returns a fresh copy in canonical form (-0 becomes 0)', () => {
    const input = { v: 1, code: 'MAN-14', params: { position: { lat: -0, lon: 114.35 } } };
    const msg = parseCatalogueMessage(input);
    expect(msg.params.position).not.toBe(input.params.position);
    expect(Object.is((msg.params.position as { lat: number }).lat, 0)).toBe(true);
  });

  const MAN08 = { v: 1, code: 'MAN-08', params: { course: 275, speed: 12 } };
  const with08 = (params: Record<string, unknown>) => ({ ...MAN08, params });
  const MAN14 = (position: unknown) => ({ v: 1, code: 'MAN-14', params: { position } });
  const text = (t: unknown) => ({ v: 1, code: 'INT-03', params: { text: t } });

  const hostile: [string, unknown, string, string?][] = [
    // envelope
    ['null', null, 'PARLEY_E_CATALOGUE_MALFORMED'],
    ['a string', 'MAN-01', 'PARLEY_E_CATALOGUE_MALFORMED', '"MAN-01"'],
    ['a number', 42, 'PARLEY_E_CATALOGUE_MALFORMED', '42'],
    ['an array', [1], 'PARLEY_E_CATALOGUE_MALFORMED'],
    ['a Date', new Date(0), 'PARLEY_E_CATALOGUE_MALFORMED'],
    ['no v', { code: 'INT-01', params: {} }, 'PARLEY_E_CATALOGUE_MALFORMED', '/v'],
    ['v 2', { v: 2, code: 'INT-01', params: {} }, 'PARLEY_E_CATALOGUE_VERSION', '2'],
    ['v "1"', { v: '1', code: 'INT-01', params: {} }, 'PARLEY_E_CATALOGUE_VERSION', '"1"'],
    ['v null', { v: null, code: 'INT-01', params: {} }, 'PARLEY_E_CATALOGUE_VERSION', 'null'],
    ['code a number', { v: 1, code: 7, params: {} }, 'PARLEY_E_CATALOGUE_MALFORMED', '/code'],
    ['no params', { v: 1, code: 'INT-01' }, 'PARLEY_E_CATALOGUE_MALFORMED', '/params'],
    ['params null', { v: 1, code: 'INT-01', params: null }, 'PARLEY_E_CATALOGUE_MALFORMED'],
    ['params an array', { v: 1, code: 'INT-01', params: [] }, 'PARLEY_E_CATALOGUE_MALFORMED'],
    [
      'params a class instance',
      { v: 1, code: 'INT-01', params: new Map() },
      'PARLEY_E_CATALOGUE_MALFORMED',
    ],
    ['extra field', { ...MAN08, sig: 'x' }, 'PARLEY_E_CATALOGUE_MALFORMED', 'sig'],
    [
      '__proto__ field',
      JSON.parse('{"v":1,"code":"INT-01","params":{},"__proto__":{"polluted":1}}'),
      'PARLEY_E_CATALOGUE_MALFORMED',
    ],
    [
      'inherited fields',
      Object.create({ v: 1, code: 'INT-01', params: {} }),
      'PARLEY_E_CATALOGUE_MALFORMED',
    ],
    // code
    [
      'unknown code',
      { v: 1, code: 'XXX-99', params: {} },
      'PARLEY_E_CATALOGUE_UNKNOWN_CODE',
      'XXX-99',
    ],
    [
      'lower-case code',
      { v: 1, code: 'man-01', params: {} },
      'PARLEY_E_CATALOGUE_UNKNOWN_CODE',
      'man-01',
    ],
    ['__proto__ code', { v: 1, code: '__proto__', params: {} }, 'PARLEY_E_CATALOGUE_UNKNOWN_CODE'],
    [
      'constructor code',
      { v: 1, code: 'constructor', params: {} },
      'PARLEY_E_CATALOGUE_UNKNOWN_CODE',
    ],
    [
      'oversized code',
      { v: 1, code: 'X'.repeat(1000), params: {} },
      'PARLEY_E_CATALOGUE_MALFORMED',
    ],
    // parameter names
    ['missing param', with08({ course: 275 }), 'PARLEY_E_CATALOGUE_PARAM', 'speed'],
    ['no params given', with08({}), 'PARLEY_E_CATALOGUE_PARAM', 'course'],
    [
      'unknown param',
      with08({ course: 1, speed: 1, depth: 3 }),
      'PARLEY_E_CATALOGUE_PARAM',
      'depth',
    ],
    [
      '__proto__ param',
      JSON.parse('{"v":1,"code":"MAN-08","params":{"course":1,"speed":1,"__proto__":{"x":1}}}'),
      'PARLEY_E_CATALOGUE_PARAM',
      '__proto__',
    ],
    [
      'constructor param',
      with08({ course: 1, speed: 1, constructor: 1 }),
      'PARLEY_E_CATALOGUE_PARAM',
      'constructor',
    ],
    [
      'params for a code without any',
      { v: 1, code: 'INT-01', params: { x: 1 } },
      'PARLEY_E_CATALOGUE_PARAM',
      'none',
    ],
    // types and ranges
    ['course a string', with08({ course: '275', speed: 12 }), 'PARLEY_E_CATALOGUE_PARAM', '"275"'],
    ['course NaN', with08({ course: NaN, speed: 12 }), 'PARLEY_E_CATALOGUE_PARAM', 'NaN'],
    [
      'course Infinity',
      with08({ course: Infinity, speed: 12 }),
      'PARLEY_E_CATALOGUE_PARAM',
      'Infinity',
    ],
    ['course 360', with08({ course: 360, speed: 12 }), 'PARLEY_E_CATALOGUE_PARAM', '360'],
    ['course -1', with08({ course: -1, speed: 12 }), 'PARLEY_E_CATALOGUE_PARAM', '-1'],
    ['course null', with08({ course: null, speed: 12 }), 'PARLEY_E_CATALOGUE_PARAM', 'null'],
    ['speed negative', with08({ course: 1, speed: -0.1 }), 'PARLEY_E_CATALOGUE_PARAM', '-0.1'],
    ['speed 1e9', with08({ course: 1, speed: 1e9 }), 'PARLEY_E_CATALOGUE_PARAM', '1000000000'],
    ['lat 91', MAN14({ lat: 91, lon: 0 }), 'PARLEY_E_CATALOGUE_PARAM', '91'],
    ['lat -90.0001', MAN14({ lat: -90.0001, lon: 0 }), 'PARLEY_E_CATALOGUE_PARAM', '-90.0001'],
    ['lon 180.5', MAN14({ lat: 0, lon: 180.5 }), 'PARLEY_E_CATALOGUE_PARAM', '180.5'],
    ['lon -181', MAN14({ lat: 0, lon: -181 }), 'PARLEY_E_CATALOGUE_PARAM', '-181'],
    ['lat NaN', MAN14({ lat: NaN, lon: 0 }), 'PARLEY_E_CATALOGUE_PARAM'],
    ['no lon', MAN14({ lat: 0 }), 'PARLEY_E_CATALOGUE_PARAM', 'lon'],
    ['position extra key', MAN14({ lat: 0, lon: 0, alt: 3 }), 'PARLEY_E_CATALOGUE_PARAM', 'alt'],
    ['position an array', MAN14([9.875, 114.35]), 'PARLEY_E_CATALOGUE_PARAM'],
    ['position a string', MAN14('09-52.5N 114-21.0E'), 'PARLEY_E_CATALOGUE_PARAM', '09-52.5N'],
    [
      'position __proto__',
      JSON.parse(
        '{"v":1,"code":"MAN-14","params":{"position":{"lat":0,"lon":0,"__proto__":{"x":1}}}}',
      ),
      'PARLEY_E_CATALOGUE_PARAM',
    ],
    [
      'distance unit mi',
      { v: 1, code: 'MAN-11', params: { distance: { value: 5, unit: 'mi' } } },
      'PARLEY_E_CATALOGUE_PARAM',
      'mi',
    ],
    [
      'distance a bare number',
      { v: 1, code: 'MAN-11', params: { distance: 5 } },
      'PARLEY_E_CATALOGUE_PARAM',
      '5',
    ],
    [
      'time fractional',
      { v: 1, code: 'INC-06', params: { time: 1.5 } },
      'PARLEY_E_CATALOGUE_PARAM',
      '1.5',
    ],
    ['time negative', { v: 1, code: 'INC-06', params: { time: -1 } }, 'PARLEY_E_CATALOGUE_PARAM'],
    [
      'time an ISO string',
      { v: 1, code: 'INC-06', params: { time: '2018-09-30T14:02Z' } },
      'PARLEY_E_CATALOGUE_PARAM',
      '2018-09-30',
    ],
    [
      'time past the Date range',
      { v: 1, code: 'INC-06', params: { time: 8.64e15 + 1 } },
      'PARLEY_E_CATALOGUE_PARAM',
    ],
    [
      'altitude fractional',
      { v: 1, code: 'AIR-05', params: { altitude: 1.5 } },
      'PARLEY_E_CATALOGUE_PARAM',
    ],
    [
      'duration negative',
      { v: 1, code: 'ESC-02', params: { time: 0, duration: -5 } },
      'PARLEY_E_CATALOGUE_PARAM',
      '-5',
    ],
    [
      'side left',
      { v: 1, code: 'MAN-06', params: { side: 'left' } },
      'PARLEY_E_CATALOGUE_PARAM',
      'left',
    ],
    [
      'medium text',
      { v: 1, code: 'CAL-02', params: { medium: 'fax' } },
      'PARLEY_E_CATALOGUE_PARAM',
      'fax',
    ],
    [
      'channel with spaces',
      { v: 1, code: 'ESC-01', params: { time: 0, channel: 'Ops Room', duration: 1 } },
      'PARLEY_E_CATALOGUE_PARAM',
      'Ops Room',
    ],
    // text
    ['text 201 characters', text('x'.repeat(201)), 'PARLEY_E_CATALOGUE_PARAM'],
    ['text empty', text(''), 'PARLEY_E_CATALOGUE_PARAM'],
    ['text blank', text('   '), 'PARLEY_E_CATALOGUE_PARAM'],
    ['text with NUL', text('a\u0000b'), 'PARLEY_E_CATALOGUE_PARAM'],
    ['text with a newline', text('a\nb'), 'PARLEY_E_CATALOGUE_PARAM'],
    ['text with a bidi override', text('abc\u202edef'), 'PARLEY_E_CATALOGUE_PARAM'],
    ['text with a line separator', text('a\u2028b'), 'PARLEY_E_CATALOGUE_PARAM'],
    ['text with a lone surrogate', text('a\ud800b'), 'PARLEY_E_CATALOGUE_PARAM'],
    ['text a number', text(42), 'PARLEY_E_CATALOGUE_PARAM', '42'],
    [
      'unit 41 characters',
      {
        v: 1,
        code: 'INC-03',
        params: { unit: 'U'.repeat(41), position: { lat: 0, lon: 0 }, time: 0 },
      },
      'PARLEY_E_CATALOGUE_PARAM',
    ],
  ];

  it.each(hostile)('refuses %s', (_name, input, code, mention) => {
    const message = coded(() => parseCatalogueMessage(input), code);
    if (mention !== undefined) expect(message).toContain(mention);
    expect(message.length).toBeLessThan(400);
  });

  it('accepts the edges of every range', () => {
    const ok = [
      MAN14({ lat: 90, lon: 180 }),
      MAN14({ lat: -90, lon: -180 }),
      with08({ course: 0, speed: 0 }),
      with08({ course: 359.9999, speed: 2000 }),
      text('x'.repeat(200)),
      text('🚢 DDG-65 中国'),
      { v: 1, code: 'INC-06', params: { time: 8.64e15 } },
      { v: 1, code: 'MAN-11', params: { distance: { value: 0, unit: 'm' } } },
      { v: 1, code: 'ESC-02', params: { time: 0, duration: 0 } },
    ];
    for (const input of ok) expect(() => parseCatalogueMessage(input)).not.toThrow();
  });

  it('never pollutes Object.prototype', () => {
    for (const [, input] of hostile) {
      try {
        parseCatalogueMessage(input);
      } catch {
        // expected
      }
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('never throws anything but a coded error on arbitrary JSON', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.jsonValue(),
          fc.record({
            v: fc.oneof(fc.constant(1), fc.jsonValue()),
            code: fc.oneof(fc.constantFrom(...ENTRIES.map((e) => e.code)), fc.string()),
            params: fc.dictionary(
              fc.oneof(fc.constantFrom(...PARAM_KINDS, '__proto__'), fc.string()),
              fc.jsonValue(),
            ),
          }),
        ),
        (value) => {
          try {
            parseCatalogueMessage(value);
          } catch (err) {
            expect(isParleyError(err), String(err)).toBe(true);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});
