import { QUEUE, REAL, type StubApi, type StubTarget } from './protocol.js';

type AnyFunction = (...args: unknown[]) => unknown;
type Real = Record<string, unknown>;

/** True for the stand-in `EngageKit` that dist/engagekit.loader.js defines. */
export function isStub(value: unknown): value is StubApi {
  return typeof value === 'object' && value !== null && Array.isArray((value as StubApi)[QUEUE]);
}

/**
 * Runs the calls the page made on the stub, in order, against the real API,
 * then turns every stub object into a forwarder: the stub visitor answers
 * `connection`, `transcript`, `commands.has` and the rest as the real visitor.
 *
 * A queued `createVisitor` that throws (a bad option) is reported once with
 * `report`; then `recordEvent` on its stub visitor rejects with that error
 * and its other methods throw it.
 */
export function replay(stub: StubApi, api: Real, report: (error: unknown) => void): void {
  const queue = stub[QUEUE];
  stub[REAL] = api as StubTarget[typeof REAL];
  // Calls made while replaying (a `ready` callback recording an event) forward
  // at once, since every stub is linked before anything after it runs.
  while (queue.length > 0) {
    const [target, method, args, resolve, reject] = queue.shift()!;
    if (method === 'createVisitor') {
      let visitor: Real;
      try {
        visitor = (api.createVisitor as AnyFunction)(...args) as Real;
      } catch (error) {
        report(error);
        visitor = failed(error);
      }
      link(target, visitor);
      continue;
    }
    const real = target[REAL]!;
    try {
      resolve!(real[method]!(...args));
    } catch (error) {
      if (method === 'recordEvent') reject!(error);
      else {
        if (!dead.has(real)) report(error); // A failed createVisitor was reported already.
        resolve!(undefined);
      }
    }
  }
}

/** From now on `target` answers as `real`: same methods, same live properties. */
function link(target: StubTarget, real: Real): void {
  target[REAL] = real as StubTarget[typeof REAL];
  for (const key of Object.keys(real)) {
    const commands = target.commands as StubTarget | undefined;
    if (key === 'commands' && commands && typeof real.commands === 'object') link(commands, real.commands as Real);
    else Object.defineProperty(target, key, { configurable: true, enumerable: true, get: () => real[key] });
  }
}

/** The stand-ins of visitors whose `createVisitor` threw. */
const dead = new WeakSet<object>();

/** What a stub visitor forwards to when its `createVisitor` threw. */
function failed(error: unknown): Real {
  const methods: Real = {};
  dead.add(methods);
  for (const name of ['on', 'once', 'off', 'connect', 'close']) methods[name] = () => { throw error; };
  methods.recordEvent = () => Promise.reject(error);
  const commands = { register: methods.on, unregister: methods.on, has: () => false };
  dead.add(commands);
  methods.commands = commands;
  return methods;
}
