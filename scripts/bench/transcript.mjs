#!/usr/bin/env node
// What a mounted transcript adds to dispatching commands: rounds A (a visitor
// alone) and B (the same visitor with mountTranscript on an element), run
// alternately (A B, then B A, ...) so that a busy machine slows both alike.
// Each round fills the transcript to its limit first (unmeasured), then times
// `commands` more: the steady state of a long engagement, where every command
// also drops the oldest entry. The built SDK runs (dist/), the network and
// storage are faked as in pipeline.mjs.
//
//   npm run build && node scripts/bench/transcript.mjs [--chromium] [--rounds N] [--commands N] [--limits 200,1000] [--variants floor,hidden,visible] [--dist DIR]
//
// B runs three ways against A: 'floor', the least any DOM renderer does (one <li> in, one out,
// per change, on a display:none element); 'hidden', mountTranscript on a display:none element
// (the SDK's own work: JS and DOM changes); 'visible', mountTranscript on a visible scroll area
// (also the browser's style and layout of the new lines).
//
// As a module: `benchTranscript(options)` resolves with the figures (see its TSDoc).
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { fmtUs, machine, median, textTable } from './lib.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * One round, self-contained (no closure, no import): Node runs it with
 * happy-dom, Chromium runs it as page code (page.evaluate serialises it).
 * Returns `{ js, layout }` in milliseconds: `js` from the first of `commands`
 * frames handed to the socket's onmessage until every handler ran, the
 * transcript (and, mounted, its <li>s) had the last command and one more task
 * passed; `layout`, then, bringing style and layout up to date (what the
 * browser does once per frame for the DOM changes of the whole burst).
 */
