/**
 * A notice's areas as Cursor-on-Target drawing shapes for a party's own TAK (ATAK, WinTAK,
 * iTAK): a circle is `u-d-c-c` with an ellipse of the radius in metres; a chart-aligned
 * four-point polygon is a `u-d-r` rectangle; any other polygon, and a corridor's outline, is a
 * `u-d-f` free-form shape. Corners go in `<link point="lat,lon"/>` elements, the way TAK
 * clients write their own drawings. Written here (not with node-cot) so the output is exactly
 * what these few shapes need.
 */
import { areaShape, toMetres, wrapLon } from '@parley/geo';
import type { NoticeContent } from '@parley/geo';
import { xmlText as esc } from '../tracks/xml-text.js';

const iso = (ms: number) => new Date(ms).toISOString();
const num = (x: number) => String(Math.round(x * 1e7) / 1e7);

/** ARGB colours TAK reads as signed 32-bit integers: red stroke, translucent red fill. */
const STROKE = -65536; // 0xFFFF0000
const FILL = 1090453504; // 0x40FF0000

/**
 * CoT events, one per area of the notice, as an XML document (`<events>` around the `<event>`s).
 * `uid` prefixes each event's uid; `now` stamps time and start; the events go stale when the
 * notice's last window ends.
 */
export function noticeCot(
  n: NoticeContent,
  opts: { uid: string; ref: string; now: number; remarks?: string },
): string {
  const stale = Math.max(opts.now + 60_000, ...n.windows.map((w) => w.end));
  const events = n.areas.map((a, i) => {
    const uid = `${opts.uid}-${i}`;
    const name = `${opts.ref}${n.areas.length > 1 ? ` ${String.fromCharCode(65 + i)}` : ''}${a.role ? ` ${a.role}` : ''}`;
    let type: string;
    let centre: { lat: number; lon: number };
    const inner: string[] = [];
    const area = a.area;
    if (area.type === 'circle') {
      type = 'u-d-c-c';
      centre = area.centre;
      const m = toMetres(area.radius, area.unit);
      inner.push(`<shape><ellipse major="${num(m)}" minor="${num(m)}" angle="360"/></shape>`);
    } else {
      // The area's shape has continuous longitudes across the antimeridian: its ring gives the
      // centre (and a corridor's outline); a polygon's corners go out as they were given.
      const shape = areaShape(area);
      const outline = (
        shape.type === 'Polygon' ? shape.coordinates[0]! : shape.coordinates[0]![0]!
      ).slice(0, -1) as number[][];
      let ring = outline;
      if (area.type === 'polygon') {
        ring = area.points.map((p) => [p.lon, p.lat]);
        const lats = new Set(area.points.map((p) => p.lat));
        const lons = new Set(area.points.map((p) => p.lon));
        type = area.points.length === 4 && lats.size === 2 && lons.size === 2 ? 'u-d-r' : 'u-d-f';
      } else type = 'u-d-f';
      let lat = 0;
      let lon = 0;
      for (const [x, y] of outline) {
        lat += y!;
        lon += x!;
      }
      centre = { lat: lat / outline.length, lon: wrapLon(lon / outline.length) };
      const pts = type === 'u-d-f' ? [...ring, ring[0]!] : ring;
      for (const [x, y] of pts) inner.push(`<link point="${num(y!)},${num(wrapLon(x!))}"/>`);
    }
    inner.push(`<contact callsign="${esc(name)}"/>`);
    inner.push(
      `<remarks>${esc(opts.remarks ?? `${n.kind} ${n.issuer.party} ${n.issuer.unit}`)}</remarks>`,
    );
    inner.push(
      `<strokeColor value="${STROKE}"/><strokeWeight value="3.0"/><fillColor value="${FILL}"/>`,
    );
    inner.push(`<labels_on value="true"/>`);
    return (
      `<event version="2.0" uid="${esc(uid)}" type="${type}" how="h-e" time="${iso(opts.now)}" start="${iso(opts.now)}" stale="${iso(stale)}">` +
      `<point lat="${num(centre.lat)}" lon="${num(centre.lon)}" hae="9999999.0" ce="9999999.0" le="9999999.0"/>` +
      `<detail>${inner.join('')}</detail></event>`
    );
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<events>\n${events.join('\n')}\n</events>\n`;
}
