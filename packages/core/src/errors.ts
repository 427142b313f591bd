/**
 * One registry of coded errors (the fastify `lib/errors.js` pattern).
 *
 * Every error Parley raises on purpose carries a stable `PARLEY_E_*` code and a message that
 * names the bad value. Beside each code stands the HTTP status the station answers with when the
 * error reaches its edge: 4xx for the caller's mistake (bad input, no such thing, not allowed),
 * 5xx for a fault of the station itself (a damaged directory, a store it cannot use). A code
 * with no 4xx status here is never blamed on the caller. `docs/errors.md` lists every code with
 * its status; `packages/core/test/errors.test.ts` keeps the two in step.
 */

/** The registry: code → HTTP status and one-line meaning. A thrown error's message adds the detail. */
export const ERROR_REGISTRY = {
  // Operator and command-line input
  PARLEY_E_INVALID_ARGUMENT: { status: 400, meaning: 'An argument is missing or malformed.' },
  PARLEY_E_BAD_PRECEDENCE: {
    status: 400,
    meaning: 'The precedence is not one of ROUTINE, PRIORITY, IMMEDIATE, FLASH.',
  },
  PARLEY_E_BAD_CHANNEL: {
    status: 400,
    meaning:
      'The channel name is not 1–64 characters of [a-z0-9._-], starting with a letter or digit.',
  },
  PARLEY_E_TEXT_TOO_LONG: { status: 413, meaning: 'The message text is longer than the limit.' },
  PARLEY_E_TEXT_EMPTY: { status: 400, meaning: 'The message text is empty.' },
  PARLEY_E_TEXT_INVALID: {
    status: 400,
    meaning:
      'A text holds a character the text policy refuses (a control, bidi or other format character, a lone surrogate or a noncharacter), or nothing visible.',
  },
  PARLEY_E_BAD_STATION_NAME: {
    status: 400,
    meaning: 'The station name is not 1–64 printable characters.',
  },
  PARLEY_E_BAD_PUBLIC_KEY: {
    status: 400,
    meaning: 'A public key is not a base64url-encoded 32-byte Ed25519 key.',
  },
  PARLEY_E_KEY_INVALID: {
    status: 400,
    meaning:
      'A 32-byte public key is not an acceptable Ed25519 key: a non-canonical encoding, not on the curve, of small order or not of prime order.',
  },

  // Station data directory and keys
  PARLEY_E_STATION_EXISTS: {
    status: 500,
    meaning: 'A station already exists in that data directory; init refuses to overwrite it.',
  },
  PARLEY_E_DATA_DIR_NOT_EMPTY: {
    status: 500,
    meaning: 'The data directory is not empty and holds no station.',
  },
  PARLEY_E_STATION_NOT_FOUND: {
    status: 500,
    meaning: 'No station in that data directory (run `parley init` first).',
  },
  PARLEY_E_STATION_CORRUPT: {
    status: 500,
    meaning: 'The station directory is damaged: a file is missing or unreadable.',
  },
  PARLEY_E_KEY_FILE_MISSING: {
    status: 500,
    meaning: 'The private key for the current identity key is not in the keys directory.',
  },
  PARLEY_E_KEY_FILE_PERMISSIONS: {
    status: 500,
    meaning: 'A private key file is readable by group or others; it must be mode 0600.',
  },
  PARLEY_E_SECRET_FILE_PERMISSIONS: {
    status: 500,
    meaning: 'A secret file (store.secret) is readable by group or others; it must be mode 0600.',
  },

  // Canonical JSON (RFC 8785)
  PARLEY_E_CANONICAL_JSON: {
    status: 400,
    meaning:
      'A value cannot be canonicalised as RFC 8785 I-JSON (NaN, Infinity, lone surrogate, …).',
  },
  PARLEY_E_JSON_DUPLICATE_NAME: {
    status: 400,
    meaning: 'A JSON object read from outside has the same member name twice (at any depth).',
  },
  PARLEY_E_JSON_TOO_DEEP: {
    status: 400,
    meaning: 'A JSON text nests arrays and objects deeper than 64 levels.',
  },
  PARLEY_E_JSON_NUMBER: {
    status: 400,
    meaning:
      'A JSON number is not written in the RFC 8785 form of its value (1e0, 1.0, -0, or a value a double cannot hold exactly).',
  },

  // Entries and feeds
  PARLEY_E_ENTRY_MALFORMED: { status: 400, meaning: 'An entry does not match the entry schema.' },
  PARLEY_E_ENTRY_VERSION: {
    status: 400,
    meaning: 'An entry has a format version this implementation does not know.',
  },
  PARLEY_E_ENTRY_BODY: {
    status: 400,
    meaning:
      "A validly signed entry's body does not match the schema of its kind: a protocol violation, kept out of every fold and alarmed.",
  },
  PARLEY_E_ENTRY_WRONG_STATION: {
    status: 400,
    meaning: 'An entry names a different station than the feed it is in.',
  },
  PARLEY_E_ENTRY_SEQ: {
    status: 400,
    meaning: 'An entry is out of sequence: a gap, a repeat or a reordering.',
  },
  PARLEY_E_ENTRY_PREV_HASH: {
    status: 400,
    meaning: 'An entry does not reference the hash of the entry before it.',
  },
  PARLEY_E_ENTRY_TIME: {
    status: 400,
    meaning: 'An entry is timestamped before the entry it follows.',
  },
  PARLEY_E_ENTRY_SIGNATURE: {
    status: 400,
    meaning: 'An entry signature does not verify under the key in force at that point of the feed.',
  },
  PARLEY_E_ENTRY_TOO_LARGE: { status: 413, meaning: 'An entry is larger than the size limit.' },
  PARLEY_E_GENESIS: {
    status: 400,
    meaning: 'The first entry of a feed is not a valid genesis entry for that station id.',
  },
  PARLEY_E_KEY_ROTATION: {
    status: 400,
    meaning: 'A key-rotation entry is malformed or its new key did not countersign it.',
  },
  PARLEY_E_ENTRY_WRONG_FEED: {
    status: 400,
    meaning:
      'An entry or checkpoint names a different audience than the feed it is in (or none where one is required).',
  },
  PARLEY_E_AUDIENCE: {
    status: 400,
    meaning:
      'An audience is malformed: not 2–64 distinct station ids, or its genesis does not derive its id.',
  },
  PARLEY_E_AUDIENCE_NOT_MEMBER: {
    status: 400,
    meaning:
      "A station is not a member of the audience: it may neither read nor write that audience's feeds.",
  },
  PARLEY_E_KEY_REPIN_REQUIRED: {
    status: 409,
    meaning:
      'An emergency key rotation names a key this verifier holds no re-pin for (run `parley peer repin` after checking its safety number).',
  },

  // Merkle log and checkpoints (RFC 9162, C2SP tlog-checkpoint)
  PARLEY_E_PROOF_RANGE: {
    status: 400,
    meaning: 'A proof was asked for sizes or indexes outside the tree.',
  },
  PARLEY_E_CHECKPOINT_MALFORMED: {
    status: 400,
    meaning: 'A checkpoint does not match the checkpoint schema.',
  },
  PARLEY_E_CHECKPOINT_SIGNATURE: {
    status: 400,
    meaning: 'A checkpoint signature does not verify under the key in force at its tree size.',
  },
  PARLEY_E_CHECKPOINT_BEYOND_FEED: {
    status: 400,
    meaning: 'A checkpoint covers more entries than the feed holds (a truncated feed).',
  },
  PARLEY_E_CHECKPOINT_ROOT: {
    status: 400,
    meaning: 'A checkpoint root differs from the Merkle root of the entries it covers.',
  },
  PARLEY_E_CHECKPOINT_INCONSISTENT: {
    status: 400,
    meaning: 'Two checkpoints of one feed are not consistent (a rewritten history).',
  },
  PARLEY_E_NOTE_MALFORMED: {
    status: 400,
    meaning:
      'A signed note is not a C2SP signed note: bad UTF-8, a control character, no blank line before the signatures, or a malformed signature line.',
  },
  PARLEY_E_NOTE_TOO_LARGE: {
    status: 413,
    meaning: 'A signed note is larger than 64 KiB or has more than 100 signatures.',
  },
  PARLEY_E_NOTE_SIGNATURE: {
    status: 403,
    meaning: 'A note signature by a known key (matching key name and key ID) does not verify.',
  },
  PARLEY_E_NOTE_UNKNOWN_KEY: {
    status: 403,
    meaning: 'A signed note carries no signature from any key the verifier trusts.',
  },
  PARLEY_E_NOTE_WRONG_ORIGIN: {
    status: 400,
    meaning:
      "A checkpoint note's origin line is not the one expected (another feed or another log).",
  },
  PARLEY_E_VKEY_MALFORMED: {
    status: 400,
    meaning:
      'A verifier key is not <name>+<8 hex digits>+<base64 of type byte and key>, of a known type, with the key ID it states.',
  },
  PARLEY_E_COSIGNATURE_MISSING: {
    status: 400,
    meaning: 'A checkpoint note lacks a valid cosignature from a witness the verifier requires.',
  },
  PARLEY_E_WITNESS_BAD_REQUEST: {
    status: 400,
    meaning:
      'An add-checkpoint request is malformed: no old size line, a bad proof line, more than 63 proof lines, or an old size above the checkpoint size.',
  },
  PARLEY_E_WITNESS_UNKNOWN_LOG: {
    status: 404,
    meaning:
      "The witness does not know the checkpoint's origin (not a feed of a paired peer shared with this station).",
  },
  PARLEY_E_WITNESS_CONFLICT: {
    status: 409,
    meaning:
      'The old size is not the size the witness last cosigned, or the checkpoint has that size with another root.',
  },
  PARLEY_E_WITNESS_PROOF: {
    status: 422,
    meaning:
      'The consistency proof from the size the witness last cosigned to the checkpoint does not verify.',
  },

  // Bundles
  PARLEY_E_BUNDLE_MISSING_FILE: {
    status: 400,
    meaning: 'A bundle lacks entries.jsonl, checkpoints.jsonl or keys.json.',
  },
  PARLEY_E_BUNDLE_LINE: { status: 400, meaning: 'A bundle line is not valid JSON.' },
  PARLEY_E_BUNDLE_FEED_SPLIT: {
    status: 400,
    meaning: "A station's entries are not contiguous in entries.jsonl.",
  },
  PARLEY_E_BUNDLE_KEYS: {
    status: 400,
    meaning: "keys.json disagrees with the key chain recorded in a station's feed.",
  },
  PARLEY_E_BUNDLE_UNTRUSTED_KEY: {
    status: 400,
    meaning: 'A feed is not signed by any of the public keys given with --key.',
  },
  PARLEY_E_BUNDLE_EMPTY: { status: 400, meaning: 'The bundle holds no feed.' },
  PARLEY_E_EXPORT_TARGET_EXISTS: {
    status: 409,
    meaning: 'The export target exists and is not an empty directory.',
  },
  PARLEY_E_BUNDLE_MANIFEST: {
    status: 400,
    meaning:
      'manifest.json is malformed, not signed by the exporting station, or disagrees with the bundle.',
  },
  PARLEY_E_BUNDLE_INCOMPLETE: {
    status: 400,
    meaning:
      "The bundle lacks what its exporter held: a feed or entries the exporter's own feeds cosign or refer to, or a checkpoint of an exporter feed at its head.",
  },
  PARLEY_E_REF_HASH: {
    status: 400,
    meaning:
      'An entry refers to an entry of a feed in the bundle (a ref or a delivered receipt) whose hash is not the one named.',
  },
  PARLEY_E_BUNDLE_NOT_REGULAR: {
    status: 400,
    meaning:
      'A bundle file is a symbolic link or not a regular file; verify does not follow it or read it.',
  },

  // Catalogue
  PARLEY_E_CATALOGUE_MALFORMED: {
    status: 400,
    meaning: 'A catalogue message is not a JSON object of the form { v, code, params }.',
  },
  PARLEY_E_CATALOGUE_VERSION: {
    status: 400,
    meaning: 'A catalogue message has a catalogue version this implementation does not know.',
  },
  PARLEY_E_CATALOGUE_UNKNOWN_CODE: {
    status: 400,
    meaning: 'A catalogue message names a code that is not in the catalogue.',
  },
  PARLEY_E_CATALOGUE_PARAM: {
    status: 400,
    meaning:
      'A catalogue message parameter is missing, unknown, of the wrong type or out of range.',
  },

  // Station-to-station link
  PARLEY_E_LINK_AUTH_MISSING: {
    status: 401,
    meaning:
      'A station-to-station request lacks its Parley-Station, Parley-Date, Parley-Nonce or Parley-Signature header.',
  },
  PARLEY_E_LINK_AUTH_SIGNATURE: {
    status: 401,
    meaning:
      "A station-to-station request's signature does not verify under the sending station's key.",
  },
  PARLEY_E_LINK_AUTH_REPLAY: {
    status: 401,
    meaning: 'A station-to-station request reuses a nonce already seen within the replay window.',
  },
  PARLEY_E_LINK_CLOCK_SKEW: {
    status: 401,
    meaning:
      "A station-to-station request's date is outside the replay window (clocks differ too much).",
  },
  PARLEY_E_LINK_UNKNOWN_STATION: {
    status: 403,
    meaning: 'A station-to-station request comes from a station that is not a paired peer.',
  },
  PARLEY_E_LINK_BODY_TOO_LARGE: {
    status: 413,
    meaning: 'A request or response body is larger than the link limit.',
  },
  PARLEY_E_LINK_MALFORMED: {
    status: 400,
    meaning: 'A request or response on the link is not the JSON the protocol expects.',
  },
  PARLEY_E_LINK_UNREACHABLE: { status: 502, meaning: 'No transport path to the peer answered.' },
  PARLEY_E_LINK_EQUIVOCATION: {
    status: 400,
    meaning:
      'The peer signed two different histories (a fork or a conflicting checkpoint); its feed is halted.',
  },
  PARLEY_E_PEER_EXISTS: {
    status: 409,
    meaning: 'A peer with that name or station is already paired.',
  },
  PARLEY_E_PEER_NOT_FOUND: { status: 404, meaning: 'No paired peer has that name.' },
  PARLEY_E_PEER_KEY_NOT_GENESIS: {
    status: 400,
    meaning:
      "The peer answers as another station than the pinned key derives: pin the peer's genesis key, not a later one.",
  },
  PARLEY_E_SAFETY_NUMBER_MISMATCH: {
    status: 400,
    meaning: 'The safety number given is not the safety number of that key.',
  },
  PARLEY_E_BAD_URL: { status: 400, meaning: 'A transport URL is not an http:// or https:// URL.' },

  // Hotline: channels, receipts, deadlines, operators
  PARLEY_E_BAD_AGREEMENT: {
    status: 400,
    meaning:
      'A channel agreement is malformed (tier, languages, handling objectives, escalation, dormancy).',
  },
  PARLEY_E_CHANNEL_EXISTS: {
    status: 409,
    meaning: 'A channel of that name is already proposed or open.',
  },
  PARLEY_E_CHANNEL_NOT_FOUND: {
    status: 404,
    meaning: 'No channel of that name has been proposed.',
  },
  PARLEY_E_CHANNEL_NOT_OPEN: {
    status: 409,
    meaning: 'The channel is proposed but the other station has not accepted it yet.',
  },
  PARLEY_E_CHANNEL_SUSPENDED: {
    status: 409,
    meaning: 'The channel is suspended: it refuses new messages until it is resumed.',
  },
  PARLEY_E_CHANNEL_STATE: {
    status: 409,
    meaning:
      'The channel is not in a state that allows this (e.g. accepting your own proposal, resuming an open channel).',
  },
  PARLEY_E_MESSAGE_NOT_FOUND: { status: 404, meaning: 'No message with that id is held here.' },
  PARLEY_E_RECEIPT_NOT_ALLOWED: {
    status: 400,
    meaning:
      'That receipt cannot be given: only the receiving side acknowledges, and not before delivery.',
  },
  PARLEY_E_SELF_APPROVAL: {
    status: 403,
    meaning: 'The author of a message cannot also approve it (two-person rule).',
  },
  PARLEY_E_DRAFT_NOT_FOUND: { status: 404, meaning: 'No draft awaiting approval has that id.' },
  PARLEY_E_NOT_MEMBER: { status: 403, meaning: 'The operator is not a member of that channel.' },
  PARLEY_E_CALL_NOT_FOUND: { status: 404, meaning: 'No call request with that id.' },
  PARLEY_E_CALL_STATE: {
    status: 409,
    meaning:
      'The call request was already answered, or the answer does not fit it (slot not proposed).',
  },
  PARLEY_E_BAD_SLOTS: { status: 400, meaning: 'Call slots must be 1–5 future UTC times.' },
  PARLEY_E_USER_EXISTS: { status: 409, meaning: 'An operator with that name already exists.' },
  PARLEY_E_BAD_PASSWORD: { status: 400, meaning: 'A password must be 12–256 characters.' },
  PARLEY_E_LOGIN_FAILED: { status: 401, meaning: 'Unknown operator or wrong password.' },
  PARLEY_E_RATE_LIMITED: { status: 429, meaning: 'Too many attempts; wait before trying again.' },
  PARLEY_E_CSRF: {
    status: 403,
    meaning: 'A state-changing request with a session cookie lacks the matching CSRF token header.',
  },
  PARLEY_E_USER_NOT_FOUND: {
    status: 404,
    meaning: 'No operator has that name.',
  },
  PARLEY_E_AUDIT_SEAL_REFUSED: {
    status: 400,
    meaning:
      'The audit log is not sealed: its hash chain does not verify, or records are anchored already.',
  },
  PARLEY_E_LAST_ADMIN: {
    status: 409,
    meaning:
      'The change would leave no enabled admin (or an admin would disable or demote themselves).',
  },
  PARLEY_E_TOKEN_NOT_FOUND: {
    status: 404,
    meaning: 'No token has that id (or the id prefix matches several).',
  },
  PARLEY_E_BAD_EXPIRY: {
    status: 400,
    meaning:
      'A token expiry is not a future time or duration (e.g. 30d, 12h, or an ISO 8601 UTC time).',
  },
  PARLEY_E_IDEMPOTENCY_KEY_INVALID: {
    status: 400,
    meaning:
      'An Idempotency-Key header is not 1–255 visible ASCII characters (optionally a quoted string).',
  },
  PARLEY_E_IDEMPOTENCY_KEY_REUSED: {
    status: 422,
    meaning:
      'The Idempotency-Key was already used with a different request (method, route or body).',
  },
  PARLEY_E_IDEMPOTENCY_IN_FLIGHT: {
    status: 409,
    meaning:
      'A request with the same Idempotency-Key is still being processed; retry after it answers.',
  },
  PARLEY_E_STREAM_LIMIT_USER: {
    status: 429,
    meaning:
      'The operator (or token) already holds as many live streams as allowed; close one first.',
  },
  PARLEY_E_STREAM_LIMIT_TOTAL: {
    status: 429,
    meaning: 'The station already serves as many live streams as allowed; retry shortly.',
  },
  PARLEY_E_CONNECTION_LIMIT: {
    status: 503,
    meaning:
      'The station, or the client address, already holds as many connections as allowed; retry shortly.',
  },

  // Tracks and encounters
  PARLEY_E_TRACK_INVALID: {
    status: 400,
    meaning:
      'A track report is malformed: a bad id, party, domain, position, speed, course or time.',
  },
  PARLEY_E_TRACK_TIME: {
    status: 400,
    meaning:
      "A track report's time is not within the allowed skew of the station clock (too far in the future or the past).",
  },
  PARLEY_E_ENCOUNTER_NOT_FOUND: { status: 404, meaning: 'No encounter with that id is held here.' },
  PARLEY_E_ENCOUNTER_DRAFT: {
    status: 409,
    meaning:
      'The encounter has no pending draft (already sent or discarded), or no channel to send it on.',
  },

  // Track formats: GeoJSON files and Cursor-on-Target (TAK)
  PARLEY_E_GEOJSON_INVALID: {
    status: 400,
    meaning:
      'A GeoJSON track collection is malformed: a feature is not a Point with valid track properties (the message names the feature index and the field).',
  },
  PARLEY_E_GEOJSON_TOO_LARGE: {
    status: 413,
    meaning: 'A GeoJSON track collection has more features or characters than the import limit.',
  },
  PARLEY_E_COT_MALFORMED: {
    status: 400,
    meaning:
      'A Cursor-on-Target event is not well-formed or lacks a valid uid, type, time, point or track detail.',
  },
  PARLEY_E_COT_UNSUPPORTED: {
    status: 400,
    meaning:
      'A Cursor-on-Target event is not a track this station ingests (not a surface or air a-… atom, or a party not mapped).',
  },

  // Notices of planned activities: areas, windows, routes
  PARLEY_E_AREA_MALFORMED: {
    status: 400,
    meaning:
      'An area is not a polygon, circle or corridor of valid positions (too few points, latitude out of range, a pole inside, wider than 180° of longitude).',
  },
  PARLEY_E_AREA_SELF_INTERSECTING: { status: 400, meaning: "A polygon's edges cross each other." },
  PARLEY_E_AREA_RADIUS: {
    status: 400,
    meaning:
      'A circle radius or corridor half-width is zero, negative, not a number or larger than the limit.',
  },
  PARLEY_E_NOTICE_WINDOW: {
    status: 400,
    meaning:
      'A validity window ends before (or when) it starts, or there are no windows or too many.',
  },
  PARLEY_E_NOTICE_MALFORMED: {
    status: 400,
    meaning:
      'A notice does not match the notice schema (kind, issuer, vertical band, remark, contact).',
  },
  PARLEY_E_NOTICE_NOT_FOUND: {
    status: 404,
    meaning: 'No notice or notice draft with that id is held here.',
  },
  PARLEY_E_NOTICE_STATE: {
    status: 409,
    meaning:
      "The notice is not in a state that allows this (amending a cancelled notice, the other station's notice, sending a draft twice).",
  },
  PARLEY_E_ROUTE_MALFORMED: {
    status: 400,
    meaning: 'A planned route is not 2 or more valid waypoints with strictly increasing UTC times.',
  },

  // Operator API
  PARLEY_E_AUTH_REQUIRED: { status: 401, meaning: 'The request has no valid bearer token.' },
  PARLEY_E_FORBIDDEN: { status: 403, meaning: "The token's role may not do this." },
  PARLEY_E_BAD_ROLE: {
    status: 400,
    meaning: 'The role is not one of viewer, operator, linguist, approver, admin.',
  },
  PARLEY_E_TOO_DEEP: {
    status: 400,
    meaning: 'A JSON body or GeoJSON document is nested deeper than the limit.',
  },
  PARLEY_E_BAD_REQUEST: {
    status: 400,
    meaning: 'The request body or query does not match the API schema.',
  },
  PARLEY_E_NOT_FOUND: { status: 404, meaning: 'No such resource.' },
  PARLEY_E_INTERNAL: {
    status: 500,
    meaning:
      'An unexpected error inside the station; the details are in its log, not in the response.',
  },

  // Storage
  PARLEY_E_STORE_CONFLICT: {
    status: 409,
    meaning: 'An append does not continue the stored feed (another writer got there first).',
  },
  PARLEY_E_STORE_SCHEMA: {
    status: 500,
    meaning: 'The database schema is newer than this program or the migration failed.',
  },
  PARLEY_E_STORE_CLOSED: { status: 503, meaning: 'The store was used after it was closed.' },
  PARLEY_E_STORE_UNAVAILABLE: {
    status: 503,
    meaning: 'The database server cannot be reached or refused the connection.',
  },
  PARLEY_E_BAD_STORE_URL: {
    status: 500,
    meaning: 'A store location is not a postgres:// or postgresql:// URL.',
  },
  PARLEY_E_LEASE_LOST: {
    status: 503,
    meaning:
      'A write reserved to the leading process came from a process that no longer holds the lease.',
  },
} as const;

/** A stable error code, `PARLEY_E_*`. */
export type ErrorCode = keyof typeof ERROR_REGISTRY;

/** Code → one-line meaning (the registry without statuses). */
export const ERROR_CODES: Readonly<Record<ErrorCode, string>> = Object.fromEntries(
  Object.entries(ERROR_REGISTRY).map(([code, e]) => [code, e.meaning]),
) as Record<ErrorCode, string>;

/** The HTTP status of a code (4xx: the caller's mistake; 5xx: the station's fault). */
export function errorStatus(code: ErrorCode): number {
  return ERROR_REGISTRY[code].status;
}

/** True when the code blames the caller (a 4xx status). */
export function isClientError(code: ErrorCode): boolean {
  const s = errorStatus(code);
  return s >= 400 && s < 500;
}

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
