// The in-process figures of scripts/bench.mjs: command dispatch, recordEvent, memory.
// Everything runs the built SDK (dist/index.js) with the network and storage faked (see lib.mjs).
import {
  commandFrame,
  fakeFetch,
  fakeStream,
  mapStorage,
  mean,
  measure,
  median,
  nextTask,
  settle,
  settledHeap,
  trimmedMean,
  uuidFor,
} from './lib.mjs';

export const ENGAGEMENT = '9e1bc1a4-5b6e-4e1a-9f3c-2f1b2c3d4e5f';
const BASE_URL = 'https://api.bench.test';

/**
 * A visitor as a page would create it, with the network faked: `WebSocket`
 * (frames handed to the SDK's onmessage directly), `fetch` (answers at once
 * unless `fetch` is given), storage in a Map, no log output. Resolves once the
 * connection is open.
 */
export async function openVisitor(createVisitor, { fetch, connect = true } = {}) {
  const stream = fakeStream();
  const net = fakeFetch();
  const storage = mapStorage();
  let handled = 0;
  const visitor = createVisitor({
    baseUrl: BASE_URL,
    engagementId: ENGAGEMENT,
    token: 'bench-visitor-token',
    connect,
    WebSocket: stream.WebSocket,
    fetch: fetch ?? net.fetch,
    storage,
    logLevel: 'silent',
    handlers: {
      highlight: () => void handled++,
    },
  });
  if (connect) await settle(() => visitor.connection.status === 'open', 'the fake socket to open', 1_000);
  return { visitor, stream, net, storage, handled: () => handled };
}

const frameEvents = (count, from = 1) => Array.from({ length: count }, (_, i) => ({ data: commandFrame(from + i, ENGAGEMENT) }));

/**
 * The floor of dispatch: the same message events through the least a client
 * must do, `JSON.parse` + `Map.get(name)` + the handler's call.
 */
function floorClient() {
  let handled = 0;
  const handlers = new Map([['highlight', () => void handled++]]);
  return {
    onmessage(event) {
      const frame = JSON.parse(event.data);
      const command = frame.command;
      handlers.get(command.properties.name)(command.properties);
    },
    handled: () => handled,
  };
}

/**
 * Pushes every event into `onmessage`. `perTask`: a microtask checkpoint after
 * each frame, as a browser has after each `message` event (each is its own
 * task): what the SDK defers to a microtask (the coalesced write of the
 * executed ids, the result report) then runs once per command. Otherwise one
 * burst in one task: those writes coalesce into one for the whole burst.
 */
async function pushAll(onmessage, events, perTask) {
  if (perTask) {
    for (let i = 0; i < events.length; i++) {
      onmessage(events[i]);
      await undefined;
    }
  } else {
    for (let i = 0; i < events.length; i++) onmessage(events[i]);
  }
}

/**
 * Commands per second from "frame received by the connection" to "handler
 * called, transcript updated, id recorded and persisted, result reported
 * (fake fetch)", and the floor's, over the same frames.
 */
