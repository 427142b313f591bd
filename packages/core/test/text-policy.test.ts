import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ParleyError, nameKey, parsePolicyText, parseStationName, parseText } from '@parley/core';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    return err instanceof ParleyError
      ? `${err.code} ${String(err.details.codePoint ?? '')}`.trim()
      : 'UNCODED';
  }
}

describe('text policy', () => {
  it('refuses bidi overrides, embeddings, isolates and marks, naming the code point', () => {
    for (const cp of [
      0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069, 0x200e, 0x200f,
      0x061c,
    ]) {
      const hex = cp.toString(16).toUpperCase().padStart(4, '0');
      expect(codeOf(() => parseText(`abc${String.fromCodePoint(cp)}def`))).toBe(
        `PARLEY_E_TEXT_INVALID U+${hex}`,
      );
    }
  });

  it('refuses NUL and other controls; allows LF and TAB only in multi-line text', () => {
    expect(codeOf(() => parseText('a\u0000b'))).toBe('PARLEY_E_TEXT_INVALID U+0000');
    expect(codeOf(() => parseText('a\u001bb'))).toBe('PARLEY_E_TEXT_INVALID U+001B');
    expect(codeOf(() => parseText('a\u0085b'))).toBe('PARLEY_E_TEXT_INVALID U+0085');
    expect(parseText('line 1\r\nline 2\tx')).toBe('line 1\nline 2\tx');
    expect(codeOf(() => parsePolicyText('a\nb', { field: 'name', max: 64 }))).toBe(
      'PARLEY_E_TEXT_INVALID U+000A',
    );
  });

  it('refuses zero-width, BOM, separators, fillers, lone surrogates and noncharacters', () => {
    for (const [s, cp] of [
      ['a\u200bb', 'U+200B'],
      ['a\ufeffb', 'U+FEFF'],
      ['a\u2028b', 'U+2028'],
      ['a\u3164b', 'U+3164'],
      ['a\ud800b', 'U+D800'],
      ['a\ufffeb', 'U+FFFE'],
      ['a\u{10ffff}b', 'U+10FFFF'],
    ] as const)
      expect(codeOf(() => parseText(s))).toBe(`PARLEY_E_TEXT_INVALID ${cp}`);
  });

  it('refuses text with nothing visible', () => {
    expect(codeOf(() => parseText('\u200d\u200c'))).toBe('PARLEY_E_TEXT_EMPTY');
    expect(codeOf(() => parseText(' \n\t '))).toBe('PARLEY_E_TEXT_EMPTY');
    expect(codeOf(() => parseText('\u2800\ufe0f'))).toBe('PARLEY_E_TEXT_EMPTY');
  });

  it('normalises to NFC and keeps ZWJ sequences and CJK', () => {
    expect(parseText('cafe\u0301')).toBe('caf\u00e9');
    expect(parseText('👩\u200d🚒 请减速')).toBe('👩\u200d🚒 请减速');
  });

  it('station names follow the policy', () => {
    expect(codeOf(() => parseStationName('Alpha\u202e'))).toBe('PARLEY_E_TEXT_INVALID U+202E');
    expect(parseStationName(' Alpha ')).toBe('Alpha');
  });

  it('names that differ only by case or normalisation share a key', () => {
    expect(nameKey('watch')).toBe(nameKey('WATCH'));
    expect(nameKey('strasse')).toBe(nameKey('STRASSE'));
    expect(nameKey('caf\u00e9')).toBe(nameKey('CAFE\u0301'));
  });

  it('property: whatever is accepted has no refused character and is NFC; nothing throws uncoded', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), fc.boolean(), (s, multiline) => {
        let out: string;
        try {
          out = parsePolicyText(s, { field: 't', max: 100, multiline });
        } catch (err) {
          expect(err).toBeInstanceOf(ParleyError);
          return;
        }
        expect(out.normalize('NFC')).toBe(out);
        expect(/[\p{Cf}\p{Cs}\u2028\u2029]/u.test(out.replace(/[\u200c\u200d]/g, ''))).toBe(false);
        expect(/[\p{Cc}]/u.test(out.replace(multiline ? /[\n\t]/g : /$^/g, ''))).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });
});
