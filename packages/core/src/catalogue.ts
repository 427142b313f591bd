/**
 * The bilingual catalogue of coded messages, in the spirit of CUES (Code for Unplanned Encounters
 * at Sea, WPNS 2014) and the International Code of Signals (ICS, IMO 1965/2005), and of the 1976
 * coded messages of the Moscow–Washington link: a short code plus typed parameters.
 *
 * A catalogue message travels and is signed as `{ v, code, params }` and never as text. Each
 * reader renders it in their own language from the same signed code, so neither side depends on
 * the other's translation. Positions render NAVAREA-style (`09-52.5N 114-21.0E`) and times as
 * date-time groups (`301402Z SEP 18`), both in Latin characters in either language.
 *
 * Templates fill `{name}` with the rendered parameter. A `[ … ]` segment holds optional
 * parameters and is left out when any of them is absent. Within one `CATALOGUE_VERSION` a code's
 * parameters and wording never change; any change to the catalogue is a new version.
 */
import { Type } from '@sinclair/typebox';
import type { Static, TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { TypeCheck } from '@sinclair/typebox/compiler';
import { formatDtg } from './dtg.js';
import { ParleyError } from './errors.js';
import {
  DISTANCE_UNITS,
  formatAltitude,
  formatCourse,
  formatDistance,
  formatDuration,
  formatPosition,
  formatSpeed,
} from './geo-format.js';
import type { DistanceUnit } from './geo-format.js';
import { CHANNEL_RE } from './validate.js';

// The formatters are the catalogue's renderers and part of its public face; re-exported here so
// the package index needs one line for both files.
export * from './geo-format.js';

/** The catalogue version this implementation writes and reads (`v` of every message). */
export const CATALOGUE_VERSION = 1;

/** The languages every entry renders in. */
export const LANGUAGES = ['en', 'zh'] as const;
export type Language = (typeof LANGUAGES)[number];

/** The categories, in display order. */
export const CATALOGUE_CATEGORIES = [
  'maneuvering',
  'air',
  'intentions',
  'safety',
  'link',
  'call',
  'incident',
  'notice',
  'escalation',
] as const;
export type CatalogueCategory = (typeof CATALOGUE_CATEGORIES)[number];

/** Category titles for display, in each language. */
export const CATEGORY_TITLES: Readonly<
  Record<CatalogueCategory, Readonly<Record<Language, string>>>
> = {
  maneuvering: { en: 'Maneuvering and encounters at sea', zh: '海上机动与相遇' },
  air: { en: 'Air encounters', zh: '空中相遇' },
  intentions: { en: 'Intentions and requests', zh: '意图与请求' },
  safety: { en: 'Safety and distress', zh: '安全与遇险' },
  link: { en: 'Link and procedure', zh: '链路与通信规程' },
  call: { en: 'Request a call', zh: '通话请求' },
  incident: { en: 'Incident report', zh: '事件报告' },
  notice: { en: 'Notice acknowledgment', zh: '通报确认' },
  escalation: { en: 'Escalation', zh: '未复升级' },
};

/** The parameter kinds. */
export const PARAM_KINDS = [
  'position',
  'time',
  'course',
  'speed',
  'distance',
  'altitude',
  'duration',
  'unit',
  'text',
  'channel',
  'side',
  'turn',
  'medium',
  'situation',
  'note',
] as const;
export type ParamKind = (typeof PARAM_KINDS)[number];

/** A union of string literals, with the literal types kept for `Static`. */
function literals<const V extends string>(values: readonly V[], description: string) {
  return Type.Union(
    values.map((v) => Type.Literal(v)),
    { description },
  );
}

/** Free text and designations: well-formed UTF-16, no control, line-separator or bidi-override characters, not blank. */
const SAFE_TEXT =
  '^(?=[\\s\\S]*\\S)(?:[^\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069\\ud800-\\udfff]|[\\ud800-\\udbff][\\udc00-\\udfff])*$';
/** The longest `unit` designation, in UTF-16 code units. */
export const MAX_UNIT_CHARS = 40;
/** The longest `text` parameter, in UTF-16 code units. */
export const MAX_PARAM_TEXT_CHARS = 200;

/** TypeBox schema of each parameter kind: what a parameter of that kind must be on the wire. */
export const PARAM_SCHEMAS = {
  position: Type.Object(
    {
      lat: Type.Number({
        minimum: -90,
        maximum: 90,
        description: 'latitude in decimal degrees, WGS 84, north positive',
      }),
      lon: Type.Number({
        minimum: -180,
        maximum: 180,
        description: 'longitude in decimal degrees, WGS 84, east positive',
      }),
    },
    {
      additionalProperties: false,
      description: 'a position; rendered NAVAREA-style, 09-52.5N 114-21.0E',
    },
  ),
  time: Type.Integer({
    minimum: 0,
    maximum: 8.64e15,
    description: 'a UTC instant in milliseconds since the epoch; rendered as a DTG, 301402Z SEP 18',
  }),
  course: Type.Number({
    minimum: 0,
    exclusiveMaximum: 360,
    description: 'a course or heading in degrees true, 0 to 359.9…; rendered 275°',
  }),
  speed: Type.Number({
    minimum: 0,
    maximum: 2000,
    description: 'a speed in knots; rendered 12 kn / 12节',
  }),
  distance: Type.Object(
    {
      value: Type.Number({ minimum: 0, maximum: 100_000, description: 'the distance' }),
      unit: literals(DISTANCE_UNITS, 'nm nautical miles, km kilometres, yd yards, m metres'),
    },
    { additionalProperties: false, description: 'a distance with its unit; rendered 5 nm / 5海里' },
  ),
  altitude: Type.Integer({
    minimum: -2000,
    maximum: 100_000,
    description: 'an altitude in whole feet above mean sea level; rendered 25000 ft / 25000英尺',
  }),
  duration: Type.Integer({
    minimum: 0,
    maximum: 366 * 24 * 60,
    description: 'a duration in whole minutes; rendered 32 h / 32小时',
  }),
  unit: Type.String({
    minLength: 1,
    maxLength: MAX_UNIT_CHARS,
    pattern: SAFE_TEXT,
    description: 'a ship or aircraft designation (hull number, call sign), rendered as given',
  }),
  text: Type.String({
    minLength: 1,
    maxLength: MAX_PARAM_TEXT_CHARS,
    pattern: SAFE_TEXT,
    description: 'short free text, rendered as given in both languages; use sparingly',
  }),
  channel: Type.String({
    pattern: CHANNEL_RE.source,
    description: 'a Parley channel name, rendered as given',
  }),
  side: literals(['port', 'starboard'], 'a side of a ship; rendered port/starboard, 左舷/右舷'),
  turn: literals(['port', 'starboard'], 'a direction of turn; rendered port/starboard, 左/右'),
  medium: literals(['voice', 'video'], 'how a call is held; rendered voice/video, 语音/视频'),
  situation: literals(
    ['head-on', 'crossing', 'overtaking'],
    'a Rules of the Road (COLREGS) situation, Rule 14, 15 or 13; rendered head-on/crossing/overtaking, 对遇/交叉相遇/追越',
  ),
  note: literals(
    ['record'],
    'how to take the message: record = for record, the ships act bridge-to-bridge (the closest point is nearer than the handling objective)',
  ),
} as const satisfies Record<ParamKind, TSchema>;

/** The value of a parameter of each kind. */
export type ParamValues = { [K in ParamKind]: Static<(typeof PARAM_SCHEMAS)[K]> };
export type PositionParam = ParamValues['position'];
export type DistanceParam = ParamValues['distance'];
/** Any parameter value. */
export type CatalogueParamValue = ParamValues[ParamKind];

const PARAM_CHECKS = Object.fromEntries(
  PARAM_KINDS.map((k) => [k, TypeCompiler.Compile(PARAM_SCHEMAS[k] as TSchema)]),
) as Record<ParamKind, TypeCheck<TSchema>>;

/** How each enumeration value reads in each language. */
/** How the values of the choice kinds read in each language (compose forms use these too). */
export const ENUM_LABELS = {
  side: { port: { en: 'port', zh: '左舷' }, starboard: { en: 'starboard', zh: '右舷' } },
  turn: { port: { en: 'port', zh: '左' }, starboard: { en: 'starboard', zh: '右' } },
  medium: { voice: { en: 'voice', zh: '语音' }, video: { en: 'video', zh: '视频' } },
  situation: {
    'head-on': { en: 'head-on', zh: '对遇' },
    crossing: { en: 'crossing', zh: '交叉相遇' },
    overtaking: { en: 'overtaking', zh: '追越' },
  },
  note: {
    record: {
      en: 'FOR RECORD, the ships act bridge-to-bridge (VHF, CUES)',
      zh: '仅供备案，由两舰驾驶台之间（甚高频，CUES）直接处置',
    },
  },
} as const;

/** One catalogue entry (what the code means and how it reads), as served to clients. */
export const CatalogueEntrySchema = Type.Object(
  {
    code: Type.String({
      pattern: '^[A-Z]{3}-[0-9]{2}$',
      description: 'the code that is sent and signed, e.g. MAN-01',
    }),
    category: literals(CATALOGUE_CATEGORIES, 'the group the entry belongs to'),
    cues: Type.Optional(
      Type.String({
        pattern: '^[A-Z]{1,3}$',
        description: 'the CUES / International Code of Signals signal with this meaning, if any',
      }),
    ),
    params: Type.Array(
      Type.Object(
        {
          name: Type.String({
            pattern: '^[a-z][a-zA-Z0-9]*$',
            description: 'the parameter name, the {name} placeholder in the templates',
          }),
          kind: literals(PARAM_KINDS, 'what the value is and how it renders'),
          required: Type.Boolean({
            description: 'optional parameters appear only inside [ … ] in the templates',
          }),
        },
        { additionalProperties: false },
      ),
      { description: 'the parameters, in the order a form asks for them' },
    ),
    en: Type.String({ minLength: 1, description: 'the English template' }),
    zh: Type.String({ minLength: 1, description: 'the Simplified Chinese template' }),
    description: Type.String({ minLength: 1, description: 'when to use it, in English' }),
  },
  { additionalProperties: false },
);
export type CatalogueEntry = Readonly<Static<typeof CatalogueEntrySchema>>;
export type CatalogueParam = CatalogueEntry['params'][number];

/** A catalogue message on the wire: what is sent and signed. */
export const CatalogueMessageSchema = Type.Object(
  {
    v: Type.Literal(CATALOGUE_VERSION, { description: 'catalogue version' }),
    code: Type.String({ maxLength: 32, description: 'a catalogue code, e.g. MAN-01' }),
    params: Type.Record(Type.String(), Type.Unknown(), {
      description: 'parameter name → value, as the entry declares them',
    }),
  },
  { additionalProperties: false },
);

/** A checked catalogue message. `params` holds exactly the entry's parameters that were given. */
export interface CatalogueMessage {
  v: typeof CATALOGUE_VERSION;
  code: string;
  params: Record<string, CatalogueParamValue>;
}

const messageCheck = TypeCompiler.Compile(CatalogueMessageSchema);

// ---------------------------------------------------------------------------------------------
// The entries.

type Kinds = ParamKind;
const req = (name: string, kind: Kinds): CatalogueParam => ({ name, kind, required: true });
const opt = (name: string, kind: Kinds): CatalogueParam => ({ name, kind, required: false });

function entry(
  code: string,
  category: CatalogueCategory,
  cues: string | undefined,
  params: CatalogueParam[],
  en: string,
  zh: string,
  description: string,
): CatalogueEntry {
  return {
    code,
    category,
    ...(cues === undefined ? {} : { cues }),
    params,
    en,
    zh,
    description,
  };
}

// Chinese follows CUES-style bridge-to-bridge usage: 你/我 between ships and aircraft, 你方/我方
// between the two parties; 航向 course, 航速 speed, 海里 nautical miles, 位置 position,
// 左舷/右舷 port/starboard, 我舰/我机 my ship/my aircraft.
// prettier-ignore
const ENTRIES: CatalogueEntry[] = [
  // Maneuvering and encounters at sea
  entry('MAN-01', 'maneuvering', undefined, [], 'I am maneuvering to avoid you', '我正在机动避让你', 'Own ship is taking action to avoid a close-quarters situation.'),
  entry('MAN-02', 'maneuvering', 'PP', [], 'Keep well clear of me', '请与我保持安全距离', 'ICS PP. Ask the other ship to stay well away.'),
  entry('MAN-03', 'maneuvering', 'RU', [], 'Keep clear of me; I am maneuvering with difficulty', '请避让我，我操纵困难', 'ICS RU. Own ship cannot maneuver freely.'),
  entry('MAN-04', 'maneuvering', undefined, [], 'I intend to pass astern of you', '我将从你船尾通过', 'Own ship will cross behind the other ship.'),
  entry('MAN-05', 'maneuvering', undefined, [], 'I intend to pass ahead of you', '我将从你船首前方通过', 'Own ship will cross ahead of the other ship.'),
  entry('MAN-06', 'maneuvering', undefined, [req('side', 'side')], 'I intend to pass you {side} to {side}', '我将与你{side}对{side}通过', 'Passing arrangement in a head-on or crossing situation.'),
  entry('MAN-07', 'maneuvering', undefined, [req('turn', 'turn')], 'I am altering my course to {turn}', '我正在向{turn}转向', 'ICS E (starboard) or I (port): own ship is turning.'),
  entry('MAN-08', 'maneuvering', undefined, [req('course', 'course'), req('speed', 'speed')], 'My course is {course} and my speed is {speed}', '我航向{course}，航速{speed}', 'Own course and speed, so the other side can predict the encounter.'),
  entry('MAN-09', 'maneuvering', 'S', [], 'I am operating astern propulsion', '我正在倒车', 'ICS S: engines going astern.'),
  entry('MAN-10', 'maneuvering', 'M', [], 'My vessel is stopped and making no way through the water', '我船已停车，对水无速度', 'ICS M: own ship is stopped.'),
  entry('MAN-11', 'maneuvering', undefined, [req('distance', 'distance')], 'I will maintain {distance} from you', '我将与你保持{distance}距离', 'Own ship will keep this distance, e.g. while shadowing or escorting.'),
  entry('MAN-12', 'maneuvering', 'U', [], 'You are running into danger', '你正驶向危险', 'ICS U: warn the other ship of a hazard ahead of it.'),
  entry('MAN-13', 'maneuvering', undefined, [req('distance', 'distance'), req('time', 'time')], 'Closest point of approach will be {distance} at {time}', '预计最近会遇距离{distance}，最近会遇时间{time}', 'Predicted CPA distance and time of the encounter.'),
  entry('MAN-14', 'maneuvering', undefined, [req('position', 'position')], 'My position is {position}', '我的位置为{position}', 'Own position.'),
  entry('MAN-15', 'maneuvering', undefined, [], 'I am engaged in replenishment at sea; keep clear', '我正在进行海上补给，请避让', 'Own ship is replenishing and restricted in its ability to maneuver.'),
  entry('MAN-16', 'maneuvering', undefined, [], 'I am restricted in my ability to maneuver', '我操纵能力受限', 'COLREGs rule 3(g): own ship cannot keep out of the way.'),
  entry('MAN-17', 'maneuvering', undefined, [req('speed', 'speed')], 'I am reducing speed to {speed}', '我正在减速至{speed}', 'Own ship is slowing down.'),
  entry('MAN-18', 'maneuvering', undefined, [req('unit', 'unit'), req('position', 'position'), req('course', 'course'), req('speed', 'speed'), req('distance', 'distance'), req('time', 'time'), req('turn', 'turn')], 'My ship {unit} at {position}, course {course}, speed {speed}: closest point of approach with your ship will be {distance} at {time}; request you alter course to {turn}', '我舰{unit}位于{position}，航向{course}，航速{speed}：与你舰最近会遇距离将为{distance}，时间{time}；请你向{turn}转向', 'Encounter warning drafted by the screen: own unit, its position and motion, the predicted CPA, and the requested action.'),
  // Encounter drafts under the Rules of the Road (COLREGS Rules 13–17; see docs/encounters.md). Each states own intention and asks of the other what the rules ask of her; note 'record' marks a closest point nearer than the handling objective. Chinese terms follow the 1972 COLREGS in Chinese (《国际海上避碰规则》): 让路船 give-way vessel, 直航船 stand-on vessel, 对遇 head-on, 交叉相遇 crossing, 追越 overtaking.
  entry('MAN-19', 'maneuvering', undefined, [opt('note', 'note'), req('unit', 'unit'), req('position', 'position'), req('course', 'course'), req('speed', 'speed'), req('distance', 'distance'), req('time', 'time'), req('situation', 'situation'), req('turn', 'turn')], '[{note}: ]My ship {unit} at {position}, course {course}, speed {speed}: {situation} situation with your ship, closest point of approach {distance} at {time}. I am the give-way vessel: I am altering my course to {turn} to keep out of your way. Request you maintain your course and speed', '[{note}：]我舰{unit}位于{position}，航向{course}，航速{speed}：与你舰构成{situation}局面，最近会遇距离{distance}，时间{time}。我舰为让路船，正在向{turn}转向，避让你舰。请你保持航向和航速', 'Encounter draft, own ship gives way (Rule 15 crossing with the other on her starboard side, or Rule 13 overtaking): own intention (the turn; Rule 34(a) one short blast, ICS E, for starboard; two, ICS I, for port) and the request that the stand-on ship keep her course and speed (Rule 17(a)(i)).'),
  entry('MAN-20', 'maneuvering', undefined, [opt('note', 'note'), req('unit', 'unit'), req('position', 'position'), req('course', 'course'), req('speed', 'speed'), req('distance', 'distance'), req('time', 'time'), req('situation', 'situation')], '[{note}: ]My ship {unit} at {position}, course {course}, speed {speed}: {situation} situation with your ship, closest point of approach {distance} at {time}. You are the give-way vessel: request you keep out of my way. I am the stand-on vessel and I am maintaining my course and speed', '[{note}：]我舰{unit}位于{position}，航向{course}，航速{speed}：与你舰构成{situation}局面，最近会遇距离{distance}，时间{time}。你舰为让路船，请你避让我舰。我舰为直航船，正在保持航向和航速', 'Encounter draft, own ship stands on (Rule 17(a)(i)): own intention to hold course and speed, and the request that the give-way ship keep out of the way (Rules 13, 15, 16).'),
  entry('MAN-21', 'maneuvering', undefined, [opt('note', 'note'), req('unit', 'unit'), req('position', 'position'), req('course', 'course'), req('speed', 'speed'), req('distance', 'distance'), req('time', 'time')], '[{note}: ]My ship {unit} at {position}, course {course}, speed {speed}: we are meeting head-on, closest point of approach {distance} at {time}. I am altering my course to starboard; request you alter your course to starboard, so that we pass port to port', '[{note}：]我舰{unit}位于{position}，航向{course}，航速{speed}：你我两舰对遇，最近会遇距离{distance}，时间{time}。我舰正在向右转向；请你向右转向，以便左舷对左舷通过', 'Encounter draft, head-on (Rule 14): both ships alter to starboard and pass port to port (Rule 34(a) one short blast, ICS E).'),
  entry('MAN-22', 'maneuvering', undefined, [opt('note', 'note'), req('unit', 'unit'), req('position', 'position'), req('course', 'course'), req('speed', 'speed'), req('distance', 'distance'), req('time', 'time'), req('situation', 'situation'), opt('turn', 'turn')], '[{note}: ]My ship {unit} at {position}, course {course}, speed {speed}: {situation} situation with your ship, closest point of approach {distance} at {time}. You are the give-way vessel and you are not keeping out of my way: I am maneuvering to avoid collision[, altering my course to {turn}]. Request you keep out of my way', '[{note}：]我舰{unit}位于{position}，航向{course}，航速{speed}：与你舰构成{situation}局面，最近会遇距离{distance}，时间{time}。你舰为让路船，但未避让我舰：我舰正在采取避碰行动[，向{turn}转向]。请你避让我舰', 'Encounter draft, own ship stands on but acts (Rule 17(a)(ii) and (b)): the give-way ship is not keeping out of the way, so own ship manoeuvres (in a crossing, not to port for a ship on her own port side, Rule 17(c)); the give-way ship is still asked to keep out of the way.'),
  entry('MAN-23', 'maneuvering', undefined, [opt('note', 'note'), req('unit', 'unit'), req('position', 'position'), req('course', 'course'), req('speed', 'speed'), req('distance', 'distance'), req('time', 'time')], '[{note}: ]My ship {unit} at {position}, course {course}, speed {speed}: closest point of approach with your ship will be {distance} at {time}. I intend to maintain my course and speed; request you keep well clear of me and state your intentions', '[{note}：]我舰{unit}位于{position}，航向{course}，航速{speed}：与你舰最近会遇距离将为{distance}，时间{time}。我舰拟保持航向和航速；请你与我舰保持安全距离，并说明你的意图', 'Encounter draft where no rule names a give-way ship (no risk of collision yet, or a passing the rules do not settle): own intention and a request to keep clear (cf. ICS PP, INT-01).'),

  // Air encounters
  entry('AIR-01', 'air', undefined, [], 'I am conducting flight operations', '我正在进行飞行作业', 'Own ship is launching or recovering aircraft; its course is constrained.'),
  entry('AIR-02', 'air', undefined, [], 'I am operating in international airspace', '我正在国际空域飞行', 'Own aircraft states where it is flying.'),
  entry('AIR-03', 'air', undefined, [req('unit', 'unit'), req('distance', 'distance')], '{unit}, you are too close; increase separation to at least {distance}', '{unit}，你距我过近，请将间隔增大到{distance}以上', 'An aircraft is unsafely close.'),
  entry('AIR-04', 'air', undefined, [req('altitude', 'altitude'), req('course', 'course')], 'My altitude is {altitude}, heading {course}', '我高度{altitude}，航向{course}', 'Own altitude and heading.'),
  entry('AIR-05', 'air', undefined, [req('altitude', 'altitude')], 'I am climbing to {altitude}', '我正在爬升至{altitude}', 'Own aircraft is climbing.'),
  entry('AIR-06', 'air', undefined, [req('altitude', 'altitude')], 'I am descending to {altitude}', '我正在下降至{altitude}', 'Own aircraft is descending.'),
  entry('AIR-07', 'air', undefined, [], 'I am turning away from you to increase separation', '我正在转弯远离你以增大间隔', 'Own aircraft is opening the distance.'),
  entry('AIR-08', 'air', undefined, [], 'Do not cross ahead of my aircraft', '请勿从我机前方穿越', 'An aircraft is crossing or about to cross the nose of own aircraft.'),
  entry('AIR-09', 'air', undefined, [], 'Stop simulated attacks against my aircraft', '停止对我机进行模拟攻击', '2014 US–China MOU, air annex: no simulated attacks.'),
  entry('AIR-10', 'air', undefined, [], 'I am conducting aerial refueling; keep clear', '我正在进行空中加油，请避让', 'Own aircraft is refueling in flight and cannot maneuver freely.'),
  entry('AIR-11', 'air', undefined, [req('unit', 'unit'), req('distance', 'distance')], 'Aircraft {unit}, you are approaching my ship at {distance}; keep clear', '飞机{unit}，你正在接近我舰，距离{distance}，请避让', 'An aircraft is closing on own ship.'),
  entry('AIR-12', 'air', undefined, [req('altitude', 'altitude')], 'I am maintaining altitude {altitude}', '我保持高度{altitude}', 'Own aircraft will not climb or descend.'),
  entry('AIR-13', 'air', undefined, [req('unit', 'unit'), req('position', 'position'), req('altitude', 'altitude'), req('course', 'course'), req('distance', 'distance'), req('time', 'time')], 'My aircraft {unit} at {position}, altitude {altitude}, heading {course}: closest approach with your aircraft will be {distance} at {time}; request you increase separation', '我机{unit}位于{position}，高度{altitude}，航向{course}：与你机最近接近距离将为{distance}，时间{time}；请你增大间隔', 'Air encounter warning drafted by the screen: own aircraft, its position, altitude and heading, the predicted closest approach, and the requested action.'),

  // Intentions and requests
  entry('INT-01', 'intentions', undefined, [], 'State your intentions', '请说明你的意图', 'Ask the other unit what it intends to do.'),
  entry('INT-02', 'intentions', undefined, [], 'Request you reduce speed', '请减速', 'Ask the other unit to slow down.'),
  entry('INT-03', 'intentions', undefined, [req('text', 'text')], 'My intentions are: {text}', '我的意图是：{text}', 'Own intentions in plain words (the text is not translated).'),
  entry('INT-04', 'intentions', undefined, [req('turn', 'turn')], 'Request you alter course to {turn}', '请向{turn}转向', 'Ask the other ship to turn.'),
  entry('INT-05', 'intentions', undefined, [], 'Request you maintain course and speed', '请保持航向和航速', 'Ask the other ship to stand on, so own ship can maneuver predictably.'),
  entry('INT-06', 'intentions', 'SO', [], 'You should stop your vessel instantly', '你船应立即停船', 'ICS SO.'),
  entry('INT-07', 'intentions', 'X', [], 'Stop carrying out your intentions and watch for my signals', '停止执行你的意图，并注意我的信号', 'ICS X.'),
  entry('INT-08', 'intentions', undefined, [req('distance', 'distance')], 'Request you keep outside {distance} of me', '请与我保持{distance}以上距离', 'Ask for a minimum separation.'),
  entry('INT-09', 'intentions', 'K', [], 'I wish to communicate with you', '我希望与你通信', 'ICS K: open bridge-to-bridge communication.'),
  entry('INT-10', 'intentions', undefined, [], 'Request your course and speed', '请告知你的航向和航速', 'Ask for the other ship’s course and speed.'),
  entry('INT-11', 'intentions', undefined, [], 'Request you identify yourself', '请表明你的身份', 'Ask the other unit to identify itself.'),
  entry('INT-12', 'intentions', undefined, [req('position', 'position')], 'I intend to proceed to {position}', '我将前往{position}', 'Own destination.'),
  entry('INT-13', 'intentions', undefined, [req('course', 'course')], 'Request you alter course to {course}', '请将航向改为{course}', 'Ask the other ship to steer a given course.'),

  // Safety and distress
  entry('SAF-01', 'safety', 'NC', [], 'I am in distress and require immediate assistance', '我遇险，需要立即援助', 'ICS NC.'),
  entry('SAF-02', 'safety', 'V', [], 'I require assistance', '我需要援助', 'ICS V.'),
  entry('SAF-03', 'safety', 'W', [], 'I require medical assistance', '我需要医疗援助', 'ICS W.'),
  entry('SAF-04', 'safety', 'O', [opt('position', 'position')], 'Man overboard[ at {position}]', '有人落水[，位置{position}]', 'ICS O, with the position if known.'),
  entry('SAF-05', 'safety', 'F', [], 'I am disabled; communicate with me', '我已失去操纵能力，请与我联系', 'ICS F.'),
  entry('SAF-06', 'safety', 'A', [], 'I have a diver down; keep well clear at slow speed', '我有潜水员在水下，请慢速远离', 'ICS A.'),
  entry('SAF-07', 'safety', undefined, [req('position', 'position')], 'Request search and rescue assistance at {position}', '请求在{position}提供搜救协助', 'Ask the other side to help a search and rescue.'),
  entry('SAF-08', 'safety', undefined, [req('distance', 'distance'), req('position', 'position')], 'Live firing in progress within {distance} of {position}; keep clear', '{position}周围{distance}范围内正在进行实弹射击，请避开', 'Warn of a firing danger area (a circle: centre and radius).'),

  // Link and procedure
  entry('LNK-01', 'link', undefined, [], 'This is a link test; acknowledge', '这是链路测试，请确认', 'Routine test of the link (the Moscow–Washington line is tested hourly).'),
  entry('LNK-02', 'link', undefined, [], 'Link test received; the link is working', '链路测试已收到，链路工作正常', 'Answer to a link test.'),
  entry('LNK-03', 'link', 'R', [], 'Received', '收到', 'ICS R: the last signal was received.'),
  entry('LNK-04', 'link', undefined, [], 'Acknowledge receipt of this message', '请确认收到本电', 'Ask for an explicit acknowledgment.'),
  entry('LNK-05', 'link', 'RPT', [], 'Say again', '请重复', 'ICS RPT: repeat the last message.'),
  entry('LNK-06', 'link', 'ZL', [], 'Your signal was received but not understood', '你的信号已收到但未理解', 'ICS ZL.'),
  entry('LNK-07', 'link', 'AS', [], 'Wait', '请稍等', 'ICS AS: waiting signal; an answer follows.'),
  entry('LNK-08', 'link', undefined, [], 'Over', '完毕', 'End of this transmission; a reply is expected.'),
  entry('LNK-09', 'link', 'AR', [], 'Out', '通话结束', 'ICS AR: end of the exchange; no reply is expected.'),
  entry('LNK-10', 'link', 'C', [], 'Affirmative', '肯定', 'ICS C: yes.'),
  entry('LNK-11', 'link', 'N', [], 'Negative', '否定', 'ICS N: no.'),
  entry('LNK-12', 'link', 'OK', [], 'Read back correct', '复诵正确', 'ICS OK: the repetition was correct.'),
  entry('LNK-13', 'link', undefined, [req('text', 'text')], 'Plain language follows: {text}', '以下为明语：{text}', 'A short plain-language remark (not translated).'),
  entry('LNK-14', 'link', undefined, [req('time', 'time')], 'Your message sent {time} received and understood', '你方{time}发出的电文已收到并理解', 'Acknowledge that a message was understood.'),

  // Request a call
  entry('CAL-01', 'call', undefined, [req('time', 'time'), req('medium', 'medium')], 'Request a call at {time} by {medium}', '请求于{time}进行{medium}通话', 'Propose a call; the call slots are handled by the call scheduler.'),
  entry('CAL-02', 'call', undefined, [req('medium', 'medium')], 'Request an urgent call by {medium} as soon as possible', '紧急请求尽快进行{medium}通话', 'Ask for a call without delay.'),
  entry('CAL-03', 'call', undefined, [req('time', 'time')], 'Your request for a call received; we will reply by {time}', '已收到你方通话请求，我方将于{time}前答复', 'Acknowledge a call request and set a reply deadline.'),
  entry('CAL-04', 'call', undefined, [req('time', 'time'), req('alternative', 'time')], 'Unable to hold the call at {time}; we propose {alternative}', '无法于{time}进行通话，建议改为{alternative}', 'Decline a proposed time and offer another.'),
  entry('CAL-05', 'call', undefined, [req('time', 'time'), req('medium', 'medium')], 'We agree to the call at {time} by {medium}', '同意于{time}进行{medium}通话', 'Accept a proposed call.'),

  // Incident report
  entry('INC-01', 'incident', undefined, [req('unit', 'unit'), req('position', 'position'), req('time', 'time'), req('distance', 'distance')], 'Unsafe encounter with {unit} at {position} at {time}; closest approach {distance}', '{time}在{position}与{unit}发生不安全相遇，最近距离{distance}', 'Report an unsafe encounter at sea.'),
  entry('INC-02', 'incident', undefined, [req('unit', 'unit'), req('position', 'position'), req('time', 'time'), req('distance', 'distance')], 'Unsafe intercept of aircraft {unit} at {position} at {time}; closest approach {distance}', '{time}，飞机{unit}在{position}遭到不安全拦截，最近距离{distance}', 'Report an unsafe air intercept.'),
  entry('INC-03', 'incident', undefined, [req('unit', 'unit'), req('position', 'position'), req('time', 'time')], 'Collision involving {unit} at {position} at {time}', '{time}，{unit}在{position}发生碰撞', 'Report a collision.'),
  entry('INC-04', 'incident', undefined, [req('unit', 'unit'), req('position', 'position'), req('time', 'time')], 'Laser illumination of {unit} at {position} at {time}', '{time}，{unit}在{position}遭到激光照射', 'Report a laser illumination.'),
  entry('INC-05', 'incident', undefined, [req('unit', 'unit'), req('position', 'position'), req('time', 'time')], 'Fire-control radar illumination of {unit} at {position} at {time}', '{time}，{unit}在{position}遭到火控雷达照射', 'Report a fire-control radar lock-on.'),
  entry('INC-06', 'incident', undefined, [req('time', 'time')], 'Request an explanation of the incident at {time}', '请就{time}发生的事件作出说明', 'Ask the other side to explain an incident.'),
  entry('INC-07', 'incident', undefined, [req('text', 'text')], 'Incident report: {text}', '事件报告：{text}', 'An incident the other codes do not cover (the text is not translated).'),

  // Notice acknowledgment
  entry('NTC-01', 'notice', undefined, [req('text', 'text')], 'Your notice {text} received', '你方通报{text}已收到', 'Acknowledge a notice by its reference.'),
  entry('NTC-02', 'notice', undefined, [], 'Your notice received; we will keep clear of the area', '你方通报已收到，我方将避开该区域', 'Acknowledge a notice of a dangerous activity and undertake to stay out.'),
  entry('NTC-03', 'notice', undefined, [req('text', 'text')], 'Your notice {text} received; request clarification', '你方通报{text}已收到，请予以澄清', 'Acknowledge a notice and ask for details.'),
  entry('NTC-04', 'notice', undefined, [req('text', 'text')], 'Cancellation of your notice {text} received', '已收到你方撤销通报{text}的通知', 'Acknowledge that a notice was cancelled.'),
  entry('NTC-05', 'notice', undefined, [req('text', 'text'), req('time', 'time')], 'Your notice {text} conflicts with my planned activity from {time}; request you adjust the area or the times', '你方通报{text}与我方自{time}起的计划活动冲突，请调整区域或时间', 'Raise a conflict of the other side\'s notice with own planned activity, route or unit (drafted by the notice conflict check).'),
  entry('NTC-06', 'notice', undefined, [req('unit', 'unit'), req('text', 'text'), req('time', 'time')], 'Your unit {unit} is projected to enter the area of my notice {text} at {time}; request you keep clear', '你方{unit}预计于{time}进入我方通报{text}所述区域，请避让', 'Warn the other party that one of its units is heading into an area of an own notice while it is active.'),

  // Escalation
  entry('ESC-01', 'escalation', undefined, [req('time', 'time'), req('channel', 'channel'), req('duration', 'duration')], 'Message sent {time} on channel {channel} unanswered for {duration}', '{time}在{channel}频道发出的电文已{duration}未获答复', 'An unanswered message, made visible and timestamped.'),
  entry('ESC-02', 'escalation', undefined, [req('time', 'time'), req('duration', 'duration')], 'Request for a call sent {time} unanswered for {duration}', '{time}发出的通话请求已{duration}未获答复', 'An unanswered call request.'),
  entry('ESC-03', 'escalation', undefined, [], 'This matter has been referred to higher authority', '此事已上报上级', 'The issue is escalated on own side.'),
  entry('ESC-04', 'escalation', undefined, [req('time', 'time')], 'Request an answer by {time}', '请于{time}前答复', 'Set a deadline for an answer.'),
];

// ---------------------------------------------------------------------------------------------
// Templates.

type Part = string | { readonly param: string };
interface Segment {
  readonly optional: boolean;
  readonly parts: readonly Part[];
}

/**
 * Splits a template into literal text, `{name}` placeholders and `[ … ]` optional segments (not
 * nested). Checks it against the entry's parameters: every placeholder is declared, every
 * parameter is used, optional ones only inside brackets and required ones only outside.
 */
function compileTemplate(e: CatalogueEntry, lang: Language): readonly Segment[] {
  const template = e[lang];
  const fail = (why: string) => new Error(`catalogue ${e.code} ${lang} template: ${why}`);
  const declared = new Map(e.params.map((p) => [p.name, p]));
  const used = new Set<string>();
  const segments: Segment[] = [];
  let parts: Part[] = [];
  let optional = false;
  let literal = '';
  const flush = () => {
    if (literal) parts.push(literal);
    literal = '';
  };
  const close = () => {
    flush();
    if (parts.length > 0) segments.push({ optional, parts });
    parts = [];
  };
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if (c === '{') {
      const end = template.indexOf('}', i);
      const name = end < 0 ? '' : template.slice(i + 1, end);
      const p = declared.get(name);
      if (p === undefined) throw fail(`placeholder {${name}} is not a declared parameter`);
      if (p.required === optional) {
        throw fail(
          `{${name}} is ${p.required ? 'required but inside' : 'optional but outside'} [ ]`,
        );
      }
      flush();
      parts.push({ param: name });
      used.add(name);
      i = end;
    } else if (c === '[' || c === ']') {
      if ((c === '[') === optional) throw fail(`unbalanced ${c}`);
      close();
      optional = c === '[';
    } else if (c === '}') {
      throw fail('stray }');
    } else {
      literal += c;
    }
  }
  if (optional) throw fail('unclosed [');
  close();
  for (const name of declared.keys()) {
    if (!used.has(name)) throw fail(`parameter ${name} is not used`);
  }
  if (declared.size !== e.params.length) throw fail('parameter names repeat');
  return segments;
}

