/** Every default of the SDK, in one place. The TSDoc of each option repeats its value. */
export const DEFAULTS = Object.freeze({
  /** Where console output goes; `silent` turns it off. */
  logLevel: 'warn' as 'debug' | 'warn' | 'error' | 'silent',
});
