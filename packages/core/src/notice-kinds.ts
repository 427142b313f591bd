/**
 * Kinds of planned activity a notice announces, and the minimum lead time each needs by default.
 * The defaults follow the agreements notices come from: a missile or rocket launch at least 24 h
 * ahead (1988 US–USSR Ballistic Missile Launch Notification Agreement), live firing and exercises
 * at least 72 h ahead (the practice under the 1972 Incidents at Sea agreement and the 2014 US–China
 * notification MOU), transits with no minimum. A channel agreement may set its own (`leadTimes`).
 */
export const NOTICE_KINDS = [
  'naval-exercise',
  'live-fire',
  'launch',
  'air-exercise',
  'submarine',
  'transit',
  'survey',
  'other',
] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

const H = 3_600_000;

/** Minimum lead time per kind, ms, when the channel agreement names none. */
export const DEFAULT_LEAD_MS: Readonly<Record<NoticeKind, number>> = {
  'naval-exercise': 72 * H,
  'live-fire': 72 * H,
  launch: 24 * H,
  'air-exercise': 72 * H,
  submarine: 0,
  transit: 0,
  survey: 0,
  other: 0,
};

/** How late a notice is: the lead it gave against the lead its channel requires. */
export interface Lateness {
  /** Minimum lead time for the kind under the channel agreement, ms. */
  requiredMs: number;
  /** From the signed entry's time to the start of the first window, ms (negative: already started). */
  leadMs: number;
  /** requiredMs − leadMs when positive, else 0. */
  lateMs: number;
  late: boolean;
}

/**
 * Lateness of a notice, computed only from signed data (the entry's `ts`, the first window's
 * start and the agreement), so both stations compute the same value from the same entries.
 */
export function noticeLateness(
  notifiedAt: number,
  firstStart: number,
  requiredMs: number,
): Lateness {
  const leadMs = firstStart - notifiedAt;
  const lateMs = Math.max(0, requiredMs - leadMs);
  return { requiredMs, leadMs, lateMs, late: lateMs > 0 };
}