interface Compiled {
  readonly entry: CatalogueEntry;
  readonly byName: ReadonlyMap<string, CatalogueParam>;
  readonly templates: Readonly<Record<Language, readonly Segment[]>>;
}

const entryCheck = TypeCompiler.Compile(CatalogueEntrySchema);

function freezeEntry(e: CatalogueEntry): CatalogueEntry {
  for (const p of e.params) Object.freeze(p);
  Object.freeze(e.params);
  return Object.freeze(e);
}

const FROZEN: readonly CatalogueEntry[] = Object.freeze(ENTRIES.map(freezeEntry));

const BY_CODE: ReadonlyMap<string, Compiled> = new Map(
  FROZEN.map((e) => {
    if (!entryCheck.Check(e))
      throw new Error(`catalogue entry ${e.code} does not match its schema`);
    return [
      e.code,
      {
        entry: e,
        byName: new Map(e.params.map((p) => [p.name, p])),
        templates: { en: compileTemplate(e, 'en'), zh: compileTemplate(e, 'zh') },
      },
    ];
  }),
);
if (BY_CODE.size !== FROZEN.length) throw new Error('catalogue codes repeat');

// ---------------------------------------------------------------------------------------------
// API.

/** Every entry, in catalogue order (grouped by category). Frozen. */
export function catalogue(): readonly CatalogueEntry[] {
  return FROZEN;
}

