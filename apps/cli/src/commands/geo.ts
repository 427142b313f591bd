import type { Command } from 'commander';
import { ParleyError } from '@parley/core';
import { colregsOf, cpa, parseMotion } from '@parley/geo';
import type { Cpa, Motion, MotionKeys } from '@parley/geo';
import { print } from '../output.js';

/** A CPA request is a few hundred bytes; anything past this is refused unread. */
const MAX_INPUT = 64 * 1024;

/** The wire spelling of a unit: snake_case, as the rest of the output. */
const WIRE_KEYS: MotionKeys = { altFt: 'alt_ft', vsFpm: 'vs_fpm' };

const SHAPE = '{"a": {lat, lon, sog, cog[, alt_ft, vs_fpm]}, "b": {...}}';

function badInput(message: string, details: Record<string, unknown> = {}): ParleyError {
  return new ParleyError('PARLEY_E_INVALID_ARGUMENT', message, details);
}

/** All of standard input as UTF-8, refusing more than MAX_INPUT bytes. */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_INPUT) {
      throw badInput(`standard input is longer than ${MAX_INPUT} bytes`, { limit: MAX_INPUT });
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Parses and checks a CPA request: exactly `a` and `b`, each a unit in snake_case. */
export function parseCpaRequest(text: string): { a: Motion; b: Motion } {
  if (text.trim() === '') throw badInput(`standard input is empty: expected ${SHAPE}`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const why = (err instanceof Error ? err.message : String(err)).replace(/\s+/g, ' ');
    throw badInput(`standard input is not JSON (${why.slice(0, 120)}): expected ${SHAPE}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badInput(`standard input is not a JSON object: expected ${SHAPE}`);
  }
  const req = value as Record<string, unknown>;
  for (const key of Object.keys(req)) {
    if (key !== 'a' && key !== 'b') {
      throw badInput(`unknown field ${JSON.stringify(key)}: expected ${SHAPE}`, { field: key });
    }
  }
  for (const key of ['a', 'b'] as const) {
    if (req[key] === undefined) {
      throw badInput(`missing field "${key}": expected ${SHAPE}`, { field: key });
    }
  }
  return { a: parseMotion(req['a'], 'a', WIRE_KEYS), b: parseMotion(req['b'], 'b', WIRE_KEYS) };
}

function round(x: number, decimals: number): number {
  const k = 10 ** decimals;
  return Math.round(x * k) / k + 0; // + 0: no -0
}

/**
 * The printed answer: snake_case, rounded to what the method resolves, with the COLREGS
 * situation of the pair and which unit gives way when `rules` is given (packages/geo colregs.ts).
 */
export function formatCpa(
  r: Cpa,
  rules?: { situation: string | null; giveWay: string | null },
): Record<string, number | string | null> {
  const out: Record<string, number | string | null> = {
    cpa_nm: round(r.cpaNm, 3),
    tcpa_min: round(r.tcpaMin, 2),
    range_nm: round(r.rangeNm, 3),
    bearing_deg: round(r.bearingDeg, 1) % 360,
  };
  if (r.vsepFt !== undefined) out['vsep_ft'] = round(r.vsepFt, 0);
  if (rules) {
    out['situation'] = rules.situation;
    out['give_way'] = rules.giveWay;
  }
  return out;
}

export function registerGeoCommands(program: Command): void {
  program
    .command('cpa')
    .description(
      'closest point of approach of two units holding course and speed (rhumb lines on WGS84): ' +
        `reads ${SHAPE} on standard input (degrees, knots, degrees true, feet, feet/minute) and ` +
        'prints {"cpa_nm", "tcpa_min", "range_nm", "bearing_deg"[, "vsep_ft"], "situation", ' +
        '"give_way"}; exit 2 on bad input',
    )
    .addHelpText(
      'after',
      `
tcpa_min is negative when the closest point lies in the past; cpa_nm is the distance at that
time. Parallel tracks at equal speed give tcpa_min 0 and cpa_nm the current range. bearing_deg is
true, from a to b. vsep_ft, the vertical separation at the closest point, is printed when both
units have alt_ft (vs_fpm defaults to 0). Output is rounded: 0.001 nm, 0.01 min, 0.1°, 1 ft.
Valid for ranges up to about 50-100 nm and latitudes up to about 70°.

situation is the Rules of the Road (COLREGS) situation of two vessels: "head-on" (Rule 14: both
give way), "crossing" (Rule 15: the one with the other on her starboard side gives way) or
"overtaking" (Rule 13: the one coming up from more than 22.5° abaft the other's beam gives way),
or null when no rule applies: no risk of collision (not closing to under 2 nm within 30 min), a
unit with alt_ft (an aircraft), a unit making no way (its course stands in for the heading), or
neither rule naming a give-way vessel. give_way is "a", "b", "both" or null. See docs/encounters.md.

Example:
  echo '{"a":{"lat":0,"lon":0,"sog":10,"cog":90},"b":{"lat":0,"lon":0.16637,"sog":10,"cog":270}}' | parley cpa
  {"cpa_nm":0,"tcpa_min":30,"range_nm":10,"bearing_deg":90,"situation":"head-on","give_way":"both"}`,
    )
    .action(async () => {
      const { a, b } = parseCpaRequest(await readStdin());
      const c = cpa(a, b);
      print(JSON.stringify(formatCpa(c, colregsOf(a, b, c))));
    });
}