export async function benchDispatch(createVisitor, { frames, warmup, rounds, perTask }) {
  const events = frameEvents(frames);
  const last = JSON.parse(events[events.length - 1].data).command.id;

  const cpu = [];
  const sdk = await measure({
    warmup,
    rounds,
    async round(warm) {
      const v = await openVisitor(createVisitor);
      const onmessage = v.stream.socket.onmessage;
      const writesBefore = v.storage.writes;
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await pushAll(onmessage, events, perTask);
      // Until every handler ran (the pipeline ends at "handler invoked, transcript updated");
      // then one more task for the storage write. Result reports are batched per 50 ms window and
      // sent afterwards: whatever of their cost falls inside the window is on the clock, the rest not.
      await settle(() => v.handled() >= frames, 'every command to be handled');
      await nextTask();
      const elapsed = performance.now() - t0;
      const used = process.cpuUsage(c0);
      if (!warm) cpu.push((used.user + used.system) / 1000);
      // Outside the clock: the pipeline did everything the figure claims, every result included.
      await settle(() => v.net.calls.results >= frames, 'every result to be reported');
      const entries = v.visitor.transcript.entries;
      if (v.handled() !== frames) throw new Error(`dispatch: ${v.handled()} handler calls for ${frames} frames`);
      if (entries[entries.length - 1]?.id !== last) throw new Error('dispatch: the transcript does not end with the last command');
      if (v.storage.writes === writesBefore) throw new Error('dispatch: nothing was written to storage');
      v.visitor.close();
      return elapsed;
    },
  });

  const floor = await measure({
    warmup,
    rounds,
    async round() {
      const client = floorClient();
      const t0 = performance.now();
      await pushAll(client.onmessage, events, perTask);
      await nextTask();
      const elapsed = performance.now() - t0;
      if (client.handled() !== frames) throw new Error('dispatch floor: handler calls missing');
      return elapsed;
    },
  });

  return {
    rate: frames / (sdk.median / 1000),
    floorRate: frames / (floor.median / 1000),
    samples: sdk.samples.map((ms) => frames / (ms / 1000)),
    // The same rounds by the process's CPU time (all its threads, GC helpers included): less sensitive to a busy machine.
    cpuRate: frames / (median(cpu) / 1000),
  };
}

/** A fetch whose answer arrives in a later task, as a network's does: nothing of the response is on the clock. */
function laterFetch() {
  const { fetch: answer, calls } = fakeFetch();
  const started = { events: 0 };
  const fetch = (url, init) => {
    if (url.endsWith('/events')) started.events++;
    return new Promise((resolve) => setImmediate(() => resolve(answer(url, init))));
  };
  return { fetch, calls, started };
}

/** Microtask turns after the request started, for work queued beside it (a coalesced storage write). */
export const EXTRA_TICKS = 2;

/** The slowest calls left out of the mean: a preemption on a busy machine (or a GC) adds up to milliseconds to one call. */
export const TRIM = 0.005;

/**
 * The caller's-thread cost of `recordEvent`, one call at a time as on a page:
 * the call and the microtasks it queues until the request is handed to
 * `fetch` (validation, id, enqueue, persist, building the request). The clock
 * runs from the call until `fetch` was called plus EXTRA_TICKS microtask turns;
 * the cost of those empty turns is measured alone and subtracted. The fetch
 * answers in a later task, off the clock, and each call's promise is awaited
 * before the next call, so a persisted queue stays as short as on a page with
 * a working network. Reported: the mean per call without the slowest TRIM of
 * the calls (and the plain mean).
 */
export async function benchRecordEvent(createVisitor, { batch, warmup, rounds }) {
  const net = laterFetch();
  const { visitor } = await openVisitor(createVisitor, { fetch: net.fetch, connect: false });
  const messages = Array.from({ length: batch }, (_, i) => `Visitor viewed the pricing page, section ${i}`);
  const ids = Array.from({ length: batch }, (_, i) => uuidFor(i, 'e0e0e0e0'));
  let rejected = 0;
  let settledMs = 0;
  let calls = 0;
  let ticks = 0;
  const sdkCalls = [];
  const idleCalls = [];

  await measure({
    warmup,
    rounds,
    async round(warm) {
      for (let i = 0; i < batch; i++) {
        const expected = net.started.events + 1;
        const t0 = performance.now();
        const promise = visitor.recordEvent(messages[i]);
        let turns = 0;
        while (net.started.events < expected && turns < 1_000) {
          await undefined;
          turns++;
        }
        for (let k = 0; k < EXTRA_TICKS; k++) await undefined;
        const t1 = performance.now();
        if (!warm) sdkCalls.push(t1 - t0);
        ticks += turns + EXTRA_TICKS;
        calls++;
        try {
          await promise;
        } catch {
          rejected++;
        }
        settledMs += performance.now() - t0;
      }
      return 0;
    },
  });
  visitor.close();
  if (rejected > 0) throw new Error(`recordEvent: ${rejected} calls rejected with the fake network answering 200`);
  if (net.started.events < calls) throw new Error(`recordEvent: only ${net.started.events} of ${calls} events reached fetch`);
  const turnsPerCall = ticks / calls;

  // The empty microtask turns alone, in the same loop.
  const turns = Math.round(turnsPerCall);
  await measure({
    warmup,
    rounds,
    async round(warm) {
      for (let i = 0; i < batch; i++) {
        const t0 = performance.now();
        for (let k = 0; k < turns; k++) await undefined;
        const t1 = performance.now();
        if (!warm) idleCalls.push(t1 - t0);
      }
      return 0;
    },
  });

  // The floor: what persisting one event costs at the least (a short synchronous loop; median of the rounds).
  const floor = await measure({
    warmup,
    rounds,
    async round() {
      const storage = mapStorage();
      const t0 = performance.now();
      for (let i = 0; i < batch; i++) {
        storage.setItem('engagekit:bench:events', JSON.stringify({ id: ids[i], message: messages[i], at: Date.now() }));
      }
      return performance.now() - t0;
    },
  });

  return {
    us: (trimmedMean(sdkCalls, TRIM) - trimmedMean(idleCalls, TRIM)) * 1000,
    meanUs: (mean(sdkCalls) - mean(idleCalls)) * 1000,
    floorUs: (floor.median * 1000) / batch,
    turnsPerCall,
    // Call to resolved promise, wall time: includes the fake network's task hop and the SDK's handling of the answer.
    settledUs: (settledMs * 1000) / calls,
  };
}

