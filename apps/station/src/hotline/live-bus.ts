import { EventEmitter } from 'node:events';

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
