/**
 * A notice in words and on a map. The words follow NAVAREA navigational warnings (IMO/IHO
 * WWNWS, IHO S-53): a preamble (reference, issuer), the warning (subject, times, positions as
 * `DD-MM.mmN DDD-MM.mmE`, polygon points clockwise from the north-west corner, a circle's radius),
 * and a postscript (when the notice cancels itself, or what it cancels). Chinese follows the
 * China MSA 航行警告 form with the same Latin positions; times stay UTC in both languages.
 */
import { formatDistance, formatDtg, formatPosition } from '@parley/core';
import type { NoticeKind } from '@parley/core';
import type { Feature, FeatureCollection, MultiPolygon, Polygon } from 'geojson';
import { areaShape, clockwiseFromNorthWest, toGeoJson } from './areas.js';
import type { Area, LatLon } from './areas.js';
import type { AreaRole, NoticeContent, TimeWindow, VerticalBand } from './notice.js';

type Lang = 'en' | 'zh';

const KIND_TEXT: Record<NoticeKind, Record<Lang, string>> = {
  'naval-exercise': { en: 'NAVAL EXERCISES', zh: '海上军事演习' },
  'live-fire': { en: 'LIVE FIRING', zh: '实弹射击' },
  launch: { en: 'MISSILE OR ROCKET LAUNCH', zh: '导弹或火箭发射' },
  'air-exercise': { en: 'AIR EXERCISES', zh: '空中演习' },
  submarine: { en: 'SUBMARINE OPERATIONS', zh: '潜艇活动' },
  transit: { en: 'TRANSIT', zh: '过航' },
  survey: { en: 'SURVEY OPERATIONS', zh: '海洋调查作业' },
  other: { en: 'HAZARDOUS OPERATIONS', zh: '危险作业' },
};

const ROLE_TEXT: Record<AreaRole, Record<Lang, string>> = {
  launch: { en: 'LAUNCH AREA', zh: '发射区' },
  impact: { en: 'IMPACT AREA', zh: '落区' },
  danger: { en: 'DANGER AREA', zh: '危险区' },
  exercise: { en: 'EXERCISE AREA', zh: '演习区' },
  route: { en: 'ROUTE', zh: '航线' },
};

const ZH_NUM = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];
const LETTERS = 'ABCDEFGH';

const pos = (p: LatLon) => formatPosition(p.lat, p.lon, 2);

/** `2026年11月21日0100Z`: UTC, for Chinese readers. */
function zhTime(ms: number): string {
  const d = new Date(ms);
  const hhmm =
    String(d.getUTCHours()).padStart(2, '0') + String(d.getUTCMinutes()).padStart(2, '0');
  return `${d.getUTCFullYear()}年${d.getUTCMonth() + 1}月${d.getUTCDate()}日${hhmm}Z`;
}

function windowsText(ws: TimeWindow[], lang: Lang): string {
  if (lang === 'zh') return ws.map((w) => `${zhTime(w.start)}至${zhTime(w.end)}`).join('、');
  return ws.map((w) => `${formatDtg(w.start)} TO ${formatDtg(w.end)}`).join(', ');
}

function bandText(b: VerticalBand, lang: Lang): string {
  if (lang === 'zh') {
    switch (b.type) {
      case 'surface':
        return '水面';
      case 'subsurface':
        return '水下';
      case 'unlimited':
        return '不限高度';
      case 'altitude':
        return b.lowerFt === 0 ? `水面至${b.upperFt}英尺` : `${b.lowerFt}英尺至${b.upperFt}英尺`;
    }
  }
  switch (b.type) {
    case 'surface':
      return 'SURFACE';
    case 'subsurface':
      return 'SUBSURFACE';
    case 'unlimited':
      return 'SURFACE TO UNLIMITED';
    case 'altitude':
      return b.lowerFt === 0 ? `SURFACE TO ${b.upperFt} FT` : `${b.lowerFt} FT TO ${b.upperFt} FT`;
  }
}

function areaText(a: Area, lang: Lang): string {
  if (a.type === 'polygon') {
    const pts = clockwiseFromNorthWest(a.points).map(pos);
    return lang === 'zh'
      ? `以下各点连线范围内：${pts.join('、')}`
      : `IN AREA BOUNDED BY ${pts.join(', ')}`;
  }
  if (a.type === 'circle') {
    const r = formatDistance(a.radius, a.unit, lang);
    return lang === 'zh'
      ? `以${pos(a.centre)}为中心、半径${r}的圆形区域内`
      : `WITHIN ${r.toUpperCase()} OF ${pos(a.centre)}`;
  }
  const pts = a.points.map(pos);
  const w = formatDistance(a.halfWidth, a.unit, lang);
  return lang === 'zh'
    ? `沿${pts.join('、')}连线两侧各${w}范围内`
    : `WITHIN ${w.toUpperCase()} EITHER SIDE OF A LINE JOINING ${pts.join(', ')}`;
}