/**
 * Heap growth of ONE visitor over `commands` commands and `events` events,
 * after full collections. Code is warmed up in another visitor first, so the
 * figure is what the visitor retains, not V8's compiled code.
 */
export async function benchMemory(createVisitor, { commands, events, chunk = 1_000 }) {
  // Warm-up in a throwaway visitor: JIT code and V8's internal caches are not the visitor's.
  {
    const v = await openVisitor(createVisitor);
    for (const event of frameEvents(5_000)) v.stream.push(event);
    await Promise.allSettled(Array.from({ length: 200 }, (_, i) => v.visitor.recordEvent(`warm-up ${i}`)));
    await settle(() => v.net.calls.results >= 5_000, 'warm-up reports');
    v.visitor.close();
  }

  const v = await openVisitor(createVisitor);
  const before = await settledHeap();
  const eventsPerChunk = Math.ceil(events / Math.ceil(commands / chunk));
  let seq = 0;
  let recorded = 0;
  const checkpoints = [];
  while (seq < commands) {
    const n = Math.min(chunk, commands - seq);
    // Built per chunk, so the frames themselves are not on the heap at the end.
    for (let i = 0; i < n; i++) v.stream.push({ data: commandFrame(++seq, ENGAGEMENT) });
    const pending = [];
    for (let i = 0; i < eventsPerChunk && recorded < events; i++) pending.push(v.visitor.recordEvent(`Visitor event ${++recorded}`));
    await Promise.allSettled(pending);
    await settle(() => v.net.calls.results >= seq, 'result reports');
    if (seq % (commands / 4) === 0) checkpoints.push({ commands: seq, events: recorded, heap: await settledHeap() });
  }
  const after = await settledHeap();
  if (v.handled() !== commands) throw new Error(`memory: ${v.handled()} handler calls for ${commands} commands`);
  if (v.net.calls.events < events) throw new Error(`memory: ${v.net.calls.events} events sent of ${events}`);
  const retained = { transcript: v.visitor.transcript.entries.length };
  v.visitor.close();

  // The floor: the bare client over as many frames (nothing is kept, so it shows the measurement's noise).
  const client = floorClient();
  const floorBefore = await settledHeap();
  for (let s = 1; s <= commands; s++) client.onmessage({ data: commandFrame(s, ENGAGEMENT) });
  const floorAfter = await settledHeap();

  return {
    growth: after - before,
    floorGrowth: floorAfter - floorBefore,
    checkpoints: checkpoints.map((c) => ({ ...c, growth: c.heap - before })),
    retained,
  };
}

