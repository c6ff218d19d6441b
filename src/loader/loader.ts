/**
 * The loader stub: `dist/engagekit.loader.js`, a few hundred bytes, and the
 * first half of the inline snippet in the README.
 *
 * It defines a stand-in `window.EngageKit` whose methods queue the calls a
 * page makes before the real bundle (`dist/engagekit.global.js`, loaded
 * `async`) has arrived: `createVisitor` returns a stub visitor at once, and
 * its `recordEvent`, `on`, `once`, `off`, `connect`, `close`,
 * `commands.register` and `commands.unregister` queue too. The bundle replays
 * the queue in order when it loads (src/loader/replay.ts), and from then on
 * every stub object forwards to the real one.
 *
 * While queued, `recordEvent` returns a promise settled by the real call; the
 * other methods return a function that undoes the call once replayed (what
 * `on`, `once` and `commands.register` return for real). `EngageKit.ready(fn)`
 * calls `fn(EngageKit)` once the bundle has loaded (at once if it has).
 *
 * It touches no Trusted Types sink and evaluates nothing: it runs under
 * `script-src 'self'` with `require-trusted-types-for 'script'` as an
 * external file. If `EngageKit` already exists (bundle or stub loaded before),
 * it does nothing.
 *
 * Readable source; the shipped file is this, minified. Keep it tiny.
 */
import type { StubApi, StubCall, StubTarget } from './protocol.js';

((w: { EngageKit?: unknown }) => {
  if (w.EngageKit) return;
  const queue: StubCall[] = [];

  // Gives `target` the methods named in `names`: each forwards to the real
  // object once there is one, and queues the call until then.
  const stub = <T extends StubTarget>(target: T, names: string): T => {
    for (const name of names.split(' ')) {
      (target as StubTarget)[name] = (...args: unknown[]) => {
        const real = target._r;
        if (real) return real[name]!(...args);
        const promise = new Promise((resolve, reject) => queue.push([target, name, args, resolve, reject]));
        return name === 'recordEvent'
          ? promise
          : () => promise.then((undo) => typeof undo === 'function' && undo());
      };
    }
    return target;
  };

  const api: StubApi = stub(
    {
      _q: queue, // QUEUE and REAL (`_r`) of ./protocol.ts, spelled out: literals minify best
      createVisitor(options?: { engagementId?: unknown }) {
        const real = api._r;
        if (real) return real.createVisitor!(options);
        const visitor = stub(
          { engagementId: options && options.engagementId, commands: stub({}, 'register unregister') },
          'recordEvent on once off connect close',
        );
        queue.push([visitor, 'createVisitor', [options]]);
        return visitor;
      },
    },
    'ready',
  );
  w.EngageKit = api;
})(window as { EngageKit?: unknown });