/** How a rendering refers to this notice and what it stands in for. */
export interface RenderContext {
  /** The notice's reference, e.g. `ALPHA NTC 12/26` (or `DRAFT`). */
  ref: string;
  /** Reference of the notice this one amends, if it is an amendment. */
  amends?: string | null;
  /** Set when the notice has been cancelled: when and why. */
  cancelled?: { ts: number; reason: string } | null;
}

const num = (i: number, lang: Lang) => (lang === 'zh' ? `${ZH_NUM[i] ?? i + 1}、` : `${i + 1}. `);

/**
 * The notice in NAVAREA style, in English or Chinese. A cancelled notice keeps its text and gains
 * a cancellation postscript; otherwise the postscript cancels the notice one hour after its last
 * window ends, as NAVAREA warnings do.
 */
export function renderNotice(n: NoticeContent, lang: Lang, ctx: RenderContext): string {
  const lines: string[] = [];
  const kind = KIND_TEXT[n.kind][lang];
  // Preamble.
  if (lang === 'zh') {
    lines.push(`活动通报 ${ctx.ref}`);
    lines.push(`${n.issuer.party}（${n.issuer.unit}）通报：`);
    if (ctx.amends) lines.push(`本通报修订${ctx.amends}。`);
  } else {
    lines.push(`NOTICE OF PLANNED ACTIVITY ${ctx.ref}`);
    lines.push(`FROM ${n.issuer.party.toUpperCase()} (${n.issuer.unit.toUpperCase()}).`);
    if (ctx.amends) lines.push(`THIS NOTICE AMENDS ${ctx.amends}.`);
  }
  // Warning.
  let i = 0;
  const when = windowsText(n.windows, lang);
  const band = bandText(n.band, lang);
  if (lang === 'zh') {
    lines.push(`${num(i++, lang)}${when}，进行${kind}，垂直范围${band}。区域：`);
  } else {
    lines.push(`${num(i++, lang)}${kind} ${when}, ${band}:`);
  }
  n.areas.forEach((a, k) => {
    const role = a.role ? ROLE_TEXT[a.role][lang] : null;
    const label =
      n.areas.length > 1 || role
        ? `${LETTERS[k]}. ${role ? `${role}${lang === 'zh' ? '：' : ' '}` : ''}`
        : '';
    lines.push(`   ${label}${areaText(a.area, lang)}${lang === 'zh' ? '。' : '.'}`);
  });
  if (n.remark) lines.push(`${num(i++, lang)}${lang === 'zh' ? `备注：${n.remark}` : n.remark}`);
  lines.push(
    `${num(i++, lang)}${lang === 'zh' ? `联系方式：${n.contact}。` : `CONTACT ${n.contact}.`}`,
  );
  // Postscript.
  const last = num(i, lang);
  if (ctx.cancelled) {
    lines.push(
      lang === 'zh'
        ? `${last}本通报已于${zhTime(ctx.cancelled.ts)}撤销：${ctx.cancelled.reason}`
        : `${last}THIS NOTICE CANCELLED ${formatDtg(ctx.cancelled.ts)}: ${ctx.cancelled.reason}`,
    );
  } else {
    const end = Math.max(...n.windows.map((w) => w.end)) + 3_600_000;
    lines.push(
      lang === 'zh'
        ? `${last}本通报于${zhTime(end)}自动撤销。`
        : `${last}CANCEL THIS NOTICE ${formatDtg(end)}.`,
    );
  }
  return lines.join('\n');
}

/** A cancellation as its own NAVAREA-style message. */
export function renderCancellation(ref: string, ts: number, reason: string, lang: Lang): string {
  return lang === 'zh'
    ? `活动通报撤销\n撤销${ref}（${zhTime(ts)}）：${reason}`
    : `CANCELLATION OF NOTICE\nCANCEL ${ref} (${formatDtg(ts)}): ${reason}`;
}

/**
 * The notice's areas as RFC 7946 GeoJSON, one feature per area (split at the antimeridian),
 * with the notice's kind, windows, band and the area's role and original definition.
 */
export function noticeGeoJson(
  n: NoticeContent,
  props: Record<string, unknown> = {},
): FeatureCollection<Polygon | MultiPolygon> {
  const features: Feature<Polygon | MultiPolygon>[] = n.areas.map((a, i) => ({
    type: 'Feature',
    properties: {
      ...props,
      kind: n.kind,
      issuer: n.issuer,
      area: i,
      role: a.role,
      definition: a.area,
      band: n.band,
      windows: n.windows,
    },
    geometry: toGeoJson(areaShape(a.area)),
  }));
  return { type: 'FeatureCollection', features };
}
