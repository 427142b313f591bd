export * from './hash.js';
export * from './canonical-json.js';
export * from './merkle.js';
export * from './keys.js';
export * from './entry.js';
export * from './checkpoint.js';
export * from './feed-verifier.js';
export * from './bundle.js';
