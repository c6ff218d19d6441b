#!/usr/bin/env node
// The performance figures of the SDK, each beside its floor (the least the same
// work can cost, measured in the same run) and its goal. Uses the built dist/:
//
//   npm run build && node scripts/bench.mjs [options]
//
//   --quick          fewer frames and rounds, and a tenth of the memory run (a smoke test; figures are noisier)
//   --markdown       also print the table as Markdown (docs/performance.md)
//   --no-e2e         skip the Chromium figures
//   --e2e-url URL    measure this page instead of the demo (it must expose the hook: docs/performance.md)
//   --no-standin     when the demo page lacks the hook, skip the Chromium figures instead of using the stand-in page
//   --chromium PATH  the browser (default /usr/bin/chromium)
//
// Plain performance.now() loops: warm-up rounds first, then several rounds, the median reported.
// Re-runs itself with --expose-gc when started without it (the memory figure needs full collections).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const self = fileURLToPath(import.meta.url);
if (typeof globalThis.gc !== 'function') {
  const child = spawnSync(process.execPath, ['--expose-gc', ...process.execArgv, self, ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(child.status ?? 1);
}

const root = resolve(dirname(self), '..');
const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const option = (name, fallback) => {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] ? argv[i + 1] : fallback;
};
const quick = flag('--quick');

const { benchDispatch, benchMemory, benchRecordEvent, EXTRA_TICKS, TRIM } = await import('./bench/pipeline.mjs');
const { fmtMB, fmtMs, fmtRate, fmtRatio, fmtUs, machine, markdownTable, median, percentile, textTable } = await import('./bench/lib.mjs');

/** The goals of the performance issue. */
const GOALS = {
  dispatchPerSecond: 200_000,
  recordEventUs: 5,
  memoryBytes: 10 * 2 ** 20,
};

const SETTINGS = quick
  ? { frames: 10_000, dispatchRounds: 3, dispatchWarmup: 1, batch: 500, eventRounds: 7, eventWarmup: 3, commands: 100_000, events: 10_000, loads: 3, e2eCommands: 50, e2eWarmup: 10 }
  : { frames: 50_000, dispatchRounds: 5, dispatchWarmup: 1, batch: 500, eventRounds: 15, eventWarmup: 3, commands: 1_000_000, events: 100_000, loads: 10, e2eCommands: 200, e2eWarmup: 20 };

if (!existsSync(join(root, 'dist/index.js'))) {
  console.error('bench: dist/index.js is missing: run npm run build first');
  process.exit(1);
}
const { createVisitor } = await import(pathToFileURL(join(root, 'dist/index.js')).href);
const { staleDist } = await import('./size.mjs');
const stale = staleDist();
if (stale) console.warn(`bench: warning: ${stale} is newer than dist/: run npm run build to measure the current code\n`);

const m = machine();
console.log(`EngageKit bench: ${m.date}`);
console.log(`machine: ${m.cpu}, ${m.cores} cores, ${m.memory}; ${m.os}; Node ${m.node} (V8 ${m.v8})${quick ? '; --quick' : ''}\n`);

const rows = [];
const notes = [];
const missed = [];
const log = (text) => process.stderr.write(`… ${text}\n`);

let failed = 0;
/** Runs one part of the bench; if it throws, its rows say so and the others still run. */
async function section(labels, run) {
  try {
    await run();
  } catch (error) {
    failed++;
    console.error(error);
    for (const label of labels) rows.push([label, `failed: ${error?.message ?? error}`, '', '', '', '']);
  }
}

/** met? column, and a line for the goals-missed list. */
function verdict(figure, ok, shortfall) {
  if (ok === undefined) return '—';
  if (!ok) missed.push(`${figure}: ${shortfall}`);
  return ok ? 'yes' : 'NO';
}

// ---- command dispatch
for (const perTask of [true, false]) {
  const label = perTask ? 'dispatch, one frame per task (as a browser delivers them)' : 'dispatch, burst of frames in one task';
  await section([label], async () => {
    log(`${label}: ${SETTINGS.frames.toLocaleString('en-US')} frames × ${SETTINGS.dispatchRounds} rounds`);
    const r = await benchDispatch(createVisitor, {
      frames: SETTINGS.frames,
      warmup: SETTINGS.dispatchWarmup,
      rounds: SETTINGS.dispatchRounds,
      perTask,
    });
    const ok = r.rate >= GOALS.dispatchPerSecond;
    rows.push([
      label,
      fmtRate(r.rate),
      fmtRate(r.floorRate),
      fmtRatio(r.floorRate / r.rate),
      `≥ ${fmtRate(GOALS.dispatchPerSecond)}`,
      verdict(label, ok, `${fmtRate(r.rate)} is ${((1 - r.rate / GOALS.dispatchPerSecond) * 100).toFixed(0)}% under the goal; it needs ×${(GOALS.dispatchPerSecond / r.rate).toFixed(1)}`),
    ]);
    notes.push(
      `${label}: ${(1e6 / r.rate).toFixed(2)} µs per command against ${(1e6 / r.floorRate).toFixed(2)} µs for the floor; ` +
        `rounds: ${r.samples.map((x) => Math.round(x).toLocaleString('en-US')).join(', ')} /s; by CPU time instead of wall time: ${fmtRate(r.cpuRate)}.`,
    );
  });
}

// ---- recordEvent
await section(["recordEvent, caller's thread"], async () => {
  log(`recordEvent: ${SETTINGS.batch} calls × ${SETTINGS.eventRounds} rounds`);
  const r = await benchRecordEvent(createVisitor, { batch: SETTINGS.batch, warmup: SETTINGS.eventWarmup, rounds: SETTINGS.eventRounds });
  const label = "recordEvent, caller's thread (call → request handed to fetch)";
  const ok = r.us <= GOALS.recordEventUs;
  rows.push([
    label,
    `${fmtUs(r.us)} /call`,
    `${fmtUs(r.floorUs)} /call`,
    fmtRatio(r.us / r.floorUs),
    `≤ ${GOALS.recordEventUs} µs`,
    verdict(label, ok, `${fmtUs(r.us)} is ${fmtUs(r.us - GOALS.recordEventUs)} (${((r.us / GOALS.recordEventUs - 1) * 100).toFixed(0)}%) over the goal`),
  ]);
  rows.push(['recordEvent, call → promise resolved (information)', `${fmtUs(r.settledUs)} /call`, '—', '—', '—', '—']);
  notes.push(
    `recordEvent: the clock covers the call and ${r.turnsPerCall.toFixed(1)} microtask turns (until fetch is called, plus ${EXTRA_TICKS}); the cost of empty turns is subtracted. ` +
      `Mean per call without the slowest ${TRIM * 100}% of calls (preemptions); the plain mean is ${fmtUs(r.meanUs)}. ` +
      'The fake fetch answers in a later task, off the clock; "→ promise resolved" is wall time including that hop and the SDK handling the answer.',
  );
});

// ---- memory
await section(['heap growth'], async () => {
  log(`memory: ${SETTINGS.commands.toLocaleString('en-US')} commands and ${SETTINGS.events.toLocaleString('en-US')} events in one visitor`);
  const r = await benchMemory(createVisitor, { commands: SETTINGS.commands, events: SETTINGS.events });
  const label = `heap growth, ${SETTINGS.commands.toLocaleString('en-US')} commands + ${SETTINGS.events.toLocaleString('en-US')} events, one visitor`;
  const ok = r.growth < GOALS.memoryBytes;
  rows.push([label, fmtMB(r.growth), fmtMB(r.floorGrowth), '—', `< ${fmtMB(GOALS.memoryBytes)}`, verdict(label, ok, `${fmtMB(r.growth)} is ${fmtMB(r.growth - GOALS.memoryBytes)} over`)]);
  notes.push(
    `memory: heapUsed after full GCs, before and after, the visitor still alive; growth at each quarter: ${r.checkpoints.map((c) => fmtMB(c.growth)).join(', ')} ` +
      `(flat = bounded); transcript holds ${r.retained.transcript} entries. Floor: the bare parse+lookup+call loop over as many frames (nothing retained: the measurement's noise).`,
  );
});

// ---- end to end in Chromium
if (flag('--no-e2e')) {
  rows.push(['end to end in Chromium', 'skipped: --no-e2e', '', '', '', '']);
} else {
  await section(['end to end in Chromium'], e2e);
}

async function e2e() {
  const { runE2E } = await import('./bench/e2e.mjs');
  const executablePath = option('--chromium', '/usr/bin/chromium');
  const settings = { executablePath, loads: SETTINGS.loads, commands: SETTINGS.e2eCommands, warmup: SETTINGS.e2eWarmup, timeout: 10_000 };
  let result;
  let page;
  const explicit = option('--e2e-url');
  if (explicit) {
    page = explicit;
    log(`end to end: ${page}`);
    result = await runE2E({ url: page, ...settings });
  } else {
    const { startDemoServer } = await import(pathToFileURL(join(root, 'demo/serve.mjs')).href);
    const server = await startDemoServer({ port: 0 });
    page = `http://127.0.0.1:${server.address().port}/`;
    log(`end to end: the demo, ${page}`);
    try {
      result = await runE2E({ url: page, ...settings });
    } finally {
      await new Promise((done) => server.close(done));
    }
    const demoMissing = result.skipped ?? result.commandsSkipped;
    if (demoMissing && !flag('--no-standin') && existsSync(executablePath)) {
      notes.push(`end to end: the demo page could not be measured (${demoMissing}); the figures are from the stand-in page scripts/bench/standin.mjs.`);
      const { startStandin } = await import('./bench/standin.mjs');
      const standin = await startStandin();
      page = `stand-in page ${standin.url}`;
      log(`end to end: ${page}`);
      try {
        result = await runE2E({ url: standin.url, ...settings });
      } finally {
        await standin.close();
      }
    }
  }
  e2eRows(result, page);
}

function e2eRows(result, page) {
  const skip = (label, why) => rows.push([label, `skipped: ${why}`, '', '', '', '']);
  const startLabel = `e2e: script tag → connection open (median of ${SETTINGS.loads} loads)`;
  const sdkStartLabel = 'e2e: createVisitor() → connection open';
  const latencyLabel = `e2e: operator PUT → handler called, median (${SETTINGS.e2eCommands} commands)`;
  const p99Label = 'e2e: operator PUT → handler called, p99';
  if (result.skipped) {
    for (const label of [startLabel, sdkStartLabel, latencyLabel, p99Label]) skip(label, result.skipped);
    return;
  }
  const loads = result.loads;
  const handshake = Array.isArray(result.handshakes) ? median(result.handshakes) : undefined;
  const handshakeText = handshake === undefined ? `— (${result.handshakes?.error})` : fmtMs(handshake);
  const start = median(loads.map((l) => l.open - l.script));
  const sdkStart = median(loads.map((l) => l.open - l.created));
  const pageWait = median(loads.map((l) => l.created - l.defined));
  // With an SDK that cost nothing: the page's own work before createVisitor(), then a bare handshake.
  const startFloor = handshake === undefined ? undefined : pageWait + handshake;
  rows.push([startLabel, fmtMs(start), startFloor === undefined ? handshakeText : fmtMs(startFloor), startFloor ? fmtRatio(start / startFloor) : '—', '—', '—']);
  rows.push([sdkStartLabel, fmtMs(sdkStart), handshakeText, handshake ? fmtRatio(sdkStart / handshake) : '—', '—', '—']);
  notes.push(
    `e2e (${page}): from ${loads[0].how} of dist/engagekit.global.js; medians over ${loads.length} loads after a first one that installs the service worker: ` +
      `evaluating the bundle ${fmtMs(median(loads.map((l) => l.defined - l.script)))}, ` +
      `the page's own work until createVisitor() (starting the reference server) ${fmtMs(pageWait)}, ` +
      `createVisitor() → open ${fmtMs(sdkStart)}. Floors: a bare WebSocket to the same stream, constructor → ready (median of 20: ${handshakeText}); ` +
      `for "script tag → open", that plus the page's own work, i.e. the same page with an SDK that cost nothing.`,
  );
  if (result.commandsSkipped) {
    skip(latencyLabel, result.commandsSkipped);
    skip(p99Label, result.commandsSkipped);
    return;
  }
  if (result.commands?.error) {
    skip(latencyLabel, result.commands.error);
    skip(p99Label, result.commands.error);
    return;
  }
  const { handler, put, crossOriginIsolated } = result.commands;
  const stamped = result.commands.floor.map((f, i) => (f === null ? null : { floor: f, own: handler[i] - f })).filter(Boolean);
  const floor = stamped.map((x) => x.floor);
  const own = stamped.map((x) => x.own);
  const ms = (values, p) => (values.length ? (p === 50 ? median(values) : percentile(values, p)) : undefined);
  const cells = (p) => {
    const result = ms(handler, p);
    const base = ms(floor, p);
    return [fmtMs(result), base === undefined ? '— (frames not stamped)' : fmtMs(base), base === undefined ? '—' : fmtRatio(result / base), '—', '—'];
  };
  rows.push([latencyLabel, ...cells(50)]);
  rows.push([p99Label, ...cells(99)]);
  const us = (value) => (value === undefined ? '—' : `${Math.round(value * 1000)} µs`);
  rows.push(["e2e: the SDK's share, frame at the socket → handler called, median / p99", `${us(ms(own, 50))} / ${us(ms(own, 99))}`, '—', '—', '—', '—']);
  notes.push(
    `e2e commands: floor = the same command's frame reaching the visitor's socket, before the SDK parses it; the SDK's own share per command: ` +
      `median ${us(ms(own, 50))}, p99 ${us(ms(own, 99))} over ${own.length} stamped frames (parse, validate, dedupe and persist the ids, transcript and its listeners, handler call). ` +
      `The PUT's own round trip: median ${fmtMs(median(put))}. Clock: performance.now() in the page, ${crossOriginIsolated ? '5 µs' : '100 µs'} steps` +
      `${crossOriginIsolated ? ' (cross-origin isolated)' : ' (not cross-origin isolated)'}.`,
  );
}

// ---- the table
const header = ['figure', 'result', 'floor', 'ratio (cost ÷ floor cost)', 'goal', 'met?'];
console.log(textTable(header, rows));
console.log('\nNotes:');
for (const note of notes) console.log(`- ${note}`);
console.log(missed.length ? `\nGoals missed:\n${missed.map((line) => `- ${line}`).join('\n')}` : '\nEvery goal is met.');
if (flag('--markdown')) {
  console.log(`\n${markdownTable(header, rows)}`);
}
if (failed) {
  console.error(`\nbench: ${failed} part(s) failed (see above)`);
  process.exitCode = 1;
}