async function round({ limit, commands, mounted, env }) {
  // mounted: false (A), 'floor', 'hidden' or 'visible' (B).
  const g = globalThis;
  const api = env?.api ?? g.EngageKit;
  const doc = env?.document ?? g.document;
  const nextTask = env?.nextTask ?? (() => new Promise((done) => g.setTimeout(done, 0)));
  const until = async (ok, what) => {
    for (let i = 0; !ok(); i++) {
      if (i > 100_000) throw new Error(`bench: gave up waiting for ${what}`);
      await nextTask();
    }
  };
  const ENGAGEMENT = '9e1bc1a4-5b6e-4e1a-9f3c-2f1b2c3d4e5f';
  const uuid = (n) => `c0ffee00-0000-4000-8000-${String(n).padStart(12, '0')}`;
  // The server's side of the socket: answers hello and ping; frames are handed to onmessage directly.
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
  const fetch = () => Promise.resolve(RESULT);
  const items = new Map();
  const storage = {
    getItem: (key) => (items.has(key) ? items.get(key) : null),
    setItem: (key, value) => void items.set(key, String(value)),
    removeItem: (key) => void items.delete(key),
    get length() {
      return items.size;
    },
  };
  let handled = 0;
  const visitor = api.createVisitor({
    baseUrl: 'https://api.bench.test',
    engagementId: ENGAGEMENT,
    token: 'bench-visitor-token',
    WebSocket: BenchWebSocket,
    fetch,
    storage,
    logLevel: 'silent',
    transcript: { limit },
    connect: true,
    handlers: { highlight: () => void handled++ },
  });
  await until(() => visitor.connection.status === 'open', 'the socket to open');
  const frame = (seq) => ({
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
  const push = async (events) => {
    // A microtask checkpoint after each frame, as a browser has after each message event.
    for (const event of events) {
      sockets[sockets.length - 1].onmessage(event);
      await undefined;
    }
  };

  // Full first, unmeasured.
  await push(Array.from({ length: limit }, (_, i) => frame(i + 1)));
  await until(() => handled >= limit, 'the transcript to fill');
  let element;
  let unmount;
  if (mounted) {
    element = doc.createElement('div');
    // 'hidden' and 'floor': display:none, so the browser does no style or layout for it.
    const least = mounted === 'floor' || mounted === 'floor-visible';
    element.className = `bench-transcript bench-${mounted === 'visible' || mounted === 'floor-visible' ? 'visible' : 'hidden'}`;
    doc.body.append(element);
    if (!least) unmount = api.mountTranscript(element, visitor.transcript);
    else {
      // The least any DOM renderer does per change: one <li> with one text node in, one out
      // (with the renderer's class names, so that the visible one gets the same style and layout).
      const list = element.appendChild(doc.createElement('ol'));
      list.className = 'engagekit-transcript';
      const lis = new Map();
      const apply = (_, change) => {
        for (const entry of change.removed) {
          lis.get(entry)?.remove();
          lis.delete(entry);
        }
        for (const entry of change.added) {
          const li = doc.createElement('li');
          li.className = 'engagekit-entry';
          li.textContent = entry.text;
          lis.set(entry, list.appendChild(li));
        }
      };
      unmount = visitor.transcript.subscribe(apply);
    }
  }
  const events = Array.from({ length: commands }, (_, i) => frame(limit + i + 1));
  const total = limit + commands;
  const t0 = performance.now();
  await push(events);
  await until(() => handled >= total, 'every command to be handled');
  await nextTask();
  const t1 = performance.now();
  // In both rounds: what style and layout cost for the DOM changes (nothing to do in A).
  void doc.body.offsetHeight;
  const t2 = performance.now();

  const entries = visitor.transcript.entries;
  const last = entries[entries.length - 1];
  if (entries.length !== limit || last?.id !== uuid(total)) throw new Error('bench: the transcript does not end with the last command');
  if (mounted) {
    const lis = element.querySelectorAll('li');
    if (lis.length !== limit || lis[lis.length - 1].textContent !== last.text) throw new Error('bench: the rendered transcript is not the transcript');
    unmount();
    element.remove();
  }
  visitor.close();
  return { js: t1 - t0, layout: t2 - t1 };
}

const spread = (values) => ({ median: median(values), min: Math.min(...values), max: Math.max(...values) });

/**
 * A (no transcript mounted) against B (mounted), alternately, at each limit.
 *
 * @param {object} [options]
 * @param {number[]} [options.limits] transcript limits (default [200, 1000])
 * @param {number} [options.rounds] measured rounds of each of A and B per limit (default 15)
 * @param {number} [options.warmup] unmeasured pairs first (default 3)
 * @param {number} [options.commands] commands timed per round, after the transcript is full (default 500)
 * @param {'happy-dom' | 'chromium'} [options.env] where the DOM is (default happy-dom, in this process)
 * @param {string} [options.dist] the built SDK to measure (default this repository's dist/)
 * @param {string} [options.chromium] the browser, for env 'chromium' (default CHROMIUM_PATH or /usr/bin/chromium)
 * @param {Array<'floor' | 'hidden' | 'visible'>} [options.variants] the B rounds to run (default all three; 'floor' needs `transcript.subscribe` with changes)
 * @returns {Promise<{ env: string, commands: number, rounds: number, results: Array<{
 *   limit: number,
 *   a: Spread,                            // µs per command, no transcript mounted
 *   floor: { b: Spread, ratio: Spread },  // instead of mountTranscript, the least a DOM renderer does (one <li> in, one out; display:none)
 *   hidden: { b: Spread, ratio: Spread }, // mounted on a display:none element: the SDK's work (JS and DOM changes) alone
 *   visible: { b: Spread, ratio: Spread },// mounted on a visible scroll area: also the browser's style and layout of the new lines
 *   'floor-visible': { b: Spread, ratio: Spread }, // the least renderer on the same visible scroll area: the browser's own share
 * }> }>} where `Spread` is `{ median, min, max }`; `b` in µs per command,
 *   `ratio` B / A of each pair of rounds (A run just before or after).
 *   Each round's time runs from the first frame until every handler ran, the
 *   transcript had the last command, one more task passed and style and
 *   layout were brought up to date.
 */
export async function benchTranscript({
  limits = [200, 1000],
  rounds = 15,
  warmup = 3,
  commands = 500,
  env = 'happy-dom',
  dist = join(root, 'dist'),
  chromium = process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  variants = ['floor', 'hidden', 'floor-visible', 'visible'],
} = {}) {
  const runner = env === 'chromium' ? await chromiumRunner(dist, chromium) : await happyDomRunner(dist);
  const results = [];
  try {
    for (const limit of limits) {
      const samples = { a: [], ...Object.fromEntries(variants.map((v) => [v, { b: [], ratio: [] }])) };
      for (let i = 0; i < warmup + rounds; i++) {
        // A against each B, alternately first and second: neither always runs first.
        for (const variant of variants) {
          const order = i % 2 ? [variant, false] : [false, variant];
          const times = {};
          for (const mounted of order) {
            globalThis.gc?.();
            const { js, layout } = await runner({ limit, commands, mounted });
            times[mounted] = ((js + layout) / commands) * 1000;
          }
          if (i < warmup) continue;
          if (variant === variants[0]) samples.a.push(times.false);
          samples[variant].b.push(times[variant]);
          samples[variant].ratio.push(times[variant] / times.false);
        }
      }
      const result = { limit, a: spread(samples.a) };
      for (const variant of variants) result[variant] = { b: spread(samples[variant].b), ratio: spread(samples[variant].ratio) };
      results.push(result);
    }
  } finally {
    await runner.close();
  }
  return { env, commands, rounds, results };
}

async function happyDomRunner(dist) {
  const file = join(dist, 'index.js');
  if (!existsSync(file)) throw new Error(`bench: ${file} is missing: run npm run build first`);
  const api = await import(pathToFileURL(file).href);
  const { Window } = await import('happy-dom');
  const window = new Window();
  const nextTask = () => new Promise((done) => setImmediate(done));
  // The renderer schedules its scroll with the element's window: happy-dom's.
  const run = (args) => round({ ...args, env: { api, document: window.document, nextTask } });
  run.close = () => window.happyDOM.close();
  return run;
}

async function chromiumRunner(dist, executablePath) {
  const file = join(dist, 'engagekit.global.js');
  if (!existsSync(file)) throw new Error(`bench: ${file} is missing: run npm run build first`);
  if (!existsSync(executablePath)) throw new Error(`bench: no Chromium at ${executablePath}`);
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  // A chat-sized scroll area with the README's suggested style (a block list without markers),
  // so that showing and following the newest entry has real layout to do.
  await page.setContent(
    '<!doctype html><style>.bench-transcript{height:300px;overflow:auto}.bench-hidden{display:none}.engagekit-transcript{list-style:none;margin:0;padding:0}.engagekit-entry{padding:6px 10px;margin-bottom:6px}</style><body></body>',
  );
  await page.addScriptTag({ path: file });
  const run = (args) => page.evaluate(round, args);
  run.close = () => browser.close();
  return run;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const option = (name, fallback) => {
    const i = argv.indexOf(name);
    return i >= 0 && argv[i + 1] ? argv[i + 1] : fallback;
  };
  const figures = await benchTranscript({
    env: argv.includes('--chromium') ? 'chromium' : 'happy-dom',
    rounds: Number(option('--rounds', 15)),
    commands: Number(option('--commands', 500)),
    limits: option('--limits', '200,1000').split(',').map(Number),
    dist: resolve(option('--dist', join(root, 'dist'))),
    variants: option('--variants', 'floor,hidden,floor-visible,visible').split(','),
  });
  const m = machine();
  console.log(`Transcript A/B (${figures.env}): ${figures.commands} commands per round after filling the transcript, ${figures.rounds} rounds each, A and B alternating`);
  console.log(`${m.date}; ${m.node}; ${m.cpu}\n`);
  const range = ({ min, max }, fmt) => `${fmt(min)} – ${fmt(max)}`;
  const x = (r) => `×${r.toFixed(2)}`;
  const rows = [];
  for (const result of figures.results) {
    for (const variant of ['floor', 'hidden', 'floor-visible', 'visible'].filter((v) => result[v])) {
      const { b, ratio } = result[variant];
      rows.push([String(result.limit), fmtUs(result.a.median), range(result.a, fmtUs), variant, fmtUs(b.median), range(b, fmtUs), x(ratio.median), range(ratio, x)]);
    }
  }
  console.log(textTable(['limit', 'A: alone, median', 'A range', 'B: mounted on', 'B median', 'B range', 'B/A median', 'B/A range'], rows));
  if (figures.env === 'happy-dom') console.log('\n(happy-dom has no layout: hidden and visible are the same work there)');
  console.log('floor: the least a DOM renderer does per change (one <li> in, one out), for comparison with hidden');
}
