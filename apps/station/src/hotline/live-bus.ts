import { EventEmitter } from 'node:events';
import { isMember } from '../auth.js';
import type { Actor } from '../auth.js';

/** One change the console needs to see. */
export type LiveEvent =
  | {
      type: 'entry';
      station: string;
      audience?: string;
      seq: number;
      kind: string;
      channel: string | null;
    }
  | { type: 'link'; peer: string; url: string; state: string }
  | {
      type: 'alarm';
      kind: string;
      of: unknown;
      channel: string;
      reason: string;
      parties?: string[];
    }
  | { type: 'channel'; channel: string; status: string; reason: string }
  | { type: 'draft'; id: string; channel: string }
  | {
      type: 'notice';
      id: string;
      action: 'draft' | 'sent' | 'received' | 'amended' | 'cancelled' | 'read' | 'acknowledged';
      station: string;
      channel: string;
      /** For sent, received and amended: the version's lateness against the channel's lead time. */
      late?: boolean;
      lateMs?: number;
    }
  | { type: 'tracks'; now: number; tracks: unknown[]; gone: string[] }
  | { type: 'encounter'; encounter: unknown };

/** Every type of live event (checked against `LiveEvent` both ways, so a new type must be listed). */
export const LIVE_EVENT_TYPES = [
  'entry',
  'link',
  'alarm',
  'channel',
  'draft',
  'notice',
  'tracks',
  'encounter',
] as const satisfies readonly LiveEvent['type'][];
// A type of `LiveEvent` missing from the list fails here.
const _allListed: LiveEvent['type'] extends (typeof LIVE_EVENT_TYPES)[number] ? true : never = true;
void _allListed;

/** Fans station changes out to live-stream subscribers (SSE clients). */
export class LiveBus {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  publish(event: LiveEvent): void {
    this.emitter.emit('event', event);
  }

  subscribe(fn: (e: LiveEvent) => void): () => void {
    this.emitter.on('event', fn);
    return () => this.emitter.off('event', fn);
  }
}

/**
 * An event as `actor` may see it, or null: the events of a channel (entries, alarms, channel
 * acts, drafts, notices) reach its members only; an encounter is shown as `encounter` gives it
 * (null: not at all); link state and the track picture are the station's, for every reader.
 */
export function eventFor(
  actor: Actor,
  e: LiveEvent,
  encounter?: (view: unknown) => unknown,
): LiveEvent | null {
  switch (e.type) {
    case 'entry':
    case 'alarm':
    case 'channel':
    case 'draft':
    case 'notice':
      return isMember(actor, e.channel) ? e : null;
    case 'encounter': {
      if (!encounter) return e;
      const view = encounter(e.encounter);
      return view === null ? null : { ...e, encounter: view };
    }
    case 'link':
    case 'tracks':
      return e;
  }
}
