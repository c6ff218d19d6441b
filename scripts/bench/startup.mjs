// Startup with what closed tabs left: createVisitor() → connection open, with 100
// dead tabs' queues and 5,000 unrelated keys in the storage, against an empty
// start; rounds interleaved. The storage has key(), as Web Storage does, so the
// SDK's adoption of closed tabs' queues (and its scan for stored timers) runs.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { fakeFetch, fakeStream, gc, interleave, keyedStorage, memoryLocks, nextTask, settle } from './lib.mjs';

const ENGAGEMENT = '9e1bc1a4-5b6e-4e1a-9f3c-2f1b2c3d4e5f';

/**
 * Fills `storage` as a busy site's localStorage: `unrelated` keys of the
 * page's own (about 100 bytes each), and `tabs` queues of tabs that are gone,
 * `perTab` events each, in the SDK's format (one key per event,
 * `engagekit:{engagement}:events:{tab}:{event}`).
 */
export function seedStorage(storage, { tabs, perTab, unrelated }) {
  for (let i = 0; i < unrelated; i++) storage.setItem(`app:cache:${i}`, JSON.stringify({ id: i, value: 'x'.repeat(80) }));
  const at = Date.now() - 60_000;
  for (let t = 0; t < tabs; t++) {
    const tab = `deadtab${String(t).padStart(3, '0')}`;
    for (let n = 1; n <= perTab; n++) {
      const id = `ev${String(t).padStart(3, '0')}x${String(n).padStart(15, '0')}`;
      const event = { id, message: `Visitor viewed page ${n} in tab ${t}`, at: at + t * 100 + n, n };
      storage.setItem(`engagekit:${ENGAGEMENT}:events:${tab}:${id}`, JSON.stringify(event));
    }
  }
  return tabs * perTab;
}

/**
 * One start: a fresh storage (seeded or empty), a visitor connecting over the
 * fake socket (it opens on a microtask and answers hello at once), timed from
 * createVisitor() until the connection is open. Off the clock: with a seeded
 * storage, every adopted event is then sent (`flush()`), checked.
 */
async function start(createVisitor, seed) {
  const storage = keyedStorage();
  const adopted = seed ? seedStorage(storage, seed) : 0;
  const stream = fakeStream();
  const net = fakeFetch();
  let opened = 0;
  // The seeding's garbage is not the start's.
  gc();
  await nextTask();
  const t0 = performance.now();
  const visitor = createVisitor({
    baseUrl: 'https://api.bench.test',
    engagementId: ENGAGEMENT,
    token: 'bench-visitor-token',
    connect: true,
    WebSocket: stream.WebSocket,
    fetch: net.fetch,
    storage,
    locks: memoryLocks(),
    logLevel: 'silent',
  });
  const returned = performance.now();
  visitor.on('connection:changed', ({ current }) => {
    if (current.status === 'open' && !opened) opened = performance.now();
  });
  // Polled by microtasks, then tasks: an open that comes in a microtask is seen at once.
  for (let i = 0; i < 50 && !opened; i++) await undefined;
  await settle(() => opened, 'the connection to open', 10_000);
  const open = opened - t0;
  await visitor.flush();
  if (net.calls.events < adopted) throw new Error(`startup: ${net.calls.events} of ${adopted} adopted events sent`);
  visitor.close();
  await nextTask();
  return { open, sync: returned - t0 };
}

/** Seeded against empty, interleaved; µs from createVisitor() to open, and of createVisitor()'s own call. */
export async function benchStartup({ dist, rounds, warmup = 2, tabs = 100, perTab = 10, unrelated = 5_000 }) {
  const { createVisitor } = await import(pathToFileURL(join(dist, 'index.js')).href);
  const sync = { empty: [], seeded: [] };
  const seed = { tabs, perTab, unrelated };
  const round = (name) => async (warm) => {
    const r = await start(createVisitor, name === 'seeded' ? seed : undefined);
    if (!warm) sync[name].push(r.sync * 1000);
    return r.open * 1000;
  };
  const result = await interleave({ subjects: { seeded: round('seeded'), empty: round('empty') }, rounds, warmup });
  return { ...result, sync, seed };
}
