export * from './station.js';
export * from './auth.js';
export * from './metrics.js';
export { httpError } from './http-errors.js';
export * from './tls.js';
export * from './hotline/hotline-service.js';
export * from './hotline/live-bus.js';
export { ScreenThreads, SCREEN_THREADS_MIN_TRACKS } from './tracks/screen-threads.js';
export type { ScreenThreadsOptions } from './tracks/screen-threads.js';
