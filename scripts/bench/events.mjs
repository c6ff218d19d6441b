// recordEvent on the caller's thread, at queue depths 0, 100 and 1,000 and with a
// full queue, against its floor; every variant and the floor in interleaved
// rounds. Runs the built SDK (dist/index.js) in this process, the network faked.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { fakeFetch, gc, interleave, keyedStorage, median, memoryLocks, nextTask, settle, uuidFor } from './lib.mjs';

const ENGAGEMENT = '9e1bc1a4-5b6e-4e1a-9f3c-2f1b2c3d4e5f';
const noop = () => {};

/**
 * A fetch for the event path: `up` answers in a later task (as a network
 * does, so nothing of the answer is on the clock); `down` never answers (a
 * request hanging on a dead network: the queue grows behind its head).
 * Result reports are answered at once.
 */
function eventFetch(mode) {
  const { fetch: answer } = fakeFetch();
  const calls = { events: 0 };
  const fetch = (url, init) => {
    if (!url.endsWith('/events')) return answer(url, init);
    calls.events++;
    if (mode === 'down') return new Promise(noop);
    return new Promise((resolve) => setImmediate(() => resolve(answer(url, init))));
  };
  return { fetch, calls };
}

/**
 * A visitor holding `depth` events: the first one's request hangs (`down`),
 * the others wait behind it. Depth 0: the network answers, so each event is
 * sent and gone before the next call. `limit`: the queue's (a full queue is
 * `depth === limit`, each further call drops the oldest).
 */
async function visitorAt(createVisitor, { depth, limit }) {
  const net = eventFetch(depth === 0 ? 'up' : 'down');
  const visitor = createVisitor({
    baseUrl: 'https://api.bench.test',
    engagementId: ENGAGEMENT,
    token: 'bench-visitor-token',
    connect: false,
    fetch: net.fetch,
    storage: keyedStorage(),
    locks: memoryLocks(),
    logLevel: 'warn',
    // Where the SDK's warnings go: counted, not printed (a console would cost far more than the SDK).
    logger: { debug: noop, warn: () => void warnings.count++, error: noop },
    queue: { limit },
  });
  const warnings = { count: 0 };
  const dropped = { count: 0 };
  visitor.on('event:dropped', () => void dropped.count++);
  // The queue sends once the queues of closed tabs are adopted (the next task with an empty storage).
  await visitor.flush();
  if (depth > 0) {
    visitor.recordEvent('the head, its request hanging').catch(noop);
    await settle(() => net.calls.events === 1, 'the first request');
    for (let i = 1; i < depth; i++) visitor.recordEvent(`Visitor viewed the pricing page, section ${i}`).catch(noop);
  }
  return { visitor, net, warnings, dropped };
}

/**
 * The mean per call in µs, without the calls a preemption hit: a busy machine
 * takes the CPU away for milliseconds at a time, which would swamp a mean of
 * microseconds. A call counts as preempted when it took more than 20 times the
 * round's median and more than 100 µs; what a warning or an error costs once
 * per burst stays in (far below that). `excluded` counts what was left out.
 */
const excluded = { calls: 0, of: 0 };
function meanUs(times) {
  const sorted = [...times].sort((a, b) => a - b);
  const limit = Math.max(20 * sorted[sorted.length >> 1], 0.1);
  const kept = times.filter((t) => t <= limit);
  excluded.calls += times.length - kept.length;
  excluded.of += times.length;
  return (kept.reduce((a, b) => a + b, 0) * 1000) / kept.length;
}

/** Microtask turns: the clock of each call runs until this many have passed (the SDK's deferred work of the call). */
async function turns(n) {
  for (let k = 0; k < n; k++) await undefined;
}

/**
 * How many microtask turns a call at depth 0 takes to hand its request to
 * fetch; the clock of every variant then covers that many plus 2.
 */
async function turnsToFetch(createVisitor) {
  const { visitor, net } = await visitorAt(createVisitor, { depth: 0, limit: 1_000 });
  let most = 0;
  for (let i = 0; i < 20; i++) {
    const before = net.calls.events;
    const promise = visitor.recordEvent(`probe ${i}`);
    let n = 0;
    while (net.calls.events === before && n < 1_000) {
      await undefined;
      n++;
    }
    most = Math.max(most, n);
    await promise;
  }
  visitor.close();
  return most + 2;
}

