// The figures of scheduled commands (SendCommand's programmable timers), for scripts/bench.mjs:
//
//   const { benchTimers } = await import('./bench/timers.mjs');
//   const figures = await benchTimers(createVisitor, { rounds: 15 });
//
// 1. One timer command (a `set` replacing timer "bench") with 0, 100 and 1,000 other timers set,
//    beside a floor and an ordinary command (no timer) for reference; they run interleaved, round
//    after round (floor ordinary 0 100 1000 floor ordinary ...), so that a slower stretch of a shared
//    machine falls on all of them alike. Median and range of the rounds; bytes written per command.
// 2. A page load with 1,000 overdue repeatable timers stored: total time until every one fired,
//    the longest task (the synchronous createVisitor() included), the bytes written to storage;
//    beside a floor (reading each timer, calling its handler, writing a marker, in one loop).
//
// Runs the built SDK with the network faked (lib.mjs). 1,000 timers exceed the cap of 100 per
// visitor: they are written to storage directly, as a page of an earlier version (or a migrated one)
// would leave them; the cap refuses new names, not timers already stored.
import { fakeFetch, fakeStream, gc, median, nextTask, settle, uuidFor } from './lib.mjs';

const ENGAGEMENT = '7a3e5c1d-2b4f-4e6a-8c9d-0e1f2a3b4c5d';
const BASE_URL = 'https://api.bench.test';
const HOUR = 3_600_000;

/**
 * Storage formats the bench can seed: `keys` is this version's (one key per timer,
 * docs/protocol.md); `array` is the one array under `engagekit:{id}:timers` of d18049e and
 * before, for a before/after run against such a build.
 */
export const FORMATS = ['keys', 'array'];

/** UTF-8 bytes of a string: what the figures call bytes written (key and value of each setItem). */
const utf8 = (text) => Buffer.byteLength(text);

/**
 * A `localStorage` stand-in that counts the bytes written. Unlike lib.mjs's mapStorage it has
 * `key()`, as Web Storage does: the SDK finds stored timers by a scan of the keys.
 */
function countingStorage() {
  const items = new Map();
  let keys;
  const storage = {
    bytes: 0,
    getItem: (key) => (items.has(key) ? items.get(key) : null),
    setItem(key, value) {
      storage.bytes += utf8(key) + utf8(String(value));
      if (!items.has(key)) keys = undefined;
      items.set(key, String(value));
    },
    removeItem(key) {
      if (items.delete(key)) keys = undefined;
    },
    key: (index) => (keys ??= [...items.keys()])[index] ?? null,
    get length() {
      return items.size;
    },
  };
  return storage;
}

/**
 * The command that set timer `timerName`: about the size of a real one (the issue measured
 * 634 bytes per stored timer), with a transcript text and a few properties.
 */
function timerCommand(n, timerName, properties) {
  return {
    id: uuidFor(n, '71e40000'),
    engagement_id: ENGAGEMENT,
    sub_engagement_id: 'bench-sub',
    content: `The operator scheduled a reminder for this visitor (${timerName}): show the follow-up offer once more if the cart is still open.`,
    properties: { name: 'remind', timerName, selector: `#offer-${n}`, ...properties },
  };
}

/**
 * Writes `count` timers (`t1`, `t2`, ...) as a page of `format` leaves them. `overdue`: repeatable
 * every minute, last fired an hour ago (so each is due, with 60 firings missed); otherwise one-shots
 * 30 days ahead.
 */
export function seedTimers(storage, { count, format, overdue, now, first = 1 }) {
  const records = [];
  for (let n = first; n < first + count; n++) {
    const timerName = n === 0 ? 'bench' : `t${n}`;
    const spec = overdue ? { ms: 60_000, rep: true, on: true, t0: now - 10 * HOUR, last: now - HOUR } : { at: now + 30 * 24 * HOUR, on: true, t0: now };
    const properties = overdue ? { interval: '60', repeatable: 'true' } : { fireAt: new Date(spec.at).toISOString().slice(0, 16) };
    records.push({ timerName, ...spec, command: timerCommand(n, timerName, properties), name: 'remind', seq: n + 1 });
  }
  if (format === 'array') {
    storage.setItem(`engagekit:${ENGAGEMENT}:timers`, JSON.stringify(records.map((record) => ({ k: 'set', ...record }))));
  } else {
    for (const record of records) storage.setItem(`engagekit:${ENGAGEMENT}:timer:${record.timerName}`, JSON.stringify(record));
  }
}

/**
 * Runs `work` and says how long it held the thread: `wall` ms, and `busy`, the wall time or the
 * CPU time the process used meanwhile when that is less (on a machine busy with other work, the
 * time the process was not even running is not the task's; other threads' CPU can only add).
 */
