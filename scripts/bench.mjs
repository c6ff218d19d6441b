#!/usr/bin/env node
// The runtime figures of the SDK, each beside its floor (the least the same work
// can cost), measured in the same run, in interleaved rounds (A B, B A, ...), as
// median and range over the rounds, with the ratio of each round to its floor.
// Measures the built dist/ (npm run build first). docs/performance.md says how
// each figure is taken.
//
//   node scripts/bench.mjs [options]
//
//   --quick           fewer rounds and frames, a tenth of the memory run (a smoke run, noisier)
//   --only a,b        only these parts: dispatch, events, timers, transcript, startup, eval, memory, e2e
//   --no-chromium     skip what runs in Chromium (dispatch in Chromium, transcript in Chromium, eval, e2e)
//   --chromium PATH   the browser (default CHROMIUM_PATH or /usr/bin/chromium; never a downloaded one)
//   --dist DIR        the build to measure (default dist/)
//   --against DIR     a second build (e.g. the previous commit's dist/, copied), interleaved with the first
//                     in the dispatch and recordEvent rounds: an A/B of a change
//   --markdown        also print the table as Markdown (docs/performance.md)
//   --json FILE       also write every sample to FILE
//
// Re-runs itself with --expose-gc when started without it (full collections before rounds, and the heap figure).
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
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
const PARTS = ['dispatch', 'events', 'timers', 'transcript', 'startup', 'eval', 'memory', 'e2e'];
const only = option('--only', PARTS.join(',')).split(',');
for (const part of only) {
  if (!PARTS.includes(part)) {
    console.error(`bench: unknown part "${part}" (one of ${PARTS.join(', ')})`);
    process.exit(2);
  }
}
const wants = (part) => only.includes(part);
const quick = flag('--quick');
const noChromium = flag('--no-chromium');
const executablePath = option('--chromium', process.env.CHROMIUM_PATH || '/usr/bin/chromium');
const dist = resolve(option('--dist', join(root, 'dist')));
const against = option('--against') && resolve(option('--against'));

const lib = await import('./bench/lib.mjs');
const { fmtMB, fmtMs, fmtUs, machine, markdownTable, textTable } = lib;

/** The goals of the issue "Cost that does not grow with state" (ratios to the floor measured beside). */
const GOALS = {
  dispatchRatio: 2,
  fullQueueRatio: 2,
  e2eMedianRatio: 1.3,
  e2eP99Ratio: 2,
  startupRatio: 5,
  transcriptRatio: 2,
  memoryBytes: 10 * 2 ** 20,
  overdueTaskMs: 50,
  overdueBytes: 2 ** 20,
};

/** A row whose goal is an absolute most-allowed value (not a ratio to a floor). */
function absoluteRow(figure, { result, floor, n, fmt, goal }) {
  const ok = result.median <= goal;
  verdicts.push({ figure, ok, text: `${figure}: ${fmt(result.median)}, goal ≤ ${fmt(goal)}` });
  rows.push([figure, range(result, fmt), floor ?? '—', '—', String(n), `≤ ${fmt(goal)}`, ok ? 'yes' : 'NO']);
}

const S = quick
  ? { dispatchFrames: 5_000, dispatchRounds: 5, eventRounds: 7, eventCalls: 100, timerRounds: 5, timerStartupRounds: 1, transcriptRounds: 3, transcriptCommands: 200, startupRounds: 5, evalRounds: 5, commands: 100_000, events: 10_000, e2eRounds: 3, e2ePerRound: 10, pacedPerRound: 10, pacedRounds: 2 }
  : { dispatchFrames: 20_000, dispatchRounds: 15, eventRounds: 21, eventCalls: 200, timerRounds: 15, timerStartupRounds: 3, transcriptRounds: 9, transcriptCommands: 500, startupRounds: 21, evalRounds: 15, commands: 1_000_000, events: 100_000, e2eRounds: 20, e2ePerRound: 20, pacedPerRound: 20, pacedRounds: 8 };
