/**
 * A screen tick that fails is reported through the service's `warn` (the station's log), and
 * the timer keeps ticking: nothing fails silently. The hotline side here refuses every call, the
 * way a station's hotline does while its store is unreachable.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SqliteTrackStore, systemClock } from '@parley/store';
import { LiveBus } from '../src/hotline/live-bus.js';
import { TrackService } from '../src/tracks/track-service.js';
import { tempRoot, waitFor } from './harness.js';

describe('track service', () => {
  it('logs a failed tick and goes on ticking', async () => {
    const root = await tempRoot('parley-track-warn-');
    const store = new SqliteTrackStore(join(root, 'tracks.sqlite'));
    const warnings: string[] = [];
    let calls = 0;
    const service = new TrackService(
      store,
      systemClock,
      new LiveBus(),
      {
        channels: () => {
          calls++;
          return Promise.reject(new Error('the hotline store is unreachable'));
        },
      },
      { tickMs: 20, warn: (m) => warnings.push(m) },
    );
    service.start();
    try {
      await waitFor('two failed ticks', async () => warnings.length >= 2);
    } finally {
      await service.stop();
      store.close();
    }
    expect(warnings[0]).toBe('track screen failed: the hotline store is unreachable');
    expect(calls).toBeGreaterThanOrEqual(2);
  });
});
