/**
 * The script-tag entry: `window.EngageKit`. Only what a site without a
 * bundler needs; the reference server is never part of it.
 */
export * from './index.js';
