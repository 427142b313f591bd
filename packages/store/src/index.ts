export * from './store.js';
export * from './continuity.js';
export * from './migrations.js';
export * from './sqlite-store.js';
export * from './feed-writer.js';
export * from './station-dir.js';
export * from './bundle-files.js';
export * from './feed-state.js';
