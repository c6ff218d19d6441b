// Helpers of scripts/bench.mjs: timing, fakes of the network and storage, formatting.
import { cpus, platform, release, totalmem } from 'node:os';

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