const BURST = 100;
const PACE_MS = 100;

for (const [what, dir] of [['--dist', dist], ['--against', against]]) {
  if (dir && !existsSync(join(dir, 'index.js'))) {
    console.error(`bench: ${join(dir, 'index.js')} is missing (${what}): run npm run build first`);
    process.exit(1);
  }
}
if (dist === join(root, 'dist')) {
  const { staleDist } = await import('./size.mjs');
  const stale = staleDist();
  if (stale) console.warn(`bench: warning: ${stale} is newer than dist/: run npm run build to measure the current code\n`);
}

const m = machine();
const load = lib.loadTracker();
const started = performance.now();
console.log(`EngageKit bench: ${m.date}`);
console.log(`machine: ${m.cpu}, ${m.cores} cores, ${m.memory}; ${m.os}; Node ${m.node} (V8 ${m.v8})`);
console.log(`build: ${dist}${against ? `; against: ${against}` : ''}${quick ? '; --quick' : ''}\n`);

const rows = [];
const notes = [];
const verdicts = [];
const raw = {};
const log = (text) => process.stderr.write(`… ${text}\n`);
let failed = 0;

// ---- formatting: every figure as "median (min – max)"
const range = (s, fmt) => `${fmt(s.median)} (${fmt(s.min)} – ${fmt(s.max)})`;
const x = (r) => (r >= 10 ? `×${r.toFixed(0)}` : `×${r.toFixed(2)}`);
const us = (v) => fmtUs(v);
const ms = (v) => fmtMs(v);

/**
 * One row: figure, result and floor as median (range), their ratio as the
 * median (range) of the per-round ratios, the rounds, and the goal with its
 * verdict (a goal is a most-allowed ratio).
 */
function row(figure, { result, floor, ratio, n, fmt = us, goal, ratioText }) {
  let verdict = '—';
  if (goal !== undefined) {
    const ok = ratio.median <= goal;
    verdict = ok ? 'yes' : 'NO';
    verdicts.push({ figure, ok, text: ok ? `${figure}: ${x(ratio.median)}, goal ≤ ×${goal}` : `${figure}: ${x(ratio.median)} against ≤ ×${goal}: ${((ratio.median / goal - 1) * 100).toFixed(0)}% over` });
  }
  rows.push([
    figure,
    result ? range(result, fmt) : '—',
    floor ? range(floor, fmt) : '—',
    ratioText ?? (ratio ? range(ratio, x) : '—'),
    n === undefined ? '' : String(n),
    goal === undefined ? '—' : `≤ ×${goal}`,
    verdict,
  ]);
}

