// Command dispatch: frames handed to the SDK's socket, one per task or in bursts,
// against the floor (JSON.parse + Map lookup + a call, of the same frames), in
// Node and in Chromium. SDK and floor rounds alternate (A B, B A, ...).
//
// One round function, self-contained (no closure, no import): Node runs it as is,
// Chromium as page code (page.evaluate serialises it), on the script-tag bundle.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { interleave, keyedStorage, nextTask } from './lib.mjs';

/**
 * One round: `frames` command frames through `subject` ('sdk', 'base': a
 * second build for an A/B against it, or 'floor'). `burst`: frames handed
 * over in one synchronous loop before a microtask checkpoint (1: one frame
 * per task, as a browser delivers socket messages). A real task turn (timers
 * may run, as between a browser's tasks) whenever a millisecond has passed,
 * in every subject alike. Returns µs per frame, from the first frame until
 * every handler ran and one more task passed (the SDK's deferred work of
 * those commands: its microtasks, a state write that fell due).
 */
async function round({ subject, frames, burst, env }) {
  const g = globalThis;
  const api = env?.[subject] ?? (subject === 'base' ? g.EngageKitBase : g.EngageKit);
  const yieldTask =
    env?.yieldTask ??
    (() =>
      new Promise((done) => {
        const channel = new g.MessageChannel();
        channel.port1.onmessage = () => done();
        channel.port2.postMessage(0);
      }));
  const until = async (ok, what) => {
    for (let i = 0; !ok(); i++) {
      if (i > 200_000) throw new Error(`bench: gave up waiting for ${what}`);
      await yieldTask();
    }
  };
  const ENGAGEMENT = '9e1bc1a4-5b6e-4e1a-9f3c-2f1b2c3d4e5f';
  const uuid = (n) => `c0ffee00-0000-4000-8000-${String(n).padStart(12, '0')}`;
  const events = [];
  for (let seq = 1; seq <= frames; seq++) {
    events.push({
      data: JSON.stringify({
        type: 'command',
        seq,
        command: {
          id: uuid(seq),
          engagement_id: ENGAGEMENT,
          sub_engagement_id: 'bench-sub',
          content: seq % 2 ? `The operator highlighted item ${seq}` : null,
          properties: { name: 'highlight', selector: `#item-${seq}` },
        },
      }),
    });
  }
  let handled = 0;
  let onmessage;
  let visitor;
  let results = 0;
  if (subject === 'floor') {
    const handlers = new Map([['highlight', () => void handled++]]);
    onmessage = (event) => {
      const frame = JSON.parse(event.data);
      const command = frame.command;
      handlers.get(command.properties.name)(command.properties);
    };
  } else {
    const sockets = [];
    class BenchWebSocket {
      constructor() {
        sockets.push(this);
        this.readyState = 0;
        queueMicrotask(() => {
          this.readyState = 1;
          this.onopen?.({ type: 'open' });
        });
      }
      send(data) {
        const frame = JSON.parse(data);
        const answer = frame.type === 'hello' ? { type: 'ready', last_seq: frame.after ?? 0 } : frame.type === 'ping' ? { type: 'pong' } : undefined;
        if (answer) queueMicrotask(() => this.onmessage?.({ data: JSON.stringify(answer) }));
      }
      close() {
        this.readyState = 3;
      }
    }
    const RESULT = { ok: true, status: 200, statusText: '', headers: { get: () => null }, text: () => Promise.resolve('{}') };
    const fetch = (url, init) => {
      if (url.endsWith('/results')) results += init.body.split('"command_id"').length - 1;
      return Promise.resolve(RESULT);
    };
    // The page's localStorage (Chromium: the real one, emptied), else a Map with key().
    let storage = env?.storage?.();
    if (!storage) {
      storage = g.localStorage;
      storage.clear();
    }
    visitor = api.createVisitor({
      baseUrl: 'https://api.bench.test',
      engagementId: ENGAGEMENT,
      token: 'bench-visitor-token',
      WebSocket: BenchWebSocket,
      fetch,
      storage,
      logLevel: 'silent',
      connect: true,
      handlers: { highlight: () => void handled++ },
    });
    await until(() => visitor.connection.status === 'open', 'the socket to open');
    const socket = sockets[sockets.length - 1];
    onmessage = (event) => socket.onmessage(event);
  }

  const t0 = performance.now();
  let yielded = t0;
  for (let i = 0; i < frames; ) {
    const end = Math.min(frames, i + burst);
    for (; i < end; i++) onmessage(events[i]);
    await undefined;
    const now = performance.now();
    if (now - yielded >= 1) {
      await yieldTask();
      yielded = performance.now();
    }
  }
  await until(() => handled >= frames, 'every handler to run');
  await yieldTask();
  const elapsed = performance.now() - t0;

  if (handled !== frames) throw new Error(`bench: ${handled} handler calls for ${frames} frames`);
  if (visitor) {
    // Off the clock: every command reached the transcript and had its result reported.
    const entries = visitor.transcript.entries;
    if (entries[entries.length - 1]?.id !== uuid(frames)) throw new Error('bench: the transcript does not end with the last command');
    await until(() => results >= frames, 'every result to be reported');
    visitor.close();
  }
  return (elapsed * 1000) / frames;
}

/** Node: runs rounds in this process on dist/index.js (and `baseDist`'s for an A/B). */
export async function nodeDispatchRunner({ dist, baseDist }) {
  const env = {
    sdk: await import(pathToFileURL(join(dist, 'index.js')).href),
    yieldTask: nextTask,
    storage: keyedStorage,
  };
  if (baseDist) env.base = await import(pathToFileURL(join(baseDist, 'index.js')).href);
  const run = (args) => round({ ...args, env });
  run.close = async () => {};
  return run;
}

/**
 * Chromium: a blank page of a local origin (it has a localStorage) with the
 * script-tag bundle(s); rounds run as page code on the real localStorage.
 */
export async function chromiumDispatchRunner({ browser, dist, baseDist }) {
  const { startPages } = await import('./e2e.mjs');
  const file = join(dist, 'engagekit.global.js');
  if (!existsSync(file)) throw new Error(`bench: ${file} is missing: run npm run build first`);
  const pages = await startPages(dist);
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${pages.url}/blank`);
  if (baseDist) {
    await page.addScriptTag({ path: join(baseDist, 'engagekit.global.js') });
    await page.evaluate(() => {
      window.EngageKitBase = window.EngageKit;
      delete window.EngageKit;
    });
  }
  await page.addScriptTag({ path: file });
  const run = (args) => page.evaluate(round, args);
  run.close = async () => {
    await context.close();
    await pages.close();
  };
  return run;
}

/**
 * SDK (and base) against the floor, interleaved. Resolves with the samples
 * (µs per frame) and the ratios per round.
 */
export async function benchDispatch(run, { frames, burst, rounds, warmup, base = false }) {
  const subjects = {
    sdk: () => run({ subject: 'sdk', frames, burst }),
    floor: () => run({ subject: 'floor', frames, burst }),
  };
  if (base) subjects.base = () => run({ subject: 'base', frames, burst });
  return interleave({ subjects, rounds, warmup });
}