function timed(work) {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  work();
  const used = process.cpuUsage(cpu);
  const spent = performance.now() - wall;
  return { wall: spent, busy: Math.min(spent, (used.user + used.system) / 1000) };
}

/**
 * Wraps setTimeout while the bench runs: each callback's synchronous run is a task, timed.
 * `zeroDelay` adds up the tasks of timeouts of at most 1 ms (work a command deferred, such as
 * re-arming timers), which belong to the command that scheduled them.
 */
function timeTasks() {
  const real = globalThis.setTimeout;
  const tasks = { longest: 0, longestBusy: 0, zeroDelay: 0, count: 0 };
  tasks.add = ({ wall, busy }) => {
    tasks.count++;
    tasks.longest = Math.max(tasks.longest, wall);
    tasks.longestBusy = Math.max(tasks.longestBusy, busy);
  };
  globalThis.setTimeout = (callback, ms, ...args) =>
    real(() => {
      const spent = timed(() => callback(...args));
      tasks.add(spent);
      if (!(ms > 1)) tasks.zeroDelay += spent.wall;
    }, ms);
  tasks.restore = () => (globalThis.setTimeout = real);
  /** Waits `ms` real milliseconds, off the books. */
  tasks.sleep = (ms) => new Promise((resolve) => real(resolve, ms));
  return tasks;
}

/** A visitor on `storage`, the network faked; resolves once its connection is open. */
async function openVisitor(createVisitor, storage, onHandled) {
  const stream = fakeStream();
  const statuses = [];
  const visitor = createVisitor({
    baseUrl: BASE_URL,
    engagementId: ENGAGEMENT,
    token: 'bench-visitor-token',
    // Node has no window: connect (and so start the timers) as a page would.
    connect: true,
    WebSocket: stream.WebSocket,
    fetch: fakeFetch().fetch,
    storage,
    logLevel: 'silent',
    handlers: { remind: onHandled ?? (() => {}) },
  });
  visitor.on('command:handled', ({ status }) => statuses.push(status));
  await settle(() => visitor.connection.status === 'open', 'the fake socket to open', 1_000);
  return { visitor, stream, statuses };
}

/** A command frame: one setting timer `timerName` (replacing it), or with no timerName an ordinary command. */
function frame(seq, timerName) {
  const command = timerCommand(seq, timerName, { fireAt: '2099-01-01T00:00' });
  if (timerName === undefined) {
    delete command.properties.timerName;
    delete command.properties.fireAt;
  }
  return JSON.stringify({ type: 'command', seq, command });
}

/**
 * µs per timer command at each count of other timers set; for reference an ordinary command
 * (no timer: its handler runs on receipt) through the same SDK; and the floor: the least a timer
 * command costs, `JSON.parse` of its frame, `JSON.stringify` of one timer record and one
 * `setItem` of it, and a `Map.set`. A command's cost is its frame's synchronous run plus one
 * microtask turn, plus the zero-delay tasks it scheduled (waited for between commands).
 */
export async function benchTimerCommand(createVisitor, { counts = [0, 100, 1000], rounds = 15, perRound = 20, warmup = 2, format = 'keys' } = {}) {
  const tasks = timeTasks();
  try {
    const now = Date.now();
    const ordinary = countingStorage();
    const subjects = [{ label: 'ordinary', storage: ordinary, ...(await openVisitor(createVisitor, ordinary)), samples: [], bytes: [], expect: 'executed' }];
    for (const count of counts) {
      const storage = countingStorage();
      // Timer "bench" is set too: every measured command replaces it (a new name would meet the cap).
      seedTimers(storage, { count: count + 1, first: 0, format, overdue: false, now });
      const opened = await openVisitor(createVisitor, storage);
      subjects.push({ label: String(count), storage, ...opened, samples: [], bytes: [], expect: 'scheduled' });
    }
    const floorStorage = countingStorage();
    const floorMap = new Map();
    const floor = {
      label: 'floor',
      storage: floorStorage,
      samples: [],
      bytes: [],
      push(event) {
        const { seq, command } = JSON.parse(event.data);
        const record = { timerName: command.properties.timerName, at: 4070908800000, on: true, t0: Date.now(), command, name: 'remind', seq };
        floorStorage.setItem(`engagekit:${ENGAGEMENT}:timer:${record.timerName}`, JSON.stringify(record));
        floorMap.set(record.timerName, record);
      },
    };
    let seq = 10_000_000;
    for (let round = -warmup; round < rounds; round++) {
      for (const subject of [floor, ...subjects]) {
        const push = subject === floor ? floor.push : subject.stream.push;
        const events = Array.from({ length: perRound }, () => ({ data: frame(++seq, subject.label === 'ordinary' ? undefined : 'bench') }));
        gc();
        await tasks.sleep(2);
        const bytesBefore = subject.storage.bytes;
        let spent = 0;
        for (const event of events) {
          const deferredBefore = tasks.zeroDelay;
          const t0 = performance.now();
          push(event);
          await undefined;
          spent += performance.now() - t0;
          // Long enough for a setTimeout(0) (1 ms in Node) to run.
          await tasks.sleep(2);
          spent += tasks.zeroDelay - deferredBefore;
        }
        if (round >= 0) {
          subject.samples.push((spent * 1000) / perRound);
          subject.bytes.push((subject.storage.bytes - bytesBefore) / perRound);
        }
      }
    }
    const result = {};
    for (const subject of [floor, ...subjects]) {
      if (subject.statuses) {
        const wrong = subject.statuses.filter((status) => status !== subject.expect);
        if (subject.statuses.length !== (rounds + warmup) * perRound || wrong.length) {
          throw new Error(`command (${subject.label}): ${subject.statuses.length} results, not all ${subject.expect} (${wrong.slice(0, 3).join(', ')})`);
        }
        subject.visitor.close();
      }
      result[subject.label] = {
        us: median(subject.samples),
        min: Math.min(...subject.samples),
        max: Math.max(...subject.samples),
        bytes: median(subject.bytes),
        // Per round, in the order run: a ratio to another label is taken round by round.
        samples: subject.samples,
      };
    }
    return result;
  } finally {
    tasks.restore();
  }
}

