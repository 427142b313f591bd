export { buildProgram } from './program.js';
export { describeResult } from './commands/bundle.js';
