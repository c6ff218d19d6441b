import type { ErrorBody } from '../protocol/wire.js';

/**
 * What the reference server refuses to store, whatever the endpoint: JSON
 * nested deeper than `MAX_JSON_DEPTH`, and numbers JSON cannot carry back
 * (`1e400` parses to Infinity, which would be answered as `null`). Checked
 * right after parsing, before anything is stored: a value stored once is
 * sent again by every later poll, stream backlog and operator read, so one
 * request that stored it would make all of those fail (a stack overflow in
 * `JSON.stringify`, `structuredClone`, the deep comparison of a resend).
 */

/** Levels of objects and arrays a body may have; the body itself is level 1. */
export const MAX_JSON_DEPTH = 64;

export const TOO_DEEP_MESSAGE = 'Request body is nested too deeply';
export const NUMBER_RANGE_MESSAGE = 'Request body has a number out of range';

/**
 * Why `value` cannot be stored, or undefined. Iterative, so that the check
 * itself cannot overflow the stack; it stops at the first level too many, so
 * a cyclic object (in process) is reported as too deep rather than looping.
 */
export function unstorable(value: unknown, max = MAX_JSON_DEPTH): ErrorBody | undefined {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (typeof item === 'number' && !Number.isFinite(item)) {
      return { message: NUMBER_RANGE_MESSAGE, debug_message: 'Numbers must be finite and within ±1.7976931348623157e308' };
    }
    if (item === null || typeof item !== 'object') continue;
    if (depth > max) {
      return {
        message: TOO_DEEP_MESSAGE,
        debug_message: `At most ${max} levels of objects and arrays (the body itself is level 1); this one has more`,
      };
    }
    for (const child of Object.values(item)) stack.push([child, depth + 1]);
  }
  return undefined;
}
