export * from './errors.js';
export * from './precedence.js';
export * from './brand.js';
export * from './validate.js';
export * from './dtg.js';
export * from './message.js';
export * from './channel.js';
export * from './hotline-state.js';
