/**
 * @parley/geo: AIS decoding (ITU-R M.1371-5 over IEC 61162-1 VDM/VDO sentences); tracks, CPA
 * and screening to follow.
 */
export { AisDecoder } from './ais-decoder.js';
export type { AisDecoderOptions, AisStats } from './ais-decoder.js';
export { decodePayload } from './ais-decode.js';
export type { AisPayload, DecodeOptions } from './ais-decode.js';
export { dearmor } from './ais-armor.js';
export type * from './ais-types.js';
export { aisTrackUpdate, aisParty } from './ais-track.js';
export { deadReckon, wrapLon } from './dead-reckon.js';
export type { AisPosition, AisName, AisTrackUpdate } from './ais-track.js';
export type { Motion, Cpa } from './motion.js';
export {
  cpa,
  cpaInto,
  parseMotion,
  verticalSeparation,
  CPA_NM,
  TCPA_MIN,
  RANGE_NM,
  BEARING_DEG,
  CPA_OUT_LENGTH,
} from './cpa.js';
export type { MotionKeys } from './cpa.js';
export { TrackSet, SURFACE, AIR } from './track-set.js';
export type { Domain, TrackReport } from './track-set.js';
export {
  screen,
  screenNaive,
  ScreenIndex,
  DEFAULT_THRESHOLDS,
  PAIR_CHUNK,
  judgeShare,
} from './screen.js';
export type {
  Level,
  LevelThreshold,
  Thresholds,
  ScreenOptions,
  ScreenHit,
  ScreenStats,
  ScreenIndexOptions,
  PairHelper,
  PairJob,
  PairResult,
} from './screen.js';
export {
  parseArea,
  areaShape,
  areaKm2,
  shapeKm2,
  intersectAreas,
  intersectShapes,
  toGeoJson,
  pointInShape,
  shapeBounds,
  clockwiseFromNorthWest,
  alignTo,
  toMetres,
  MAX_RADIUS_NM,
  CIRCLE_STEPS,
} from './areas.js';
export type {
  Area,
  AreaOverlap,
  AreaUnit,
  CircleArea,
  CorridorArea,
  LatLon,
  PolygonArea,
  Shape,
} from './areas.js';
export {
  classifyEncounter,
  colregsOf,
  giveWayTurn,
  headingOf,
  inSternSector,
  norm360,
  relativeBearing,
  riskOfCollision,
  swapColregs,
  ABAFT_DEG,
  HEAD_ON_DEG,
  MIN_WAY_KN,
} from './colregs.js';
export type {
  Colregs,
  ColregsGeometry,
  ColregsUnit,
  GiveWay,
  RiskLevel,
  Situation,
  Turn,
} from './colregs.js';
export { EncounterTracker, ENCOUNTER_STATES } from './encounters.js';
export type {
  Encounter,
  EncounterChange,
  EncounterHit,
  EncounterState,
  EncounterTrackerOptions,
  PairGeometry,
  ResolveReason,
} from './encounters.js';
export {
  parseNotice,
  parseBand,
  parseWindows,
  bandInterval,
  bandOverlap,
  windowOverlap,
  inWindows,
  noticeShapes,
  AREA_ROLES,
  MAX_AREAS,
  MAX_WINDOWS,
  MAX_REMARK,
} from './notice.js';
export type { AreaRole, NoticeArea, NoticeContent, TimeWindow, VerticalBand } from './notice.js';
export {
  checkOperatorNotice,
  checkWindowBounds,
  MIN_RADIUS_NM,
  MIN_CORRIDOR_NM,
  MAX_NOTICE_LAT,
  WINDOW_PAST_MS,
  WINDOW_FUTURE_MS,
} from './notice-input.js';
export {
  parseRoute,
  noticeConflicts,
  routeConflicts,
  tracksIntoNotice,
  tracksIntoNoticeNaive,
} from './notice-conflicts.js';
export type {
  BandRange,
  PlannedRoute,
  SpaceTimeConflict,
  TrackIntrusion,
  TrackMotion,
} from './notice-conflicts.js';
export { renderNotice, renderCancellation, noticeGeoJson } from './notice-render.js';
export type { RenderContext } from './notice-render.js';
export { NoticeFolder, NOTICE_ENTRY, noticeStatus } from './notice-state.js';
export type { NoticeStatus, NoticeVersion, NoticeView } from './notice-state.js';
export { geoJsonToTracks, parseGeoJsonTracks, tracksToGeoJson } from './geojson.js';
export type {
  GeoJsonImportOptions,
  GeoJsonParty,
  GeoJsonSource,
  GeoJsonTrack,
  GeoJsonTrackCollection,
  GeoJsonTrackFeature,
  GeoJsonTrackProperties,
} from './geojson.js';