/**
 * A page load with `count` overdue repeatable timers stored: from `createVisitor()` until
 * every one has fired, once, with its missed count. The floor: reading each stored timer,
 * calling its handler and writing a marker of a few bytes, in one loop.
 */
export async function benchTimerStartup(createVisitor, { count = 1000, rounds = 3, format = 'keys' } = {}) {
  const samples = [];
  for (let round = 0; round < rounds; round++) {
    const storage = countingStorage();
    const now = Date.now();
    seedTimers(storage, { count, format, overdue: true, now });
    const bytesBefore = storage.bytes;
    let fired = 0;
    let missed = 0;
    gc();
    await nextTask();
    const tasks = timeTasks();
    let visitor;
    try {
      const t0 = performance.now();
      let opened;
      // createVisitor() runs synchronously up to its first await: the page's first task.
      tasks.add(
        timed(() => {
          opened = openVisitor(createVisitor, storage, (_properties, { timer }) => {
            fired++;
            missed += timer.missed;
          });
        }),
      );
      visitor = (await opened).visitor;
      await settle(() => fired >= count, 'every overdue timer to fire', 1_000_000);
      const total = performance.now() - t0;
      // The figures cover the firings; anything after them (a timer firing twice) is checked, off the clock.
      await tasks.sleep(20);
      if (fired !== count) throw new Error(`startup: ${fired} firings for ${count} timers`);
      if (missed < count * 59) throw new Error(`startup: missed counts add up to ${missed}, expected about ${count * 60}`);
      samples.push({ total, longest: tasks.longest, longestBusy: tasks.longestBusy, bytes: storage.bytes - bytesBefore, tasks: tasks.count });
    } finally {
      tasks.restore();
      visitor?.close();
    }
  }
  const floorStorage = countingStorage();
  seedTimers(floorStorage, { count, format: 'keys', overdue: true, now: Date.now() });
  let handled = 0;
  const t0 = performance.now();
  for (let n = 1; n <= count; n++) {
    const record = JSON.parse(floorStorage.getItem(`engagekit:${ENGAGEMENT}:timer:t${n}`));
    floorStorage.setItem(`engagekit:${ENGAGEMENT}:timer-last:t${n}`, String(Date.now()));
    if (record.command) handled++;
  }
  const floorMs = performance.now() - t0;
  if (handled !== count) throw new Error('startup floor: records missing');
  const pick = (key) => median(samples.map((s) => s[key]));
  return {
    count,
    totalMs: pick('total'),
    longestTaskMs: pick('longest'),
    longestTaskBusyMs: pick('longestBusy'),
    bytesWritten: pick('bytes'),
    tasks: pick('tasks'),
    samples,
    floorMs,
  };
}

/**
 * Both figures: `command` by label (`floor`, `ordinary`, `0`, `100`, `1000`: `{ us, min, max, bytes, samples }`, µs
 * and bytes written per command, median and range of the rounds), and `startup`
 * (`{ count, totalMs, longestTaskMs, longestTaskBusyMs, bytesWritten, tasks, samples, floorMs }`:
 * `longestTaskBusyMs` counts CPU time where that is less than wall time, see `timed`).
 */
export async function benchTimers(createVisitor, { rounds = 15, perRound = 20, startupRounds = 3, format = 'keys' } = {}) {
  const command = await benchTimerCommand(createVisitor, { rounds, perRound, format });
  const startup = await benchTimerStartup(createVisitor, { rounds: startupRounds, format });
  return { command, startup };
}
