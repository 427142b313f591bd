const MONTHS = [
  'JAN',
  'FEB',
  'MAR',
  'APR',
  'MAY',
  'JUN',
  'JUL',
  'AUG',
  'SEP',
  'OCT',
  'NOV',
  'DEC',
] as const;

/**
 * Formats a UTC instant as a military date-time group: `301402Z SEP 18`
 * (day, hour, minute, zone Z, month, two-digit year).
 */
export function formatDtg(epochMs: number): string {
  const d = new Date(epochMs);
  const p2 = (n: number) => String(n).padStart(2, '0');
  return `${p2(d.getUTCDate())}${p2(d.getUTCHours())}${p2(d.getUTCMinutes())}Z ${MONTHS[d.getUTCMonth()]} ${p2(d.getUTCFullYear() % 100)}`;
}