/** The entry for a code, or undefined. */
export function catalogueEntry(code: string): CatalogueEntry | undefined {
  return BY_CODE.get(code)?.entry;
}

/** A short, printable rendering of a bad value for an error message. */
function describe(value: unknown): string {
  if (typeof value === 'number') return String(value); // NaN and Infinity stay readable
  if (value === undefined) return 'undefined';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = Object.prototype.toString.call(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A fresh copy of a checked value: no shared references, and -0 becomes 0. */
function copyValue(kind: ParamKind, raw: unknown): CatalogueParamValue {
  switch (kind) {
    case 'position': {
      const p = raw as PositionParam;
      return { lat: p.lat + 0, lon: p.lon + 0 };
    }
    case 'distance': {
      const d = raw as DistanceParam;
      return { value: d.value + 0, unit: d.unit };
    }
    default:
      return typeof raw === 'number' ? raw + 0 : (raw as CatalogueParamValue);
  }
}

/**
 * Checks a catalogue message received from anywhere (operator, API, peer) and returns it in
 * canonical form: parameters in the entry's order, freshly copied, -0 as 0. Throws
 * `PARLEY_E_CATALOGUE_MALFORMED` (not `{ v, code, params }`), `PARLEY_E_CATALOGUE_VERSION`,
 * `PARLEY_E_CATALOGUE_UNKNOWN_CODE` or `PARLEY_E_CATALOGUE_PARAM` (missing, unknown, wrong type
 * or out of range), naming the bad value.
 *
 * @example parseCatalogueMessage({ v: 1, code: 'MAN-11', params: { distance: { value: 5, unit: 'nm' } } })
 */
export function parseCatalogueMessage(value: unknown): CatalogueMessage {
  if (!isPlainObject(value)) {
    throw new ParleyError(
      'PARLEY_E_CATALOGUE_MALFORMED',
      `catalogue message ${describe(value)} is not a JSON object`,
      {},
    );
  }
  if (Object.hasOwn(value, 'v') && value.v !== CATALOGUE_VERSION) {
    throw new ParleyError(
      'PARLEY_E_CATALOGUE_VERSION',
      `catalogue version ${describe(value.v)} is not ${CATALOGUE_VERSION}`,
      { version: value.v },
    );
  }
  if (!messageCheck.Check(value) || !isPlainObject(value.params)) {
    const first = messageCheck.Errors(value).First();
    const where = first
      ? `${first.path || '/'}: ${first.message}`
      : 'params is not a plain JSON object';
    throw new ParleyError('PARLEY_E_CATALOGUE_MALFORMED', `catalogue message ${where}`, {
      path: first?.path ?? '/params',
    });
  }
  const compiled = BY_CODE.get(value.code);
  if (compiled === undefined) {
    throw new ParleyError(
      'PARLEY_E_CATALOGUE_UNKNOWN_CODE',
      `catalogue code ${describe(value.code)} is not in catalogue version ${CATALOGUE_VERSION}`,
      { code: value.code },
    );
  }
  const { entry: e, byName } = compiled;
  const given = value.params;
  for (const name of Object.getOwnPropertyNames(given)) {
    if (!byName.has(name)) {
      throw new ParleyError(
        'PARLEY_E_CATALOGUE_PARAM',
        `${e.code} has no parameter ${describe(name)}; it takes ${e.params.map((p) => p.name).join(', ') || 'none'}`,
        { code: e.code, param: name, reason: 'unknown' },
      );
    }
  }
  const params: Record<string, CatalogueParamValue> = {};
  for (const p of e.params) {
    if (!Object.hasOwn(given, p.name)) {
      if (!p.required) continue;
      throw new ParleyError(
        'PARLEY_E_CATALOGUE_PARAM',
        `${e.code} is missing its required ${p.kind} parameter ${p.name}`,
        { code: e.code, param: p.name, reason: 'missing' },
      );
    }
    const raw = given[p.name];
    const check = PARAM_CHECKS[p.kind];
    if (!check.Check(raw)) {
      const first = check.Errors(raw).First();
      const why = first ? `${first.path ? `${first.path}: ` : ''}${first.message}` : 'invalid';
      throw new ParleyError(
        'PARLEY_E_CATALOGUE_PARAM',
        `${e.code} parameter ${p.name} ${describe(raw)} is not a valid ${p.kind} (${why})`,
        { code: e.code, param: p.name, reason: 'invalid', path: first?.path },
      );
    }
    params[p.name] = copyValue(p.kind, raw);
  }
  return { v: CATALOGUE_VERSION, code: e.code, params };
}

/** One parameter as it reads in a language. */
function renderParam(kind: ParamKind, value: CatalogueParamValue, lang: Language): string {
  switch (kind) {
    case 'position': {
      const p = value as PositionParam;
      return formatPosition(p.lat, p.lon);
    }
    case 'time':
      return formatDtg(value as number); // DTG stays Latin in Chinese too
    case 'course':
      return formatCourse(value as number);
    case 'speed':
      return formatSpeed(value as number, lang);
    case 'distance': {
      const d = value as DistanceParam;
      return formatDistance(d.value, d.unit as DistanceUnit, lang);
    }
    case 'altitude':
      return formatAltitude(value as number, lang);
    case 'duration':
      return formatDuration(value as number, lang);
    case 'side':
    case 'turn':
    case 'medium':
    case 'situation':
    case 'note': {
      const labels: Readonly<Record<string, Readonly<Record<Language, string>>>> =
        ENUM_LABELS[kind];
      return labels[value as string]![lang];
    }
    case 'unit':
    case 'text':
    case 'channel':
      return value as string;
  }
}

/**
 * The message as it reads in one language. Pure and deterministic; checks the message first
 * (see `parseCatalogueMessage`) and throws `PARLEY_E_INVALID_ARGUMENT` for an unknown language.
 *
 * @example renderCatalogueMessage({ v: 1, code: 'INT-01', params: {} }, 'zh') // '请说明你的意图'
 */
export function renderCatalogueMessage(msg: CatalogueMessage, lang: Language): string {
  if (!(LANGUAGES as readonly unknown[]).includes(lang)) {
    throw new ParleyError(
      'PARLEY_E_INVALID_ARGUMENT',
      `language ${describe(lang)} is not one of ${LANGUAGES.join(', ')}`,
      { lang },
    );
  }
  const m = parseCatalogueMessage(msg);
  const { byName, templates } = BY_CODE.get(m.code)!;
  let out = '';
  for (const seg of templates[lang]) {
    if (
      seg.optional &&
      seg.parts.some((p) => typeof p !== 'string' && !Object.hasOwn(m.params, p.param))
    ) {
      continue;
    }
    for (const part of seg.parts) {
      if (typeof part === 'string') out += part;
      else out += renderParam(byName.get(part.param)!.kind, m.params[part.param]!, lang);
    }
  }
  return out;
}
