export * from './station.js';
export * from './auth.js';
export * from './metrics.js';
export { httpError } from './http-errors.js';
export * from './tls.js';
export * from './hotline/hotline-service.js';
export * from './hotline/live-bus.js';
