export * from './station.js';
export * from './auth.js';
export * from './metrics.js';
export { httpError } from './http-errors.js';
export * from './tls.js';
