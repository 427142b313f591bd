import { ParleyError } from '@parley/core';
import { sha256, toHex, utf8 } from './hash.js';

/**
 * Audiences: the set of stations that are party to a channel. Each station writes one feed per
 * audience it belongs to (ADR 0003), and that feed goes only to the audience's members. An
 * audience is named by its member set alone, so every member derives the same id:
 * `aud_` + the first 24 hex digits of SHA-256("parley-audience/v1" ‖ 0x00 ‖ the members' station
 * ids, sorted, joined by "\n").
 */

export const AUDIENCE_RE = /^aud_[0-9a-f]{24}$/;
const STATION_RE = /^stn_[0-9a-f]{24}$/;
/** The most parties one audience may have (the OSCE network has 57 states). */
export const MAX_AUDIENCE_MEMBERS = 64;

export type AudienceId = string & { readonly __audience: unique symbol };

/** Checks a member list: 2–64 distinct station ids, sorted. Returns it, or throws `PARLEY_E_AUDIENCE`. */
export function checkMembers(members: unknown): string[] {
  if (
    !Array.isArray(members) ||
    members.length < 2 ||
    members.length > MAX_AUDIENCE_MEMBERS ||
    !members.every((m) => typeof m === 'string' && STATION_RE.test(m))
  ) {
    throw new ParleyError(
      'PARLEY_E_AUDIENCE',
      `an audience is 2 to ${MAX_AUDIENCE_MEMBERS} station ids`,
      {},
    );
  }
  for (let i = 1; i < members.length; i++) {
    if ((members[i - 1] as string) >= (members[i] as string)) {
      throw new ParleyError(
        'PARLEY_E_AUDIENCE',
        'audience members must be distinct and sorted',
        {},
      );
    }
  }
  return members as string[];
}

/** The audience id of a member set (any order; duplicates are an error). */
export function audienceId(members: Iterable<string>): AudienceId {
  const sorted = checkMembers([...members].sort());
  const digest = sha256(utf8.encode(`parley-audience/v1\u0000${sorted.join('\n')}`));
  return `aud_${toHex(digest).slice(0, 24)}` as AudienceId;
}

/**
 * The key a feed is stored and replicated under: the station id for a station's identity feed
 * (genesis and key rotations only), `<station>/<audience>` for one of its audience feeds.
 */
export function feedKey(station: string, audience?: string | null): string {
  return audience ? `${station}/${audience}` : station;
}

/** Splits a feed key into station and audience (null for an identity feed). */
export function parseFeedKey(key: string): { station: string; audience: AudienceId | null } {
  const at = key.indexOf('/');
  return at < 0
    ? { station: key, audience: null }
    : { station: key.slice(0, at), audience: key.slice(at + 1) as AudienceId };
}
