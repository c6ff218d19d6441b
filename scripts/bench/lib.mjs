// Helpers of scripts/bench.mjs: timing, fakes of the network and storage, formatting.
import { cpus, loadavg, platform, release, totalmem } from 'node:os';

/** Resolves after the current task and every microtask it queued (Node: the check phase). */
export const nextTask = () => new Promise((resolve) => setImmediate(resolve));

/** Waits, task by task, until `done()` is true; throws after `limit` tasks. */
export async function settle(done, what, limit = 100_000) {
  for (let i = 0; !done(); i++) {
    if (i >= limit) throw new Error(`bench: gave up waiting for ${what}`);
    await nextTask();
  }
}

export const gc = () => {
  if (typeof globalThis.gc === 'function') globalThis.gc();
};

/** Full collections until the heap stops shrinking; returns heapUsed in bytes. */
export async function settledHeap() {
  let last = Infinity;
  for (let i = 0; i < 10; i++) {
    await nextTask();
    gc();
    const used = process.memoryUsage().heapUsed;
    if (used >= last - 1024) return used;
    last = used;
  }
  return process.memoryUsage().heapUsed;
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The mean without the largest `trim` fraction of the values (preemptions on a busy machine). */
export function trimmedMean(values, trim) {
  const sorted = [...values].sort((a, b) => a - b);
  const kept = sorted.slice(0, Math.max(1, Math.round(sorted.length * (1 - trim))));
  return kept.reduce((a, b) => a + b, 0) / kept.length;
}

export const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;

/** Nearest-rank percentile (p in 0..100). */
export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/**
 * Runs `round()` (which returns elapsed milliseconds for the work it timed)
 * `warmup` times unmeasured, then `rounds` times, with a full GC before each
 * (when --expose-gc); returns the median and every sample.
 */
export async function measure({ warmup, rounds, round }) {
  for (let i = 0; i < warmup; i++) {
    gc();
    await round(true);
  }
  const samples = [];
  for (let i = 0; i < rounds; i++) {
    gc();
    await nextTask();
    samples.push(await round(false));
  }
  return { median: median(samples), samples };
}

/** A `localStorage`/`sessionStorage` stand-in: Node has neither. Map-backed, strings only, like the real ones. */
export function mapStorage() {
  const items = new Map();
  const storage = {
    writes: 0,
    getItem: (key) => (items.has(key) ? items.get(key) : null),
    setItem(key, value) {
      storage.writes++;
      items.set(key, String(value));
    },
    removeItem: (key) => void items.delete(key),
    get length() {
      return items.size;
    },
    items,
  };
  return storage;
}

/**
 * A WebSocket constructor for `createVisitor({ WebSocket })` and a handle to
 * play the server: it opens on the next microtask, answers the client's
 * `hello` with `ready` and `ping` with `pong` (docs/protocol.md), and lets the
 * bench hand frames straight to the SDK's `onmessage`, synchronously, with no
 * network or event loop in between.
 */
export function fakeStream() {
  const server = { socket: undefined, hellos: [], WebSocket: undefined };
  class BenchWebSocket {
    constructor(url) {
      this.url = url;
      this.readyState = 0;
      this.onopen = this.onmessage = this.onclose = this.onerror = null;
      server.socket = this;
      queueMicrotask(() => {
        this.readyState = 1;
        this.onopen?.({ type: 'open' });
      });
    }
    send(data) {
      const frame = JSON.parse(data);
      if (frame.type === 'hello') {
        server.hellos.push(frame);
        queueMicrotask(() => this.onmessage?.({ data: JSON.stringify({ type: 'ready', last_seq: frame.after ?? 0 }) }));
      } else if (frame.type === 'ping') {
        queueMicrotask(() => this.onmessage?.({ data: '{"type":"pong"}' }));
      }
    }
    close() {
      this.readyState = 3;
      if (server.socket === this) server.socket = undefined;
    }
  }
  server.WebSocket = BenchWebSocket;
  /** Delivers one message event to the SDK, as the browser would from a socket. */
  server.push = (event) => server.socket.onmessage(event);
  return server;
}

/**
 * A minimal `Response`: what the SDK reads (`ok`, `status`, `text()`,
 * `headers.get`). Not undici's Response, whose construction alone costs more
 * than the SDK's whole result report and is not what a browser spends.
 */
export function fakeResponse(status, text) {
  return { ok: status >= 200 && status < 300, status, statusText: '', headers: { get: () => null }, text: () => Promise.resolve(text) };
}

/**
 * A `fetch` that answers at once (a resolved promise, no network): 200 `{}`
 * for command results (single or batched; `calls.results` counts results), 200 and the created event for `POST .../events`.
 * Counts calls by kind.
 */
export function fakeFetch() {
  const calls = { results: 0, events: 0, other: 0 };
  const RESULT = fakeResponse(200, '{}');
  let eventId = 0;
  const fetch = (url, init) => {
    if (url.endsWith('/result')) {
      calls.results++;
      return Promise.resolve(RESULT);
    }
    // The SDK batches results: count the items (a scan, cheaper than parsing the body).
    if (url.endsWith('/results')) {
      calls.results += init.body.split('"command_id"').length - 1;
      return Promise.resolve(RESULT);
    }
    if (url.endsWith('/events')) {
      calls.events++;
      const { message } = JSON.parse(init.body);
      const n = ++eventId;
      const event = {
        timestamp: '2025-01-01T00:00:00Z',
        id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
        engagement_id: 'bench-engagement',
        sub_engagement_id: 'bench-sub',
        content: message,
        status: 'sent',
        sender: { type: 'visitor' },
        target: 'operator',
      };
      return Promise.resolve(fakeResponse(200, JSON.stringify(event)));
    }
    calls.other++;
    return Promise.resolve(fakeResponse(200, '{}'));
  };
  return { fetch, calls };
}

export const uuidFor = (n, prefix = '00000000') => `${prefix}-0000-4000-8000-${String(n).padStart(12, '0')}`;

/**
 * A command frame as the reference server sends it (docs/protocol.md):
 * every other command has `content`, the others show the transcript's fallback text.
 */
export function commandFrame(seq, engagementId, name = 'highlight') {
  return JSON.stringify({
    type: 'command',
    seq,
    command: {
      id: uuidFor(seq, 'c0ffee00'),
      engagement_id: engagementId,
      sub_engagement_id: 'bench-sub',
      content: seq % 2 ? `The operator highlighted item ${seq}` : null,
      properties: { name, selector: `#item-${seq}` },
    },
  });
}

// ---------------------------------------------------------------------------
// Interleaved rounds

/** `{ median, min, max, n }` of the samples. */
export function spread(values) {
  if (!values.length) return { median: NaN, min: NaN, max: NaN, n: 0 };
  return { median: median(values), min: Math.min(...values), max: Math.max(...values), n: values.length };
}

/**
 * Runs every subject's round once per round, in an order that rotates from
 * round to round (A B, B A, ... or A B C, B C A, C A B, ...), so that a slower
 * stretch of a shared machine falls on every subject alike and none always
 * runs first. `subjects` maps a name to `round(warm)`, which returns the
 * round's figure (any unit; smaller is better). The first `warmup` rounds are
 * not kept. A full GC (with --expose-gc) and one task before each round.
 * Returns `{ samples: { name: number[] }, ratio(a, b) }`; `ratio(a, b)` is the
 * spread of a ÷ b over the rounds, each round's a against the same round's b.
 */
export async function interleave({ subjects, rounds, warmup = 1, before }) {
  const names = Object.keys(subjects);
  const samples = Object.fromEntries(names.map((name) => [name, []]));
  for (let r = -warmup; r < rounds; r++) {
    const turn = ((r % names.length) + names.length) % names.length;
    const order = [...names.slice(turn), ...names.slice(0, turn)];
    for (const name of order) {
      gc();
      await nextTask();
      await before?.(name);
      const value = await subjects[name](r < 0);
      if (r >= 0) samples[name].push(value);
    }
  }
  return {
    samples,
    spread: (name) => spread(samples[name]),
    ratio: (a, b) => spread(samples[a].map((value, i) => value / samples[b][i])),
  };
}

/**
 * A `localStorage` stand-in with `key()`, as Web Storage has (the SDK finds
 * what closed tabs left, and stored timers, by a scan of the keys). Map-backed,
 * strings only; `key(i)` reads a key array rebuilt after a key is added or removed.
 */
export function keyedStorage() {
  const items = new Map();
  let keys;
  const storage = {
    writes: 0,
    getItem: (key) => (items.has(key) ? items.get(key) : null),
    setItem(key, value) {
      storage.writes++;
      if (!items.has(key)) keys = undefined;
      items.set(key, String(value));
    },
    removeItem(key) {
      if (items.delete(key)) keys = undefined;
    },
    key: (index) => (keys ??= [...items.keys()])[index] ?? null,
    clear() {
      items.clear();
      keys = undefined;
    },
    get length() {
      return items.size;
    },
    items,
  };
  return storage;
}

/**
 * An in-memory Web Locks manager (`navigator.locks`'s `request`, exclusive
 * mode, `signal`): Node has none. A lock nobody holds is granted at once, as
 * the browser grants the lock of a tab that is gone.
 */
export function memoryLocks() {
  const held = new Map();
  const request = (name, options, callback) =>
    new Promise((resolve, reject) => {
      const waiter = { grant: undefined };
      const queue = held.get(name) ?? [];
      held.set(name, queue);
      const grant = () => {
        Promise.resolve()
          .then(() => callback({ name }))
          .then(resolve, reject)
          .finally(() => {
            queue.shift();
            queue[0]?.grant();
          });
      };
      waiter.grant = grant;
      queue.push(waiter);
      options?.signal?.addEventListener('abort', () => {
        const at = queue.indexOf(waiter);
        if (at > 0) {
          queue.splice(at, 1);
          reject(new DOMException('aborted', 'AbortError'));
        }
      });
      if (queue.length === 1) grant();
    });
  return { request };
}

/**
 * The 1-minute load average, sampled every few seconds while the bench runs:
 * how busy the machine was (a load above the number of cores means processes
 * waited for a CPU).
 */
export function loadTracker(everyMs = 5_000) {
  const samples = [loadavg()[0]];
  const timer = setInterval(() => samples.push(loadavg()[0]), everyMs);
  timer.unref();
  return {
    sample: () => samples.push(loadavg()[0]),
    stop() {
      clearInterval(timer);
      samples.push(loadavg()[0]);
      return spread(samples);
    },
  };
}

export function machine() {
  const cpu = cpus();
  return {
    cpu: cpu[0]?.model?.trim() ?? 'unknown',
    cores: cpu.length,
    memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    os: `${platform()} ${release()}`,
    node: process.version,
    v8: process.versions.v8,
    date: new Date().toISOString(),
  };
}

// ---------------------------------------------------------------------------
// Formatting

export const fmtRate = (perSecond) => `${Math.round(perSecond).toLocaleString('en-US')} /s`;
export const fmtUs = (us) => (us >= 100 ? `${us.toFixed(0)} µs` : us >= 10 ? `${us.toFixed(1)} µs` : `${us.toFixed(2)} µs`);
export const fmtMs = (ms) => (ms >= 100 ? `${ms.toFixed(0)} ms` : `${ms.toFixed(1)} ms`);
export const fmtMB = (bytes) => `${(Math.abs(bytes) < 5 * 2 ** 10 ? 0 : bytes / 2 ** 20).toFixed(2)} MB`;
export const fmtRatio = (ratio) => (Number.isFinite(ratio) ? `×${ratio >= 10 ? ratio.toFixed(0) : ratio.toFixed(1)}` : '—');

export function textTable(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i] ?? '').length)));
  const line = (cells) => cells.map((c, i) => String(c ?? '').padEnd(widths[i])).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function markdownTable(header, rows) {
  const esc = (c) => String(c ?? '').replace(/\|/g, '\\|');
  return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`)].join('\n');
}
