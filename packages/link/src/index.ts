export * from './request-auth.js';
export * from './peer-client.js';
export * from './wire.js';
export * from './link-server.js';
export * from './peer-link.js';
export * from './link-manager.js';
export * from './verify-pool.js';
export * from './path-health.js';
