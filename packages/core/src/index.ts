export * from './errors.js';
export * from './precedence.js';
export * from './brand.js';
export * from './validate.js';
export * from './dtg.js';
export * from './message.js';
