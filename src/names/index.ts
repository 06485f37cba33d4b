// One names module: what fabric generates (generate.ts) and what may reach a command line or a
// file name (check.ts). A leaf: it depends on src/errors only.
export * from './check.js';
export * from './generate.js';
export * from './short.js';
