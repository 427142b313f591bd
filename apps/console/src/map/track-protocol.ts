// Messages between the console page and its track worker (map/track-worker.ts). The worker owns
// the station's live stream: it parses the track reports off the main thread and hands the page
// flat typed arrays (transferred, not copied), so a picture of 10,000 tracks costs the page about
// one buffer upload per update.

import type { Party } from '../api/types.js';

export const PARTY_CODE: Readonly<Record<Party, number>> = { own: 0, other: 1, third: 2 };
export const PARTIES: readonly Party[] = ['own', 'other', 'third'];
/** flags bits */
export const FLAG_STALE = 1;
export const FLAG_AIR = 2;
/** The station no longer holds the track (not drawn). */
export const FLAG_GONE = 4;

export interface TrackMeta {
  slot: number;
  id: string;
  name: string | null;
  party: Party;
  domain: 'surface' | 'air';
  source: string;
}

export type ToWorker =
  | { type: 'start'; mode: 'live' }
  | { type: 'start'; mode: 'synthetic'; count: number; intervalMs: number; seed: number }
  | { type: 'replay'; at: number | null }
  | { type: 'stop' };

export interface Frame {
  type: 'frame';
  /** Station time of the picture (ms). */
  now: number;
  count: number;
  /** Mercator x, y per slot (0..1 world units). */
  xy: Float32Array;
  /** A 6-minute speed vector per slot: x0, y0, x1, y1. */
  vec: Float32Array;
  /** lon, lat per slot (degrees). */
  lonlat: Float32Array;
  /** cog (deg), sog (kn) per slot. */
  cogsog: Float32Array;
  party: Uint8Array;
  flags: Uint8Array;
  /** Vertex colours for the WebGL layer, packed in the worker: r, g, b, size per dot… */
  dotColour: Float32Array;
  /** …and per vector end (two per track). */
  vecColour: Float32Array;
  /** Slots whose identity is new or changed since the last frame; `reset` = the page drops all it had. */
  meta: TrackMeta[];
  reset: boolean;
  /** Set while replaying: the time of the picture shown. */
  replayAt: number | null;
  /** Worker time spent parsing and packing this update (ms). */
  workerMs: number;
  /** Oldest picture kept for replay (ms), or null. */
  historyFrom: number | null;
}

export type FromWorker =
  | Frame
  | { type: 'event'; event: Record<string, unknown> & { type: string } }
  | { type: 'stream'; state: 'open' | 'error' };

/** Party colours: own blue, other red, third grey (CSS, and 0–1 RGB for the WebGL layer). */
export const PARTY_COLOURS = ['#2f7bf6', '#e5484d', '#8b95a7'] as const;
export const PARTY_RGB: readonly (readonly [number, number, number])[] = [
  [0.184, 0.482, 0.965],
  [0.898, 0.282, 0.302],
  [0.545, 0.584, 0.655],
];
