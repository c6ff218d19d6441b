// Heap after 1,000,000 commands (and 100,000 events) in one visitor, for scripts/bench.mjs.
// Runs the built SDK (dist/index.js) with the network and storage faked (see lib.mjs).
import { commandFrame, fakeFetch, fakeStream, mapStorage, settle, settledHeap } from './lib.mjs';

const ENGAGEMENT = '9e1bc1a4-5b6e-4e1a-9f3c-2f1b2c3d4e5f';

/** A visitor as a page would create it, the network faked; resolves once the connection is open. */
async function openVisitor(createVisitor) {
  const stream = fakeStream();
  const net = fakeFetch();
  let handled = 0;
  const visitor = createVisitor({
    baseUrl: 'https://api.bench.test',
    engagementId: ENGAGEMENT,
    token: 'bench-visitor-token',
    connect: true,
    WebSocket: stream.WebSocket,
    fetch: net.fetch,
    storage: mapStorage(),
    logLevel: 'silent',
    handlers: { highlight: () => void handled++ },
  });
  await settle(() => visitor.connection.status === 'open', 'the fake socket to open', 1_000);
  return { visitor, stream, net, handled: () => handled };
}

const frameEvents = (count, from = 1) => Array.from({ length: count }, (_, i) => ({ data: commandFrame(from + i, ENGAGEMENT) }));

/** The floor: `JSON.parse` + `Map.get(name)` + the handler's call, keeping nothing. */
function floorClient() {
  let handled = 0;
  const handlers = new Map([['highlight', () => void handled++]]);
  return {
    onmessage(event) {
      const command = JSON.parse(event.data).command;
      handlers.get(command.properties.name)(command.properties);
    },
    handled: () => handled,
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

