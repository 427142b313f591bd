import { ParleyError } from '@parley/core';

/**
 * Line framing of a bundle's `.jsonl` files (PROTOCOL.md §5): zero or more lines, each of at
 * least one byte, holding no LF and no CR, each followed by exactly one LF (so a non-empty file
 * ends with LF), the whole file UTF-8. Anything else is `PARLEY_E_BUNDLE_LINE` at the line where
 * it is found; a line is only handed on once its LF has been read.
 */
export interface FramedLine {
  /** 1-based line number. */
  line: number;
  text: string;
}

const LF = 0x0a;
const CR = 0x0d;

function framingError(file: string, line: number, why: string): ParleyError {
  return new ParleyError('PARLEY_E_BUNDLE_LINE', `${file} line ${line} ${why}`, { line });
}

/** Splits a byte stream into framed lines, refusing any framing fault (see the module comment). */
export async function* framedLines(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  file: string,
): AsyncGenerator<FramedLine> {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let pending: Uint8Array[] = [];
  let pendingLength = 0;
  let line = 0;
  const finish = (tail: Uint8Array): FramedLine => {
    line++;
    const bytes =
      pendingLength === 0 ? tail : concat([...pending, tail], pendingLength + tail.length);
    pending = [];
    pendingLength = 0;
    if (bytes.length === 0)
      throw framingError(file, line, 'is empty (blank lines are not allowed)');
    if (bytes.includes(CR)) throw framingError(file, line, 'holds a CR (lines end with LF alone)');
    let text: string;
    try {
      text = decoder.decode(bytes);
    } catch {
      throw framingError(file, line, 'is not UTF-8');
    }
    return { line, text };
  };
  for await (const chunk of chunks) {
    let start = 0;
    for (let at = chunk.indexOf(LF); at !== -1; at = chunk.indexOf(LF, start)) {
      yield finish(chunk.subarray(start, at));
      start = at + 1;
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      pending.push(rest);
      pendingLength += rest.length;
    }
  }
  if (pendingLength > 0) {
    throw framingError(file, line + 1, 'does not end with LF (the file must end with one)');
  }
}

function concat(parts: Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Decodes a whole-file JSON document's bytes as UTF-8, or throws `code` saying it is not. */
export function utf8Text(
  bytes: Uint8Array,
  code: 'PARLEY_E_BUNDLE_KEYS' | 'PARLEY_E_BUNDLE_MANIFEST',
  file: string,
): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new ParleyError(code, `${file} is not UTF-8`, {});
  }
}
