export { uuidv4, isUuidV4 } from '../core/uuid.js';

/** `2019-08-28T13:55:24Z`: the seed's timestamps have whole seconds. */
export function timestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
}