async function section(name, labels, run) {
  const t0 = performance.now();
  try {
    await run();
  } catch (error) {
    failed++;
    console.error(error);
    for (const label of labels) rows.push([label, `failed: ${error?.message ?? error}`, '', '', '', '', '']);
  } finally {
    load.sample();
    log(`${name}: ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  }
}

let browser;
let chromiumSkipped = noChromium ? '--no-chromium' : undefined;
async function chromium() {
  if (browser || chromiumSkipped) return browser;
  const { launchChromium } = await import('./bench/e2e.mjs');
  const launched = await launchChromium(executablePath);
  if (launched.skipped) chromiumSkipped = launched.skipped;
  browser = launched.browser;
  return browser;
}
const skipRow = (figure, why) => rows.push([figure, `skipped: ${why}`, '', '', '', '', '']);

// ---- dispatch: Node and Chromium, one frame per task and in bursts
if (wants('dispatch')) {
  const { benchDispatch, chromiumDispatchRunner, nodeDispatchRunner } = await import('./bench/dispatch.mjs');
  const envs = [['Node', () => nodeDispatchRunner({ dist, baseDist: against })]];
  envs.push(['Chromium', async () => ((await chromium()) ? chromiumDispatchRunner({ browser, dist, baseDist: against }) : undefined)]);
  for (const [env, makeRunner] of envs) {
    for (const burst of [1, BURST]) {
      const figure = `dispatch (${env}), ${burst === 1 ? 'one frame per task' : `bursts of ${burst} frames per task`}, µs per command`;
      await section(`dispatch ${env} ${burst}`, [figure], async () => {
        const run = await makeRunner();
        if (!run) return skipRow(figure, chromiumSkipped);
        try {
          log(`${figure}: ${S.dispatchFrames.toLocaleString('en-US')} frames × ${S.dispatchRounds} rounds`);
          const r = await benchDispatch(run, { frames: S.dispatchFrames, burst, rounds: S.dispatchRounds, warmup: 2, base: Boolean(against) });
          raw[figure] = r.samples;
          row(figure, { result: r.spread('sdk'), floor: r.spread('floor'), ratio: r.ratio('sdk', 'floor'), n: S.dispatchRounds, goal: GOALS.dispatchRatio });
          if (against) row(`  the --against build`, { result: r.spread('base'), floor: r.spread('floor'), ratio: r.ratio('base', 'floor'), n: S.dispatchRounds });
        } finally {
          await run.close();
        }
      });
    }
  }
  notes.push(
    `dispatch: ${S.dispatchFrames.toLocaleString('en-US')} command frames per round handed to the SDK's socket (a fake one: no network), ` +
      `until every handler ran and one more task passed; a microtask checkpoint after each frame (or each burst of ${BURST}), and a real task turn ` +
      `whenever 1 ms passed (timers due run, as between a browser's tasks). A new visitor each round (transcript limit 200, not mounted), ` +
      `fetch answering at once; storage: Node a Map with key(), Chromium its localStorage (emptied). Floor: JSON.parse + Map lookup + the call, same frames, same loop.`,
  );
}

// ---- recordEvent at queue depths, and with a full queue
if (wants('events')) {
  const labels = ['recordEvent'];
  await section('recordEvent', labels, async () => {
    const { benchRecordEvent } = await import('./bench/events.mjs');
    log(`recordEvent: ${S.eventCalls} calls × ${S.eventRounds} rounds per variant`);
    const r = await benchRecordEvent({ dist, baseDist: against, rounds: S.eventRounds, calls: S.eventCalls });
    raw.recordEvent = r.samples;
    // Against the setItem floor, the ratio of the medians: that floor less the idle turns is a few
    // hundred nanoseconds in a quiet round and below zero in a noisy one, so per-round ratios mean nothing.
    const ofMedians = (label) => `${x(r.spread(label).median / r.spread('floor').median)} (of the medians)`;
    for (const depth of [0, 100, 1_000]) {
      row(`recordEvent, queue depth ${depth.toLocaleString('en-US')}${depth === 0 ? ' (network up)' : ' (network down)'}, µs per call`, {
        result: r.spread(`depth ${depth}`),
        floor: r.spread('floor'),
        ratioText: ofMedians(`depth ${depth}`),
        n: S.eventRounds,
      });
    }
    row('recordEvent, full queue (1,000, drop-oldest), µs per call', { result: r.spread('full'), floor: r.spread('floor'), ratioText: ofMedians('full'), n: S.eventRounds });
    // A normal call in the same state (network down, queue long but not full): what dropping adds, alone.
    row('  full queue ÷ a normal call at depth 1,000', { result: r.spread('full'), floor: r.spread('depth 1000'), ratio: r.ratio('full', 'depth 1000'), n: S.eventRounds, goal: GOALS.fullQueueRatio });
    row('  full queue ÷ a call at depth 0 (network up: it also starts the request)', { result: r.spread('full'), floor: r.spread('depth 0'), ratio: r.ratio('full', 'depth 0'), n: S.eventRounds });
    if (against) {
      row('  the --against build, depth 0', { result: r.spread('base depth 0'), floor: r.spread('floor'), ratio: r.ratio('base depth 0', 'floor'), n: S.eventRounds });
      row('  the --against build, full ÷ its depth 1,000', { result: r.spread('base full'), floor: r.spread('base depth 1000'), ratio: r.ratio('base full', 'base depth 1000'), n: S.eventRounds });
    }
    const warnings = r.warningsPerRound;
    notes.push(
      `recordEvent: each call is recordEvent(message).catch(…) and ${r.turns} microtask turns on the clock (at depth 0 the request reaches fetch within them), ` +
        `less the same turns alone (measured in the same rounds: median ${us(r.idleUs)} per call); ${r.calls} calls a round, the mean per call (a warning made once per burst is spread over its calls) ` +
        `without calls a preemption hit (over 20× the round's median and over 100 µs: ${r.excluded.calls} of ${r.excluded.of.toLocaleString('en-US')}). ` +
        `A new visitor each round: depth 0 with a network answering in a later task (each event sent before the next call, off the clock); ` +
        `depths 100 and 1,000 (queue limit 2,000) with the first request hanging, so the queue grows behind it by ${r.calls} over the round; ` +
        `full: the default limit of 1,000 held full, each call drops the oldest (event:dropped each time; warnings logged per round: ${[...new Set(warnings)].join(', ')}). ` +
        `Floor: setItem(key, JSON.stringify({ id, message, at })) on the same Map-backed storage with key(), plus the same turns.`,
    );
  });
}

// ---- timers
if (wants('timers')) {
  await section('timers', ['timers'], async () => {
    const { benchTimers } = await import('./bench/timers.mjs');
    const { createVisitor } = await import(pathToFileURL(join(dist, 'index.js')).href);
    log(`timers: ${S.timerRounds} rounds`);
    const r = await benchTimers(createVisitor, { rounds: S.timerRounds, startupRounds: S.timerStartupRounds });
    raw.timers = r;
    const sp = (c) => ({ median: c.us, min: c.min, max: c.max });
    const per = (label) => lib.spread(r.command[label].samples.map((v, i) => v / r.command.floor.samples[i]));
    for (const count of ['0', '100', '1000']) {
      row(`timer command (set), ${Number(count).toLocaleString('en-US')} other timers set, µs per command`, {
        result: sp(r.command[count]),
        floor: sp(r.command.floor),
        ratio: per(count),
        n: S.timerRounds,
      });
    }
    row('  an ordinary command (no timer), same rounds', { result: sp(r.command.ordinary), floor: sp(r.command.floor), ratio: per('ordinary'), n: S.timerRounds });
    const st = r.startup;
    const totals = lib.spread(st.samples.map((s) => s.total));
    row(`page load with ${st.count.toLocaleString('en-US')} overdue timers: createVisitor() → all fired, ms`, {
      result: totals,
      floor: { median: st.floorMs, min: st.floorMs, max: st.floorMs },
      ratio: lib.spread(st.samples.map((s) => s.total / st.floorMs)),
      n: st.samples.length,
      fmt: ms,
    });
    // The goal is for the page's main thread: no task over 50 ms. Wall time counts the
    // machine's other load too, so the CPU time of that task is printed beside it.
    absoluteRow('  its longest main-thread task, wall time, ms', { result: lib.spread(st.samples.map((s) => s.longest)), n: st.samples.length, fmt: ms, goal: GOALS.overdueTaskMs });
    absoluteRow('  its longest main-thread task, CPU time, ms', { result: lib.spread(st.samples.map((s) => s.longestBusy)), n: st.samples.length, fmt: ms, goal: GOALS.overdueTaskMs });
    absoluteRow('  bytes written to storage, KiB', {
      result: lib.spread(st.samples.map((s) => s.bytes / 1024)),
      n: st.samples.length,
      fmt: (v) => `${Math.round(v).toLocaleString('en-US')} KiB`,
      goal: GOALS.overdueBytes / 1024,
    });
    notes.push(
      `timers (scripts/bench/timers.mjs): a timer command replaces timer "bench" with 0, 100 or 1,000 other timers stored; per round ${20} commands per subject, ` +
        `subjects interleaved (floor, ordinary, 0, 100, 1,000); a command's cost is its frame's synchronous run plus one microtask turn plus the zero-delay tasks it scheduled. ` +
        `Floor: JSON.parse of the frame, JSON.stringify of one timer record, one setItem, a Map.set. Bytes written per command: ${['0', '100', '1000'].map((c) => `${c}: ${Math.round(r.command[c].bytes)} B`).join(', ')}. ` +
        `Page load: the longest task ${fmtMs(st.longestTaskMs)} (by CPU time ${fmtMs(st.longestTaskBusyMs)}), ${st.tasks} tasks, ${Math.round(st.bytesWritten / 1024)} KiB written; ` +
        `its floor (one loop reading each timer, a marker written) is measured once.`,
    );
  });
}

// ---- transcript
if (wants('transcript')) {
  await section('transcript', ['transcript'], async () => {
    const { benchTranscript } = await import('./bench/transcript.mjs');
    const env = noChromium || !existsSync(executablePath) ? 'happy-dom' : 'chromium';
    log(`transcript (${env}): ${S.transcriptRounds} rounds`);
    const r = await benchTranscript({ env, chromium: executablePath, dist, rounds: S.transcriptRounds, commands: S.transcriptCommands, limits: [200, 1000] });
    raw.transcript = r;
    for (const res of r.results) {
      for (const variant of ['visible', 'floor-visible', 'hidden', 'floor']) {
        const label = {
          visible: `transcript limit ${res.limit.toLocaleString('en-US')}: mountTranscript (visible) vs not mounted, µs per command`,
          'floor-visible': `  the least renderer (one <li> in, one out) on the same visible scroll area: the browser's style and layout`,
          hidden: `  mountTranscript on a display:none element (its JS and DOM work alone)`,
          floor: `  the least renderer (one <li> in, one out; display:none), for comparison`,
        }[variant];
        row(label, { result: res[variant].b, floor: res.a, ratio: res[variant].ratio, n: r.rounds, goal: variant === 'visible' ? GOALS.transcriptRatio : undefined });
      }
      if (res['floor-visible']) {
        // EngageKit's share of the visible figure: its renderer against the least one, both on the visible area.
        row('  mountTranscript ÷ the least renderer, both visible (medians)', {
          result: res.visible.b,
          floor: res['floor-visible'].b,
          ratioText: x(res.visible.b.median / res['floor-visible'].b.median),
          n: r.rounds,
        });
      }
    }
    notes.push(
      `transcript (scripts/bench/transcript.mjs, ${env}): each round fills the transcript to its limit (off the clock), then times ${r.commands} more commands, one per microtask checkpoint, ` +
        `until every handler ran, the transcript (and its <li>s) had the last one, a task passed and style and layout were brought up to date. ` +
        `A (no transcript mounted) and B alternate; the ratio is B ÷ A of each pair.${env === 'happy-dom' ? ' happy-dom has no layout: visible and hidden are the same work there.' : ''}`,
    );
  });
}

// ---- startup with what closed tabs left
if (wants('startup')) {
  const figure = 'startup: createVisitor() → connection open, 100 dead tabs\' queues + 5,000 unrelated keys vs empty storage, µs';
  await section('startup', [figure], async () => {
    const { benchStartup } = await import('./bench/startup.mjs');
    log(`startup: ${S.startupRounds} rounds`);
    const r = await benchStartup({ dist, rounds: S.startupRounds });
    raw.startup = r.samples;
    row(figure, { result: r.spread('seeded'), floor: r.spread('empty'), ratio: r.ratio('seeded', 'empty'), n: S.startupRounds, goal: GOALS.startupRatio });
    notes.push(
      `startup: Node, a fresh Map-backed storage with key() each round (${r.seed.tabs} tabs × ${r.seed.perTab} events in the SDK's format, ${r.seed.unrelated.toLocaleString('en-US')} keys of the page's own; or empty), ` +
        `an in-memory Web Locks manager (a dead tab's lock is free), a fake socket that opens and answers hello at once: the time is the SDK's own. ` +
        `createVisitor()'s synchronous call alone: seeded ${range(lib.spread(r.sync.seeded), us)}, empty ${range(lib.spread(r.sync.empty), us)}. ` +
        `Off the clock, each seeded round checks that every adopted event is then sent (flush()).`,
    );
  });
}

// ---- the SDK's evaluation
if (wants('eval')) {
  const figure = 'evaluating dist/engagekit.global.js (Chromium, inline), ms';
  await section('eval', [figure], async () => {
    if (!(await chromium())) return skipRow(figure, chromiumSkipped);
    const { benchEval } = await import('./bench/e2e.mjs');
    log(`eval: ${S.evalRounds} rounds`);
    const r = await benchEval({ browser, dist, rounds: S.evalRounds });
    raw.eval = r.samples;
    row(figure, { result: r.spread('sdk'), floor: r.spread('floor'), ratio: r.ratio('sdk', 'floor'), n: S.evalRounds, fmt: ms });
    notes.push(
      'eval: the bundle inline in a page (no network on the clock), performance.now() in a script before and after it, a new page load per round with a unique comment appended ' +
        '(no compilation cache). Floor: the same bytes inside a function that is never called: the page load, the bytes and their pre-parse, nothing run.',
    );
  });
}

// ---- memory
if (wants('memory')) {
  const label = `heap growth, ${S.commands.toLocaleString('en-US')} commands + ${S.events.toLocaleString('en-US')} events, one visitor`;
  await section('memory', [label], async () => {
    const { benchMemory } = await import('./bench/memory.mjs');
    const { createVisitor } = await import(pathToFileURL(join(dist, 'index.js')).href);
    log(`memory: ${S.commands.toLocaleString('en-US')} commands`);
    const r = await benchMemory(createVisitor, { commands: S.commands, events: S.events });
    const ok = r.growth < GOALS.memoryBytes;
    verdicts.push({ figure: label, ok, text: `${label}: ${fmtMB(r.growth)}, goal < ${fmtMB(GOALS.memoryBytes)}` });
    rows.push([label, fmtMB(r.growth), fmtMB(r.floorGrowth), '—', '1', `< ${fmtMB(GOALS.memoryBytes)}`, ok ? 'yes' : 'NO']);
    notes.push(
      `memory: heapUsed after full GCs, before and after, the visitor still alive; growth at each quarter: ${r.checkpoints.map((c) => fmtMB(c.growth)).join(', ')} ` +
        `(flat = bounded); the transcript holds ${r.retained.transcript} entries. Floor: the bare parse + lookup + call loop over as many frames (it keeps nothing: the measurement's noise).`,
    );
  });
}

// ---- end to end in Chromium
if (wants('e2e')) {
  const labels = ['e2e: operator PUT → handler called'];
  await section('e2e', labels, async () => {
    if (!(await chromium())) return skipRow(labels[0], chromiumSkipped);
    const { benchLatency } = await import('./bench/e2e.mjs');
    for (const gap of [0, PACE_MS]) {
      const rounds = gap ? S.pacedRounds : S.e2eRounds;
      const perRound = gap ? S.pacedPerRound : S.e2ePerRound;
      const sides = gap ? ['sdk', 'bare'] : ['sdk', 'bare', 'unmounted', 'noreport'];
      log(`e2e ${gap ? `paced, ${gap} ms apart` : 'back to back'}: ${rounds} rounds × ${perRound} commands per side`);
      const r = await benchLatency({ browser, dist, rounds, perRound, sides, gap });
      raw[`e2e gap ${gap}`] = r.all;
      const how = gap ? `one command every ${gap} ms` : 'back to back';
      const n = `${rounds}×${perRound}`;
      const one = (name, p) => ({ median: r.all[name][p], min: r.all[name][p], max: r.all[name][p] });
      for (const [p, goal] of [
        ['median', GOALS.e2eMedianRatio],
        ['p99', GOALS.e2eP99Ratio],
      ]) {
        const ratio = r.all.sdk[p] / r.all.bare[p];
        const figure = `e2e (Chromium): operator PUT → handler, ${how}, ${p} (ms)`;
        row(figure, {
          result: p === 'median' ? { ...r.spread('sdk'), median: r.all.sdk.median } : one('sdk', p),
          floor: p === 'median' ? { ...r.spread('bare'), median: r.all.bare.median } : one('bare', p),
          ratio: { median: ratio, min: ratio, max: ratio },
          ratioText: p === 'median' ? `${x(ratio)} (rounds: ${range(r.ratio('sdk', 'bare'), x)})` : x(ratio),
          n,
          fmt: ms,
          goal,
        });
        for (const [side, what] of [
          ['unmounted', 'the SDK without a transcript mounted'],
          ['noreport', 'that, its result reports answered in the page (diagnosis)'],
        ]) {
          if (!r.all[side]) continue;
          const ratio2 = r.all[side][p] / r.all.bare[p];
          row(`  ${what}, ${p}`, { result: one(side, p), floor: one('bare', p), ratio: { median: ratio2, min: ratio2, max: ratio2 }, ratioText: x(ratio2), n, fmt: ms });
        }
      }
      notes.push(
        `e2e ${how}: ${r.all.sdk.n} commands per side; median and p99 over all of them; the range in brackets is that of the rounds' medians. ` +
          `The PUT's round trip: ${range(r.put, ms)}. Clock: performance.now() in the page, ${r.crossOriginIsolated ? '5 µs steps (cross-origin isolated)' : '100 µs steps (not cross-origin isolated)'}.` +
          (r.errors.length ? ` Page errors: ${r.errors.slice(0, 3).join(' | ')}` : ''),
      );
    }
    notes.push(
      'e2e: Chromium loads a page with dist/engagekit.global.js (script tag) from a local server; the reference server (startMockServer, real HTTP and WebSocket on 127.0.0.1) runs in the bench process. ' +
        'On that page: the SDK\'s visitor with mountTranscript on a 300 px scroll area ("sdk"), a second visitor without a transcript mounted ("unmounted"), a third one whose fetch answers ' +
        'its result reports itself (a diagnosis: what the reports\' requests cost), and a plain WebSocket ' +
        '(the floor: hello, then JSON.parse of each frame and a call), each on its own engagement; rounds of each side interleaved. Each command: the page PUTs it (fetch, as the operator client does) ' +
        'and stamps performance.now() where its own code gets it: the SDK\'s registered handler, the bare socket\'s onmessage after JSON.parse; the next command once the handler ran and the PUT was answered ' +
        '(back to back), or after the pause.',
    );
  });
}

await browser?.close();
const loadSpread = load.stop();

// ---- the table
const header = ['figure', 'result: median (range)', 'floor: median (range)', 'ratio: median (range)', 'rounds', 'goal', 'met?'];
console.log(textTable(header, rows));
console.log(
  `\nLoad average (1 min) during the run: median ${loadSpread.median.toFixed(1)}, ${loadSpread.min.toFixed(1)} – ${loadSpread.max.toFixed(1)} on ${m.cores} cores; ` +
    `${((performance.now() - started) / 1000).toFixed(0)} s in all.`,
);
console.log('\nNotes:');
for (const note of notes) console.log(`- ${note}`);
const missed = verdicts.filter((v) => !v.ok);
console.log(`\nGoals: ${verdicts.length - missed.length} of ${verdicts.length} met.`);
for (const v of verdicts) console.log(`- ${v.ok ? 'met' : 'MISSED'}: ${v.text}`);
if (flag('--markdown')) console.log(`\n${markdownTable(header, rows)}`);
const jsonFile = option('--json');
if (jsonFile) writeFileSync(jsonFile, JSON.stringify({ machine: m, load: loadSpread, settings: S, raw }, null, 1));
if (failed) {
  console.error(`\nbench: ${failed} part(s) failed (see above)`);
  process.exitCode = 1;
}
