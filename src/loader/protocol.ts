/**
 * What the loader stub (`dist/engagekit.loader.js`) and the script-tag bundle
 * (`dist/engagekit.global.js`) agree on. Property names are short because
 * they end up, unmangled, in the snippet that sites paste into their pages.
 */

/** On the stub `EngageKit`: the calls made before the bundle loaded, oldest first. */
export const QUEUE = '_q';
/** On a stub object: the real object it forwards to, set when the bundle has loaded. */
export const REAL = '_r';

/** An object of the stub: `EngageKit` itself, a stub visitor, or its `commands`. */
export interface StubTarget {
  [REAL]?: Record<string, (...args: unknown[]) => unknown>;
  [key: string]: unknown;
}

/**
 * One queued call: `target[method](...args)` to run on the real object; the
 * stub returned a promise settled with `resolve`/`reject`. For `createVisitor`
 * the target is the stub visitor that was returned, and there is no promise.
 */
export type StubCall = [
  target: StubTarget,
  method: string,
  args: unknown[],
  resolve?: (value?: unknown) => void,
  reject?: (error: unknown) => void,
];

/** The stub `EngageKit`: only its queue matters to the bundle. */
export interface StubApi extends StubTarget {
  [QUEUE]: StubCall[];
}
