export { uuidv4, isUuidV4 } from '../shared/uuid.js';

/** `2019-08-28T13:55:24Z`: the documented timestamps have whole seconds. */
export function timestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
}
