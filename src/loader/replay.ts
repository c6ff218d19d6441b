import type { StubApi, StubTarget } from './protocol.js';

type Real = Record<string, (...args: unknown[]) => unknown>;

/**
 * Runs the calls the page made on the stub, in order, against the real API,
 * then turns every stub object into a forwarder: the stub visitor answers
 * `connection`, `transcript`, `commands.has` and the rest as the real visitor.
 *
 * A queued `createVisitor` that throws (a bad option) is reported once with
 * `report`; then `recordEvent` on its stub visitor rejects with that error
 * and its other methods throw it.
 */
export function replay(stub: StubApi, api: object, report: (error: unknown) => void): void {
  const queue = stub._q;
  /** What was reported: a dead visitor's queued calls throw its error again. */
  const seen = new Set();
  stub._r = api as Real;
  // Calls made while replaying (a `ready` callback recording an event) forward
  // at once when their object is linked, else they queue behind and run below.
  while (queue.length) {
    const [target, method, args, resolve, reject] = queue.shift()!;
    try {
      if (method === 'createVisitor') link(target, (api as Real).createVisitor!(...args) as Real);
      else resolve!((target[method] as Real[string])(...args));
    } catch (error) {
      // The stand-in of a visitor whose createVisitor threw: every call fails with that error.
      if (method === 'createVisitor')
        target._r = (target.commands as StubTarget)._r = new Proxy({} as Real, {
          get: (_, key) => (key === 'recordEvent' ? () => Promise.reject(error) : () => { throw error; }),
        });
      if (method === 'recordEvent') reject!(error);
      else {
        if (!seen.has(error)) report(error);
        seen.add(error);
        resolve?.();
      }
    }
  }
}

/**
 * From now on `target` answers as `real`: same methods, same live properties.
 * `_r` too, for the stub's own methods a page kept a reference to.
 */
function link(target: StubTarget, real: Real): void {
  target._r = real;
  for (const key in real) {
    if (key === 'commands') link(target.commands as StubTarget, real.commands as never);
    else Object.defineProperty(target, key, { get: () => real[key] });
  }
}