/**
 * Rounds of `calls` calls for each variant, interleaved with the floor and
 * an idle loop. Each call: `recordEvent(message).catch(...)` (a page that
 * does not want an unhandled rejection), then `turns` microtask turns, on
 * the clock; the idle loop's cost (the turns alone, median of its rounds) is
 * subtracted from every figure. Per round the mean per call without preempted calls (`meanUs`: a
 * warning or an error made once per burst is spread over the calls, as on a
 * page); median and range over rounds.
 *
 * Variants: depth 0 (network up: each call's event is sent before the next
 * call, off the clock); depth 100 and 1,000 (network down, queue limit
 * 2,000: the queue grows by `calls` over the round); full (the default limit
 * of 1,000, full: each call drops the oldest event, `event:dropped` for each).
 * Floor: what persisting one event costs at the least, `setItem(key,
 * JSON.stringify({ id, message, at }))` on the same kind of storage.
 */
export async function benchRecordEvent({ dist, baseDist, rounds, warmup = 2, calls = 100, depths = [0, 100, 1_000] }) {
  const { createVisitor } = await import(pathToFileURL(join(dist, 'index.js')).href);
  const base = baseDist ? (await import(pathToFileURL(join(baseDist, 'index.js')).href)).createVisitor : undefined;
  const k = await turnsToFetch(createVisitor);
  const messages = Array.from({ length: calls }, (_, i) => `Visitor viewed the pricing page, section ${i}`);
  const checks = { warnings: [], dropped: [] };

  const sdkRound = (create, depth, full) => async () => {
    const limit = full ? 1_000 : 2_000;
    const v = await visitorAt(create, { depth: full ? limit : depth, limit });
    const sentBefore = v.net.calls.events;
    const warningsBefore = v.warnings.count;
    gc();
    await nextTask();
    const times = [];
    for (let i = 0; i < calls; i++) {
      const t0 = performance.now();
      const promise = v.visitor.recordEvent(messages[i]);
      promise.catch(noop);
      await turns(k);
      times.push(performance.now() - t0);
      if (depth === 0 && !full) await promise;
    }
    if (depth === 0 && !full && v.net.calls.events - sentBefore !== calls) throw new Error('recordEvent: not every event reached fetch');
    if (full) {
      if (v.dropped.count !== calls) throw new Error(`recordEvent: ${v.dropped.count} event:dropped for ${calls} drops`);
      checks.warnings.push(v.warnings.count - warningsBefore);
    }
    v.visitor.close();
    return meanUs(times);
  };
  const storage = keyedStorage();
  const ids = Array.from({ length: calls }, (_, i) => uuidFor(i, 'e0e0e0e0'));
  const floorRound = async () => {
    storage.clear();
    const times = [];
    for (let i = 0; i < calls; i++) {
      const t0 = performance.now();
      storage.setItem(`engagekit:${ENGAGEMENT}:events:tab:${ids[i]}`, JSON.stringify({ id: ids[i], message: messages[i], at: Date.now() }));
      await turns(k);
      times.push(performance.now() - t0);
    }
    return meanUs(times);
  };
  const idleRound = async () => {
    const times = [];
    for (let i = 0; i < calls; i++) {
      const t0 = performance.now();
      await turns(k);
      times.push(performance.now() - t0);
    }
    return meanUs(times);
  };

  const subjects = { floor: floorRound, idle: idleRound };
  for (const depth of depths) subjects[`depth ${depth}`] = sdkRound(createVisitor, depth, false);
  subjects.full = sdkRound(createVisitor, 0, true);
  if (base) {
    subjects['base depth 0'] = sdkRound(base, 0, false);
    subjects['base depth 1000'] = sdkRound(base, 1_000, false);
    subjects['base full'] = sdkRound(base, 0, true);
  }
  const result = await interleave({ subjects, rounds, warmup });
  // The turns alone, subtracted from every figure: their median over the rounds (one round's idle
  // loop is too short to subtract round by round without adding its own noise to each figure).
  const idle = median(result.samples.idle);
  for (const name of Object.keys(subjects)) {
    if (name !== 'idle') result.samples[name] = result.samples[name].map((us) => us - idle);
  }
  return { ...result, turns: k, idleUs: idle, calls, warningsPerRound: checks.warnings, excluded: { ...excluded } };
}
