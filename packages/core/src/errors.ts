/**
 * One registry of coded errors (the fastify `lib/errors.js` pattern).
 *
 * Every error Parley raises on purpose carries a stable `PARLEY_E_*` code and a message that
 * names the bad value. Codes carry no HTTP status: the server maps code to status at its edge.
 * `docs/errors.md` lists every code; `packages/core/test/errors.test.ts` keeps the two in step.
 */

/** The registry: code → one-line meaning. The message of a thrown error adds the detail. */
export const ERROR_CODES = {
  // Operator and command-line input
  PARLEY_E_INVALID_ARGUMENT: 'An argument is missing or malformed.',
  PARLEY_E_BAD_PRECEDENCE: 'The precedence is not one of ROUTINE, PRIORITY, IMMEDIATE, FLASH.',
  PARLEY_E_BAD_CHANNEL:
    'The channel name is not 1–64 characters of [a-z0-9._-], starting with a letter or digit.',
  PARLEY_E_TEXT_TOO_LONG: 'The message text is longer than the limit.',
  PARLEY_E_TEXT_EMPTY: 'The message text is empty.',
  PARLEY_E_BAD_STATION_NAME: 'The station name is not 1–64 printable characters.',
  PARLEY_E_BAD_PUBLIC_KEY: 'A public key is not a base64url-encoded 32-byte Ed25519 key.',
  PARLEY_E_KEY_INVALID:
    'A 32-byte public key is not an acceptable Ed25519 key: a non-canonical encoding, not on the curve, of small order or not of prime order.',

  // Station data directory and keys
  PARLEY_E_STATION_EXISTS:
    'A station already exists in that data directory; init refuses to overwrite it.',
  PARLEY_E_DATA_DIR_NOT_EMPTY: 'The data directory is not empty and holds no station.',
  PARLEY_E_STATION_NOT_FOUND: 'No station in that data directory (run `parley init` first).',
  PARLEY_E_STATION_CORRUPT: 'The station directory is damaged: a file is missing or unreadable.',
  PARLEY_E_KEY_FILE_MISSING:
    'The private key for the current identity key is not in the keys directory.',
  PARLEY_E_KEY_FILE_PERMISSIONS:
    'A private key file is readable by group or others; it must be mode 0600.',
  PARLEY_E_SECRET_FILE_PERMISSIONS:
    'A secret file (store.secret) is readable by group or others; it must be mode 0600.',

  // Canonical JSON (RFC 8785)
  PARLEY_E_CANONICAL_JSON:
    'A value cannot be canonicalised as RFC 8785 I-JSON (NaN, Infinity, lone surrogate, …).',
  PARLEY_E_JSON_DUPLICATE_NAME:
    'A JSON object read from outside has the same member name twice (at any depth).',
  PARLEY_E_JSON_TOO_DEEP: 'A JSON text nests arrays and objects deeper than 64 levels.',
  PARLEY_E_JSON_NUMBER:
    'A JSON number is not written in the RFC 8785 form of its value (1e0, 1.0, -0, or a value a double cannot hold exactly).',

  // Entries and feeds
  PARLEY_E_ENTRY_MALFORMED: 'An entry does not match the entry schema.',
  PARLEY_E_ENTRY_BODY:
    "A validly signed entry's body does not match the schema of its kind: a protocol violation, kept out of every fold and alarmed.",
  PARLEY_E_ENTRY_VERSION: 'An entry has a format version this implementation does not know.',
  PARLEY_E_ENTRY_WRONG_STATION: 'An entry names a different station than the feed it is in.',
  PARLEY_E_ENTRY_SEQ: 'An entry is out of sequence: a gap, a repeat or a reordering.',
  PARLEY_E_ENTRY_PREV_HASH: 'An entry does not reference the hash of the entry before it.',
  PARLEY_E_ENTRY_TIME: 'An entry is timestamped before the entry it follows.',
  PARLEY_E_ENTRY_SIGNATURE:
    'An entry signature does not verify under the key in force at that point of the feed.',
  PARLEY_E_ENTRY_TOO_LARGE: 'An entry is larger than the size limit.',
  PARLEY_E_GENESIS:
    'The first entry of a feed is not a valid genesis entry for that station id, or a genesis entry appears after seq 1.',
  PARLEY_E_KEY_ROTATION: 'A key-rotation entry is malformed or its new key did not countersign it.',
  PARLEY_E_ENTRY_WRONG_FEED:
    'An entry or checkpoint names a different audience than the feed it is in (or none where one is required).',
  PARLEY_E_AUDIENCE:
    'An audience is malformed: not 2–64 distinct station ids, or its genesis does not derive its id.',
  PARLEY_E_AUDIENCE_NOT_MEMBER:
    "A station is not a member of the audience: it may neither read nor write that audience's feeds.",
  PARLEY_E_KEY_REPIN_REQUIRED:
    'An emergency key rotation names a key this verifier holds no re-pin for (run `parley peer repin` after checking its safety number).',

  // Merkle log and checkpoints (RFC 9162, C2SP tlog-checkpoint)
  PARLEY_E_PROOF_RANGE: 'A proof was asked for sizes or indexes outside the tree.',
  PARLEY_E_CHECKPOINT_MALFORMED: 'A checkpoint does not match the checkpoint schema.',
  PARLEY_E_CHECKPOINT_SIGNATURE:
    'A checkpoint signature does not verify under the key in force at its tree size.',
  PARLEY_E_CHECKPOINT_BEYOND_FEED:
    'A checkpoint covers more entries than the feed holds (a truncated feed).',
  PARLEY_E_CHECKPOINT_ROOT:
    'A checkpoint root differs from the Merkle root of the entries it covers.',
  PARLEY_E_CHECKPOINT_INCONSISTENT:
    'Two checkpoints of one feed are not consistent (a rewritten history).',

  // Signed notes, checkpoint notes and witnesses (C2SP signed-note, tlog-cosignature, tlog-witness)
  PARLEY_E_NOTE_MALFORMED:
    'A signed note is not a C2SP signed note: bad UTF-8, a control character, no blank line before the signatures, or a malformed signature line.',
  PARLEY_E_NOTE_TOO_LARGE: 'A signed note is larger than 64 KiB or has more than 100 signatures.',
  PARLEY_E_NOTE_SIGNATURE:
    'A note signature by a known key (matching key name and key ID) does not verify.',
  PARLEY_E_NOTE_UNKNOWN_KEY: 'A signed note carries no signature from any key the verifier trusts.',
  PARLEY_E_NOTE_WRONG_ORIGIN:
    "A checkpoint note's origin line is not the one expected (another feed or another log).",
  PARLEY_E_VKEY_MALFORMED:
    'A verifier key is not <name>+<8 hex digits>+<base64 of type byte and key>, of a known type, with the key ID it states.',
  PARLEY_E_COSIGNATURE_MISSING:
    'A checkpoint note lacks a valid cosignature from a witness the verifier requires.',
  PARLEY_E_WITNESS_BAD_REQUEST:
    'An add-checkpoint request is malformed: no old size line, a bad proof line, more than 63 proof lines, or an old size above the checkpoint size.',
  PARLEY_E_WITNESS_UNKNOWN_LOG:
    "The witness does not know the checkpoint's origin (not a feed of a paired peer shared with this station).",
  PARLEY_E_WITNESS_CONFLICT:
    'The old size is not the size the witness last cosigned, or the checkpoint has that size with another root.',
  PARLEY_E_WITNESS_PROOF:
    'The consistency proof from the size the witness last cosigned to the checkpoint does not verify.',

  // Bundles
  PARLEY_E_BUNDLE_MISSING_FILE:
    'A bundle lacks manifest.json, keys.json, checkpoints.jsonl or entries.jsonl (or one is not a regular file).',
  PARLEY_E_BUNDLE_LINE:
    'A bundle file breaks the line framing: an empty line, a CR, no final LF, or bytes that are not UTF-8.',
  PARLEY_E_BUNDLE_FEED_SPLIT: "A station's entries are not contiguous in entries.jsonl.",
  PARLEY_E_BUNDLE_KEYS: "keys.json disagrees with the key chain recorded in a station's feed.",
  PARLEY_E_BUNDLE_UNTRUSTED_KEY: 'A feed is not signed by any of the public keys given with --key.',
  PARLEY_E_BUNDLE_EMPTY: 'The bundle holds no feed.',
  PARLEY_E_BUNDLE_MANIFEST:
    'manifest.json is malformed, not signed by the exporting station, or disagrees with the bundle.',
  PARLEY_E_BUNDLE_INCOMPLETE:
    "The bundle lacks what its exporter held: a feed or entries the exporter's own feeds cosign or refer to, or a checkpoint of an exporter feed at its head.",
  PARLEY_E_REF_HASH:
    'An entry refers to an entry of a feed in the bundle (a ref or a delivered receipt) whose hash is not the one named.',
  PARLEY_E_BUNDLE_NOT_REGULAR:
    'A bundle file is a symbolic link or not a regular file; verify does not follow it or read it.',
  PARLEY_E_EXPORT_TARGET_EXISTS: 'The export target exists and is not an empty directory.',

  // Catalogue
  PARLEY_E_CATALOGUE_MALFORMED:
    'A catalogue message is not a JSON object of the form { v, code, params }.',
  PARLEY_E_CATALOGUE_VERSION:
    'A catalogue message has a catalogue version this implementation does not know.',
  PARLEY_E_CATALOGUE_UNKNOWN_CODE: 'A catalogue message names a code that is not in the catalogue.',
  PARLEY_E_CATALOGUE_PARAM:
    'A catalogue message parameter is missing, unknown, of the wrong type or out of range.',

  // Station-to-station link
  PARLEY_E_LINK_AUTH_MISSING:
    'A station-to-station request lacks its Parley-Station, Parley-Date, Parley-Nonce or Parley-Signature header.',
  PARLEY_E_LINK_AUTH_SIGNATURE:
    "A station-to-station request's signature does not verify under the sending station's key.",
  PARLEY_E_LINK_AUTH_REPLAY:
    'A station-to-station request reuses a nonce already seen within the replay window.',
  PARLEY_E_LINK_CLOCK_SKEW:
    "A station-to-station request's date is outside the replay window (clocks differ too much).",
  PARLEY_E_LINK_UNKNOWN_STATION:
    'A station-to-station request comes from a station that is not a paired peer.',
  PARLEY_E_LINK_BODY_TOO_LARGE: 'A request or response body is larger than the link limit.',
  PARLEY_E_LINK_MALFORMED:
    'A request or response on the link is not the JSON the protocol expects.',
  PARLEY_E_LINK_UNREACHABLE: 'No transport path to the peer answered.',
  PARLEY_E_LINK_EQUIVOCATION:
    'The peer signed two different histories (a fork or a conflicting checkpoint); its feed is halted.',
  PARLEY_E_PEER_EXISTS: 'A peer with that name or station is already paired.',
  PARLEY_E_PEER_NOT_FOUND: 'No paired peer has that name.',
  PARLEY_E_PEER_KEY_NOT_GENESIS:
    "The peer answers as another station than the pinned key derives: pin the peer's genesis key, not a later one.",
  PARLEY_E_SAFETY_NUMBER_MISMATCH: 'The safety number given is not the safety number of that key.',
  PARLEY_E_BAD_URL: 'A transport URL is not an http:// or https:// URL.',

  // Hotline: channels, receipts, deadlines, operators
  PARLEY_E_BAD_AGREEMENT:
    'A channel agreement is malformed (tier, languages, handling objectives, escalation, dormancy).',
  PARLEY_E_CHANNEL_EXISTS: 'A channel of that name is already proposed or open.',
  PARLEY_E_CHANNEL_NOT_FOUND: 'No channel of that name has been proposed.',
  PARLEY_E_CHANNEL_NOT_OPEN:
    'The channel is proposed but the other station has not accepted it yet.',
  PARLEY_E_CHANNEL_SUSPENDED:
    'The channel is suspended: it refuses new messages until it is resumed.',
  PARLEY_E_CHANNEL_STATE:
    'The channel is not in a state that allows this (e.g. accepting your own proposal, resuming an open channel).',
  PARLEY_E_MESSAGE_NOT_FOUND: 'No message with that id is held here.',
  PARLEY_E_RECEIPT_NOT_ALLOWED:
    'That receipt cannot be given: only the receiving side acknowledges, and not before delivery.',
  PARLEY_E_SELF_APPROVAL: 'The author of a message cannot also approve it (two-person rule).',
  PARLEY_E_DRAFT_NOT_FOUND: 'No draft awaiting approval has that id.',
  PARLEY_E_NOT_MEMBER:
    'The operator is not a member of that channel (audit log and accounts: of every channel).',
  PARLEY_E_CALL_NOT_FOUND: 'No call request with that id.',
  PARLEY_E_CALL_STATE:
    'The call request was already answered, or the answer does not fit it (slot not proposed).',
  PARLEY_E_BAD_SLOTS: 'Call slots must be 1–5 future UTC times.',
  PARLEY_E_USER_EXISTS: 'An operator with that name already exists.',
  PARLEY_E_BAD_PASSWORD: 'A password must be 12–256 characters.',
  PARLEY_E_LOGIN_FAILED: 'Unknown operator or wrong password.',
  PARLEY_E_RATE_LIMITED: 'Too many attempts; wait before trying again.',
  PARLEY_E_CSRF:
    'A state-changing request with a session cookie lacks the matching CSRF token header.',
  PARLEY_E_USER_NOT_FOUND: 'No operator has that name.',
  PARLEY_E_AUDIT_SEAL_REFUSED:
    'The audit log is not sealed: its hash chain does not verify, or records are anchored already.',
  PARLEY_E_LAST_ADMIN:
    'The change would leave no enabled admin (or an admin would disable or demote themselves).',
  PARLEY_E_TOKEN_NOT_FOUND: 'No token has that id (or the id prefix matches several).',
  PARLEY_E_BAD_EXPIRY:
    'A token expiry is not a future time or duration (e.g. 30d, 12h, or an ISO 8601 UTC time).',
  PARLEY_E_IDEMPOTENCY_KEY_INVALID:
    'An Idempotency-Key header is not 1–255 visible ASCII characters (optionally a quoted string).',
  PARLEY_E_IDEMPOTENCY_KEY_REUSED:
    'The Idempotency-Key was already used with a different request (method, route or body).',
  PARLEY_E_IDEMPOTENCY_IN_FLIGHT:
    'A request with the same Idempotency-Key is still being processed; retry after it answers.',

  // Resource limits (docs/deploy.md)
  PARLEY_E_STREAM_LIMIT_USER:
    'The operator (or token) already holds as many live streams as allowed; close one first.',
  PARLEY_E_STREAM_LIMIT_TOTAL:
    'The station already serves as many live streams as allowed; retry shortly.',
  PARLEY_E_CONNECTION_LIMIT:
    'The station, or the client address, already holds as many connections as allowed; retry shortly.',

  // Tracks and encounters
  PARLEY_E_TRACK_INVALID:
    'A track report is malformed: a bad id, party, domain, position, speed, course or time.',
  PARLEY_E_ENCOUNTER_NOT_FOUND: 'No encounter with that id is held here.',
  PARLEY_E_ENCOUNTER_DRAFT:
    'The encounter has no pending draft (already sent or discarded), or no channel to send it on.',

  // Track formats: GeoJSON files and Cursor-on-Target (TAK)
  PARLEY_E_GEOJSON_INVALID:
    'A GeoJSON track collection is malformed: a feature is not a Point with valid track properties (the message names the feature index and the field).',
  PARLEY_E_GEOJSON_TOO_LARGE:
    'A GeoJSON track collection has more features or characters than the import limit.',
  PARLEY_E_COT_MALFORMED:
    'A Cursor-on-Target event is not well-formed or lacks a valid uid, type, time, point or track detail.',
  PARLEY_E_COT_UNSUPPORTED:
    'A Cursor-on-Target event is not a track this station ingests (not a surface or air a-… atom, or a party not mapped).',

  // Notices of planned activities: areas, windows, routes
  PARLEY_E_AREA_MALFORMED:
    'An area is not a polygon, circle or corridor of valid positions (too few points, latitude out of range, a pole inside, wider than 180° of longitude).',
  PARLEY_E_AREA_SELF_INTERSECTING: "A polygon's edges cross each other.",
  PARLEY_E_AREA_RADIUS:
    'A circle radius or corridor half-width is zero, negative, not a number or larger than the limit.',
  PARLEY_E_NOTICE_WINDOW:
    'A validity window ends before (or when) it starts, or there are no windows or too many.',
  PARLEY_E_NOTICE_MALFORMED:
    'A notice does not match the notice schema (kind, issuer, vertical band, remark, contact).',
  PARLEY_E_NOTICE_NOT_FOUND: 'No notice or notice draft with that id is held here.',
  PARLEY_E_NOTICE_STATE:
    "The notice is not in a state that allows this (amending a cancelled notice, the other station's notice, sending a draft twice).",
  PARLEY_E_ROUTE_MALFORMED:
    'A planned route is not 2 or more valid waypoints with strictly increasing UTC times.',

  // Operator API
  PARLEY_E_AUTH_REQUIRED: 'The request has no valid bearer token.',
  PARLEY_E_FORBIDDEN: "The token's role may not do this.",
  PARLEY_E_BAD_ROLE: 'The role is not one of viewer, operator, linguist, approver, admin.',
  PARLEY_E_BAD_REQUEST: 'The request body or query does not match the API schema.',
  PARLEY_E_NOT_FOUND: 'No such resource.',
  PARLEY_E_INTERNAL:
    'An unexpected error inside the station; the details are in its log, not in the response.',

  // Storage
  PARLEY_E_STORE_CONFLICT:
    'An append does not continue the stored feed (another writer got there first).',
  PARLEY_E_STORE_SCHEMA: 'The database schema is newer than this program or the migration failed.',
  PARLEY_E_STORE_CLOSED: 'The store was used after it was closed.',
  PARLEY_E_STORE_UNAVAILABLE: 'The database server cannot be reached or refused the connection.',
  PARLEY_E_BAD_STORE_URL: 'A store location is not a postgres:// or postgresql:// URL.',
  PARLEY_E_LEASE_LOST:
    'A write reserved to the leading process came from a process that no longer holds the lease.',
} as const;

/** A stable error code, `PARLEY_E_*`. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** An error Parley raised on purpose: stable code, message naming the bad value, structured details. */
export class ParleyError extends Error {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    code: ErrorCode,
    message: string,
    details: Record<string, unknown> = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'ParleyError';
    this.code = code;
    this.details = details;
  }

  override toString(): string {
    return `${this.code}: ${this.message}`;
  }
}

/** True for a `ParleyError`, optionally of one code. */
export function isParleyError(err: unknown, code?: ErrorCode): err is ParleyError {
  return err instanceof ParleyError && (code === undefined || err.code === code);
}

/** Every registered code, sorted. */
export function errorCodes(): ErrorCode[] {
  return (Object.keys(ERROR_CODES) as ErrorCode[]).sort();
}
